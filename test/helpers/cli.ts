// Runs the real launcher (bin/synccli, built dist/) as a child process, the
// way a user does, and collects what it printed, when, and how it exited.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freshStateDir } from "./state-dir.js";

export const BIN = fileURLToPath(new URL("../../bin/synccli", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout chunks with the ms (since spawn) they arrived at. */
  chunks: { at: number; text: string }[];
  endedAt: number;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string | RegExp): Promise<void>;
  /** stdout so far. */
  output(): string;
  done: Promise<CliResult>;
}

export function startCli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): CliRun {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, "--no-color", ...args], {
    // A blank virtual board of its own unless the test passes a state folder (runs side by side would find a shared one locked).
    env: { ...process.env, SYNCCLI_STATE_DIR: freshStateDir(), ...opts.env, FORCE_COLOR: "0" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const chunks: CliResult["chunks"] = [];
  const watchers: { test: (s: string) => boolean; resolve: () => void }[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    const text = d.toString();
    stdout += text;
    chunks.push({ at: performance.now() - t0, text });
    for (const w of [...watchers]) if (w.test(stdout)) w.resolve();
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  const done = new Promise<CliResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr, chunks, endedAt: performance.now() - t0 })),
  );
  const waitFor = (text: string | RegExp) =>
    new Promise<void>((resolve, reject) => {
      const test = (s: string) => (typeof text === "string" ? s.includes(text) : text.test(s));
      if (test(stdout)) return resolve();
      watchers.push({ test, resolve });
      void done.then(() => (test(stdout) ? resolve() : reject(new Error(`exited before printing ${text}; stdout: ${stdout}; stderr: ${stderr}`))));
    });
  return { child, waitFor, done, output: () => stdout };
}

export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return startCli(args, opts).done;
}
