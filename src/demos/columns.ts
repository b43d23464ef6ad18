// The two columns of `compare`, fitted to a terminal width. Pure, no I/O.
//
// A row is a gutter (2 cells: "  ", or "! " where the sides differ), the
// left cell, " | ", the right cell:
//   "      0 ms  main go                |     1 ms  main go"
// The columns share the width evenly whatever the content, so rows printed
// one at a time while a demo runs line up with each other. A cell that does
// not fit its column is word-wrapped (nothing a demo prints is cut off: the
// end of a line, "reads counter = 4", is often what matters), continuation
// lines indented under the event's text. Widths are terminal cells, counted
// by string-width: CJK and most emoji take two cells, combining marks none.
// No line is wider than the width asked for (at least MIN_WIDTH).
import stringWidth from "string-width";
import type { DemoLine } from "./format.js";

/** Narrowest layout: two columns of two cells (room for one wide character each). */
export const MIN_WIDTH = 9;
const GUTTER = 2;
const SEP = " | ";
/** Below this column width the cell drops its padding: "512 ms task-1 text" rather than "  512 ms  task-1 text". */
const ROOMY = 24;

/** The columns for a terminal `width`: cells for each side. */
export interface Columns {
  width: number;
  left: number;
  right: number;
}

export function columnsFor(width: number): Columns {
  const w = Math.max(MIN_WIDTH, Number.isFinite(width) ? Math.floor(width) : 80);
  const inner = w - GUTTER - SEP.length;
  const left = Math.floor(inner / 2);
  return { width: w, left, right: inner - left };
}

/**
 * The width to lay out for: the terminal's columns when stdout is one, else
 * `COLUMNS` from the environment (a positive whole number), else 80.
 */
export function terminalWidth(out: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): number {
  if (out.isTTY && typeof out.columns === "number" && out.columns > 0) return out.columns;
  const c = env.COLUMNS?.trim();
  if (c !== undefined && /^\d+$/.test(c) && Number(c) > 0) return Number(c);
  return 80;
}

const SEGMENTER = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Cells `s` takes in a terminal. */
export function cellWidth(s: string): number {
  return stringWidth(s);
}

/**
 * What a board or a script printed, made safe to lay out: a tab becomes a
 * space, escape sequences (colours, cursor moves) and other control
 * characters go. They would move the cursor under the table's feet.
 */
export function sanitize(s: string): string {
  return s
    .replace(/\t/g, " ")
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "")
    .replace(/\x1b[@-_]?/g, "")
    .replace(/[\x00-\x1f\x7f-\x9f]/g, "");
}

interface Grapheme {
  s: string;
  w: number;
}

function graphemes(s: string): Grapheme[] {
  return Array.from(SEGMENTER.segment(s), ({ segment }) => ({ s: segment, w: stringWidth(segment) }));
}

/** `s` padded with spaces to `cells` (never cut). */
export function padCells(s: string, cells: number): string {
  return s + " ".repeat(Math.max(0, cells - cellWidth(s)));
}

/** `s` cut to at most `cells` cells, ending in "…" when cut. */
export function truncateCells(s: string, cells: number): string {
  if (cells <= 0) return "";
  if (cellWidth(s) <= cells) return s;
  let out = "";
  let n = 0;
  for (const g of graphemes(s)) {
    if (n + g.w > cells - 1) break;
    out += g.s;
    n += g.w;
  }
  return out + "…";
}

/**
 * `text` in lines of at most `cells` cells: broken at the last space that
 * fits (a word longer than a line is broken where the line ends, a wide
 * character is never split), continuation lines indented by `indent` (at
 * most cells - 2) with their leading spaces dropped. Trailing spaces go.
 * Always at least one line ("" for empty text). `cells` >= 2.
 */
export function wrapCells(text: string, cells: number, indent = 0): string[] {
  const g = graphemes(text);
  const ind = Math.max(0, Math.min(indent, cells - 2));
  const out: string[] = [];
  let pos = 0;
  for (let first = true; first || pos < g.length; first = false) {
    if (!first) {
      while (pos < g.length && g[pos]!.s === " ") pos++;
      if (pos >= g.length) break;
    }
    const pad = first ? 0 : ind;
    const room = cells - pad;
    let end = pos;
    let w = 0;
    while (end < g.length && w + g[end]!.w <= room) w += g[end++]!.w;
    if (end < g.length && g[end]!.s !== " ") {
      // Inside a word: break at the last space that has text before it.
      let k = end - 1;
      while (k > pos && g[k]!.s !== " ") k--;
      if (k > pos && g.slice(pos, k).some((x) => x.s !== " ")) end = k;
    }
    let line: string;
    if (end === pos && pos < g.length) {
      // A character wider than the room (only with cells < 2): shown as "…".
      line = "…";
      end = pos + 1;
    } else line = g.slice(pos, end).map((x) => x.s).join("").trimEnd();
    out.push(" ".repeat(pad) + line);
    pos = end;
  }
  return out;
}

/**
 * A demo line in a column `cells` wide, wrapped: "  512 ms  task-1 text",
 * continuation lines under "task-1"; in a narrow column "512 ms task-1 text".
 * A line outside the demo format (a traceback) has no time.
 */
export function cellLines(l: DemoLine | null, cells: number): string[] {
  if (l === null) return [];
  const text = sanitize(l.text);
  if (cells >= ROOMY) {
    const head = l.ms === null ? " ".repeat(10) : `${String(l.ms).padStart(5)} ms  `;
    return wrapCells(head + text, cells, 10);
  }
  return wrapCells(l.ms === null ? text : `${l.ms} ms ${text}`, cells, 2);
}

/** The gutter of a row: "! " marks where the sides differ. */
export type Gutter = "  " | "! ";

/**
 * One row, left | right, as terminal lines (several when a cell wraps); the
 * gutter on the first line only. A missing side is a blank cell.
 */
export function rowLines(left: DemoLine | null, right: DemoLine | null, cols: Columns, gutter: Gutter = "  "): string[] {
  const a = cellLines(left, cols.left);
  const b = cellLines(right, cols.right);
  const n = Math.max(1, a.length, b.length);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${i === 0 ? gutter : "  "}${padCells(a[i] ?? "", cols.left)}${SEP}${b[i] ?? ""}`.trimEnd());
  return out;
}

/** The column titles and a rule under them: "  board ... | host", "  ----- ... | -----". */
export function headerLines(sides: readonly [string, string], cols: Columns): string[] {
  return [
    `  ${padCells(truncateCells(sides[0], cols.left), cols.left)}${SEP}${truncateCells(sides[1], cols.right)}`,
    `  ${"-".repeat(cols.left)}${SEP}${"-".repeat(cols.right)}`,
  ];
}

/** Prose (the verdict) word-wrapped to `width` cells, line by line; continuation lines indented by 2. */
export function fitText(text: string, width: number): string {
  const w = Math.max(MIN_WIDTH, Number.isFinite(width) ? Math.floor(width) : 80);
  return text
    .split("\n")
    .flatMap((line) => wrapCells(sanitize(line), w, 2))
    .join("\n");
}
