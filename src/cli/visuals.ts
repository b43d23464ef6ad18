// What `run` and `compare` share for seeing synchronisation: the options
// (--trace, --timeline, --lanes), checking the output files can be written
// before a run starts, and writing the trace, the picture and the lanes after.
import type { Command } from "commander";
import chalk from "chalk";
import { accessSync, constants, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { EXIT, UserError } from "../errors.js";
import { normalizeNames, toJsonl, type TraceEvent } from "../trace/events.js";
import type { DemoLine } from "../demos/format.js";
import { terminalWidth } from "../demos/columns.js";
import { perBoardFile } from "./fanout.js";

export interface VisualOptions {
  trace?: string;
  timeline?: string;
  lanes?: boolean;
}

export function withVisualOptions(cmd: Command): Command {
  return cmd
    .option("--trace <file.jsonl>", "record every state change of every primitive (board and host) as JSON Lines")
    .option("--timeline <file.html>", "draw the run as a timeline picture: one self-contained HTML file")
    .option("--lanes", "after the run, draw one lane per task in the terminal (holding solid, waiting shaded)");
}

export function wantsTrace(o: VisualOptions): boolean {
  return o.trace !== undefined || o.timeline !== undefined || o.lanes === true;
}

/** Fails before the run (not after a 10 s demo) if an output file cannot be written. */
export function checkOutputs(o: VisualOptions): void {
  for (const [flag, file] of [
    ["--trace", o.trace],
    ["--timeline", o.timeline],
  ] as const) {
    if (file === undefined) continue;
    const path = resolve(file);
    let problem: string | undefined;
    try {
      if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) problem = "it is a folder";
      else accessSync(dirname(path), constants.W_OK);
    } catch (err) {
      problem = (err as NodeJS.ErrnoException).code === "ENOENT" ? `folder ${dirname(path)} does not exist` : `folder ${dirname(path)} is not writable`;
    }
    if (problem !== undefined) throw new UserError(`cannot write ${flag} ${file}: ${problem}`, `give a file in an existing, writable folder, e.g. ${flag} ./run.${flag === "--trace" ? "jsonl" : "html"}`, EXIT.usage);
  }
}

/** One traced run: a side of `compare`, or the one side of `run`. */
export interface TracedRun {
  /** "board", "host", "fixed", "broken". */
  label: string;
  events: TraceEvent[];
  /** The demo's printed lines, shown beside the picture. */
  lines?: DemoLine[];
}

export interface VisualMeta {
  title: string;
  watchFor?: string;
  json?: boolean;
}

/** Normalises names per run and tags `compare --broken` events with their variant. */
export function finishRun(label: string, raw: TraceEvent[], lines?: DemoLine[]): TracedRun {
  let events = normalizeNames(raw);
  if (label === "fixed" || label === "broken") events = events.map((e) => ({ ...e, variant: label }));
  return { label, events, lines };
}

/** Writes --trace and --timeline, prints --lanes (not under --json). */
export async function writeVisuals(runs: TracedRun[], o: VisualOptions, meta: VisualMeta): Promise<void> {
  const note = (s: string) => {
    if (!meta.json) process.stderr.write(chalk.dim(s + "\n"));
  };
  const count = runs.reduce((n, r) => n + r.events.length, 0);
  // Several boards at once: each writes its own files (run-ttyUSB0.html).
  o = { ...o, trace: o.trace && perBoardFile(o.trace), timeline: o.timeline && perBoardFile(o.timeline) };
  if (o.trace !== undefined) {
    writeFileSync(o.trace, runs.map((r) => toJsonl(r.events)).join(""));
    note(`trace: ${count} event${count === 1 ? "" : "s"} written to ${o.trace}`);
  }
  if (o.timeline !== undefined) {
    const { renderTimeline } = await import("../trace/timeline.js");
    const { firstDivergence } = await import("../trace/model.js");
    const divergence = runs.length === 2 ? firstDivergence(runs[0]!.events, runs[1]!.events) : null;
    writeFileSync(o.timeline, renderTimeline({ title: meta.title, watchFor: meta.watchFor, runs, divergence, when: startedAt() }));
    note(`timeline: ${o.timeline} (open it in a browser)`);
  }
  if (o.lanes && !meta.json) {
    const { renderLanesRuns } = await import("../trace/lanes.js");
    // The width compare's table uses (terminal, else COLUMNS, else 80), so
    // lanes under it line up and `COLUMNS=120 ... | less` is honoured.
    const width = terminalWidth(process.stdout, process.env);
    // Each run's printed lines go along: a task's lines are marks in its lane.
    process.stdout.write("\n" + renderLanesRuns(runs, { width, color: chalk.level > 0 }) + "\n");
  }
}

/**
 * When this synccli started, in local time to the minute ("2026-12-02 05:49"):
 * the runs begin seconds after it (one process per board, even with --all),
 * and a page copied or mailed on keeps it, unlike its file's date.
 */
export function startedAt(now = Date.now(), uptimeS = process.uptime()): string {
  const d = new Date(now - uptimeS * 1000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
