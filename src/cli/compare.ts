// `synccli compare <demo>`: the demo on the board and its TypeScript mirror on
// the host at the same time, shown side by side and aligned by event; and
// `synccli run <demo> --host`: the mirror alone, no board.
import type { Command } from "commander";
import chalk from "chalk";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { annotateTraceback, execOnBoard, globals, openSession, type GlobalOptions, type Session } from "./context.js";
import { prepareForScript, withPrepareOptions, type PrepareOptions } from "./install.js";
import { resolveScript } from "../board/scripts.js";
import { hostDemo, hostDemos, type HostDemo } from "../demos/index.js";
import { parseLine, parseOutput, type DemoLine } from "../demos/format.js";
import { compareLines, renderTable, verdict } from "../demos/compare.js";
import { EXIT, UserError } from "../errors.js";

function findHostDemo(arg: string): HostDemo {
  const demo = hostDemo(arg);
  if (demo) return demo;
  throw new UserError(
    `no host mirror for ${arg}`,
    `demos with a host mirror: ${hostDemos.map((d) => d.name).join(", ")} (a .py file named like one, e.g. my/lock_demo.py, is compared with that demo's mirror)`,
    EXIT.usage,
  );
}

/** `run <demo> --host`: the host mirror alone, lines printed as they happen; Ctrl-C stops it (exit 130). */
export async function runHost(arg: string, g: GlobalOptions): Promise<number> {
  const demo = findHostDemo(arg);
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(EXIT.interrupted);
    ac.abort(new Error("interrupted"));
  };
  process.on("SIGINT", onSigint);
  // A reader that goes away (`| head`) ends the demo quietly. Left attached:
  // writes already under way may still report the closed pipe.
  let pipeClosed = false;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    pipeClosed = true;
    ac.abort(err);
  });
  let stdout = "";
  try {
    await demo.run((line) => {
      if (g.json) stdout += line + "\n";
      else process.stdout.write(line + "\n");
    }, ac.signal);
  } catch (err) {
    if (!ac.signal.aborted) throw err;
    if (pipeClosed) return EXIT.ok;
    if (g.json) process.stdout.write(JSON.stringify({ ok: false, interrupted: true, mode: "host", stdout, stderr: "", exitCode: EXIT.interrupted }) + "\n");
    else process.stderr.write(chalk.yellow("\ninterrupted\n"));
    return EXIT.interrupted;
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (g.json) process.stdout.write(JSON.stringify({ ok: true, interrupted: false, mode: "host", stdout, stderr: "", exitCode: EXIT.ok }) + "\n");
  return EXIT.ok;
}

interface BoardRun {
  lines: DemoLine[];
  interrupted: boolean;
  /** The traceback (annotated with the script's lines) if the code raised. */
  error?: string;
}

/** Runs the script on the board collecting its output (Ctrl-C handled as for `run`). */
async function runOnBoard(session: Session, source: string, name: string, quiet: boolean): Promise<BoardRun> {
  let stdout = "";
  const result = await execOnBoard(session, source, (s) => (stdout += s), quiet);
  const lines = parseOutput(stdout);
  if (!result.ok && !result.interrupted) return { lines, interrupted: false, error: annotateTraceback(result.stderr, source, name) };
  return { lines, interrupted: result.interrupted };
}

export function registerCompare(program: Command) {
  withPrepareOptions(
    program
      .command("compare")
      .argument("<demo>", "a demo name (e.g. lock-demo), or a .py file named like one (e.g. my/lock_demo.py) to check against that demo's host mirror")
      .description("run a demo on the board and its host mirror at the same time; show both side by side, aligned by event, and whether they agree"),
  ).action(async (arg: string, opts: PrepareOptions, cmd: Command) => {
    const g = globals(cmd);
    const demo = findHostDemo(arg);
    const path = resolveScript(arg);
    const source = readFileSync(path, "utf8");
    const session = await openSession(g);
    let board: BoardRun;
    const host: DemoLine[] = [];
    try {
      await prepareForScript(session, source, { ...opts, json: g.json });
      if (!g.json) process.stderr.write(chalk.dim(`running ${demo.name} on the board and on the host...\n`));
      // Both start now; each side's ms count from its own start.
      const hostDone = demo.run((line) => host.push(parseLine(line)), session.signal).then(
        () => undefined,
        (err: unknown) => err,
      );
      board = await runOnBoard(session, source, basename(path), g.json === true);
      const hostErr = await hostDone;
      if (hostErr !== undefined && !session.signal.aborted) throw hostErr;
    } finally {
      await session.close();
    }
    if (board.interrupted || session.signal.aborted) {
      if (!g.json) process.stderr.write(chalk.yellow("interrupted; the board is back at its REPL\n"));
      process.exitCode = EXIT.interrupted;
      return;
    }
    const c = compareLines(board.lines, host);
    if (g.json) {
      process.stdout.write(JSON.stringify({ ...c, ...(board.error !== undefined ? { boardError: board.error } : {}) }) + "\n");
    } else {
      process.stdout.write(renderTable(c, (s) => chalk.red(s)) + "\n\n");
      const v = verdict(c);
      process.stdout.write((c.equivalent ? chalk.green(v) : chalk.red(v)) + "\n");
      if (board.error !== undefined) process.stderr.write(chalk.red(board.error.endsWith("\n") ? board.error : board.error + "\n"));
    }
    process.exitCode = board.error !== undefined ? EXIT.boardError : c.equivalent ? EXIT.ok : EXIT.diverged;
  });
}
