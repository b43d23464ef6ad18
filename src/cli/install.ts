import type { Command } from "commander";
import chalk from "chalk";
import { globals, openSession, type Session } from "./context.js";
import type { InstallResult } from "../board/install.js";

/** Brings /lib/sync (and /lib/asyn.py) on the board up to date, with a progress bar on a terminal. */
export async function installWithProgress(session: Session, opts: { json?: boolean; quietIfCurrent?: boolean }): Promise<InstallResult> {
  const { installLibrary } = await import("../board/install.js");
  const showBar = !opts.json && process.stderr.isTTY === true;
  // cli-progress draws a proper bar on a terminal (and redraws nothing into pipes).
  const { SingleBar, Presets } = await import("cli-progress");
  const bar = new SingleBar(
    { format: "installing sync library |{bar}| {percentage}% {value}/{total} bytes {file}", stream: process.stderr, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  const result = await installLibrary(session.board, {
    plan(toCopy, _upToDate, total) {
      if (showBar && toCopy.length) {
        bar.start(total, 0, { file: "" });
        started = true;
      }
    },
    bytes(n, file) {
      if (started) bar.increment(n, { file: file.name });
    },
  });
  if (started) bar.stop();
  if (!opts.json && !(opts.quietIfCurrent && result.copied.length === 0)) {
    const copied = result.copied.length ? `copied ${result.copied.join(", ")} (${result.bytes} bytes)` : "nothing to copy";
    process.stderr.write(chalk.dim(`sync library on the board: ${copied}; ${result.upToDate.length} file(s) already current\n`));
  }
  return result;
}

export interface PrepareOptions {
  install: boolean;
  softReset: boolean;
  json?: boolean;
}

/** The options `run` and `compare` share for getting the board ready. */
export function withPrepareOptions(cmd: Command): Command {
  return cmd
    .option("--no-install", "do not bring the board's sync library (and asyn) up to date first")
    .option("--no-soft-reset", "keep the board's interpreter state (variables, imported modules, leftover tasks) from earlier runs");
}

/**
 * Gets the board ready for a script: the sync library (with asyn) current when
 * the script imports either, then a soft reset so the run starts from a fresh interpreter
 * (no stale `sync` modules or tasks from an earlier run), as mpremote does.
 */
export async function prepareForScript(session: Session, source: string, opts: PrepareOptions): Promise<void> {
  const { usesLibrary } = await import("../board/scripts.js");
  if (opts.install && usesLibrary(source)) await installWithProgress(session, { json: opts.json, quietIfCurrent: true });
  if (opts.softReset) await session.board.softReset();
}

export function registerInstall(program: Command) {
  program
    .command("install")
    .description("copy the sync library (firmware/sync) to the board's /lib/sync and asyn.py to /lib, skipping files already current")
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const session = await openSession(g);
      try {
        const result = await installWithProgress(session, { json: g.json });
        if (g.json) process.stdout.write(JSON.stringify(result) + "\n");
      } finally {
        await session.close();
      }
    });
}
