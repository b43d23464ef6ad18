// The terminal picture of a run: one row per task, time across, holding as
// a solid block, waiting shaded, instant events as dots, one colour per
// primitive, the task's printed lines as marks; an axis in ms and a legend.
// Without colour, when bars of more than one primitive are drawn, each bar
// names its primitive where it has room (its name, else a key letter the
// legend explains), as colour would. Pure: returns a string, never wider than
// the width asked for (counted in terminal cells).
import { Chalk, type ChalkInstance } from "chalk";
import type { TraceEvent } from "./events.js";
import { buildModel, colorOf, niceStep, primitiveOrder, fmt, type Interval, type PrimitiveTimeline, type TraceModel } from "./model.js";
import { firstAndLast, firstWord, normLines, printedMarksOfRuns, withoutAsides, type PrintMark, type PrintedLine } from "./printed.js";

export const HOLD_CHAR = "█";
export const WAIT_CHAR = "░";
export const MARK_CHAR = "·";
/** Where a Barrier lets its tasks through: the same column in every passing task's row, so they line up as a gate. */
export const PASS_CHAR = "┃";
/** A Queue's row: its size as a bar height, from one item up to the most it held in the run. */
export const LEVEL_CHARS = "▁▂▃▄▅▆▇█";
/**
 * A line the task printed (`ms  task  text`), in its lane at its time: the
 * HTML timeline's down-pointing flag. Not `|` or `!`: those read as the pass
 * `┃`, the axis `│` and compare's difference mark.
 */
export const PRINT_CHAR = "▾";

/** Colours a piece of text for a primitive (the i-th one in order of first appearance). */
export type Colorizer = (text: string, primitive: { index: number; obj: string; type: string; hex: string }) => string;

export interface LanesOptions {
  /** Terminal columns; no line is longer. */
  width: number;
  /** Colour per primitive (and bold run labels). Default false: plain text. */
  color?: boolean;
  /** Chalk instance to colour with (its level decides 16 colours or the palette's exact ones). Default: a private level-1 instance; the global chalk is never touched. */
  chalk?: ChalkInstance;
  /** Or colour primitives with this instead of chalk (run labels are then left plain). */
  colorize?: Colorizer;
}

export interface LanesRun {
  /** "board", "host", "fixed", "broken". */
  label: string;
  events: readonly TraceEvent[];
  /** What the run printed ("  500 ms  task-1  Acquired", or parsed lines): a task's lines become marks in its lane, by the timeline's rule (printed.ts). */
  lines?: readonly (string | PrintedLine)[];
}

/** One run's lanes (no run label), then the axis and the legend. `lines`: what it printed, as in `LanesRun`. */
export function renderLanes(events: readonly TraceEvent[], opts: LanesOptions, lines?: readonly (string | PrintedLine)[]): string {
  return render([{ label: "", events, lines }], opts, false);
}

/** Several runs one after another on one shared time scale, each under its label; one axis and legend at the bottom. */
export function renderLanesRuns(runs: readonly LanesRun[], opts: LanesOptions): string {
  return render(runs, opts, true);
}

// ---------------------------------------------------------------- cells

const SEGMENTER = new Intl.Segmenter("en", { granularity: "grapheme" });
const ZERO = /^(?:\p{Mark}|\p{Default_Ignorable_Code_Point})+$/u;
const EMOJI = /\p{Emoji_Presentation}|\uFE0F/u;

function wideCodePoint(c: number): boolean {
  return (
    (c >= 0x1100 && c <= 0x115f) ||
    (c >= 0x231a && c <= 0x231b) ||
    (c >= 0x2329 && c <= 0x232a) ||
    (c >= 0x2e80 && c <= 0x303e) ||
    (c >= 0x3041 && c <= 0x33ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xa000 && c <= 0xa4cf) ||
    (c >= 0xa960 && c <= 0xa97f) ||
    (c >= 0xac00 && c <= 0xd7a3) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xfe10 && c <= 0xfe19) ||
    (c >= 0xfe30 && c <= 0xfe6f) ||
    (c >= 0xff00 && c <= 0xff60) ||
    (c >= 0xffe0 && c <= 0xffe6) ||
    (c >= 0x16fe0 && c <= 0x16fe4) ||
    (c >= 0x17000 && c <= 0x18cff) ||
    (c >= 0x1b000 && c <= 0x1b2ff) ||
    (c >= 0x1f300 && c <= 0x1f64f) ||
    (c >= 0x1f680 && c <= 0x1f6ff) ||
    (c >= 0x1f900 && c <= 0x1f9ff) ||
    (c >= 0x1fa70 && c <= 0x1faff) ||
    (c >= 0x20000 && c <= 0x3fffd)
  );
}

/** Terminal cells one grapheme takes: 0, 1 or 2. */
function graphemeCells(g: string): number {
  if (ZERO.test(g)) return 0;
  if (wideCodePoint(g.codePointAt(0)!) || EMOJI.test(g)) return 2;
  return 1;
}

/** Control characters (which could move the cursor or recolour the terminal) and bidi overrides become "?". */
export function sanitizeLabel(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, "?");
}

/** Terminal cells `s` takes (wide CJK and emoji count 2; no escape sequences expected). */
export function cellWidth(s: string): number {
  let n = 0;
  for (const { segment } of SEGMENTER.segment(s)) n += graphemeCells(segment);
  return n;
}

/** `s` cut to at most `cells` cells, ending in "…" when cut. */
export function truncateCells(s: string, cells: number): string {
  if (cells <= 0) return "";
  if (cellWidth(s) <= cells) return s;
  let out = "";
  let n = 0;
  for (const { segment } of SEGMENTER.segment(s)) {
    const w = graphemeCells(segment);
    if (n + w > cells - 1) break;
    out += segment;
    n += w;
  }
  return out + "…";
}

/** `s` truncated or padded with spaces to exactly `cells` cells. */
function fit(s: string, cells: number): string {
  const t = truncateCells(s, cells);
  return t + " ".repeat(Math.max(0, cells - cellWidth(t)));
}

type Style = { prim: number } | "bold" | "dim" | null;

/** A line built from styled pieces, never longer than its width. */
class Line {
  readonly parts: { text: string; style: Style }[] = [];
  cells = 0;
  constructor(readonly width: number) {}
  /** Adds `text` if it fits whole; returns whether it did. */
  add(text: string, style: Style = null): boolean {
    const w = cellWidth(text);
    if (this.cells + w > this.width) return false;
    this.parts.push({ text, style });
    this.cells += w;
    return true;
  }
  /** Adds as much of `text` as fits. */
  addCut(text: string, style: Style = null): void {
    const t = truncateCells(text, this.width - this.cells);
    if (t !== "") this.add(t, style);
  }
}

interface Painter {
  prim(text: string, index: number): string;
  bold(text: string): string;
  dim(text: string): string;
}

/** Whether `painter(opts, …)` colours anything: only then can a bar leave its primitive to its colour. */
function colours(opts: LanesOptions): boolean {
  if (!opts.color) return false;
  if (opts.colorize) return true;
  return (opts.chalk ?? new Chalk({ level: 1 })).level > 0;
}

function painter(opts: LanesOptions, prims: { obj: string; type: string }[]): Painter {
  const plain: Painter = { prim: (t) => t, bold: (t) => t, dim: (t) => t };
  if (!colours(opts)) return plain;
  if (opts.colorize) {
    const f = opts.colorize;
    return { ...plain, prim: (t, i) => f(t, { index: i, obj: prims[i]?.obj ?? "", type: prims[i]?.type ?? "", hex: colorOf(i).hex }) };
  }
  const c = opts.chalk ?? new Chalk({ level: 1 });
  if (c.level === 0) return plain;
  return {
    prim: (t, i) => (c.level >= 2 ? c.hex(colorOf(i).hex)(t) : c[colorOf(i).ansi](t)),
    bold: (t) => c.bold(t),
    dim: (t) => c.dim(t),
  };
}

function serialize(line: Line, paint: Painter): string {
  let out = "";
  // Merge neighbours of the same style so colour codes are not repeated per cell.
  let run = "";
  let style: Style = null;
  const flush = () => {
    if (run === "") return;
    if (style === null) out += run;
    else if (style === "bold") out += paint.bold(run);
    else if (style === "dim") out += paint.dim(run);
    else out += paint.prim(run, style.prim);
    run = "";
  };
  const same = (a: Style, b: Style) => a === b || (typeof a === "object" && typeof b === "object" && a !== null && b !== null && a.prim === b.prim);
  for (const p of line.parts) {
    if (!same(p.style, style)) {
      flush();
      style = p.style;
    }
    run += p.text;
  }
  flush();
  return out.replace(/ +$/, "");
}

// ---------------------------------------------------------------- picture

function render(runs: readonly LanesRun[], opts: LanesOptions, headers: boolean): string {
  const width = Math.max(1, Math.floor(Number.isFinite(opts.width) ? opts.width : 80));
  const models = runs.map((r) => ({ label: sanitizeLabel(String(r.label ?? "")), model: buildModel(r.events ?? []) }));
  const traced = models.map((m) => new Set(m.model.tasks.map((l) => l.task)));
  const prints = printedMarksOfRuns(runs.map((r) => normLines(r.lines)), traced);
  const prims = primitiveOrder(models.map((m) => m.model.events));
  const primIndex = new Map(prims.map((p, i) => [p.obj, i]));
  const paint = painter(opts, prims);
  const lines: Line[] = [];
  const total = models.reduce((n, m) => n + m.model.events.length, 0);
  const printedTotal = prints.reduce((n, ps) => n + ps.length, 0);
  if (total + printedTotal === 0) {
    const l = new Line(width);
    l.addCut(runs.length > 1 ? "no events recorded on any side" : "no events recorded");
    return serialize(l, paint) + "\n";
  }

  // The time each run covers: its events' and its printed marks'. A run
  // drawn only from what it printed starts at its own 0, as its lines do.
  const ranges = models.flatMap(({ model }, i) => {
    const ps = prints[i]!;
    if (!model.events.length && !ps.length) return [];
    let s = model.events.length ? model.start : 0;
    let e = model.events.length ? model.end : -Infinity;
    for (const p of ps) [s, e] = [Math.min(s, p.t), Math.max(e, p.t)];
    return [{ start: s, end: e }];
  });
  const start = Math.min(...ranges.map((r) => r.start));
  let end = Math.max(...ranges.map((r) => r.end));

  // Per run, its lanes: the traced tasks, then those that only printed, in
  // the order they first printed. The printed rule only lets a traced run's
  // own tasks in, so a lane that only printed is in a run without a trace.
  const byTask = prints.map((ps) => {
    const m = new Map<string, PrintMark[]>();
    for (const p of ps) {
      const list = m.get(p.task);
      if (list) list.push(p);
      else m.set(p.task, [p]);
    }
    return m;
  });
  const printedOnly = byTask.map((m, i) => [...m.keys()].filter((task) => !traced[i]!.has(task)));

  const queues = (m: TraceModel) => m.primitives.filter((p) => p.type === "Queue" && p.states.some((st) => st.size !== undefined));
  const names = models.flatMap((m, i) => [...m.model.tasks.map((t) => t.task), ...printedOnly[i]!, ...queues(m.model).map((q) => q.obj)].map(sanitizeLabel));
  const labelW = Math.max(0, Math.min(Math.max(1, ...names.map(cellWidth)), 20, Math.floor(width / 4)));
  const bars = Math.max(1, width - labelW - 2);

  // When the last moment drawn is a line printed in a lane of its own, its
  // text goes right of its mark: leave room for it after the last moment (at
  // most a fifth of the bar), or the line students read last would have none.
  const lastOnly = Math.max(-Infinity, ...prints.flatMap((ps, i) => ps.filter((p) => !traced[i]!.has(p.task)).map((p) => p.t)));
  if (lastOnly >= end && end > start) {
    const texts = byTask.flatMap((m, i) => [...m.entries()].filter(([task]) => !traced[i]!.has(task)).map(([, list]) => joined(list.filter((p) => p.t === lastOnly), withoutAsides)));
    const room = Math.min(Math.floor(bars / 5), 2 + Math.max(0, ...texts.map(cellWidth)));
    if (room > 0 && bars - room >= 1) end = start + ((end - start) * bars) / (bars - room);
  }
  const span = end - start;
  const col = (t: number) => (span <= 0 ? 0 : Math.max(0, Math.min(bars - 1, Math.floor(((t - start) / span) * bars))));
  const colStart = (c: number) => start + (c * span) / bars;

  const rows = models.map(({ model }, i) =>
    taskRows(model, bars, col, colStart, span).map((row) => {
      placeMarks(row.cells, (byTask[i]!.get(row.task) ?? []).map((p) => col(p.t)));
      return row;
    }),
  );
  // Without colour a █ or ░ does not say whose it is; with bars of one
  // primitive only it needs not, and the picture stays as clean as that.
  const drawn = new Set(rows.flat().flatMap((r) => r.cells.flatMap((c) => (c !== null && c !== PRINTED && (c.ch === HOLD_CHAR || c.ch === WAIT_CHAR) ? [c.obj] : []))));
  const keys = !colours(opts) && drawn.size > 1 ? keysOf(prims.filter((p) => drawn.has(p.obj))) : new Map<string, string>();
  if (keys.size) for (const row of rows.flat()) labelBars(row.cells, keys);

  models.forEach(({ label, model }, i) => {
    const ps = prints[i]!;
    if (headers) {
      const l = new Line(width);
      const dur = (ms: number) => (ms >= 20_000 ? `, ${fmt(ms / 1000)} s` : `, ${fmt(ms)} ms`);
      const printed = ps.length ? `${ps.length} printed line${ps.length === 1 ? "" : "s"}` : "";
      l.addCut(label, "bold");
      if (model.events.length) l.addCut(`  (${model.events.length} event${model.events.length === 1 ? "" : "s"}${printed && ", " + printed}${dur(model.end - model.start)})`);
      else if (ps.length) l.addCut(`  (no primitive used: ${printed}${dur(ps[ps.length - 1]!.t - Math.min(0, ps[0]!.t))})`);
      else l.addCut("  (0 events)");
      lines.push(l);
    }
    if (model.events.length === 0 && ps.length === 0) {
      const l = new Line(width);
      l.addCut(" ".repeat(labelW + 2) + "no events recorded");
      lines.push(l);
      return;
    }
    const lane = (task: string) => {
      const l = new Line(width);
      l.add(fit(sanitizeLabel(task), labelW) + " ");
      l.add("│", "dim");
      return l;
    };
    for (const row of rows[i]!) {
      const l = lane(row.task);
      for (const cell of row.cells) {
        if (cell === null) l.add(" ");
        else if (cell === PRINTED) l.add(PRINT_CHAR, "bold");
        else l.add(cell.ch, primIndex.has(cell.obj) ? { prim: primIndex.get(cell.obj)! } : null);
      }
      lines.push(l);
    }
    for (const task of printedOnly[i]!) {
      const l = lane(task);
      for (const piece of printedRow(byTask[i]!.get(task)!, bars, col)) {
        if (piece.mark) l.add(PRINT_CHAR, "bold");
        else l.add(piece.text);
      }
      lines.push(l);
    }
    // A Queue's fill level under the tasks that use it.
    for (const q of queues(model)) {
      const l = lane(q.obj);
      const style: Style = primIndex.has(q.obj) ? { prim: primIndex.get(q.obj)! } : null;
      for (const level of queueLevels(q, bars, col, colStart, span)) l.add(level, level === " " ? null : style);
      lines.push(l);
    }
  });
  const anyPass = models.some((m) => m.model.intervals.some(isPass));
  const anyQueue = models.some((m) => queues(m.model).length > 0);

  // Axis: a tick on the columns of round times, their labels underneath.
  const unitS = span >= 20_000;
  const fmtTick = (t: number) => (unitS ? fmt(t / 1000) : fmt(t));
  const labelLen = Math.max(fmtTick(start).length, fmtTick(end).length);
  const step = niceStep(span, Math.max(1, Math.floor(bars / (labelLen + 3))));
  const ticks: { c: number; text: string }[] = [];
  if (span <= 0) ticks.push({ c: 0, text: fmtTick(start) });
  else for (let k = Math.ceil(start / step); k * step <= end + 1e-9; k++) ticks.push({ c: col(k * step), text: fmtTick(k * step) });
  const axis = new Line(width);
  axis.add(" ".repeat(labelW + 1));
  axis.add("└", "dim");
  const tickCols = new Set(ticks.map((t) => t.c));
  let bar = "";
  for (let c = 0; c < bars; c++) bar += tickCols.has(c) ? "┬" : "─";
  axis.add(bar, "dim");
  lines.push(axis);
  const labels = new Line(width);
  labels.add(" ".repeat(labelW + 2));
  let at = 0; // cells used after the label column
  ticks.forEach((t, k) => {
    const text = k === 0 ? `${t.text} ${unitS ? "s" : "ms"}` : t.text;
    const w = cellWidth(text);
    // Under its tick, or ending there when it would run past the bar.
    let c = t.c + w > bars ? t.c - w + 1 : t.c;
    if (c < at) c = t.c;
    if (c < at || c + w > bars) return;
    labels.add(" ".repeat(c - at) + text);
    at = c + w + 1;
    labels.add(" ");
  });
  lines.push(labels);

  // Legend. Without a trace, holding and waiting would explain nothing drawn.
  const legend = new Line(width);
  const items: [string, Style][][] = [];
  if (total > 0) items.push([[HOLD_CHAR, null], [" holding", null]], [[WAIT_CHAR, null], [" waiting", null]], [[MARK_CHAR, null], [" event", null]]);
  if (printedTotal > 0) items.push([[PRINT_CHAR, "bold"], [" printed a line", null]]);
  if (anyPass) items.push([[PASS_CHAR, null], [" all pass the Barrier", null]]);
  if (anyQueue) items.push([["▁▄█", null], [" items in the Queue", null]]);
  // A ■ without colour would tell nothing: colour asked for but unavailable is the plain picture.
  if (colours(opts)) prims.forEach((p, i) => items.push([["■", { prim: i }], [" " + truncateCells(sanitizeLabel(p.obj), 16), null]]));
  items.forEach((parts, i) => {
    const text = (i === 0 ? "" : "  ") + parts.map((p) => p[0]).join("");
    if (legend.cells + cellWidth(text) > width) return;
    if (i > 0) legend.add("  ");
    for (const [t, s] of parts) legend.add(t, s);
  });
  lines.push(legend);
  // The keys are what tells bars apart without colour: none is left out for
  // want of room on the first line, they go on lines of their own instead,
  // and names are whole (two cut to one prefix would say nothing) unless
  // wider than a line.
  const keyItems = [...keys].map(([obj, key]) => `${key} ${sanitizeLabel(obj)}`);
  const fitsFirst = keyItems.reduce((n, t) => n + 2 + cellWidth(t), legend.cells) <= width;
  let keyLine = fitsFirst ? legend : null;
  for (const text of keyItems) {
    if (keyLine !== null && keyLine.cells > 0 && keyLine.add("  " + text)) continue;
    if (keyLine === null || keyLine.cells > 0) lines.push((keyLine = new Line(width)));
    keyLine.addCut(text);
  }
  return lines.map((l) => serialize(l, paint)).join("\n") + "\n";
}

/** The texts of lines printed at one moment, each shortened by `form`, as one label. */
function joined(marks: readonly PrintMark[], form: (s: string) => string): string {
  return parts(marks, form).join(", ");
}

/** Each text of `marks` shortened by `form`, made safe for the terminal. */
function parts(marks: readonly PrintMark[], form: (s: string) => string): string[] {
  return marks.map((m) => sanitizeLabel(form(m.text))).filter((t) => t !== "");
}

/** A printed line's cell in a traced task's row. */
const PRINTED = "printed" as const;

/**
 * A traced task's printed lines in its row. What the trace drew comes first:
 * a mark takes its column only from an empty cell or a bar that still shows
 * in another column; else the column after, else the one before (a tick of
 * the clock off, as rounding is), else it is left out, never a pass, an event
 * or the last cell of a bar.
 */
function placeMarks(cells: (Cell | typeof PRINTED | null)[], cols: readonly number[]): void {
  const shows = (iv: Interval, except: number) => cells.some((c, k) => k !== except && c !== null && c !== PRINTED && c.iv === iv);
  for (const c of new Set(cols)) {
    for (const k of [c, c + 1, c - 1]) {
      if (k < 0 || k >= cells.length) continue;
      const cell = cells[k]!;
      if (cell === PRINTED) break;
      if (cell === null || (cell.iv !== undefined && cell.ch !== PASS_CHAR && shows(cell.iv, k))) {
        cells[k] = PRINTED;
        break;
      }
    }
  }
}

/**
 * A lane that only printed: a mark per column with lines, and after each run
 * of marks in neighbouring columns what they said, as much as fits before the
 * next mark (a blank cell apart): whole, without its asides, its first and
 * last words ("reads … 0"), or its first ("reads"); or nothing.
 */
function printedRow(marks: readonly PrintMark[], bars: number, col: (t: number) => number): ({ mark: true } | { mark: false; text: string })[] {
  const atCol = new Map<number, PrintMark[]>();
  for (const m of marks) {
    const c = col(m.t);
    const list = atCol.get(c);
    if (list) list.push(m);
    else atCol.set(c, [m]);
  }
  const cols = [...atCol.keys()].sort((a, b) => a - b);
  const clusters: { from: number; to: number; marks: PrintMark[] }[] = [];
  for (const c of cols) {
    const last = clusters[clusters.length - 1];
    if (last && last.to === c - 1) {
      last.to = c;
      last.marks.push(...atCol.get(c)!);
    } else clusters.push({ from: c, to: c, marks: [...atCol.get(c)!] });
  }
  const out: ({ mark: true } | { mark: false; text: string })[] = [];
  let at = 0;
  const blank = (n: number) => {
    if (n > 0) out.push({ mark: false, text: " ".repeat(n) });
    at += Math.max(0, n);
  };
  clusters.forEach((k, i) => {
    blank(k.from - at);
    for (let c = k.from; c <= k.to; c++) out.push({ mark: true });
    at = k.to + 1;
    // " text" from the cell after the marks up to a blank before the next.
    const room = (i + 1 < clusters.length ? clusters[i + 1]!.from - 1 : bars) - at - 1;
    // Shorter and shorter; a form of the first lines with "…" for the rest
    // before a shorter form of them all (the value a task wrote says more
    // than the names of all it did), and never a word cut in two ("writ…"
    // says nothing).
    const forms = [(s: string) => s, withoutAsides, firstAndLast, firstWord].flatMap((form, f) => {
      const ps = parts(k.marks, form);
      const heads = f < 2 ? [] : ps.slice(1).map((_, n) => ps.slice(0, ps.length - 1 - n).join(", ") + ", …");
      return [ps.join(", "), ...heads];
    });
    const text = forms.find((t) => t !== "" && cellWidth(t) <= room);
    if (text) {
      out.push({ mark: false, text: " " + text });
      at += 1 + cellWidth(text);
    }
  });
  return out;
}

/**
 * A key per primitive, for a plain picture: one ASCII letter or digit, each
 * another, explained by the legend. Its type's initial first (L for a Lock, S for a
 * Semaphore: a Condition's lock is L beside the Condition's C), else one of
 * its name, else the first one free.
 */
export function keysOf(prims: readonly { obj: string; type: string }[]): Map<string, string> {
  const used = new Set<string>();
  const keys = new Map<string, string>();
  const spare = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (const p of prims) {
    const own = (p.type.slice(0, 1) + p.obj).toUpperCase().replace(/[^A-Z0-9]/g, "");
    const key = [...own, ...spare].find((c) => !used.has(c));
    if (key === undefined) continue;
    used.add(key);
    keys.set(p.obj, key);
  }
  return keys;
}

/**
 * Names each bar's primitive inside it, after its first cell (so the moment
 * it starts is still drawn as a hold or a wait): its whole name where the bar
 * has a cell to spare after it, else its key, in the first piece of the bar
 * (printed marks can cut one) with room; a bar one cell long stays a block.
 * A name that could be misread (another primitive's key, or no letter or
 * digit to read, as a name of blocks) is never drawn: the key is.
 */
function labelBars(cells: (Cell | typeof PRINTED | null)[], keys: ReadonlyMap<string, string>): void {
  const pieces = new Map<Interval, { from: number; len: number }[]>();
  for (let k = 0; k < cells.length; ) {
    const c = cells[k];
    if (c === null || c === undefined || c === PRINTED || c.iv === undefined) {
      k++;
      continue;
    }
    let j = k + 1;
    while (j < cells.length && (cells[j] as Cell | null)?.iv === c.iv) j++;
    const list = pieces.get(c.iv);
    if (list) list.push({ from: k, len: j - k });
    else pieces.set(c.iv, [{ from: k, len: j - k }]);
    k = j;
  }
  for (const [iv, list] of pieces) {
    const key = keys.get(iv.obj);
    if (key === undefined) continue;
    const name = sanitizeLabel(iv.obj);
    const w = cellWidth(name);
    const readable = /[\p{L}\p{N}]/u.test(name) && ![...keys].some(([obj, k]) => k === name && obj !== iv.obj);
    const whole = readable ? list.find((p) => p.len >= w + 2) : undefined;
    const piece = whole ?? list.find((p) => p.len >= 2);
    if (piece === undefined) continue;
    // The text is drawn from one cell; the other columns it covers draw nothing, so a wide character keeps the row aligned.
    const text = whole ? name : key;
    (cells[piece.from + 1] as Cell).ch = text;
    for (let k = 2; k <= cellWidth(text); k++) (cells[piece.from + k] as Cell).ch = "";
  }
}

interface Cell {
  /** What the column draws: a block, a mark, or (labelled bars) a primitive's key or name, "" where a wide name's second column is. */
  ch: string;
  obj: string;
  /** The hold or wait this cell is part of. */
  iv?: Interval;
}

/** Per task, which character each column shows. */
function taskRows(
  model: TraceModel,
  bars: number,
  col: (t: number) => number,
  colStart: (c: number) => number,
  span: number,
): { task: string; cells: (Cell | typeof PRINTED | null)[] }[] {
  const width = span / bars;
  return model.tasks.map((lane) => {
    // Each column shows the interval covering most of it (holding wins a tie).
    const best: (Interval | null)[] = new Array(bars).fill(null);
    const cover: number[] = new Array(bars).fill(-1);
    const count = new Map<Interval, number>();
    const spans = lane.intervals.filter((iv) => iv.end > iv.start);
    for (const iv of spans) {
      for (let c = col(iv.start); c <= col(iv.end); c++) {
        const c0 = colStart(c);
        const ov = Math.min(iv.end, c0 + width) - Math.max(iv.start, c0);
        if (ov <= 0) continue;
        const cur = best[c] ?? null;
        if (cur === null || ov > cover[c]! || (ov === cover[c] && iv.kind === "holding" && cur.kind !== "holding")) {
          if (cur) count.set(cur, count.get(cur)! - 1);
          best[c] = iv;
          cover[c] = ov;
          count.set(iv, (count.get(iv) ?? 0) + 1);
        }
      }
    }
    // Nothing that happened may vanish: an interval that lost every column
    // takes its middle column from a neighbour that still shows elsewhere.
    for (const iv of spans) {
      if ((count.get(iv) ?? 0) > 0) continue;
      const c = col((iv.start + iv.end) / 2);
      const cur = best[c] ?? null;
      if (cur === null || count.get(cur)! > 1) {
        if (cur) count.set(cur, count.get(cur)! - 1);
        best[c] = iv;
        count.set(iv, 1);
      }
    }
    const cells: (Cell | null)[] = best.map((iv) => (iv ? { ch: iv.kind === "holding" ? HOLD_CHAR : WAIT_CHAR, obj: iv.obj, iv } : null));
    // Instant events in columns left empty; so are zero-length waits (the
    // last arrival at a Barrier) while a zero-length hold is still a hold.
    const points = [
      ...lane.intervals.filter((iv) => iv.end <= iv.start).map((iv) => ({ t: iv.start, obj: iv.obj, ch: iv.kind === "holding" ? HOLD_CHAR : MARK_CHAR })),
      ...lane.markers.map((m) => ({ t: m.t, obj: m.obj, ch: MARK_CHAR })),
    ];
    for (const p of points) {
      const c = col(p.t);
      if (cells[c] === null) cells[c] = { ch: p.ch, obj: p.obj };
    }
    for (const iv of lane.intervals) if (isPass(iv)) cells[col(iv.end)] = { ch: PASS_CHAR, obj: iv.obj };
    return { task: lane.task, cells };
  });
}

/** A wait at a Barrier that ended with the task let through. */
function isPass(iv: Interval): boolean {
  return iv.type === "Barrier" && iv.kind === "waiting" && iv.closed?.op === "pass";
}

/** Per column, a Queue's most items during it as a bar height (" " for empty or not yet known). */
function queueLevels(q: PrimitiveTimeline, bars: number, col: (t: number) => number, colStart: (c: number) => number, span: number): string[] {
  const most: number[] = new Array(bars).fill(-1);
  const width = span / bars;
  for (const st of q.states) {
    if (st.size === undefined) continue;
    for (let c = col(st.from); c <= col(st.to); c++) {
      // A state only touching a column's edge (ending where it starts) does not count in it.
      if (st.to > st.from && (st.to <= colStart(c) || st.from >= colStart(c) + width) && !(c === col(st.from) && st.from === st.to)) continue;
      most[c] = Math.max(most[c]!, st.size);
    }
  }
  const max = Math.max(1, ...most);
  return most.map((n) => (n <= 0 ? " " : LEVEL_CHARS[Math.max(0, Math.ceil((n / max) * LEVEL_CHARS.length) - 1)]!));
}
