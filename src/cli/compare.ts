// `synccli compare <demo>`: the demo on the board and its TypeScript mirror on
// the host at the same time, shown side by side (live on a terminal, see
// `Live`; the table aligned by event at the end elsewhere), fitted to the
// terminal's width;
// `compare <demo> --broken`: the demo and its broken variant, one after the
// other on the same board; and `synccli run <demo> --host`: the mirror alone.
import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { annotateTraceback, endLine, execOnBoard, globals, openSession, type GlobalOptions, type Session } from "./context.js";
import { prepareForScript, withPrepareOptions } from "./install.js";
import type { HostDemo } from "../demos/index.js";
import type { DemoLine } from "../demos/format.js";
import type { Sides } from "../demos/compare.js";
import type { LiveTable, Side } from "../demos/live.js";
import { EXIT, UserError } from "../errors.js";
import { checkOutputs, finishRun, wantsTrace, withVisualOptions, writeVisuals, type TracedRun, type VisualOptions } from "./visuals.js";
import { loadScript, showHeader, withDemoOptions, type Script } from "./demo-options.js";
import { RecordSplitter, type TraceEvent } from "../trace/events.js";
import { tracedSource } from "../trace/script.js";
import type { DemoOptions } from "../demos/catalog.js";
import type { RunOptions } from "./run.js";

/**
 * The demos, their host mirrors and the table layout: loaded when compare (or
 * run --host) runs, so that `synccli --help` and the other commands start fast.
 */
async function loadLib() {
  const mods = await Promise.all([
    import("../demos/index.js"),
    import("../demos/format.js"),
    import("../demos/compare.js"),
    import("../demos/columns.js"),
    import("../demos/live.js"),
    import("../primitives/trace.js"),
  ]);
  return Object.assign({}, ...mods) as (typeof mods)[0] & (typeof mods)[1] & (typeof mods)[2] & (typeof mods)[3] & (typeof mods)[4] & (typeof mods)[5];
}
let lib: Awaited<ReturnType<typeof loadLib>>;

function findHostDemo(arg: string): HostDemo {
  const demo = lib.hostDemo(arg);
  if (demo) return demo;
  throw new UserError(
    `no host mirror for ${arg}`,
    `demos with a host mirror: ${lib.hostDemos.map((d) => d.name).join(", ")} (a .py file named like one, e.g. my/lock_demo.py, is compared with that demo's mirror)`,
    EXIT.usage,
  );
}

/** `run <demo> --host`: the host mirror alone, lines printed as they happen; Ctrl-C stops it (exit 130). */
export async function runHost(arg: string, g: GlobalOptions, o: VisualOptions & DemoOptions = {}): Promise<number> {
  lib ??= await loadLib();
  const demo = findHostDemo(arg);
  const recorder = wantsTrace(o) ? lib.startTrace() : undefined;
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
    await demo.run(
      (line) => {
        stdout += line + "\n";
        if (!g.json) process.stdout.write(line + "\n");
      },
      ac.signal,
      { broken: o.broken, speed: o.speed },
    );
  } catch (err) {
    if (!ac.signal.aborted) throw err;
    if (pipeClosed) return EXIT.ok;
    if (g.json) process.stdout.write(JSON.stringify({ ok: false, interrupted: true, mode: "host", stdout, stderr: "", exitCode: EXIT.interrupted }) + "\n");
    else process.stderr.write(chalk.yellow("\ninterrupted\n"));
    return EXIT.interrupted;
  } finally {
    process.off("SIGINT", onSigint);
    const events = recorder?.stop();
    if (events && !pipeClosed) {
      const title = `${demo.name}${o.broken ? " (broken)" : ""} on the host`;
      await writeVisuals([finishRun("host", events, lib.parseOutput(stdout))], o, { title, json: g.json });
    }
  }
  if (g.json) process.stdout.write(JSON.stringify({ ok: true, interrupted: false, mode: "host", stdout, stderr: "", exitCode: EXIT.ok }) + "\n");
  return EXIT.ok;
}

interface BoardRun {
  lines: DemoLine[];
  interrupted: boolean;
  /** The traceback (annotated with the script's lines) if the code raised. */
  error?: string;
  /** Trace events, when tracing. */
  events: TraceEvent[];
}

/** Where each side's lines go as they arrive (the live table), besides being collected. */
type OnLine = (l: DemoLine) => void;

/**
 * Runs the script on the board collecting its output (Ctrl-C handled as for
 * `run`), traced when `tracing`; trace records are taken out of the output.
 * `onLine` gets each line as soon as it is complete (the last one at the end);
 * `onStart` is called at the program's first output (trace records included).
 */
async function runOnBoard(session: Session, script: Script, quiet: boolean, tracing: boolean, onLine: OnLine = () => {}, onStart = () => {}): Promise<BoardRun> {
  const { code, lineOffset } = tracing ? tracedSource(script.source) : { code: script.source, lineOffset: 0 };
  const events: TraceEvent[] = [];
  const split = new RecordSplitter((e) => events.push(e));
  const lineSplit = new lib.LineSplitter();
  let stdout = "";
  const take = (text: string) => {
    stdout += text;
    for (const l of lineSplit.push(text)) onLine(l);
  };
  // Records leave the output even untraced (tracing left on by an earlier run).
  let result: Awaited<ReturnType<typeof execOnBoard>>;
  try {
    result = await execOnBoard(
      session,
      code,
      (s) => {
        if (s !== "") onStart();
        take(split.push(s));
      },
      quiet,
    );
  } finally {
    take(split.end());
    for (const l of lineSplit.end()) onLine(l);
  }
  const lines = lib.parseOutput(stdout);
  if (!result.ok && !result.interrupted) return { lines, interrupted: false, events, error: annotateTraceback(result.stderr, script.source, script.name, lineOffset) };
  return { lines, interrupted: result.interrupted, events };
}

/**
 * The two columns while the sides run. On a terminal (stdout a TTY, not
 * --json) each line shows up in its column as it arrives, rows paired by line
 * number (src/demos/live.ts says why), fitted to the terminal's width; the
 * verdict follows once both sides have ended. Anywhere else (a pipe, a file,
 * a test) nothing is shown while they run and the table comes at the end,
 * aligned by event (src/demos/compare.ts) and fitted to COLUMNS (else 80):
 * the same two outputs always give the same text, whatever the timing.
 */
class Live {
  readonly #table: LiveTable | undefined;
  readonly #freeze = () => this.#write(this.#table?.freeze() ?? "");

  constructor(
    sides: Sides,
    enabled: boolean,
    private readonly signal: AbortSignal,
  ) {
    if (!enabled) return;
    const out = process.stdout;
    this.#table = new lib.LiveTable({
      width: lib.terminalWidth(out, process.env),
      // The pending rows are redrawn in place: keep them on the screen.
      maxRegion: Math.max(1, (out.rows ?? 24) - 2),
      sides,
      mark: (s) => chalk.red(s),
    });
    // After a Ctrl-C other messages go to the terminal, and after a resize the
    // lines on the screen wrap anew: either way, stop redrawing.
    signal.addEventListener("abort", this.#freeze, { once: true });
    out.on("resize", this.#freeze);
  }

  /** Whether the table is being shown live. */
  get active(): boolean {
    return this.#table !== undefined;
  }

  start(): void {
    this.#write(this.#table?.start() ?? "");
  }

  push(side: Side, l: DemoLine): void {
    this.#write(this.#table?.push(side, l) ?? "");
  }

  end(side: Side): void {
    this.#write(this.#table?.end(side) ?? "");
  }

  /** Both sides are done (or stopped): whatever is pending stays as it is. */
  close(): void {
    if (!this.#table) return;
    this.#freeze();
    this.signal.removeEventListener("abort", this.#freeze);
    process.stdout.off("resize", this.#freeze);
  }

  #write(text: string): void {
    if (text !== "") process.stdout.write(text);
  }
}

/** The two columns: board and host at once, or (--broken) fixed then broken on the board. */
interface Sided {
  sides: Sides;
  interrupted: boolean;
  left: BoardRun;
  right: { lines: DemoLine[]; events: TraceEvent[]; error?: string };
}

/**
 * The demo on the board and its mirror on the host, started together; each
 * side's ms count from its own start. "Together" is when the board's program
 * starts talking, not when compare begins: the script first has to cross the
 * serial line (about 0.3 s for a demo at 115200 baud) and the host mirror
 * keeps to its own schedule, so started at once it ran that far ahead, and
 * live, on a terminal, its rows piled up waiting for the board's.
 */
async function boardAndHost(session: Session, arg: string, script: Script, opts: RunOptions, g: GlobalOptions, tracing: boolean, live: Live): Promise<Sided> {
  const demo = findHostDemo(arg);
  if (!g.json) process.stderr.write(chalk.dim(`running ${demo.name} on the board and on the host...\n`));
  live.start();
  const host: DemoLine[] = [];
  let hostEvents: TraceEvent[] = [];
  let hostDone: Promise<unknown> | undefined;
  const startHost = () => {
    if (hostDone !== undefined || session.signal.aborted) return;
    const recorder = tracing ? lib.startTrace() : undefined;
    hostDone = demo
      .run(
        (line) => {
          const l = lib.parseLine(line);
          host.push(l);
          live.push(1, l);
        },
        session.signal,
        { broken: opts.broken, speed: opts.speed },
      )
      .then(
        () => undefined,
        (err: unknown) => err,
      )
      .finally(() => {
        hostEvents = recorder?.stop() ?? [];
        live.end(1);
      });
  };
  let board: BoardRun;
  try {
    board = await runOnBoard(session, script, g.json === true, tracing, (l) => live.push(0, l), startHost);
  } finally {
    live.end(0);
  }
  // A program that printed nothing (or failed at once) still gets the mirror beside it.
  startHost();
  const hostErr = await hostDone;
  if (hostDone === undefined) live.end(1);
  if (hostErr !== undefined && !session.signal.aborted) throw hostErr;
  return { sides: ["board", "host"], interrupted: board.interrupted, left: board, right: { lines: host, events: hostEvents } };
}

/** `--broken`: the demo, then its broken variant, on the same board, each from a fresh interpreter. */
async function fixedThenBroken(session: Session, arg: string, broken: Script, opts: RunOptions, g: GlobalOptions, tracing: boolean, live: Live): Promise<Sided> {
  if (!g.json) process.stderr.write(chalk.dim(`running ${arg} on the board, then its broken variant...\n`));
  live.start();
  let fixed: BoardRun;
  try {
    fixed = await runOnBoard(session, loadScript(arg, { speed: opts.speed }), g.json === true, tracing, (l) => live.push(0, l));
  } finally {
    live.end(0);
  }
  if (fixed.interrupted || session.signal.aborted) return { sides: ["fixed", "broken"], interrupted: true, left: fixed, right: { lines: [], events: [] } };
  let right: BoardRun;
  try {
    if (opts.softReset) await session.board.softReset();
    right = await runOnBoard(session, broken, g.json === true, tracing, (l) => live.push(1, l));
  } finally {
    live.end(1);
  }
  return { sides: ["fixed", "broken"], interrupted: right.interrupted, left: fixed, right };
}

export function registerCompare(program: Command) {
  withDemoOptions(
    withVisualOptions(
      withPrepareOptions(
        program
          .command("compare")
          .argument("<demo>", "a demo name (e.g. lock-demo), or a .py file named like one (e.g. my/lock_demo.py) to check against that demo's host mirror")
          .description(summary("compare")),
      ),
    ),
  ).action(async (arg: string, opts: RunOptions, cmd: Command) => {
    const g = globals(cmd);
    checkOutputs(opts);
    lib ??= await loadLib();
    const script = loadScript(arg, { speed: opts.speed });
    // Usage errors before opening the board: a copy without its `BROKEN = False`
    // line used to be refused only after the library was installed and the
    // fixed run had been set up.
    const broken = opts.broken ? loadScript(arg, { broken: true, speed: opts.speed }) : undefined;
    if (!broken) findHostDemo(arg);
    showHeader(script, { ...opts, json: g.json });
    const tracing = wantsTrace(opts);
    const session = await openSession(g);
    const sides: Sides = opts.broken ? ["fixed", "broken"] : ["board", "host"];
    const live = new Live(sides, !g.json && process.stdout.isTTY === true, session.signal);
    let r: Sided;
    try {
      await prepareForScript(session, tracing ? tracedSource(script.source).code : script.source, { ...opts, json: g.json });
      r = broken ? await fixedThenBroken(session, arg, broken, opts, g, tracing, live) : await boardAndHost(session, arg, script, opts, g, tracing, live);
    } finally {
      live.close();
      await session.close();
    }
    if (r.interrupted || session.signal.aborted) {
      if (!g.json) process.stderr.write(chalk.yellow("interrupted; the board is back at its REPL\n"));
      process.exitCode = EXIT.interrupted;
      return;
    }
    const errors = [r.left.error, r.right.error].filter((e): e is string => e !== undefined);
    const c = lib.compareLines(r.left.lines, r.right.lines);
    if (g.json) {
      const boardError = errors.length ? errors.join("\n") : undefined;
      process.stdout.write(JSON.stringify({ ...c, sides: r.sides, ...(boardError !== undefined ? { boardError } : {}) }) + "\n");
    } else {
      const width = lib.terminalWidth(process.stdout, process.env);
      // Live, the rows are on the screen already; otherwise the table, aligned by event.
      if (live.active) process.stdout.write("\n");
      else process.stdout.write(lib.renderTable(c, (s) => chalk.red(s), r.sides, width) + "\n\n");
      const v = lib.fitText(lib.verdict(c, r.sides), width);
      process.stdout.write((c.equivalent ? chalk.green(v) : chalk.red(v)) + "\n");
      for (const e of errors) process.stderr.write(chalk.red(endLine(e)));
    }
    if (tracing) {
      const runs: TracedRun[] = [finishRun(r.sides[0], r.left.events, r.left.lines), finishRun(r.sides[1], r.right.events, r.right.lines)];
      const d = script.demo;
      const title = `${d?.name ?? script.name}: ${r.sides[0]} and ${r.sides[1]}`;
      await writeVisuals(runs, opts, { title, watchFor: d && (opts.broken ? d.broken : d.watchFor), json: g.json });
    }
    process.exitCode = errors.length ? EXIT.boardError : c.equivalent ? EXIT.ok : EXIT.diverged;
  });
}
