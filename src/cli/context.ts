// What every command shares: the global options, opening the board (hardware
// or virtual), rendering output, and turning Ctrl-C into a board interrupt.
import chalk from "chalk";
import type { Command } from "commander";
// Heavy modules (native serial binding, the virtual board) load on first use,
// so `synccli --help` starts fast.
import type { Board, ExecResult } from "../board/board.js";
import type { SimTarget } from "../sim/binding.js";
import { EXIT, ReportedError, UserError } from "../errors.js";
import { FANOUT_ENV } from "./fanout.js";
import { checkBoardName } from "../sim/flash.js";

export interface GlobalOptions {
  /** Every --port given (several: fanout.ts runs the command once per board). */
  port?: string[];
  all?: boolean;
  baud: number;
  timeout: number;
  sim?: boolean;
  simOptions?: string;
  json?: boolean;
  color: boolean;
  reset?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export interface Session {
  board: Board;
  /** The serial port opened, or `sim:NAME` for a virtual board. */
  port: string;
  target?: SimTarget;
  /** Aborted by Ctrl-C on the host. */
  signal: AbortSignal;
  /** True while a script runs: Ctrl-C then goes to the board instead of ending synccli. */
  executing: boolean;
  /** Our stdout's reader went away (`| head`): the run was stopped as by Ctrl-C, quietly. */
  pipeClosed: boolean;
  close(): Promise<void>;
}

export async function openSession(g: GlobalOptions): Promise<Session> {
  const timeoutMs = Math.round(g.timeout * 1000);
  const { Board } = await import("../board/board.js");
  const { createSim, parseSimSpec } = await import("../sim/index.js");
  // The one board of this process: several are fanned out to one child each (fanout.ts).
  let port = process.env[FANOUT_ENV] ?? g.port?.[0];
  const virtual = virtualBoard(port, g);
  const sim = virtual ? createSim({ baud: g.baud, ...parseSimSpec(virtual.spec), name: virtual.name }) : undefined;
  const ac = new AbortController();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    process.off("SIGINT", onSigint);
    process.stdout.off("error", onStdoutError);
    await board?.close();
    await sim?.target.close();
  };
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(EXIT.interrupted); // second Ctrl-C: stop waiting
    ac.abort();
    if (session?.executing) return;
    process.stderr.write(chalk.yellow("\ninterrupted\n"));
    exitingOnInterrupt = true; // what the abandoned operation throws now is not news
    // Before the script started (opening, installing): still one object for a JSON reader.
    if (g.json) process.stdout.write(JSON.stringify({ ok: false, interrupted: true, error: "interrupted", hint: "Ctrl-C before the script started; nothing ran", exitCode: EXIT.interrupted }) + "\n");
    // A board that takes nothing in (silent, or a full line) must not hold the exit up.
    void Promise.race([close(), new Promise((r) => setTimeout(r, 1000).unref())]).finally(() => process.exit(EXIT.interrupted));
  };
  process.on("SIGINT", onSigint);
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    if (session) session.pipeClosed = true;
    if (!ac.signal.aborted) ac.abort();
  };
  process.stdout.on("error", onStdoutError);
  let board: Board | undefined;
  let session: Session | undefined;
  try {
    // No --port: SYNCCLI_PORT, else the one ESP-like port plugged in (exit 3 naming the ports otherwise); u0/a0/c3 shortcuts.
    if (virtual) port = `sim:${virtual.name}`;
    else port = await (await import("../transport/list.js")).resolvePort(port);
    board = await Board.open({ path: sim?.path ?? port, baudRate: g.baud, timeoutMs, binding: sim?.binding, reset: g.reset });
  } catch (err) {
    await close();
    throw err;
  }
  session = { board, port, target: sim?.target, signal: ac.signal, executing: false, pipeClosed: false, close };
  return session;
}

/**
 * A virtual board is `--sim` (its --port, if any, names it) or a port written
 * `sim` / `sim:NAME` / `sim:NAME,option,...`, so real and virtual boards can
 * share one `--port` list. Undefined: a serial port.
 */
export function virtualBoard(port: string | undefined, g: Pick<GlobalOptions, "sim" | "simOptions">): { name: string; spec?: string } | undefined {
  const m = port === undefined ? null : /^sim(?::([^,]*))?(?:,(.*))?$/.exec(port);
  let name: string | undefined;
  let spec = g.simOptions;
  if (m) {
    name = m[1] || "board";
    if (m[2]) spec = spec ? `${spec},${m[2]}` : m[2];
  } else if (g.sim || g.simOptions !== undefined) name = port ?? "board";
  else return undefined;
  // Each keeps its flash in a folder of that name. `--sim-options ""` is an empty list: still the virtual board.
  return { name: checkBoardName(name), spec };
}

/** Ctrl-C outside a running script: the exit is under way and already reported. */
let exitingOnInterrupt = false;


/** Board output uses CRLF; a host terminal or a pipe wants LF. Holds a split \r. */
export function crlfToLf(): (chunk: Uint8Array) => string {
  const decoder = new TextDecoder();
  let pendingCR = false;
  return (chunk) => {
    let s = (pendingCR ? "\r" : "") + decoder.decode(chunk, { stream: true });
    pendingCR = s.endsWith("\r");
    if (pendingCR) s = s.slice(0, -1);
    return s.replace(/\r\n/g, "\n");
  };
}

/**
 * Adds, under a traceback, the line of the user's source each `<stdin>` frame
 * points at, so a student sees their own code rather than a line number.
 */
export function annotateTraceback(stderr: string, source: string | undefined, name: string, lineOffset = 0): string {
  const text = stderr.replace(/\r\n/g, "\n");
  if (!source) return text;
  const lines = source.split("\n");
  // lineOffset: lines synccli put before the user's code (tracing), not theirs to see.
  return text.replace(/^(\s*File "<stdin>", line )(\d+)(.*)$/gm, (whole, head: string, n: string, tail: string) => {
    const k = Number(n) - lineOffset;
    const src = lines[k - 1];
    return src === undefined ? whole : `${head}${k}${tail}\n    ${name}:${k}: ${src.trim()}`;
  });
}

/**
 * Runs code on the board with its output delivered as text (LF line ends) and
 * Ctrl-C forwarded to the board; an interrupted board is left in its
 * friendly REPL, ready for the next command.
 */
export async function execOnBoard(session: Session, code: string, onText: (text: string) => void, quiet = false): Promise<ExecResult> {
  const { board } = session;
  const onAbort = () => {
    if (!quiet && !session.pipeClosed) process.stderr.write(chalk.yellow("\n^C: stopping the board...\n"));
  };
  session.signal.addEventListener("abort", onAbort, { once: true });
  const toText = crlfToLf();
  session.executing = true;
  let result: ExecResult;
  try {
    result = await board.exec(code, { signal: session.signal, onStdout: (d) => onText(toText(d)) });
  } finally {
    session.executing = false;
    session.signal.removeEventListener("abort", onAbort);
  }
  if (result.interrupted) await board.exitRaw();
  return result;
}

/** Takes something out of the board's output as it streams (trace records): what is left is shown. */
export interface OutputFilter {
  push(text: string): string;
  /** The output ended: whatever the filter still holds, as text. */
  end(): string;
}

/** `exec` and `run`: live output, the traceback rendered, the exit code returned. */
export async function runStreaming(
  session: Session,
  code: string,
  opts: { source?: string; name: string; json?: boolean; lineOffset?: number; filter?: OutputFilter },
): Promise<number> {
  let stdout = "";
  let lineOpen = false;
  let result: ExecResult;
  const show = (s: string) => {
    if (s) lineOpen = !s.endsWith("\n");
    if (opts.json) stdout += s;
    else if (!session.pipeClosed) process.stdout.write(s);
  };
  const filter = opts.filter;
  try {
    try {
      result = await execOnBoard(session, code, filter ? (s) => show(filter.push(s)) : show, opts.json);
    } finally {
      if (filter) show(filter.end());
    }
  } catch (err) {
    // Keep what arrived, then end its line so the error stands on its own.
    if (opts.json && err instanceof UserError) throw new ReportedError(renderError(err, true, stdout));
    if (lineOpen) process.stdout.write("\n");
    throw err;
  }
  // Whoever read our output has gone: the board was stopped, nothing more to say.
  if (session.pipeClosed) return EXIT.ok;
  // The traceback is rendered once complete, annotated with the user's lines.
  const stderr = annotateTraceback(result.stderr, opts.source, opts.name, opts.lineOffset);
  const code_ = result.interrupted ? EXIT.interrupted : result.ok ? EXIT.ok : EXIT.boardError;
  // A known mistake (old asyncio code, the notebook's programs) gets one line naming the fix.
  const hint = code_ === EXIT.boardError ? (await import("../board/hints.js")).hintFor(result.stderr, opts.source, opts.lineOffset) : undefined;
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ ok: result.ok, interrupted: result.interrupted, ...(result.notRun ? { notRun: true } : {}), mode: result.mode, pasteAborted: result.pasteAborted, stdout, stderr, exitCode: code_, ...(hint ? { hint } : {}) }) + "\n",
    );
  } else if (!result.ok && !result.interrupted) {
    process.stderr.write(chalk.red(endLine(stderr)));
    if (hint) process.stderr.write(`${chalk.dim("hint:")} ${hint}\n`);
    // A board stops a raw-paste transfer early when it cannot compile the code
    // (a SyntaxError, or out of memory); the traceback above says which.
    if (result.pasteAborted) process.stderr.write(chalk.dim("the board stopped receiving the code before its end\n"));
  } else if (result.interrupted) showInterrupted(stderr, result.notRun);
  return code_;
}

/** `s` ending its last line. */
export const endLine = (s: string): string => (s.endsWith("\n") ? s : s + "\n");

/** After Ctrl-C: where the program was when it stopped (its KeyboardInterrupt traceback, as mpremote shows it), then what became of the board. */
export function showInterrupted(traceback: string, notRun = false): void {
  if (traceback.trim()) process.stderr.write(chalk.dim(endLine(traceback)));
  process.stderr.write(chalk.yellow(notRun ? "interrupted before the code was sent; nothing ran\n" : "interrupted; the board is back at its REPL\n"));
}

/**
 * One line and a hint on stderr; with --json also one object on stdout, so a
 * CI script reading stdout learns why (with any output that arrived first).
 */
export function renderError(err: unknown, json = false, stdout?: string): number {
  if (exitingOnInterrupt) return EXIT.interrupted;
  if (err instanceof UserError) {
    process.stderr.write(`${chalk.red("synccli:")} ${err.message}\n${chalk.dim("hint:")} ${err.hint}\n`);
    if (json) process.stdout.write(JSON.stringify({ ok: false, error: err.message, hint: err.hint, exitCode: err.exitCode, ...(stdout !== undefined ? { stdout } : {}) }) + "\n");
    return err.exitCode;
  }
  // A file of the user's that cannot be read (a script, an output path): their setup, not our bug.
  const fsErr = fileError(err);
  if (fsErr) return renderError(fsErr, json, stdout);
  const e = err as Error;
  process.stderr.write(`${chalk.red("synccli: internal error:")} ${e?.stack ?? String(e)}\n`);
  if (json) process.stdout.write(JSON.stringify({ ok: false, error: `internal error: ${e?.message ?? String(e)}`, exitCode: 70 }) + "\n");
  return 70;
}

const FILE_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ENOENT: "no such file or directory",
  ELOOP: "too many symbolic links",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
};

/** Node's errors from reading or writing a local file, as a UserError (exit 2), else undefined. */
export function fileError(err: unknown): UserError | undefined {
  const e = err as NodeJS.ErrnoException | undefined;
  if (!e || typeof e !== "object" || typeof e.code !== "string" || typeof e.syscall !== "string") return undefined;
  const why = FILE_ERRORS[e.code];
  if (!why || !/^(open|read|write|scandir|stat|lstat|mkdir|access|copyfile|rename|unlink)$/.test(e.syscall)) return undefined;
  const path = e.path ?? "a file";
  return new UserError(`cannot ${e.syscall === "scandir" ? "list" : e.syscall === "open" ? "open" : /^(write|mkdir|rename|unlink|copyfile)$/.test(e.syscall) ? "write" : "read"} ${path}: ${why}`, "check the path and its permissions", EXIT.usage);
}
