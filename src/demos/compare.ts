// Pure comparison of a demo's output on the board and on the host: lines are
// aligned by event (the text without its timestamp), the verdict says whether
// both printed the same events in the same order, where they first differ,
// and how far apart in time the matching events were. No I/O.
import type { DemoLine } from "./format.js";
import { columnsFor, headerLines, rowLines } from "./columns.js";

/** One row of the side-by-side view; a side is null where it has no matching line. */
export interface Row {
  board: DemoLine | null;
  host: DemoLine | null;
}

/** The first position (1-based) where the two event sequences differ; a side is null if its output had ended. */
export interface Divergence {
  line: number;
  board: DemoLine | null;
  host: DemoLine | null;
}

export interface Comparison {
  /** Same events, in the same order, the same number of times. */
  equivalent: boolean;
  firstDivergence: Divergence | null;
  /** Largest |board ms - host ms| over the aligned rows where both sides have a timestamp; null if there is none. */
  maxTimingDiffMs: number | null;
  rows: Row[];
}

/** Above this many cells the middle of the outputs is not diffed (memory), only listed side by side. */
const MAX_LCS_CELLS = 4_000_000;

/**
 * Aligns `board` and `host` line by line on their `text`: a longest common
 * subsequence, so every event both printed lines up in one row, and a line
 * only one side printed gets a row of its own (board-only rows come before
 * host-only rows at the same spot). The common prefix and suffix are always
 * kept aligned.
 */
export function align(board: readonly DemoLine[], host: readonly DemoLine[]): Row[] {
  let start = 0;
  while (start < board.length && start < host.length && board[start]!.text === host[start]!.text) start++;
  let endB = board.length;
  let endH = host.length;
  while (endB > start && endH > start && board[endB - 1]!.text === host[endH - 1]!.text) {
    endB--;
    endH--;
  }
  const rows: Row[] = [];
  for (let i = 0; i < start; i++) rows.push({ board: board[i]!, host: host[i]! });
  const b = board.slice(start, endB);
  const h = host.slice(start, endH);
  const n = b.length;
  const m = h.length;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) <= MAX_LCS_CELLS) {
    // len[i][j] = LCS length of b[i..] and h[j..], one flat array.
    const w = m + 1;
    const len = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        len[i * w + j] = b[i]!.text === h[j]!.text ? len[(i + 1) * w + j + 1]! + 1 : Math.max(len[(i + 1) * w + j]!, len[i * w + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (b[i]!.text === h[j]!.text) rows.push({ board: b[i++]!, host: h[j++]! });
      else if (len[(i + 1) * w + j]! >= len[i * w + j + 1]!) rows.push({ board: b[i++]!, host: null });
      else rows.push({ board: null, host: h[j++]! });
    }
    while (i < n) rows.push({ board: b[i++]!, host: null });
    while (j < m) rows.push({ board: null, host: h[j++]! });
  } else {
    for (const line of b) rows.push({ board: line, host: null });
    for (const line of h) rows.push({ board: null, host: line });
  }
  for (let k = 0; k < board.length - endB; k++) rows.push({ board: board[endB + k]!, host: host[endH + k]! });
  return rows;
}

export function compareLines(board: readonly DemoLine[], host: readonly DemoLine[]): Comparison {
  let firstDivergence: Divergence | null = null;
  const longest = Math.max(board.length, host.length);
  for (let i = 0; i < longest; i++) {
    const b = board[i];
    const h = host[i];
    if (b?.text !== h?.text) {
      firstDivergence = { line: i + 1, board: b ?? null, host: h ?? null };
      break;
    }
  }
  const rows = align(board, host);
  let maxTimingDiffMs: number | null = null;
  for (const { board: b, host: h } of rows) {
    if (b?.ms == null || h?.ms == null) continue;
    const diff = Math.abs(b.ms - h.ms);
    if (maxTimingDiffMs === null || diff > maxTimingDiffMs) maxTimingDiffMs = diff;
  }
  return { equivalent: firstDivergence === null, firstDivergence, maxTimingDiffMs, rows };
}

const quote = (l: DemoLine | null) => (l === null ? "(nothing: its output ended)" : JSON.stringify(l.text));

/** Column names: the board and the host, or (`compare --broken`) the fixed and the broken run. */
export type Sides = readonly [left: string, right: string];
const BOARD_HOST: Sides = ["board", "host"];

/** The verdict, one or two lines (no trailing newline). */
export function verdict(c: Comparison, sides: Sides = BOARD_HOST): string {
  const timing =
    c.maxTimingDiffMs === null ? "largest timing difference: none (no matching events)" : `largest timing difference: ${c.maxTimingDiffMs} ms`;
  if (c.equivalent) {
    const n = c.rows.length;
    return `same order of events (${n} event${n === 1 ? "" : "s"}); ${timing}`;
  }
  const d = c.firstDivergence!;
  return `events diverge at line ${d.line}: ${sides[0]} ${quote(d.board)}, ${sides[1]} ${quote(d.host)}\n${timing}`;
}

/**
 * The side-by-side table, board | host, one row per aligned line, fitted to
 * `width` terminal cells (columns.ts: long lines wrap within their column).
 * Rows where only one side has the line are marked "!" (every terminal line
 * of the row through `mark`, e.g. colour).
 */
export function renderTable(c: Comparison, mark: (s: string) => string = (s) => s, sides: Sides = BOARD_HOST, width = 80): string {
  const cols = columnsFor(width);
  const out = headerLines(sides, cols);
  for (const r of c.rows) {
    const paired = r.board !== null && r.host !== null;
    const lines = rowLines(r.board, r.host, cols, paired ? "  " : "! ");
    out.push(...(paired ? lines : lines.map(mark)));
  }
  return out.join("\n");
}
