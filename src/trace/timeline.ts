// The timeline picture: one self-contained HTML file (inline SVG, CSS and a
// little JavaScript; nothing fetched, so it works from file:// and offline)
// that shows, per run, one lane per task (holding solid, waiting hatched, in
// the primitive's colour; instant events as diamonds) and one row per
// primitive (its holder and its queue of waiters over time, a Queue's size, an
// Event's state), all runs on one time axis. Made for a projector: big type,
// a legend, colour-blind-safe colours, and a tooltip on everything.
// Pure: returns the HTML as a string.
import type { TraceEvent } from "./events.js";
import {
  buildModel,
  checkFaithful,
  colorOf,
  describeEvent,
  fmt,
  niceStep,
  primitiveOrder,
  type Divergence,
  type Interval,
  type Marker,
  type PrimitiveState,
  type PrimitiveTimeline,
  type TaskLane,
  type TraceModel,
} from "./model.js";
// Which printed lines are a task's, how they are read and shortened: printed.ts, shared with the terminal lanes.
import { firstAndLast, normLines, printedMarksOfRuns, withoutAsides, type PrintMark } from "./printed.js";

/** A printed line of the demo: `ms` since its start (null when the line has none) and the text. */
export interface TimelineLine {
  ms: number | null;
  text: string;
}

export interface TimelineRun {
  /** "board", "host", "fixed", "broken". */
  label: string;
  events: readonly TraceEvent[];
  /** What the run printed, shown under the picture (strings like "  500 ms  task-1  Acquired", or parsed lines). */
  lines?: readonly (string | TimelineLine)[];
}

export interface TimelineOptions {
  title: string;
  /** Stacked top to bottom on one time axis. */
  runs: readonly TimelineRun[];
  /** From `firstDivergence(runs[0].events, runs[1].events)`: marked on the first two runs. */
  divergence?: Divergence | null;
  /** What to watch for (the demo's opening comment), shown under the title. */
  watchFor?: string;
  /** When the runs were made, as people read it (e.g. "2026-12-02 05:49"); without it the page shows its file's date when opened from disk. */
  when?: string;
  /** Printed output when it is not per run. */
  lines?: readonly (string | TimelineLine)[];
}

// ---------------------------------------------------------------- geometry

// The picture's own width: the page scales it to the window, so a smaller
// width means bigger type (1280 keeps bar labels at 15 px on a 1024 px
// projector, where 1600 gave 11 px).
const W = 1280;
const X0 = 280; // plot starts (labels to the left)
const X1 = W - 48; // plot ends
const PW = X1 - X0;
const TRACK_H = 52;
const BAR_H = 34;
const STATE_H = 36;
const QUEUE_H = 32;
/** Font sizes (px at 1280 px wide): bars, lane labels, primitive names, states, queues, axis, divergence. */
const F_BAR = 20;
const F_LANE = 26;
const F_PRIM = 22;
const F_STATE = 20;
const F_QUEUE = 18;
const F_TICK = 21;
const F_DIV = 18;
const F_MARK = 18;
const F_CAPTION = 17;
/** Smaller text tried before a label is shortened. */
const F_SMALL = 16;
const PRIM_PAD = 14;
const AXIS_H = 56;
/** Below this width (px) neighbouring intervals and states are drawn as one. */
const MIN_W = 2;
const MARKER_GAP = 9;
const MAX_TIP_EVENTS = 12;
const MAX_LINES = 2000;
/** More hand-offs than this in one run and the "who woke whom" arrows are left out (they would be a blur). */
const MAX_WAKES = 150;
/** More items than this in one track and they are drawn by columns of `DENSE_COL` px. */
const DENSE = 150;
const DENSE_COL = 4;

// ---------------------------------------------------------------- text

/** Control characters, and bidi overrides that would flip the text after them. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe inside HTML (and SVG) elements and quoted attributes. */
export function escapeHtml(s: string): string {
  return String(s)
    .replace(CONTROL, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
const esc = escapeHtml;

/**
 * Advance widths of ASCII 32..126 in hundredths of an em, from DejaVu Sans
 * Bold (wider than the usual system fonts, so text measured with it fits in
 * any of them).
 */
const ASCII_W = [
  35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 40, 40, 84, 84, 84, 58, 100, 77, 76, 73, 83, 68, 68, 82, 84,
  37, 37, 77, 64, 100, 84, 85, 73, 85, 77, 68, 70, 81, 77, 110, 77, 72, 73, 46, 37, 46, 84, 50, 50, 67, 72, 59, 72, 68, 41, 72, 71, 34, 34, 67, 34, 104, 71, 69, 72,
  72, 49, 60, 48, 71, 65, 92, 65, 65, 58, 71, 37, 71, 84,
];

/** Width in px of `s` at `size` px, erring wide (wide characters count a full em). */
function textW(s: string, size: number, _bold = false): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c >= 32 && c < 127 ? ASCII_W[c - 32]! / 100 : c >= 0x2e80 ? 1.05 : 0.8;
  }
  return n * size;
}

/** `s` cut with "…" to fit `px`; "" when fewer than `min` characters would be left. */
function fitText(s: string, px: number, size: number, bold = false, min = 1): string {
  if (textW(s, size, bold) <= px) return s;
  const chars = [...s];
  while (chars.length > 0 && textW(chars.join("") + "…", size, bold) > px) chars.pop();
  return chars.length < Math.max(1, min) ? "" : chars.join("") + "…";
}

/** The first of `options` (text and font size) that fits `px`, or null. */
function pick(options: readonly (readonly [string, number])[], px: number): readonly [string, number] | null {
  for (const o of options) if (o[0] !== "" && textW(o[0], o[1], true) <= px) return o;
  return null;
}

/** Each text at `size`, then (before giving up on it for a shorter one) at the smaller `F_SMALL`. */
function sizes(texts: readonly string[], size: number): [string, number][] {
  return texts.flatMap((t) => [[t, size] as [string, number], [t, F_SMALL] as [string, number]]);
}

/** A duration for people: ms below 20 s, else seconds. */
function fmtSpan(ms: number): string {
  return ms >= 20_000 ? `${fmt(ms / 1000)} s` : `${fmt(ms)} ms`;
}

function n1(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

// ---------------------------------------------------------------- colour

function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

function luminance(hex: string): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  };
  const [r, g, b] = hexRgb(hex);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Black or white, whichever reads better on `hex`. */
function inkOn(hex: string): string {
  const l = luminance(hex);
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#111" : "#fff";
}

/** `hex` mixed with white (`f` = share of white). */
function tint(hex: string, f: number): string {
  const [r, g, b] = hexRgb(hex);
  const m = (c: number) => Math.round(c + (255 - c) * f);
  return `#${[m(r), m(g), m(b)].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

/** `hex` darkened (for text in the primitive's colour on white). */
function shade(hex: string, f: number): string {
  const [r, g, b] = hexRgb(hex);
  const m = (c: number) => Math.round(c * (1 - f));
  return `#${[m(r), m(g), m(b)].map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

// Light colours (orange, yellow, sky blue) all but vanish from hatching and
// outlines on a washed-out projector or a greyscale print, so waiting is
// drawn with darker stripes and a dark edge: it never depends on hue alone.
/** `hex` darkened just enough that its luminance is at most `max`. */
function darkTo(hex: string, max: number): string {
  for (let f = 0; f < 1; f += 0.05) if (luminance(shade(hex, f)) <= max) return shade(hex, f);
  return "#000000";
}

/** The hatching's stripes: at least 4:1 against white. */
function stripe(hex: string): string {
  return darkTo(hex, 0.2);
}

/** A waiting shape's outline: at least 7:1 against white. */
function edge(hex: string): string {
  return darkTo(hex, 0.1);
}

// ---------------------------------------------------------------- words

function waitWords(iv: Interval): string[] {
  const o = iv.obj;
  switch (iv.for) {
    case "get":
      return [`waits to get from ${o}`, `waits to get`, `get`];
    case "put":
      return [`waits to put into ${o}`, `waits to put`, `put`];
    case "pass":
      return [`waits at ${o}`, `waits`];
    default:
      return [`waits for ${o}`, `waits`];
  }
}

function intervalTip(iv: Interval): string {
  const what =
    iv.kind === "holding"
      ? `${iv.task} holds ${iv.obj} (${iv.type})`
      : iv.for === "get"
        ? `${iv.task} waits to get from ${iv.obj} (${iv.type})`
        : iv.for === "put"
          ? `${iv.task} waits to put into ${iv.obj} (${iv.type})`
          : iv.for === "pass"
            ? `${iv.task} waits at ${iv.obj} (${iv.type}) for the others`
            : `${iv.task} waits for ${iv.obj} (${iv.type})`;
  const from = `from ${fmt(iv.start)} ms (${iv.opened.op})`;
  const to = iv.open ? `still ${iv.kind} when the trace ended (${fmt(iv.end)} ms)` : `to ${fmt(iv.end)} ms (${iv.closed!.op}${iv.closed!.task !== iv.task ? ` by ${iv.closed!.task}` : ""})`;
  return `${what}\n${from}\n${to}\nlasted ${fmt(iv.end - iv.start)} ms`;
}

function eventsTip(head: string, events: readonly TraceEvent[]): string {
  const shown = events.slice(0, MAX_TIP_EVENTS).map(describeEvent);
  if (events.length > MAX_TIP_EVENTS) shown.push(`… and ${events.length - MAX_TIP_EVENTS} more`);
  return (head ? head + "\n" : "") + shown.join("\n");
}

function stateTip(p: PrimitiveTimeline, s: PrimitiveState): string {
  const lines = [`${p.obj} (${p.type}) from ${fmt(s.from)} to ${fmt(s.to)} ms`];
  if (p.type === "Event") lines.push(s.isSet ? "set" : "clear");
  if (s.size !== undefined) lines.push(`items in the queue: ${s.size}`);
  if (isLockLike(p.type)) lines.push(s.holders.length === 0 ? "held by: nobody (free)" : `held by: ${s.holders.join(", ")}`);
  if (s.waiters.length === 0) lines.push("nobody waiting");
  else if (p.type === "Queue") {
    const g = s.waiters.filter((w) => w.for === "get").map((w) => w.task);
    const pu = s.waiters.filter((w) => w.for === "put").map((w) => w.task);
    if (g.length) lines.push(`waiting to get, first in line first: ${g.join(", ")}`);
    if (pu.length) lines.push(`waiting to put, first in line first: ${pu.join(", ")}`);
  } else lines.push(`${p.type === "Barrier" ? "arrived and waiting" : "waiting"}, first in line first: ${s.waiters.map((w) => w.task).join(", ")}`);
  lines.push(`(since: ${describeEvent(s.event)})`);
  return lines.join("\n");
}

function isLockLike(type: string): boolean {
  return type === "Lock" || type === "Semaphore" || type === "BoundedSemaphore";
}

// ---------------------------------------------------------------- scale

interface Scale {
  /** How many times the fit width the plot is laid out at (1: fit to the page). */
  zoom: number;
  /** The picture's width, and where its plot ends, and the plot's width, in the SVG's units. */
  w: number;
  x1: number;
  pw: number;
  start: number;
  end: number;
  span: number;
  x(t: number): number;
  unit: "ms" | "s";
  ticks: number[];
  label(t: number): string;
}

/**
 * `ranges`: per run with something to draw, the times it covers (its events',
 * its printed marks'). `room`: share of the span added after the end, for
 * the text of a printed line drawn last (an event's label can go left of it,
 * but a printed line's text is wider than a gap between its neighbours).
 */
function makeScale(ranges: readonly { start: number; end: number }[], room = 0, zoom = 1): Scale {
  const pw = PW * zoom;
  const x1 = X0 + pw;
  const start = ranges.length ? Math.min(...ranges.map((r) => r.start)) : 0;
  let end = ranges.length ? Math.max(...ranges.map((r) => r.end)) : 0;
  if (end - start <= 0) end = start + 10;
  end += (end - start) * room;
  const span = end - start;
  const unit = span >= 20_000 ? "s" : "ms";
  // A label ("4500 ms" at F_TICK) needs about 110 px.
  const step = niceStep(span, Math.max(2, Math.floor(pw / 120)));
  const ticks: number[] = [];
  for (let k = Math.ceil(start / step - 1e-9); k * step <= end + 1e-9; k++) ticks.push(k * step);
  return {
    zoom,
    w: x1 + (W - X1),
    x1,
    pw,
    start,
    end,
    span,
    x: (t) => X0 + ((t - start) / span) * pw,
    unit,
    ticks,
    label: (t) => (unit === "s" ? `${fmt(t / 1000)} s` : `${fmt(t)} ms`),
  };
}

// ---------------------------------------------------------------- zoom

/**
 * A lane is crowded when its bars, spread over the time it is busy, get
 * fewer px each than this at the page's width: then the picture is offered
 * wider too. (A short bar alone is no reason: a hand-off inside a tick stays
 * a sliver at any width.)
 */
const CROWDED = 32;
/** The widest level: a lane's bars get this many px each, or its short bars this many, enough for their labels. */
const ZOOM_ROOMY = 240;
const ZOOM_LABEL = 110;
/** The level the page opens at: a lane's bars get this many px each, room to see them as bars and tell them apart. */
const ZOOM_SEE = 60;
/** Never wider than this many times the page: past it, scrolling through the run takes longer than reading it. */
const MAX_ZOOM = 32;
/** The pictures' share of the file (characters) past which no wider level is added. */
const ZOOM_BUDGET = 4_000_000;

/** What decides the zoom levels, in ms: the busiest lane's time per bar, and how long the short bars last. */
export interface Crowding {
  /** The least, over the lanes, of the time from a lane's first bar to its last, per bar; null without bars. */
  perBar: number | null;
  /** The tenth shortest in a hundred of the holds and waits that take any time; null without any. */
  short: number | null;
}

export function crowding(models: readonly TraceModel[]): Crowding {
  let perBar: number | null = null;
  const d: number[] = [];
  for (const m of models)
    for (const l of m.tasks) {
      if (!l.intervals.length) continue;
      const first = Math.min(...l.intervals.map((iv) => iv.start));
      const last = Math.max(...l.intervals.map((iv) => iv.end));
      const each = (last - first) / l.intervals.length;
      perBar = perBar === null ? each : Math.min(perBar, each);
      for (const iv of l.intervals) if (iv.end > iv.start) d.push(iv.end - iv.start);
    }
  d.sort((a, b) => a - b);
  return { perBar, short: d.length ? d[Math.floor(d.length / 10)]! : null };
}

/**
 * The widths the picture is laid out at, in times the page's width: [1]
 * when no lane is crowded; else 1, 2, 4 … up to where the bars have room
 * for their labels. `open`: the one the page opens at.
 */
export function zoomLevels(c: Crowding, span: number): { levels: number[]; open: number } {
  const px = (ms: number | null, k: number) => ((ms ?? 0) / span) * PW * k;
  if (c.perBar === null || span <= 0 || px(c.perBar, 1) >= CROWDED) return { levels: [1], open: 1 };
  const levels = [1];
  const top = () => levels[levels.length - 1]!;
  while (top() < MAX_ZOOM && px(c.perBar, top()) < ZOOM_ROOMY && px(c.short, top()) < ZOOM_LABEL) levels.push(top() * 2);
  return { levels, open: levels.find((k) => px(c.perBar, k) >= ZOOM_SEE) ?? top() };
}

// ---------------------------------------------------------------- svg parts

/** Heights (SVG units) of a lane's track and bar, a primitive row's tracks and padding, the space between lanes. */
interface Geometry {
  track: number;
  bar: number;
  state: number;
  queue: number;
  pad: number;
  lanePad: number;
}

const AIRY: Geometry = { track: TRACK_H, bar: BAR_H, state: STATE_H, queue: QUEUE_H, pad: PRIM_PAD, lanePad: 8 };
// Two runs one above the other must both fit a 1024x768 projector once the
// page's head has scrolled away: less air around the same type.
const COMPACT: Geometry = { track: 42, bar: 30, state: 30, queue: 27, pad: 7, lanePad: 4 };

interface Ctx {
  g: Geometry;
  scale: Scale;
  colour: (obj: string) => { hex: string; idx: number };
}

function rect(cls: string, x: number, y: number, w: number, h: number, attrs: string, tip: string): string {
  return `<rect class="${cls}" x="${n1(x)}" y="${n1(y)}" width="${n1(Math.max(w, 0))}" height="${n1(h)}" ${attrs}><title>${esc(tip)}</title></rect>`;
}

function shape(cls: string, x: number, y: number, w: number, h: number, attrs: string): string {
  return `<rect class="${cls}" x="${n1(x)}" y="${n1(y)}" width="${n1(Math.max(w, 0))}" height="${n1(h)}" ${attrs}/>`;
}

function haloText(x: number, y: number, text: string, size: number, cls: string, fill = "#111", anchor = "start"): string {
  return `<text class="${cls}" x="${n1(x)}" y="${n1(y)}" font-size="${size}" fill="${fill}" text-anchor="${anchor}" dominant-baseline="central">${esc(text)}</text>`;
}

/**
 * Packs a lane's intervals into as few tracks as possible: overlaps go below,
 * except overlaps of at most `slack` ms (a board's clock ticks in whole ms, so
 * "wait on the Condition, then release its lock" can overlap by one tick).
 */
function packTracks(intervals: readonly Interval[], slack: number): Interval[][] {
  const tracks: { end: number; items: Interval[] }[] = [];
  for (const iv of intervals) {
    let t = tracks.find((tr) => tr.end <= iv.start + slack);
    if (!t) tracks.push((t = { end: -Infinity, items: [] }));
    t.items.push(iv);
    t.end = Math.max(iv.end, iv.start);
  }
  return tracks.length ? tracks.map((t) => t.items) : [[]];
}

/** What one drawn shape stands for: one item, or several too close together to draw one by one. */
interface Piece<T> {
  from: number;
  to: number;
  items: T[];
  /** The item whose look the shape takes (the one covering most of it). */
  rep: T;
}

/**
 * Items laid along time, as shapes at least `MIN_W` px wide. Few items: one
 * shape each, runs of narrow neighbours with the same look merged. Many
 * (more than `DENSE`): time is cut into `DENSE_COL` px columns, each shows
 * the item covering most of it, and neighbouring columns that look the same
 * become one shape, so the file stays small however long the trace.
 */
function pieces<T>(ctx: Ctx, items: readonly T[], span: (t: T) => [number, number], key: (t: T) => string, prefer: (a: T, b: T) => boolean): Piece<T>[] {
  const { x } = ctx.scale;
  const out: Piece<T>[] = [];
  if (items.length <= DENSE) {
    let cur: Piece<T> | null = null;
    for (const it of items) {
      const [a, b] = span(it);
      const narrow = x(b) - x(a) < MIN_W;
      if (cur && narrow && key(cur.rep) === key(it) && x(a) - x(cur.to) < MIN_W && x(b) - x(cur.from) < 40) {
        cur.items.push(it);
        cur.to = Math.max(cur.to, b);
        continue;
      }
      const piece: Piece<T> = { from: a, to: b, items: [it], rep: it };
      out.push(piece);
      cur = narrow ? piece : null;
    }
    return out;
  }
  const { start, span: total } = ctx.scale;
  const cols = Math.max(1, Math.ceil(ctx.scale.pw / DENSE_COL));
  const dt = total / cols;
  const colOf = (t: number) => Math.max(0, Math.min(cols - 1, Math.floor((t - start) / dt)));
  const best: (T | null)[] = new Array(cols).fill(null);
  const cover: number[] = new Array(cols).fill(-1);
  const members: T[][] = Array.from({ length: cols }, () => []);
  for (const it of items) {
    const [a, b] = span(it);
    for (let c = colOf(a); c <= colOf(b); c++) {
      const c0 = start + c * dt;
      // A zero-length item still claims an empty column.
      const ov = Math.max(Math.min(b, c0 + dt) - Math.max(a, c0), 1e-9);
      members[c]!.push(it);
      const cur = best[c] ?? null;
      if (cur === null || ov > cover[c]! || (ov === cover[c] && prefer(it, cur))) {
        best[c] = it;
        cover[c] = ov;
      }
    }
  }
  // Runs of columns whose items look alike become one piece each.
  interface Run {
    from: number;
    to: number;
    k: string;
    members: Set<T>;
    /** Columns each item won. */
    won: Map<T, number>;
  }
  const runs: Run[] = [];
  let run: Run | null = null;
  for (let c = 0; c < cols; c++) {
    const it = best[c] ?? null;
    if (it === null) {
      run = null;
      continue;
    }
    const k = key(it);
    if (!run || run.k !== k) runs.push((run = { from: start + c * dt, to: 0, k, members: new Set(), won: new Map() }));
    run.to = start + (c + 1) * dt;
    run.won.set(it, (run.won.get(it) ?? 0) + 1);
    for (const m of members[c]!) run.members.add(m);
  }
  for (const r of runs) {
    let rep = r.won.keys().next().value as T;
    let most = 0;
    for (const [it, n] of r.won) if (n > most) [most, rep] = [n, it];
    const list = [...r.members];
    let first = Infinity;
    let last = -Infinity;
    for (const m of list) {
      const [a, b] = span(m);
      first = Math.min(first, a);
      last = Math.max(last, b);
    }
    const from = Math.max(r.from, first);
    out.push({ from, to: Math.max(from, Math.min(r.to, last)), items: list, rep });
  }
  return out;
}

function intervalPieces(ctx: Ctx, items: readonly Interval[]): Piece<Interval>[] {
  return pieces(
    ctx,
    items,
    (iv) => [iv.start, iv.end],
    (iv) => `${iv.kind}\0${iv.obj}`,
    (a, b) => a.kind === "holding" && b.kind !== "holding",
  );
}

/** `taken`: where this track's bar labels are written (x from, x to), for the instant events' labels to keep clear of. */
function drawInterval(ctx: Ctx, out: string[], piece: Piece<Interval>, y: number, taken: [number, number][] = []): void {
  const iv = piece.rep;
  const one = piece.items.length === 1;
  const { hex, idx } = ctx.colour(iv.obj);
  const x0 = ctx.scale.x(piece.from);
  const xe = ctx.scale.x(piece.to);
  const w = Math.max(xe - x0, 3);
  const x = xe - x0 < 3 ? x0 - 1.5 : x0;
  const by = y + (ctx.g.track - ctx.g.bar) / 2;
  let tip: string;
  if (one) tip = intervalTip(iv);
  else {
    const h = piece.items.filter((i) => i.kind === "holding").length;
    const wt = piece.items.length - h;
    const objs = [...new Set(piece.items.map((i) => i.obj))].join(", ");
    tip = `${iv.task}, ${fmt(piece.from)} – ${fmt(piece.to)} ms: ${h} holding, ${wt} waiting (${objs}), too close together to draw one by one`;
  }
  const data = `data-task="${esc(iv.task)}" data-obj="${esc(iv.obj)}" data-kind="${iv.kind}"`;
  const open = one && iv.open ? " open" : "";
  if (iv.kind === "holding") {
    out.push(rect(`bar holding${open}`, x, by, w, ctx.g.bar, `rx="4" fill="${hex}" ${data}`, tip));
    const label = one ? pick(sizes([`holds ${iv.obj}`, iv.obj], F_BAR), w - 12) : null;
    if (label) taken.push([x + 7, x + 7 + textW(label[0], label[1], true)]);
    if (label) out.push(`<text class="bar-text" x="${n1(x + 7)}" y="${n1(by + ctx.g.bar / 2)}" font-size="${label[1]}" font-weight="700" fill="${inkOn(hex)}" dominant-baseline="central" pointer-events="none">${esc(label[0])}</text>`);
  } else {
    out.push(rect(`bar waiting${open}`, x, by + 1, w, ctx.g.bar - 2, `rx="4" fill="url(#hatch-${idx})" stroke="${edge(hex)}" stroke-width="2.5" ${data}`, tip));
    // How long, when there is room: "waits for Lock (1218 ms)".
    const words = waitWords(iv);
    const long = iv.open ? [] : [`${words[0]} (${fmtSpan(iv.end - iv.start)})`];
    const label = one ? pick(sizes([...long, ...words], F_BAR), w - 12) : null;
    if (label) taken.push([x + 7, x + 7 + textW(label[0], label[1], true)]);
    if (label) out.push(`<text class="bar-text halo" x="${n1(x + 7)}" y="${n1(by + ctx.g.bar / 2)}" font-size="${label[1]}" font-weight="700" fill="#111" dominant-baseline="central" pointer-events="none">${esc(label[0])}</text>`);
  }
  if (open) {
    // Still going when the trace ended: an arrow head past the end.
    out.push(`<path class="open-end" d="M${n1(x + w + 2)},${n1(by + 4)} l9,${n1(ctx.g.bar / 2 - 4)} l-9,${n1(ctx.g.bar / 2 - 4)} z" fill="${hex}" pointer-events="none"/>`);
  }
}

/** `placed`: where the diamonds and their labels went (x from, x to), for the printed lines' labels to keep clear of. */
function drawMarkers(ctx: Ctx, out: string[], markers: readonly Marker[], cy: number, taken: readonly [number, number][] = [], placed: [number, number][] = []): void {
  const free = (a: number, b: number) => taken.every(([c, d]) => b <= c - 2 || a >= d + 2);
  let i = 0;
  let labelEnd = -Infinity;
  while (i < markers.length) {
    const group = [markers[i]!];
    const gx = ctx.scale.x(markers[i]!.t);
    i++;
    while (i < markers.length && ctx.scale.x(markers[i]!.t) - gx < MARKER_GAP) group.push(markers[i++]!);
    const m = group[0]!;
    const { hex } = ctx.colour(m.obj);
    const tip = eventsTip(group.length > 1 ? `${group.length} events:` : "", group.map((g) => g.event));
    const r = 9;
    out.push(
      `<path class="marker" d="M${n1(gx)},${n1(cy - r)} l${r},${r} l-${r},${r} l-${r},-${r} z" fill="${hex}" stroke="#111" stroke-width="1.5" data-task="${esc(m.task)}" data-obj="${esc(m.obj)}" data-op="${esc(m.op)}"><title>${esc(tip)}</title></path>`,
    );
    placed.push([gx - r, gx + r]);
    const label = group.length > 1 ? `×${group.length}` : m.op;
    const nextX = i < markers.length ? ctx.scale.x(markers[i]!.t) : Infinity;
    const lw = textW(label, F_MARK, true);
    // Right of the diamond; left of it when the next one or the picture's edge is in the way.
    let lx: number | null = gx + r + 4;
    if (!(lx > labelEnd && lx + lw < Math.min(nextX - r - 2, ctx.scale.w - 4) && free(lx, lx + lw))) {
      const left = gx - r - 4 - lw;
      lx = left > Math.max(labelEnd, X0 - 4) && free(left, left + lw) ? left : null;
    }
    if (lx !== null) {
      out.push(`<text class="marker-text halo" x="${n1(lx)}" y="${n1(cy - 1)}" font-size="${F_MARK}" font-weight="700" fill="${shade(hex, 0.45)}" dominant-baseline="central" pointer-events="none">${esc(label)}</text>`);
      labelEnd = Math.max(lx + lw, gx + r);
      placed.push([lx, lx + lw]);
    }
  }
}

/** Printed lines closer together than this (px) share one tick. */
const PRINT_GAP = 6;
const PRINT_INK = "#333";

/**
 * A task's printed lines as ticks in its lane, with their text where there is
 * room. `top`: the lane's first track. `busy`: what the text must keep clear
 * of (bars, bar labels, diamonds and their labels). `roomy`: the lane has
 * nothing else (a task that only printed), so the ticks span the track and
 * the text is as big as an instant event's; in a lane with bars the tick is a
 * short pin at the track's top edge and the text smaller, so the primitives
 * stay what the eye goes to.
 */
function drawPrints(ctx: Ctx, out: string[], task: string, marks: readonly PrintMark[], top: number, busy: [number, number][], roomy: boolean, size = F_SMALL): { whole: number; shown: number } {
  let nWhole = 0;
  let nShown = 0;
  const th = roomy ? ctx.g.track + 14 : ctx.g.track;
  const { x } = ctx.scale;
  const groups: PrintMark[][] = [];
  for (const m of marks) {
    const g = groups[groups.length - 1];
    if (g && x(m.t) - x(g[0]!.t) < PRINT_GAP) g.push(m);
    else groups.push([m]);
  }
  const by = top + (ctx.g.track - ctx.g.bar) / 2;
  const cy = top + th / 2;
  const free = (a: number, b: number) => busy.every(([c, d]) => b <= c - 4 || a >= d + 4);
  groups.forEach((g, k) => {
    const gx = x(g[0]!.t);
    const listed = g.slice(0, MAX_TIP_EVENTS).map((m) => `${fmt(m.t)} ms  ${m.text}`);
    if (g.length > MAX_TIP_EVENTS) listed.push(`… and ${g.length - MAX_TIP_EVENTS} more`);
    const tip = `${task} printed:\n${listed.join("\n")}`;
    const [y1, y2] = roomy ? [top + 6, top + th - 6] : [top, by + 8];
    const hw = roomy ? 6 : 4.5;
    const parts = [
      `<rect class="print-hit" x="${n1(gx - 6)}" y="${n1(y1 - 2)}" width="12" height="${n1(y2 - y1 + 4)}" fill="transparent"/>`,
      `<line class="print-tick" x1="${n1(gx)}" x2="${n1(gx)}" y1="${n1(y1)}" y2="${n1(y2)}" stroke="${PRINT_INK}" stroke-width="${roomy ? 3 : 2.5}" stroke-linecap="round" pointer-events="none"/>`,
      // A small flag pointing down at the moment: not a diamond (an event), not a dot (a Barrier's pass).
      `<path class="print-head" d="M${n1(gx - hw)},${n1(y1)} h${n1(2 * hw)} l-${n1(hw)},${n1(hw * 1.6)} z" fill="${PRINT_INK}" stroke="#fff" stroke-width="1" pointer-events="none"/>`,
    ];
    // The text at `size`: whole, then without its asides; lines at one
    // moment (a write and the next read) side by side, else one above the
    // other. In a lane of its own, then its first and last words ("reads …
    // 0": what it did and with what). Last, cut.
    const texts = g.map((m) => m.text).filter((t) => t !== "");
    const short = texts.map(withoutAsides);
    const options: { rows: (readonly [string, number])[]; whole: boolean }[] = [];
    const second = (ts: string[]) => (ts.length === 2 ? ts[1]! : `… ${ts.length - 1} more`);
    const add = (ts: string[], whole: boolean) => {
      options.push({ rows: [[ts.join(" · "), size]], whole });
      if (ts.length > 1) options.push({ rows: [[ts[0]!, size], [second(ts), size]], whole });
    };
    if (texts.length) {
      add(texts, true);
      add(short, true);
      if (roomy) add(texts.map(firstAndLast), false);
    }
    const nextX = k + 1 < groups.length ? x(groups[k + 1]![0]!.t) - PRINT_GAP : ctx.scale.w - 4;
    const right: [number, number] = [gx + 5, nextX + 2];
    const left: [number, number] = [k > 0 ? x(groups[k - 1]![0]!.t) + PRINT_GAP : X0 - 4, gx - 5];
    const width = (rows: readonly (readonly [string, number])[]) => Math.max(...rows.map(([t, z]) => textW(t, z, true)));
    let placed: { lx: number; rows: readonly (readonly [string, number])[]; whole: boolean } | null = null;
    for (const { rows, whole } of options) {
      const w = width(rows);
      if (right[0] + w <= right[1] && free(right[0], right[0] + w)) placed = { lx: right[0], rows, whole };
      else if (left[1] - w >= left[0] && free(left[1] - w, left[1])) placed = { lx: left[1] - w, rows, whole };
      if (placed) {
        nShown++;
        if (whole) nWhole++;
        break;
      }
    }
    if (!placed && texts.length) {
      const cut = fitText(short[0]!, right[1] - right[0], size, true, 8);
      if (cut && free(right[0], right[0] + textW(cut, size, true))) placed = { lx: right[0], rows: [[cut, size]], whole: false };
    }
    if (placed) {
      const { lx, rows } = placed;
      busy.push([lx, lx + width(rows)]);
      rows.forEach(([t, z], r) => {
        const ty = rows.length === 1 ? cy : cy + (r === 0 ? -0.58 : 0.58) * z;
        parts.push(`<text class="print-text halo" x="${n1(lx)}" y="${n1(ty)}" font-size="${z}" font-weight="700" fill="#111" dominant-baseline="central">${esc(t)}</text>`);
      });
    }
    out.push(`<g class="printed" data-task="${esc(task)}" data-t="${n1(g[0]!.t)}" data-lines="${g.length}"><title>${esc(tip)}</title>${parts.join("")}</g>`);
  });
  return { whole: nWhole, shown: nShown };
}

/** How a state looks in its row: states that look alike may be drawn as one. */
function stateKey(s: PrimitiveState): string {
  return `${s.holders.join("\0")}\u0001${s.waiters.map((w) => w.for + ":" + w.task).join("\0")}\u0001${s.size ?? ""}\u0001${s.isSet ?? ""}`;
}

/** A Barrier's passes: all the tasks let through by one last arrival, at the time of the first of them. */
export interface BarrierPass {
  t: number;
  tasks: string[];
}

/** Per Barrier, its passes: consecutive "pass" events with no "arrive" between them are one pass. */
function barrierPasses(model: TraceModel): Map<string, BarrierPass[]> {
  const out = new Map<string, BarrierPass[]>();
  const open = new Map<string, BarrierPass | null>();
  for (const e of model.events) {
    if (e.type !== "Barrier") continue;
    if (e.op === "pass") {
      let cur = open.get(e.obj) ?? null;
      if (!cur) {
        cur = { t: e.t, tasks: [] };
        open.set(e.obj, cur);
        if (!out.has(e.obj)) out.set(e.obj, []);
        out.get(e.obj)!.push(cur);
      }
      cur.tasks.push(e.task);
    } else open.set(e.obj, null);
  }
  return out;
}

/** Length of the start all `names` share, up to and including its last "-", "_", "." or space; 0 for fewer than two names. */
function sharedPrefix(names: readonly string[]): number {
  if (names.length < 2) return 0;
  let n = 0;
  while (names.every((s) => n < s.length - 1 && s[n] === names[0]![n])) n++;
  const head = names[0]!.slice(0, n);
  return Math.max(head.lastIndexOf("-"), head.lastIndexOf("_"), head.lastIndexOf("."), head.lastIndexOf(" ")) + 1;
}

function hasStateTrack(type: string): boolean {
  return isLockLike(type) || type === "Event" || type === "Queue" || type === "Barrier";
}

function primRowHeight(ctx: Ctx, p: PrimitiveTimeline): number {
  return ctx.g.pad + (hasStateTrack(p.type) ? ctx.g.state + 6 : 0) + ctx.g.queue + ctx.g.pad;
}

/** What the state track shows, for drawing neighbouring states that show the same as one shape with one label. */
function trackKey(p: PrimitiveTimeline, s: PrimitiveState): string {
  if (isLockLike(p.type)) return s.holders.join("\0");
  if (p.type === "Event") return String(s.isSet === true);
  return "";
}

function drawPrimitive(ctx: Ctx, out: string[], p: PrimitiveTimeline, y: number, height: number, passes: readonly BarrierPass[]): void {
  const { hex, idx } = ctx.colour(p.obj);
  const hasState = hasStateTrack(p.type);
  const stateY = y + ctx.g.pad;
  const queueY = hasState ? stateY + ctx.g.state + 6 : stateY;
  out.push(`<g class="prim-row" data-obj="${esc(p.obj)}" data-type="${esc(p.type)}">`);
  out.push(`<rect class="row-bg" x="0" y="${n1(y)}" width="${ctx.scale.w}" height="${n1(height)}" fill="${tint(hex, 0.93)}"/>`);
  // Label: a colour chip, the name (smaller before it is cut: "Condition.lock"), its type; captions for the two tracks.
  out.push(`<rect x="16" y="${n1(y + 16)}" width="18" height="18" rx="3" fill="${hex}" stroke="#111" stroke-width="1"/>`);
  const room = X0 - 42 - 80;
  const [name, nameSize] = pick([[p.obj, F_PRIM], [p.obj, F_CAPTION]], room) ?? [fitText(p.obj, room, F_CAPTION, true), F_CAPTION];
  out.push(`<text class="prim-label" x="42" y="${n1(y + 25)}" font-size="${nameSize}" font-weight="700" fill="#111" dominant-baseline="central">${esc(name)}<title>${esc(`${p.obj} (${p.type}), ${p.events} events`)}</title></text>`);
  out.push(`<text class="prim-type" x="42" y="${n1(y + 50)}" font-size="17" fill="#444" dominant-baseline="central">${esc(fitText(p.type, room, 17))}</text>`);
  const caption = (text: string, cy: number) => out.push(`<text class="track-caption" x="${X0 - 12}" y="${n1(cy)}" font-size="${F_CAPTION}" fill="#444" text-anchor="end" dominant-baseline="central">${esc(text)}</text>`);
  if (hasState) caption(isLockLike(p.type) ? "held by" : p.type === "Queue" ? "items" : p.type === "Barrier" ? "passes" : "state", stateY + ctx.g.state / 2);
  caption(p.type === "Barrier" ? "arrived" : "waiting", queueY + ctx.g.queue / 2);

  const groups = pieces(
    ctx,
    p.states,
    (s) => [s.from, s.to],
    stateKey,
    () => false,
  );
  const maxSize = Math.max(1, ...p.states.map((s) => s.size ?? 0));
  const stepPts: string[] = [];
  const sizeTexts: string[] = [];
  const hits: string[] = [];
  // Lock-likes and Events: neighbouring pieces that show the same holders
  // (or the same set/clear) are one shape with one label, so "task-1" is
  // written once across its whole turn however often the waiters change.
  const spans: { from: number; to: number; s: PrimitiveState }[] = [];
  // The line of waiters in order is the point, so when the names do not fit
  // they lose the part all of them share ("task-3, task-1" becomes "3, 1").
  const cut = sharedPrefix([...new Set(p.states.flatMap((s) => s.waiters.map((q) => q.task)))]);
  const holderCut = sharedPrefix([...new Set(p.states.flatMap((s) => s.holders))]);
  for (const piece of groups) {
    const s = piece.rep;
    const one = piece.items.length === 1;
    const x = ctx.scale.x(piece.from);
    const w = ctx.scale.x(piece.to) - x;
    const tip = one
      ? stateTip(p, s)
      : `${p.obj}, ${fmt(piece.from)} – ${fmt(piece.to)} ms: ${piece.items.length} changes, too close together to draw one by one\nmostly: ${[
          isLockLike(p.type) ? `held by ${s.holders.join(", ") || "nobody"}` : "",
          s.isSet !== undefined ? (s.isSet ? "set" : "clear") : "",
          s.size !== undefined ? `${s.size} items` : "",
          `${s.waiters.length} waiting`,
        ]
          .filter(Boolean)
          .join(", ")}`;
    const data = `pointer-events="none"`;
    // One invisible shape over both tracks carries the tooltip.
    hits.push(rect("state-hit", x, stateY, Math.max(w, 2), queueY + ctx.g.queue - stateY, `fill="transparent" data-from="${n1(piece.from)}" data-to="${n1(piece.to)}"`, tip));
    const last = spans[spans.length - 1];
    if (last && trackKey(p, last.s) === trackKey(p, s) && Math.abs(last.to - piece.from) < 1e-6) last.to = piece.to;
    else spans.push({ from: piece.from, to: piece.to, s });
    if (p.type === "Queue") {
      const size = s.size;
      if (size !== undefined) {
        const top = stateY + ctx.g.state - (Math.min(size, maxSize) / maxSize) * ctx.g.state;
        stepPts.push(`${n1(x)},${n1(top)}`, `${n1(x + Math.max(w, 0))},${n1(top)}`);
      }
      const text = size === undefined ? "" : String(size);
      if (text && w > textW(text, F_STATE, true) + 8) sizeTexts.push(haloText(x + 5, stateY + ctx.g.state / 2, text, F_STATE, "state-text halo size-text", "#111"));
    }
    // Queue (waiters) track.
    const waiters = s.waiters;
    if (waiters.length > 0) {
      out.push(shape("state waiters", x, queueY, Math.max(w, 2), ctx.g.queue, `fill="url(#hatch-${idx})" stroke="${edge(hex)}" stroke-width="2" ${data}`));
      let text: string;
      if (p.type === "Queue") {
        const gs = waiters.filter((q) => q.for === "get").map((q) => q.task);
        const ps = waiters.filter((q) => q.for === "put").map((q) => q.task);
        text = [gs.length ? `get: ${gs.join(", ")}` : "", ps.length ? `put: ${ps.join(", ")}` : ""].filter(Boolean).join("  ");
      } else text = waiters.map((q) => q.task).join(", ");
      const short = p.type === "Queue" || cut === 0 ? [] : [waiters.map((q) => q.task.slice(cut)).join(", ")];
      let texts = [text, ...short];
      let count = `${waiters.length} waiting`;
      let least = String(waiters.length);
      if (p.type === "Barrier") {
        // How many of how many: the parties are the tasks its next pass lets through.
        const parties = passes.find((ps) => ps.t >= piece.from)?.tasks.length;
        const of = parties === undefined ? "" : `/${parties}`;
        texts = texts.map((t) => `${waiters.length}${of}: ${t}`);
        count = parties === undefined ? `${waiters.length} arrived` : `${waiters.length} of ${parties} arrived`;
        least = `${waiters.length}${of}`;
      }
      const label = pick([...sizes(texts, F_QUEUE), [count, F_QUEUE], [least, F_QUEUE], [least, F_SMALL], [String(waiters.length), F_SMALL]], w - 10);
      if (label) out.push(`<text class="state-text halo" x="${n1(x + 6)}" y="${n1(queueY + ctx.g.queue / 2)}" font-size="${label[1]}" font-weight="700" fill="#111" dominant-baseline="central" pointer-events="none">${esc(label[0])}</text>`);
    }
  }
  // State track of lock-likes and Events, one shape and label per span.
  const data = `pointer-events="none"`;
  for (const { from, to, s } of spans) {
    const x = ctx.scale.x(from);
    const w = ctx.scale.x(to) - x;
    if (isLockLike(p.type)) {
      const holders = s.holders;
      if (holders.length > 0) {
        out.push(shape("state holder", x, stateY, Math.max(w, 2), ctx.g.state, `fill="${hex}" data-holders="${esc(holders.join(", "))}" ${data}`));
        // Like the waiters: names too long lose the part all holders share ("worker-3" becomes "3").
        const short = holderCut > 0 ? sizes([holders.map((h) => h.slice(holderCut)).join(", ")], F_STATE) : [];
        const label = pick([...sizes([holders.join(", ")], F_STATE), ...short, [holders.length > 1 ? `${holders.length} holders` : fitText(holders[0]!, w - 10, F_STATE, true, 4), F_STATE]], w - 10);
        if (label) out.push(`<text class="state-text holder-text" x="${n1(x + 6)}" y="${n1(stateY + ctx.g.state / 2)}" font-size="${label[1]}" font-weight="700" fill="${inkOn(hex)}" dominant-baseline="central" pointer-events="none">${esc(label[0])}</text>`);
      } else {
        out.push(shape("state free", x, stateY + ctx.g.state / 2 - 1, Math.max(w, 1), 2, `fill="#999" ${data}`));
        const label = pick(sizes(["free"], F_STATE), w - 10);
        if (label) out.push(`<text class="state-text free-text" x="${n1(x + 6)}" y="${n1(stateY + ctx.g.state / 2)}" font-size="${label[1]}" font-style="italic" fill="#555" dominant-baseline="central" pointer-events="none">${esc(label[0])}</text>`);
      }
    } else if (p.type === "Event") {
      const set = s.isSet === true;
      if (set) out.push(shape("state set", x, stateY, Math.max(w, 2), ctx.g.state, `fill="${hex}" ${data}`));
      else out.push(shape("state clear", x + 1, stateY + 1, Math.max(w - 2, 1), ctx.g.state - 2, `fill="#fff" stroke="${hex}" stroke-width="2" stroke-dasharray="6 4" ${data}`));
      const label = pick(sizes([set ? "set" : "clear"], F_STATE), w - 10);
      if (label) out.push(`<text class="state-text" x="${n1(x + 6)}" y="${n1(stateY + ctx.g.state / 2)}" font-size="${label[1]}" font-weight="700" fill="${set ? inkOn(hex) : "#333"}" dominant-baseline="central" pointer-events="none">${esc(label[0])}</text>`);
    }
  }
  if (p.type === "Barrier") {
    // Each pass: a gate mark and how many went through, until the next pass.
    passes.forEach((ps, k) => {
      const x = ctx.scale.x(ps.t);
      const next = k + 1 < passes.length ? ctx.scale.x(passes[k + 1]!.t) : ctx.scale.x1 + 40;
      out.push(
        `<rect class="pass-mark" x="${n1(x - 3)}" y="${n1(stateY)}" width="6" height="${ctx.g.state}" fill="#111" data-t="${n1(ps.t)}" data-tasks="${esc(ps.tasks.join(", "))}"><title>${esc(`${p.obj}: ${ps.tasks.length} tasks pass together at ${fmt(ps.t)} ms\n${ps.tasks.join(", ")}`)}</title></rect>`,
      );
      const label = pick([[`${ps.tasks.length} pass`, F_STATE], [`${ps.tasks.length} pass`, F_SMALL], [String(ps.tasks.length), F_SMALL]], next - x - 14);
      if (label) out.push(haloText(x + 7, stateY + ctx.g.state / 2, label[0], label[1], "state-text halo pass-text", "#111"));
    });
  }
  if (stepPts.length) {
    const base = stateY + ctx.g.state;
    const first = stepPts[0]!.split(",")[0];
    const lastX = stepPts[stepPts.length - 1]!.split(",")[0];
    out.push(`<path class="queue-size" d="M${first},${n1(base)} L${stepPts.join(" L")} L${lastX},${n1(base)} Z" fill="${tint(hex, 0.55)}" stroke="${hex}" stroke-width="2.5" pointer-events="none"/>`);
    out.push(...sizeTexts);
    out.push(`<text x="${ctx.scale.x1 + 6}" y="${n1(stateY + 6)}" font-size="16" fill="#444" dominant-baseline="central">${maxSize}</text>`);
  }
  out.push(...hits);
  out.push(`</g>`);
}

interface RunLayout {
  svg: string;
  /** Laid out wider than the page (zoom > 1): the names column, drawn again to stay in view while the plot scrolls under it. */
  names: string;
  width: number;
  height: number;
}

/** `prints`: the run's printed lines that belong in a task's lane, by time (see `printedMarks` in printed.ts). */
function drawRun(ctx: Ctx, model: TraceModel, label: string, div: { t: number; text: string } | null, prints: readonly PrintMark[] = []): RunLayout {
  const out: string[] = [];
  const printedBy = new Map<string, PrintMark[]>();
  for (const p of prints) {
    const list = printedBy.get(p.task);
    if (list) list.push(p);
    else printedBy.set(p.task, [p]);
  }
  // Tasks that only printed get lanes after the traced ones, in the order they first printed.
  const lanes: TaskLane[] = [...model.tasks];
  for (const task of printedBy.keys()) if (!lanes.some((l) => l.task === task)) lanes.push({ task, intervals: [], markers: [] });
  const { scale } = ctx;
  // A wide picture scrolls sideways, and its bottom is often below the fold:
  // it gets the time along its top as well.
  const topAxis = scale.zoom > 1;
  const top = (div ? 48 : 14) + (topAxis ? 30 : 0);
  let y = top;
  // What the names column holds: each lane's and row's background and name.
  const side: string[] = [];
  const gridTop = top - 6;

  // One size for the text of every lane that only printed, the biggest that
  // says as much as the smallest does: mixed sizes read as mixed importance.
  const onlyPrinted = lanes.filter((l) => printedBy.has(l.task) && l.intervals.length === 0 && l.markers.length === 0);
  let printSize = F_SMALL;
  if (onlyPrinted.length) {
    const says = (size: number) => onlyPrinted.map((l) => drawPrints(ctx, [], l.task, printedBy.get(l.task)!, 0, [], true, size)).reduce((a, b) => ({ whole: a.whole + b.whole, shown: a.shown + b.shown }));
    const least = says(F_SMALL);
    printSize = [F_BAR, F_MARK].find((z) => {
      const r = says(z);
      return r.whole >= least.whole && r.shown >= least.shown;
    }) ?? F_SMALL;
  }

  const body: string[] = [];
  const laneMid = new Map<string, number>();
  lanes.forEach((lane, li) => {
    const tracks = packTracks(lane.intervals, Math.max(1, (3 * scale.span) / scale.pw));
    const printed = printedBy.get(lane.task) ?? [];
    const roomy = printed.length > 0 && lane.intervals.length === 0 && lane.markers.length === 0;
    const th = roomy ? ctx.g.track + 14 : ctx.g.track;
    const h = th + (tracks.length - 1) * ctx.g.track + ctx.g.lanePad;
    laneMid.set(lane.task, y + 4 + th / 2);
    body.push(`<g class="lane" data-task="${esc(lane.task)}">`);
    body.push(`<rect class="lane-bg" x="0" y="${n1(y)}" width="${scale.w}" height="${n1(h)}" fill="${li % 2 ? "#f4f4f4" : "#fbfbfb"}"/>`);
    const shown = fitText(lane.task, X0 - 36, F_LANE, true);
    const counts = `${lane.intervals.length} intervals, ${lane.markers.length} instant events${printed.length ? `, ${printed.length} printed lines` : ""}`;
    body.push(`<text class="lane-label" x="20" y="${n1(y + 4 + th / 2)}" font-size="${F_LANE}" font-weight="700" fill="#111" dominant-baseline="central">${esc(shown)}<title>${esc(`task ${lane.task}: ${counts}`)}</title></text>`);
    side.push(
      `<rect x="0" y="${n1(y)}" width="${X0 - 3}" height="${n1(h)}" fill="${li % 2 ? "#f4f4f4" : "#fbfbfb"}"/><text class="name-label" x="20" y="${n1(y + 4 + th / 2)}" font-size="${F_LANE}" font-weight="700" fill="#111" dominant-baseline="central">${esc(shown)}<title>${esc(`task ${lane.task}: ${counts}`)}</title></text>`,
    );
    // Instant events sit on the first track: their labels keep off its bar labels.
    const taken: [number, number][] = [];
    // Printed lines' text keeps off everything on the first track: bars too, not just their labels.
    const busy: [number, number][] = [];
    tracks.forEach((items, k) => {
      for (const piece of intervalPieces(ctx, items)) {
        drawInterval(ctx, body, piece, y + 4 + k * ctx.g.track, k === 0 ? taken : []);
        if (k === 0) busy.push([scale.x(piece.from) - 1.5, Math.max(scale.x(piece.to), scale.x(piece.from) + 3)]);
      }
    });
    drawMarkers(ctx, body, lane.markers, y + 4 + ctx.g.track / 2, taken, busy);
    if (printed.length) drawPrints(ctx, body, lane.task, printed, y + 4, [...busy, ...taken], roomy, roomy ? printSize : F_SMALL);
    body.push(`</g>`);
    y += h;
  });
  // A Barrier's pass: one upright "gate" through the lanes of every task it
  // lets through, a dot on each (arrows from the last arrival to each of the
  // others would all bunch up at one moment).
  const passes = barrierPasses(model);
  for (const [obj, list] of passes) {
    for (const ps of list) {
      const ys = ps.tasks.map((t) => laneMid.get(t)).filter((v): v is number => v !== undefined);
      if (!ys.length) continue;
      const x = n1(scale.x(ps.t));
      const y1 = n1(Math.min(...ys) - ctx.g.bar / 2 - 2);
      const y2 = n1(Math.max(...ys) + ctx.g.bar / 2 + 2);
      const tip = `${obj}: ${ps.tasks.length} tasks pass together at ${fmt(ps.t)} ms\n${ps.tasks.join(", ")}`;
      const dots = ys.map((cy) => `<circle cx="${x}" cy="${n1(cy)}" r="6" fill="#111" stroke="#fff" stroke-width="2"/>`).join("");
      body.push(
        `<g class="barrier-pass" data-obj="${esc(obj)}" data-t="${n1(ps.t)}" data-tasks="${esc(ps.tasks.join(", "))}"><title>${esc(tip)}</title><line x1="${x}" x2="${x}" y1="${y1}" y2="${y2}" stroke="#fff" stroke-width="9" stroke-linecap="round"/><line class="gate" x1="${x}" x2="${x}" y1="${y1}" y2="${y2}" stroke="#111" stroke-width="5" stroke-linecap="round"/>${dots}</g>`,
      );
    }
  }
  if (model.wakes.length <= Math.min(MAX_WAKES * scale.zoom, scale.pw / 20)) {
    for (const w of model.wakes) {
      if (w.type === "Barrier" && passes.has(w.obj)) continue;
      const y1 = laneMid.get(w.cause.task);
      const yw = laneMid.get(w.woken.task);
      if (y1 === undefined || yw === undefined) continue;
      const x1 = scale.x(w.cause.t);
      const x2 = scale.x(w.woken.end);
      const y2 = yw + (yw > y1 ? -ctx.g.bar / 2 - 1 : ctx.g.bar / 2 + 1);
      const bend = 16 + Math.min(24, Math.abs(y2 - y1) / 8);
      const d = `M${n1(x1)},${n1(y1)} Q${n1((x1 + x2) / 2 + bend)},${n1((y1 + y2) / 2)} ${n1(x2)},${n1(y2)}`;
      const tip = `${w.cause.task} ${w.cause.op} ${w.obj} at ${fmt(w.cause.t)} ms\n→ ${w.woken.task} stops waiting: ${w.woken.closed!.op} at ${fmt(w.woken.end)} ms (${fmt(w.woken.end - w.cause.t)} ms later)`;
      body.push(`<g class="wake" data-from="${esc(w.cause.task)}" data-to="${esc(w.woken.task)}" data-obj="${esc(w.obj)}"><path d="${d}" fill="none" stroke="#fff" stroke-width="6" stroke-linecap="round" pointer-events="none"/><path class="wake-line" d="${d}" fill="none" stroke="#222" stroke-width="2.5" marker-end="url(#arrow)" pointer-events="stroke"><title>${esc(tip)}</title></path></g>`);
    }
  }
  y += 10;
  if (model.primitives.length) {
    body.push(`<line x1="0" x2="${scale.w}" y1="${n1(y - 5)}" y2="${n1(y - 5)}" stroke="#bbb" stroke-width="1.5"/>`);
    side.push(`<line x1="0" x2="${X0}" y1="${n1(y - 5)}" y2="${n1(y - 5)}" stroke="#bbb" stroke-width="1.5"/>`);
  }
  for (const p of model.primitives) {
    const h = primRowHeight(ctx, p);
    const row: string[] = [];
    drawPrimitive(ctx, row, p, y, h, passes.get(p.obj) ?? []);
    body.push(...row);
    // The row's name part: everything in it left of the plot (its background cut to the column).
    side.push(
      ...row
        .filter((e) => /^<rect class="row-bg"|^<rect x="16"|class="(prim-label|prim-type|track-caption)"/.test(e))
        .map((e) => e.replace(/^<rect class="row-bg"( x="0" y="[^"]*") width="[^"]*"/, `<rect class="name-row-bg"$1 width="${X0 - 3}"`)),
    );
    y += h + 4;
  }
  const axisY = y + 6;

  // Grid first (under everything), then lanes and rows, then axis, divergence, cursor.
  out.push(`<g class="grid">`);
  for (const t of scale.ticks) out.push(`<line x1="${n1(scale.x(t))}" x2="${n1(scale.x(t))}" y1="${gridTop}" y2="${n1(axisY)}" stroke="#d6d6d6" stroke-width="1.5"/>`);
  out.push(`</g>`);
  out.push(...body);
  // Grid lines again, faintly, over the row backgrounds so time can be read across.
  out.push(`<g class="grid-over" pointer-events="none">`);
  for (const t of scale.ticks) out.push(`<line x1="${n1(scale.x(t))}" x2="${n1(scale.x(t))}" y1="${gridTop}" y2="${n1(axisY)}" stroke="#000" stroke-opacity="0.12" stroke-width="1"/>`);
  out.push(`</g>`);
  // In a wide picture the names column covers everything left of the plot: a tick label at its edge starts there.
  const tickAnchor = (x: number) => (topAxis && x < X0 + 40 ? "start" : "middle");
  out.push(`<g class="axis">`);
  out.push(`<line x1="${X0}" x2="${scale.x1}" y1="${n1(axisY)}" y2="${n1(axisY)}" stroke="#333" stroke-width="2"/>`);
  for (const t of scale.ticks) {
    const x = scale.x(t);
    out.push(`<line x1="${n1(x)}" x2="${n1(x)}" y1="${n1(axisY)}" y2="${n1(axisY + 8)}" stroke="#333" stroke-width="2"/>`);
    out.push(`<text class="tick-label" x="${n1(x)}" y="${n1(axisY + 26)}" font-size="${F_TICK}" fill="#222" text-anchor="${tickAnchor(x)}" dominant-baseline="central">${esc(scale.label(t))}</text>`);
  }
  out.push(`<text class="axis-caption" x="20" y="${n1(axisY + 26)}" font-size="17" fill="#444" dominant-baseline="central">time since start</text>`);
  if (topAxis) {
    for (const t of scale.ticks) out.push(`<text class="tick-label top-tick halo" x="${n1(scale.x(t))}" y="${n1(top - 20)}" font-size="${F_TICK}" fill="#222" text-anchor="${tickAnchor(scale.x(t))}" dominant-baseline="central">${esc(scale.label(t))}</text>`);
  }
  out.push(`</g>`);
  if (div) {
    const x = Math.min(Math.max(scale.x(div.t), X0), scale.x1);
    const tw = textW(div.text, F_DIV, true) + 16;
    const bx = Math.min(Math.max(x - tw / 2, 4), scale.w - tw - 4);
    out.push(`<g class="divergence" data-t="${n1(div.t)}">`);
    out.push(`<line x1="${n1(x)}" x2="${n1(x)}" y1="${top - 8}" y2="${n1(axisY)}" stroke="#E00000" stroke-width="4" stroke-dasharray="10 5"/>`);
    out.push(`<rect x="${n1(bx)}" y="4" width="${n1(tw)}" height="32" rx="5" fill="#E00000"><title>${esc(div.text)}</title></rect>`);
    out.push(`<text x="${n1(bx + 8)}" y="20" font-size="${F_DIV}" font-weight="700" fill="#fff" dominant-baseline="central" pointer-events="none">${esc(div.text)}</text>`);
    out.push(`</g>`);
  }
  out.push(`<g class="cursor" visibility="hidden" pointer-events="none"><line x1="0" x2="0" y1="${gridTop}" y2="${n1(axisY)}" stroke="#111" stroke-width="1.5" stroke-dasharray="4 3"/><rect x="0" y="${n1(axisY + 10)}" width="96" height="28" rx="4" fill="#111"/><text x="0" y="${n1(axisY + 24)}" font-size="17" fill="#fff" text-anchor="middle" dominant-baseline="central"></text></g>`);
  const height = axisY + AXIS_H;
  side.push(`<text class="axis-caption" x="20" y="${n1(axisY + 26)}" font-size="17" fill="#444" dominant-baseline="central">time since start</text>`);
  // The column's right edge: a line and a soft shadow, so the plot is seen to pass under it.
  side.push(`<line x1="${X0 - 3}" x2="${X0 - 3}" y1="${gridTop}" y2="${n1(axisY)}" stroke="#999" stroke-width="2"/>`);
  const names = topAxis
    ? `<svg class="names" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${X0} ${n1(height)}" width="${X0}" height="${n1(height)}" aria-hidden="true">` +
      `<rect x="0" y="0" width="${X0 - 3}" height="${n1(height)}" fill="#fff"/>${side.join("\n")}</svg>`
    : "";
  const svg =
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${scale.w} ${n1(height)}" width="${scale.w}" height="${n1(height)}" role="img" aria-label="${esc(`timeline of ${label}`)}" ` +
    `data-x0="${X0}" data-x1="${scale.x1}" data-start="${scale.start}" data-span="${scale.span}" data-unit="${scale.unit}">` +
    out.join("\n") +
    `</svg>`;
  return { svg, names, width: scale.w, height };
}

// ---------------------------------------------------------------- page

function patterns(count: number): string {
  const defs: string[] = [];
  for (let i = 0; i < Math.max(count, 1); i++) {
    const { hex } = colorOf(i);
    defs.push(
      `<pattern id="hatch-${i}" width="12" height="12" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="12" height="12" fill="${tint(hex, 0.82)}"/><rect width="5" height="12" fill="${stripe(hex)}"/></pattern>`,
    );
  }
  defs.push(`<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="12" markerHeight="12" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#222"/></marker>`);
  defs.push(`<pattern id="hatch-legend" width="12" height="12" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="12" height="12" fill="#e6e6e6"/><rect width="5" height="12" fill="#555"/></pattern>`);
  return `<svg class="defs" width="0" height="0" aria-hidden="true" style="position:absolute"><defs>${defs.join("")}</defs></svg>`;
}

function linesPanel(title: string, lines: TimelineLine[]): string {
  const shown = lines.slice(0, MAX_LINES);
  const rows = shown.map(
    (l) => `<div class="out-line"${l.ms === null ? "" : ` data-t="${l.ms}"`}><span class="out-ms">${l.ms === null ? "" : esc(`${fmt(l.ms)} ms`)}</span><span class="out-text">${esc(l.text)}</span></div>`,
  );
  if (lines.length > shown.length) rows.push(`<div class="out-line more">… ${lines.length - shown.length} more lines</div>`);
  return `<div class="out-panel"><h3>${esc(title)}</h3>${rows.join("")}</div>`;
}

// Sizes in em of the body's font, which grows with the window (20 px at
// 1600 px wide, 24 px at 1920) like the SVG pictures do.
const CSS = `
*{box-sizing:border-box}
html{background:#fff;color:#111}
body{margin:0;padding:1em 1.4em 2em;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",Arial,sans-serif;font-size:clamp(17px,1.25vw,34px);line-height:1.35}
h1{font-size:2em;margin:0 0 .15em;line-height:1.15}
.subtitle{font-size:.95em;color:#444;margin:0 0 .6em}
.watch{font-size:1.1em;background:#fff8d6;border-left:.4em solid #E69F00;padding:.45em .75em;margin:0 0 .6em;white-space:pre-line}
.watch b{display:block;font-size:.75em;text-transform:uppercase;letter-spacing:.06em;color:#7a5600;margin-bottom:.1em}
.legend{position:sticky;top:0;z-index:5;background:rgba(255,255,255,.96);display:flex;flex-wrap:wrap;gap:.4em 1.3em;align-items:center;padding:.5em .2em;border-bottom:2px solid #ddd;margin-bottom:.4em}
.legend .item{display:inline-flex;align-items:center;gap:.4em;white-space:nowrap}
.legend svg{flex:none;height:1.3em;width:auto}
.legend .sep{width:2px;height:1.4em;background:#ccc}
.run{margin:.7em 0 1.1em}
.run h2{font-size:1.5em;margin:0 0 .1em;display:flex;align-items:baseline;gap:.5em}
.run h2 .run-name{background:#111;color:#fff;padding:.05em .45em;border-radius:.2em}
.run h2 .run-stats{font-size:.63em;font-weight:400;color:#444}
.chart-wrap{overflow-x:auto}
svg.chart{display:block;width:100%;min-width:960px;height:auto;font-family:inherit}
.chart-wrap.zoomable{overflow:visible}
.zoom-level{display:flex;align-items:flex-start;overflow-x:auto;overscroll-behavior-x:contain}
.zoom-level[hidden]{display:none}
.zoom-level svg.chart{flex:none}
svg.names{flex:none;position:sticky;left:0;z-index:2;display:block;height:auto;font-family:inherit}
.zoom{display:inline-flex;align-items:center;gap:.3em;margin-left:auto}
.zoom button{font:inherit;font-weight:700;min-width:2.2em;padding:.05em .5em;border:2px solid #333;border-radius:.3em;background:#fff;color:#111;cursor:pointer}
.zoom button:disabled{opacity:.35;cursor:default}
.zoom button:focus-visible{outline:3px solid #0072B2;outline-offset:1px}
.zoom-now{min-width:2.6em;text-align:center;font-weight:700}
.zoom-keys{font-size:.8em;color:#555;margin-left:.3em}
svg.chart text{user-select:none}
.halo{paint-order:stroke;stroke:#fff;stroke-width:5px;stroke-linejoin:round}
.hl{stroke:#000 !important;stroke-width:3px !important}
.empty{font-size:1.5em;color:#333;border:3px dashed #bbb;border-radius:.35em;padding:1.2em;text-align:center;margin:.6em 0}
.empty small{display:block;font-size:.67em;color:#555;margin-top:.3em}
.warn{background:#fff0f0;border-left:.4em solid #E00000;padding:.4em .7em;margin:.3em 0 .4em;font-size:.95em}
.warn ul{margin:.2em 0 0;padding-left:1.1em}
.outputs{display:grid;grid-template-columns:repeat(auto-fit,minmax(26em,1fr));gap:1em;margin-top:.5em}
.out-panel h3{font-size:1.2em;margin:0 0 .3em}
.out-line{font-family:"DejaVu Sans Mono","Liberation Mono",Menlo,Consolas,monospace;font-size:.9em;padding:.1em .3em;border-radius:.2em;white-space:pre-wrap;word-break:break-word}
.out-line:nth-child(odd){background:#f6f6f6}
.out-line[data-t]:hover{background:#ffe9a8;cursor:default}
.out-ms{display:inline-block;min-width:7.5em;color:#555;text-align:right;margin-right:1em}
#tip{position:fixed;z-index:10;max-width:32em;background:#111;color:#fff;font-size:.95em;line-height:1.35;padding:.5em .7em;border-radius:.4em;white-space:pre-line;pointer-events:none;box-shadow:0 4px 18px rgba(0,0,0,.35)}
#tip[hidden]{display:none}
@page{size:landscape;margin:10mm}
@media print{
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:11pt;padding:0}
.legend{position:static}
.chart-wrap{overflow:visible}
svg.chart{min-width:0}
.zoom-level{display:none !important}
.zoom-level[data-zoom="1"]{display:block !important;overflow:visible}
.zoom-level svg.chart{width:100% !important;min-width:0 !important;margin-left:0 !important}
.zoom{display:none}
.run{break-inside:avoid}
#tip,svg.chart .cursor{display:none}
}
`;

const JS = `
(function(){
  var when = document.querySelector('.when');
  if (when && !when.textContent && location.protocol === 'file:') {
    var d = new Date(document.lastModified);
    if (!isNaN(d.getTime())) when.textContent = ' \u00b7 file written ' + d.toLocaleString();
  }
  var tip = document.getElementById('tip');
  var titles = document.querySelectorAll('svg.chart title, svg.names title, .legend title');
  for (var i = 0; i < titles.length; i++) {
    var t = titles[i], p = t.parentNode;
    if (p && p.setAttribute) { p.setAttribute('data-tip', t.textContent); p.removeChild(t); }
  }
  var cur = null;
  function place(ev) {
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var x = ev.clientX + 18, y = ev.clientY + 18;
    if (x + w > window.innerWidth - 8) x = Math.max(8, ev.clientX - w - 18);
    if (y + h > window.innerHeight - 8) y = Math.max(8, ev.clientY - h - 18);
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }
  function hide() { tip.hidden = true; if (cur) cur.classList.remove('hl'); cur = null; }
  document.addEventListener('mouseover', function(ev){
    var el = ev.target && ev.target.closest ? ev.target.closest('[data-tip]') : null;
    if (!el) { hide(); return; }
    if (el !== cur) {
      if (cur) cur.classList.remove('hl');
      cur = el;
      if (el.tagName !== 'text' && el.tagName !== 'g') el.classList.add('hl');
      tip.textContent = el.getAttribute('data-tip');
      tip.hidden = false;
    }
    place(ev);
  });
  document.addEventListener('mousemove', function(ev){ if (!tip.hidden) place(ev); });
  document.addEventListener('mouseleave', hide);
  var charts = document.querySelectorAll('svg.chart');
  function fmt(t, unit){ return unit === 's' ? (Math.round(t/100)/10) + ' s' : Math.round(t) + ' ms'; }
  function showCursor(t) {
    for (var i = 0; i < charts.length; i++) {
      var s = charts[i], c = s.querySelector('.cursor');
      if (!c) continue;
      if (t === null) { c.setAttribute('visibility', 'hidden'); continue; }
      var x0 = +s.dataset.x0, x1 = +s.dataset.x1, st = +s.dataset.start, sp = +s.dataset.span;
      var x = x0 + (t - st) / sp * (x1 - x0);
      if (x < x0 - 1 || x > x1 + 1) { c.setAttribute('visibility', 'hidden'); continue; }
      var line = c.querySelector('line'), r = c.querySelector('rect'), tx = c.querySelector('text');
      line.setAttribute('x1', x); line.setAttribute('x2', x);
      r.setAttribute('x', x - 48); tx.setAttribute('x', x); tx.textContent = fmt(t, s.dataset.unit);
      c.setAttribute('visibility', 'visible');
    }
  }
  for (var i = 0; i < charts.length; i++) (function(s){
    s.addEventListener('mousemove', function(ev){
      var m = s.getScreenCTM(); if (!m) return;
      var x = (ev.clientX - m.e) / m.a;
      var x0 = +s.dataset.x0, x1 = +s.dataset.x1;
      if (x < x0 || x > x1) { showCursor(null); return; }
      showCursor(+s.dataset.start + (x - x0) / (x1 - x0) * +s.dataset.span);
    });
    s.addEventListener('mouseleave', function(){ showCursor(null); });
  })(charts[i]);
  /* Zoom: each level is the picture laid out again at its width; one is
     shown, every run at the same one, and the moment in the middle of the
     view stays there. The runs scroll sideways together. */
  var wraps = document.querySelectorAll('.chart-wrap.zoomable');
  var zoomNow = document.querySelector('.zoom-now');
  var levels = [];
  if (wraps.length) {
    var ls = wraps[0].querySelectorAll('.zoom-level');
    for (var i = 0; i < ls.length; i++) levels.push(+ls[i].dataset.zoom);
  }
  var level = wraps.length ? +wraps[0].dataset.open : 1;
  function shown(w) { return w.querySelector('.zoom-level:not([hidden])'); }
  /* The names column's width, in px: the plot visible beside it is what counts. */
  function nameW(lv) { var n = lv.querySelector('svg.names'); return n ? n.getBoundingClientRect().width : 0; }
  function centre(lv) {
    var s = lv.querySelector('svg.chart'), m = s.getScreenCTM(); if (!m) return null;
    var x0 = +s.dataset.x0, x1 = +s.dataset.x1, nw = nameW(lv);
    var mid = lv.getBoundingClientRect().left + nw + (lv.clientWidth - nw) / 2;
    var x = Math.min(x1, Math.max(x0, (mid - m.e) / m.a));
    return +s.dataset.start + (x - x0) / (x1 - x0) * +s.dataset.span;
  }
  function setZoom(k) {
    if (levels.indexOf(k) < 0 || k === level) return;
    var t = wraps.length ? centre(shown(wraps[0])) : null;
    level = k;
    for (var i = 0; i < wraps.length; i++) {
      var ls = wraps[i].querySelectorAll('.zoom-level');
      for (var j = 0; j < ls.length; j++) ls[j].hidden = +ls[j].dataset.zoom !== k;
    }
    if (zoomNow) zoomNow.textContent = k === 1 ? 'fit' : '\u00d7' + k;
    if (t !== null) scrollTo(t);
    buttons();
  }
  function scrollTo(t) {
    for (var i = 0; i < wraps.length; i++) {
      var lv = shown(wraps[i]), s = lv.querySelector('svg.chart'), m = s.getScreenCTM(); if (!m) continue;
      var x = +s.dataset.x0 + (t - +s.dataset.start) / +s.dataset.span * (+s.dataset.x1 - +s.dataset.x0);
      var nw = nameW(lv);
      /* Where x is in the scrolled content, to the middle of what the names column leaves visible. */
      var cx = m.e - lv.getBoundingClientRect().left + lv.scrollLeft + x * m.a;
      lv.scrollLeft = Math.max(0, cx - nw - (lv.clientWidth - nw) / 2);
    }
  }
  function step(d) {
    var i = levels.indexOf(level);
    setZoom(d === 0 ? levels[0] : levels[Math.max(0, Math.min(levels.length - 1, i + d))]);
  }
  function buttons() {
    var bs = document.querySelectorAll('[data-zoom-step]');
    for (var i = 0; i < bs.length; i++) {
      var d = +bs[i].dataset.zoomStep;
      bs[i].disabled = d < 0 || d === 0 ? level === levels[0] : level === levels[levels.length - 1];
    }
  }
  if (wraps.length) {
    buttons();
    var bs = document.querySelectorAll('[data-zoom-step]');
    for (var i = 0; i < bs.length; i++) bs[i].addEventListener('click', function(ev){ step(+ev.currentTarget.dataset.zoomStep); });
    document.addEventListener('keydown', function(ev){
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var tg = ev.target && ev.target.tagName;
      if (tg === 'INPUT' || tg === 'TEXTAREA') return;
      if ((ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') && level !== levels[0]) {
        /* A presenter's remote or the arrow keys page through a wide picture, most of a window at a time. */
        var lv = shown(wraps[0]), nw = nameW(lv);
        ev.preventDefault();
        lv.scrollLeft += (ev.key === 'ArrowRight' ? 1 : -1) * 0.8 * (lv.clientWidth - nw);
        return;
      }
      var d = ev.key === '+' || ev.key === '=' ? 1 : ev.key === '-' || ev.key === '\u2212' || ev.key === '_' ? -1 : ev.key === '0' ? 0 : null;
      if (d === null) return;
      ev.preventDefault();
      step(d);
    });
    var syncing = false;
    var all = document.querySelectorAll('.zoom-level');
    for (var i = 0; i < all.length; i++) all[i].addEventListener('scroll', function(ev){
      if (syncing) return;
      syncing = true;
      var src = ev.currentTarget;
      for (var j = 0; j < wraps.length; j++) { var lv = shown(wraps[j]); if (lv !== src) lv.scrollLeft = src.scrollLeft; }
      syncing = false;
    });
  }
  var outs = document.querySelectorAll('.out-line[data-t]');
  for (var j = 0; j < outs.length; j++) (function(o){
    /* In a picture wider than the window, a click on a printed line brings its moment into view. */
    o.addEventListener('click', function(){ if (wraps.length && level !== levels[0]) { scrollTo(+o.dataset.t); showCursor(+o.dataset.t); } });
    o.addEventListener('mouseenter', function(){ showCursor(+o.dataset.t); });
    o.addEventListener('mouseleave', function(){ showCursor(null); });
  })(outs[j]);
})();
`;

function legend(prims: { obj: string; type: string }[], divergence: boolean, hasEvents: boolean, hasPass = false, hasPrints = false, zoom: { levels: number[]; open: number } | null = null): string {
  const sw = (inner: string, w = 46) => `<svg width="${w}" height="26" viewBox="0 0 ${w} 26" aria-hidden="true">${inner}</svg>`;
  const items: string[] = [];
  if (hasEvents) {
    items.push(`<span class="item" data-legend="holding">${sw(`<rect x="1" y="3" width="44" height="20" rx="4" fill="#555"/>`)}<span><b>holding</b> (solid)</span></span>`);
    items.push(`<span class="item" data-legend="waiting">${sw(`<rect x="1" y="4" width="44" height="18" rx="4" fill="url(#hatch-legend)" stroke="#555" stroke-width="2"/>`)}<span><b>waiting</b> (hatched)</span></span>`);
    items.push(`<span class="item" data-legend="event">${sw(`<path d="M13,4 l9,9 l-9,9 l-9,-9 z" fill="#999" stroke="#111" stroke-width="1.5"/>`, 26)}<span>instant event (set, notify, put…)</span></span>`);
  }
  if (hasEvents) items.push(`<span class="item" data-legend="wake">${sw(`<path d="M4,20 Q24,22 40,8" fill="none" stroke="#222" stroke-width="2.5" marker-end="url(#arrow)"/>`)}<span>wakes (release → acquire, set → wake…)</span></span>`);
  if (hasPass) items.push(`<span class="item" data-legend="pass">${sw(`<line x1="13" x2="13" y1="2" y2="24" stroke="#111" stroke-width="5" stroke-linecap="round"/><circle cx="13" cy="8" r="5" fill="#111" stroke="#fff" stroke-width="2"/><circle cx="13" cy="19" r="5" fill="#111" stroke="#fff" stroke-width="2"/>`, 26)}<span>Barrier: all pass together</span></span>`);
  if (hasPrints) items.push(`<span class="item" data-legend="printed">${sw(`<line x1="13" x2="13" y1="5" y2="24" stroke="${PRINT_INK}" stroke-width="3" stroke-linecap="round"/><path d="M7,2 h12 l-6,9.6 z" fill="${PRINT_INK}"/>`, 26)}<span>printed line (hover for all of it)</span></span>`);
  if (divergence) items.push(`<span class="item" data-legend="divergence">${sw(`<line x1="13" x2="13" y1="0" y2="26" stroke="#E00000" stroke-width="4" stroke-dasharray="7 4"/>`, 26)}<span>first difference</span></span>`);
  if (prims.length) items.push(`<span class="sep"></span>`);
  prims.forEach((p, i) => {
    const { hex } = colorOf(i);
    items.push(
      `<span class="item prim" data-obj="${esc(p.obj)}">${sw(`<rect x="1" y="3" width="22" height="20" rx="3" fill="${hex}"/><rect x="23" y="4" width="22" height="18" fill="url(#hatch-${i})" stroke="${edge(hex)}" stroke-width="2"/>`)}<span><b>${esc(fitText(p.obj, 320, 20, true))}</b> <span style="color:#555">${esc(p.type)}</span></span></span>`,
    );
  });
  // Zoom controls live in the legend, which stays at the top of the window.
  if (zoom) {
    const k = zoom.open;
    items.push(
      `<span class="zoom" role="group" aria-label="zoom (keys + − 0)"><button type="button" data-zoom-step="-1" title="narrower (−)" aria-label="zoom out">−</button><span class="zoom-now" aria-live="polite">${k === 1 ? "fit" : `×${k}`}</span><button type="button" data-zoom-step="1" title="wider (+)" aria-label="zoom in">+</button><button type="button" data-zoom-step="0" title="whole run in the window (0)">fit</button><span class="zoom-keys">keys + − 0 ← →</span></span>`,
    );
  }
  return `<div class="legend" role="list">${items.join("")}</div>`;
}

/** The whole page. Pure: same input, same HTML. */
export function renderTimeline(opts: TimelineOptions): string {
  const title = String(opts?.title ?? "Timeline");
  const runs = Array.isArray(opts?.runs) ? opts.runs : [];
  const models = runs.map((r) => buildModel(r?.events ?? []));
  const labels = runs.map((r, i) => String(r?.label ?? `run ${i + 1}`));
  const printedLines = runs.map((r) => normLines(r?.lines));
  const traced = models.map((m) => new Set(m.tasks.map((l) => l.task)));
  const prints = printedMarksOfRuns(printedLines, traced);
  // Tasks per run as drawn: the traced ones and those that only printed.
  const laneCount = models.map((m, i) => new Set([...traced[i]!, ...prints[i]!.map((p) => p.task)]).size);
  const ranges = models.flatMap((m, i) => {
    const ps = prints[i]!;
    if (!m.events.length && !ps.length) return [];
    let start = m.events.length ? m.start : 0;
    let end = m.events.length ? m.end : -Infinity;
    for (const p of ps) [start, end] = [Math.min(start, p.t), Math.max(end, p.t)];
    return [{ start, end }];
  });
  const prims = primitiveOrder(models.map((m) => m.events));
  const colourIdx = new Map(prims.map((p, i) => [p.obj, i]));
  // The page's last moment is a printed line of a run drawn only from them:
  // make room for its text. (In a traced run the text is secondary, and a
  // line printed a ms after the last event must not squeeze the bars.)
  const lastEvent = Math.max(-Infinity, ...models.filter((m) => m.events.length).map((m) => m.end));
  const lastPrint = Math.max(-Infinity, ...prints.map((ps) => (ps.length ? ps[ps.length - 1]!.t : -Infinity)));
  const lastPrintOnly = Math.max(-Infinity, ...prints.map((ps, i) => (ps.length && !models[i]!.events.length ? ps[ps.length - 1]!.t : -Infinity)));
  const colour = (obj: string) => {
    const idx = colourIdx.get(obj) ?? 0;
    return { hex: colorOf(idx).hex, idx: idx % 8 };
  };
  const room = lastPrintOnly > lastEvent ? 0.2 : 0;
  const g = ranges.length > 1 ? COMPACT : AIRY;
  const ctx: Ctx = { g, scale: makeScale(ranges, room), colour };
  // Dense or long runs are laid out again at wider widths (text at the same
  // size, so it stays crisp), every run at the same width to share one axis.
  const zoom = zoomLevels(crowding(models), ctx.scale.span);
  const total = models.reduce((n, m) => n + m.events.length, 0);
  const printedTotal = prints.reduce((n, ps) => n + ps.length, 0);

  // Divergence: where on the first two runs, and what to say.
  const d = opts?.divergence ?? null;
  const divs: ({ t: number; text: string } | null)[] = runs.map(() => null);
  if (d && runs.length >= 2) {
    const say = (e: TraceEvent | null, m: TraceModel) =>
      e ? { t: e.t, text: `first difference (event ${d.index + 1}): ${e.task} ${e.op} ${e.obj}${e.size === undefined ? "" : ` (size ${e.size})`}` } : { t: m.end, text: `first difference (event ${d.index + 1}): this run has no more events` };
    divs[0] = say(d.a, models[0]!);
    divs[1] = say(d.b, models[1]!);
    // A run with no events at all (drawn for its printed lines) has nothing to differ at.
    for (const i of [0, 1]) if (models[i]!.events.length === 0) divs[i] = null;
  }

  // Each run at each width, widest last, for as long as the file stays a
  // size a browser opens at once: a level that would pass the budget is left
  // out, and so are the wider ones.
  const drawn = new Map<number, (RunLayout | null)[]>();
  let size = 0;
  for (const k of zoom.levels) {
    const at: Ctx = k === 1 ? ctx : { g, scale: makeScale(ranges, room, k), colour };
    const layouts = runs.map((_, i) => (models[i]!.events.length || prints[i]!.length ? drawRun(at, models[i]!, labels[i]!, divs[i] ?? null, prints[i]!) : null));
    size += layouts.reduce((n, l) => n + (l ? l.svg.length + l.names.length : 0), 0);
    if (k > 1 && size > ZOOM_BUDGET) break;
    drawn.set(k, layouts);
  }
  zoom.levels = [...drawn.keys()];
  if (!drawn.has(zoom.open)) zoom.open = zoom.levels[zoom.levels.length - 1]!;

  const body: string[] = [];
  body.push(`<h1>${esc(title)}</h1>`);
  const sub = runs.length
    ? runs.map((r, i) => `${labels[i]}: ${models[i]!.events.length} events, ${laneCount[i]} tasks`).join(" · ") + (ranges.length ? ` · time axis ${ctx.scale.label(ctx.scale.start)} – ${ctx.scale.label(Math.max(lastEvent, lastPrint))}` : "")
    : "no runs";
  // When: given, or (the page being pure) filled in by the page itself from
  // the file's date when it is opened from disk.
  const when = opts?.when ? ` · made ${String(opts.when)}` : "";
  body.push(`<p class="subtitle">${esc(sub)}<span class="when">${esc(when)}</span></p>`);
  if (opts?.watchFor) body.push(`<div class="watch"><b>What to watch for</b>${esc(String(opts.watchFor).trim())}</div>`);
  const hasPass = models.some((m) => m.events.some((e) => e.type === "Barrier" && e.op === "pass"));
  if (total + printedTotal > 0) body.push(legend(prims, divs.some(Boolean), total > 0, hasPass, printedTotal > 0, zoom.levels.length > 1 ? zoom : null));

  if (total + printedTotal === 0) {
    body.push(
      `<div class="empty">No events recorded${runs.length ? esc(` (${labels.join(", ")})`) : ""}<small>Did the script use the sync primitives (Lock, Event, Semaphore, BoundedSemaphore, Barrier, Queue, Condition) while tracing was on?</small></div>`,
    );
  } else {
    runs.forEach((_, i) => {
      const m = models[i]!;
      const ps = prints[i]!;
      const tasks = `${laneCount[i]} task${laneCount[i] === 1 ? "" : "s"}`;
      const printed = ps.length ? ` · ${ps.length} printed line${ps.length === 1 ? "" : "s"}` : "";
      const dur = m.events.length
        ? `${m.events.length} events · ${tasks} · ${m.primitives.length} primitive${m.primitives.length === 1 ? "" : "s"}${printed} · ${fmtSpan(m.end - m.start)}`
        : ps.length
          ? `no synchronisation primitive used: each mark is a line it printed · ${tasks}${printed} · ${fmtSpan(ps[ps.length - 1]!.t - Math.min(0, ps[0]!.t))}`
          : "no events";
      body.push(`<section class="run" data-label="${esc(labels[i]!)}">`);
      body.push(`<h2><span class="run-name">${esc(labels[i]!)}</span><span class="run-stats">${esc(dur)}</span></h2>`);
      const problems = checkFaithful(m.events);
      if (problems.length) {
        const shown = problems.slice(0, 6).map((v) => `<li>${esc(`${fmt(v.event.t)} ms: ${v.message}`)}</li>`);
        if (problems.length > 6) shown.push(`<li>… and ${problems.length - 6} more</li>`);
        body.push(`<div class="warn"><b>Not what a correct primitive does:</b><ul>${shown.join("")}</ul></div>`);
      }
      if (m.events.length === 0 && ps.length === 0) body.push(`<div class="empty">No events recorded in ${esc(labels[i]!)}<small>No synchronisation primitive was used while tracing.</small></div>`);
      else if (zoom.levels.length === 1) body.push(`<div class="chart-wrap">${drawn.get(1)![i]!.svg}</div>`);
      else {
        const levels = zoom.levels.map((k) => {
          const r = drawn.get(k)![i]!;
          // Widths in % of the page's: the picture at the fit level's scale, whatever the window.
          const pc = (u: number) => `${n1((u / W) * 100)}%`;
          const wide = r.width;
          const svg = r.svg.replace(`<svg class="chart" `, `<svg class="chart" style="width:${pc(wide)};min-width:${n1((960 * wide) / W)}px${k > 1 ? `;margin-left:-${pc(X0)}` : ""}" `);
          const names = k > 1 ? r.names.replace(`<svg class="names" `, `<svg class="names" style="width:${pc(X0)};min-width:${n1((960 * X0) / W)}px" `) : "";
          return `<div class="zoom-level" data-zoom="${k}"${k === zoom.open ? "" : " hidden"}>${names}${svg}</div>`;
        });
        body.push(`<div class="chart-wrap zoomable" data-open="${zoom.open}">${levels.join("")}</div>`);
      }
      body.push(`</section>`);
    });
  }

  const panels: string[] = [];
  printedLines.forEach((ls, i) => {
    if (ls.length) panels.push(linesPanel(`What ${labels[i]} printed`, ls));
  });
  const top = normLines(opts?.lines);
  if (top.length) panels.push(linesPanel("What the demo printed", top));
  if (panels.length) body.push(`<section class="outputs">${panels.join("")}</section>`);

  return (
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n` +
    patterns(Math.min(prims.length, 8)) +
    body.join("\n") +
    `\n<div id="tip" role="tooltip" hidden></div>\n<script>${JS}</script>\n</body>\n</html>\n`
  );
}
