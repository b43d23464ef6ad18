// Several boards at once (`--port` given more than once, or `--all`): the same
// command runs once per board, each in a synccli child process of its own, so
// a board that hangs, fails or disconnects cannot stop the others, and every
// board gets the full single-board code path (interrupts, retries, errors).
// Output lines come back prefixed with the board; then one summary row each.
import type { ChildProcess } from "node:child_process";
import { basename, resolve } from "node:path";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import chalk from "chalk";
import type { ReadlineParser as Lines } from "@serialport/parser-readline";
import { EXIT, UserError } from "../errors.js";
import { COMMANDS } from "./commands.js";
import { sanitize } from "../demos/columns.js";

/** Set in each child: the one port it drives (its --port/--all are then ignored). */
export const FANOUT_ENV = "SYNCCLI_FANOUT_PORT";
/** Set in every child but the first: what is the same for all boards (a demo's header) is said once. */
export const FANOUT_REPEAT_ENV = "SYNCCLI_FANOUT_REPEAT";


export interface BoardOutcome {
  port: string;
  exitCode: number;
  seconds: number;
  /** "ok", or the line that says what went wrong. */
  result: string;
  /** The child's own --json object, when --json. */
  json?: unknown;
}

/** What the board is called in prefixes, summary rows and per-board file names. */
export function boardLabel(port: string): string {
  const sim = /^sim(?::([^,]*))?/.exec(port);
  if (sim) return `sim:${sim[1] || "board"}`;
  return port.startsWith("/dev/") ? basename(port) : port;
}

/** `run.html` for board ttyUSB0 becomes `run-ttyUSB0.html`: several boards never write one file. */
export function perBoardFile(file: string): string {
  const port = process.env[FANOUT_ENV];
  if (!port) return file;
  const tag = boardLabel(port).replace(/[^A-Za-z0-9_.-]+/g, "-");
  const dot = file.lastIndexOf(".");
  return dot > file.lastIndexOf("/") && dot > 0 ? `${file.slice(0, dot)}-${tag}${file.slice(dot)}` : `${file}-${tag}`;
}

/** The ports to drive when more than one board is asked for, else undefined (the normal single-board path). */
export async function fanoutPorts(
  ports: string[],
  all: boolean,
  g: { sim?: boolean; simOptions?: string },
  list?: () => Promise<{ path: string; esp?: string }[]>,
): Promise<string[] | undefined> {
  if (process.env[FANOUT_ENV]) return undefined;
  const sim = g.sim === true || g.simOptions !== undefined;
  if (all) {
    if (sim) throw new UserError("--all looks for serial ports, not virtual boards", "for several virtual boards name them: --sim --port a --port b", EXIT.usage);
    if (ports.length) throw new UserError("--all and --port together", "give either --all (every ESP-like port) or the ports, with --port for each", EXIT.usage);
    const found = (await (list ?? (await import("../transport/list.js")).listPorts)()).filter((p) => p.esp).map((p) => p.path);
    if (!found.length) throw new UserError("--all found no ESP-like serial port", "plug the boards in and run `synccli list`; --port names a port that `list` does not recognise", EXIT.portNotFound);
    return found;
  }
  if (ports.length < 2) return undefined;
  // Every board checked before any starts: a bad name or option, or one board named twice
  // (`u0` and /dev/ttyUSB0, `sim:a` and `--sim --port a`), is a usage error, not a board busy later.
  const { virtualBoard } = await import("./context.js");
  const { expandPort } = await import("../transport/defaults.js");
  const seen = new Map<string, string>();
  for (const p of ports) {
    const v = virtualBoard(p, g);
    if (v) (await import("../sim/index.js")).parseSimSpec(v.spec);
    const key = v ? `sim:${v.name}` : resolvePath(expandPort(p.trim()));
    const first = seen.get(key);
    if (first !== undefined) throw new UserError(`--port ${p} names the same board as --port ${first}`, "name each board once", EXIT.usage);
    seen.set(key, p);
  }
  return ports;
}

/** A device path as the system sees it (`./ttyUSB0` from /dev is /dev/ttyUSB0); COM ports as they are. */
function resolvePath(p: string): string {
  return /^COM\d+$/i.test(p) ? p.toUpperCase() : resolve(p);
}

/** Commands that need no board (commands.ts says which) run once, whatever --port says. */
export function usesBoard(path: string[], opts: { host?: boolean }): boolean {
  return COMMANDS[path[0] ?? ""]?.boards !== "none" && !(path[0] === "run" && opts.host === true);
}

/** Refuses commands that cannot run on several boards (an interactive session, a side-by-side view), before any board is opened. */
export function checkFanoutCommand(path: string[]): void {
  if (COMMANDS[path[0] ?? ""]?.boards !== "many") {
    const many = Object.keys(COMMANDS).filter((n) => COMMANDS[n]!.boards === "many");
    throw new UserError(`\`${path.join(" ")}\` works on one board at a time`, `several boards (--port more than once, --all) work with: ${many.join(", ")}`, EXIT.usage);
  }
}

const WINDOWS = process.platform === "win32";

const COLOURS = [chalk.cyan, chalk.magenta, chalk.yellow, chalk.green, chalk.blue, chalk.red];

/**
 * Runs this very command line once per port, in parallel, and returns the
 * worst (highest) exit code. Ctrl-C is passed on to every child once per
 * press: each stops its own board, as a single-board run does.
 */
export async function runOnBoards(ports: string[], opts: { json: boolean; argv?: string[] }): Promise<number> {
  const argv = opts.argv ?? process.argv.slice(1);
  const labels = ports.map(boardLabel);
  const width = Math.max(...labels.map((l) => l.length));
  const children: ChildProcess[] = [];
  // On Windows a console's Ctrl-C reaches every process in it (the children are not
  // detached there), and kill("SIGINT") would end a child at once instead of stopping its board.
  const onSigint = () => {
    if (WINDOWS) return;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGINT");
  };
  const killAll = () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  };
  // Ended from outside (a closed terminal, `timeout`, kill): each board is stopped as by
  // Ctrl-C, then its process ended, so no board is left running a script nor its port held.
  const onEnd = () => {
    onSigint();
    setTimeout(killAll, 3000).unref();
  };
  // Our reader went away (`| head`): stop the boards, quietly.
  let pipeClosed = false;
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    pipeClosed = true;
    if (WINDOWS) killAll(); // no Ctrl-C to pass on there
    else onSigint();
  };
  process.on("SIGINT", onSigint);
  for (const sig of ["SIGTERM", "SIGHUP"] as const) process.on(sig, onEnd);
  process.on("exit", killAll);
  process.stdout.on("error", onStdoutError);
  // Loaded here, not at start-up: every command imports this module for its constants.
  const { ReadlineParser } = await import("@serialport/parser-readline");
  const { spawn } = await import("node:child_process");
  try {
    const outcomes = await Promise.all(
      ports.map((port, i) => {
        const colour = chalk.level > 0 ? COLOURS[i % COLOURS.length]! : (s: string) => s;
        return runOne(spawn, port, argv, {
          json: opts.json,
          prefix: colour(`[${labels[i]!.padEnd(width)}] `),
          children,
          repeat: i > 0,
          lines: () => new ReadlineParser({ delimiter: "\n", includeDelimiter: false }),
          out: (line) => void (pipeClosed || process.stdout.write(line)),
        });
      }),
    );
    if (pipeClosed) return EXIT.ok;
    if (opts.json) {
      const exitCode = worst(outcomes);
      process.stdout.write(
        JSON.stringify({ ok: exitCode === 0, exitCode, boards: outcomes.map((o) => ({ port: o.port, exitCode: o.exitCode, seconds: o.seconds, result: o.result, ...(o.json !== undefined ? { output: o.json } : {}) })) }) + "\n",
      );
    } else process.stdout.write(summary(outcomes, labels));
    return worst(outcomes);
  } finally {
    process.off("SIGINT", onSigint);
    for (const sig of ["SIGTERM", "SIGHUP"] as const) process.off(sig, onEnd);
    process.off("exit", killAll);
    process.stdout.off("error", onStdoutError);
  }
}

export function worst(outcomes: BoardOutcome[]): number {
  return outcomes.reduce((w, o) => Math.max(w, o.exitCode), 0);
}

export function summary(outcomes: BoardOutcome[], labels: string[]): string {
  const width = Math.max(5, ...labels.map((l) => l.length));
  const rows = outcomes.map((o, i) => {
    const status = o.exitCode === 0 ? chalk.green(o.result) : chalk.red(o.result);
    return `${labels[i]!.padEnd(width)}  ${String(o.exitCode).padStart(4)}  ${`${o.seconds.toFixed(1)} s`.padStart(7)}  ${status}\n`;
  });
  return `\n${chalk.bold(`${"board".padEnd(width)}  exit     time  result`)}\n${rows.join("")}`;
}

function runOne(spawn: typeof import("node:child_process").spawn, port: string, argv: string[], o: { json: boolean; prefix: string; children: ChildProcess[]; repeat: boolean; lines: () => Lines; out: (line: string) => void }): Promise<BoardOutcome> {
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env, [FANOUT_ENV]: port };
  if (o.repeat) env[FANOUT_REPEAT_ENV] = "1";
  // The child writes into a pipe: it keeps our colour choice rather than guessing from the pipe.
  if (chalk.level > 0) env.FORCE_COLOR = String(chalk.level);
  else {
    delete env.FORCE_COLOR;
    env.NO_COLOR = "1";
  }
  // detached: a terminal's Ctrl-C reaches only us; we pass it on exactly once per press (not on Windows, see onSigint).
  const child = spawn(process.execPath, argv, { env, stdio: ["ignore", "pipe", "pipe"], detached: !WINDOWS });
  o.children.push(child);
  let stdout = "";
  let lastErr = "";
  const lines = (stream: Readable, onLine: (line: string) => void) => stream.pipe(o.lines()).on("data", (l: string) => onLine(l.replace(/\r$/, "")));
  if (o.json) child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  else lines(child.stdout!, (l) => o.out(`${o.prefix}${l}\n`));
  lines(child.stderr!, (l) => {
    const plain = sanitize(l).trim();
    // The row says what went wrong: synccli's own error or the exception's last line, not a note after it.
    if (/^(synccli: |[\w.]*(Error|Exception|Interrupt|Exit)\b)/.test(plain)) lastErr = plain.replace(/^synccli:\s*/, "");
    else if (plain && !/^hint:/.test(plain) && !lastErr) lastErr = plain;
    process.stderr.write(`${o.prefix}${l}\n`);
  });
  return new Promise((resolve) => {
    const done = (exitCode: number, why?: string) => {
      const seconds = (performance.now() - started) / 1000;
      let json: unknown;
      if (o.json) {
        try {
          json = JSON.parse(stdout.trim().split("\n").pop() ?? "");
        } catch {
          json = undefined;
        }
      }
      // Under --json the child's message is in its object, not on stderr.
      const said = json && typeof json === "object" ? (json as { error?: unknown; stderr?: unknown }) : {};
      const fromJson = typeof said.error === "string" ? said.error : typeof said.stderr === "string" ? said.stderr.trim().split("\n").pop() : undefined;
      const result = exitCode === 0 ? "ok" : exitCode === EXIT.interrupted ? "interrupted" : why ?? (fromJson || lastErr || `exit ${exitCode}`);
      resolve({ port, exitCode, seconds, result, json });
    };
    child.on("error", (err) => done(70, `could not start synccli for this board: ${err.message}`));
    // Ended by a signal: Ctrl-C's is an interruption; another (killed, crashed) is reported as the shell does (128 + n).
    child.on("close", (code, signal) => {
      if (code !== null) return done(code);
      if (signal === "SIGINT" || signal === null) return done(EXIT.interrupted);
      done(128 + (constants.signals[signal] ?? 0), `synccli for this board ended by ${signal}`);
    });
  });
}
