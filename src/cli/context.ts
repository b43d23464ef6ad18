// What every command shares: the global options, opening the board (hardware
// or virtual), rendering output, and turning Ctrl-C into a board interrupt.
import chalk from "chalk";
import type { Command } from "commander";
import { Board, type ExecResult } from "../board/board.js";
import { DEFAULT_BAUD, DEFAULT_PORT } from "../transport/port.js";
import { createSim, parseSimSpec } from "../sim/index.js";
import type { SimTarget } from "../sim/binding.js";
import { EXIT, UserError } from "../errors.js";

export interface GlobalOptions {
  port: string;
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
  target?: SimTarget;
  close(): Promise<void>;
}

export async function openSession(g: GlobalOptions): Promise<Session> {
  const timeoutMs = Math.round(g.timeout * 1000);
  if (g.sim || g.simOptions) {
    const sim = createSim({ baud: g.baud, ...parseSimSpec(g.simOptions) });
    const board = await Board.open({ path: sim.path, baudRate: g.baud, timeoutMs, binding: sim.binding, reset: g.reset });
    return {
      board,
      target: sim.target,
      async close() {
        await board.close();
        await sim.target.close();
      },
    };
  }
  const board = await Board.open({ path: g.port, baudRate: g.baud, timeoutMs, reset: g.reset });
  return { board, close: () => board.close() };
}

export const defaults = { port: DEFAULT_PORT, baud: DEFAULT_BAUD, timeout: 10 };

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
export function annotateTraceback(stderr: string, source: string | undefined, name: string): string {
  const text = stderr.replace(/\r\n/g, "\n");
  if (!source) return text;
  const lines = source.split("\n");
  return text.replace(/^(\s*File "<stdin>", line (\d+)(.*))$/gm, (whole, _f, n: string) => {
    const src = lines[Number(n) - 1];
    return src === undefined ? whole : `${whole}\n    ${name}:${n}: ${src.trim()}`;
  });
}

/**
 * Runs code with live output, Ctrl-C forwarded to the board, and the
 * traceback rendered; returns the exit code.
 */
export async function runStreaming(
  session: Session,
  code: string,
  opts: { source?: string; name: string; json?: boolean },
): Promise<number> {
  const { board } = session;
  const ac = new AbortController();
  let sigints = 0;
  const onSigint = () => {
    if (++sigints > 1) process.exit(EXIT.interrupted); // second Ctrl-C: give up waiting
    if (!opts.json) process.stderr.write(chalk.yellow("\n^C: stopping the board...\n"));
    ac.abort();
  };
  process.on("SIGINT", onSigint);
  const toText = crlfToLf();
  let stdout = "";
  let result: ExecResult;
  try {
    result = await board.exec(code, {
      signal: ac.signal,
      onStdout: (d) => {
        const s = toText(d);
        if (opts.json) stdout += s;
        else process.stdout.write(s);
      },
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
  // The traceback is rendered once complete, annotated with the user's lines.
  const stderr = annotateTraceback(result.stderr, opts.source, opts.name);
  if (result.interrupted) {
    // Leave the board in its friendly REPL, ready for the next command.
    await board.exitRaw();
  }
  const code_ = result.interrupted ? EXIT.interrupted : result.ok ? EXIT.ok : EXIT.boardError;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ok: result.ok, interrupted: result.interrupted, stdout, stderr, exitCode: code_ }) + "\n");
  } else if (!result.ok && !result.interrupted) {
    process.stderr.write(chalk.red(stderr.endsWith("\n") ? stderr : stderr + "\n"));
  } else if (result.interrupted) {
    process.stderr.write(chalk.yellow("interrupted; the board is back at its REPL\n"));
  }
  return code_;
}

export function renderError(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`${chalk.red("synccli:")} ${err.message}\n${chalk.dim("hint:")} ${err.hint}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  process.stderr.write(`${chalk.red("synccli: internal error:")} ${e?.stack ?? String(e)}\n`);
  return 70;
}
