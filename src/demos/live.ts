// `compare` on a terminal: the two columns filled in while both sides run.
// Pure: every method returns the text to write (cursor moves included), so
// the tests see exactly what a terminal gets.
//
// How rows pair up. Row N holds line N of each side, as in the verdict
// ("events diverge at line N"), so on a projector a row where both columns
// say the same thing means "in step", and the first row marked "!" is where
// they part. The two sides never run in lockstep (the board starts after its
// script is sent, the serial line adds its delay; with --broken the right
// side only starts when the left one has ended), so a row cannot wait for
// both: that would hide the faster side. A row where only the faster side has
// arrived is shown at once, at the bottom of the table, with the other column
// still blank; when the slower side's line N arrives it fills in that same
// row (the pending rows at the bottom are redrawn: they are the only lines
// ever rewritten, and they are always on the screen). Rows above them are
// settled (both lines there, or one side has ended) and never change.
// Printing a row per line as it arrives, the other column blank, would be
// simpler but zig-zags down the screen and pairs nothing: the eye has to
// hunt for the matching line. Rows aligned by step index keep the table the
// same shape as the comparison it ends with.
//
// At most `maxRegion` terminal lines stay pending (less than the screen's
// height, so the redrawn part never scrolls out of reach): past that, the
// oldest pending row is settled as it is, its blank cell kept. This is the
// rule with `compare --broken`, whose right side starts only when the left
// one has ended, and a demo is longer than a screen. When the slower side's
// line for such a row comes, the table starts again below (its titles
// repeated): that row and the following ones are printed whole, both lines
// side by side, until the slower side has caught up with the pending rows.
// The left side's lines are then on the screen twice (as they ran, then
// beside the right side's), but the table a class reads ends with every row
// paired, rather than a block of one side above a block of the other.
import { columnsFor, headerLines, rowLines, type Columns, type Gutter } from "./columns.js";
import type { DemoLine } from "./format.js";

export interface LiveOptions {
  /** Terminal columns: no line is wider. */
  width: number;
  /** Terminal lines the pending rows may take (the screen's height minus a little). */
  maxRegion: number;
  sides: readonly [string, string];
  /** Applied to the lines of the row marked "!" (colour); none by default. */
  mark?: (s: string) => string;
}

/** 0: the left column (board, or fixed); 1: the right one (host, or broken). */
export type Side = 0 | 1;

/** Moves the cursor up `n` lines to the start of the line and clears to the end of the screen. */
export const eraseUp = (n: number) => (n > 0 ? `\r\x1b[${n}A\x1b[J` : "");

export class LiveTable {
  readonly cols: Columns;
  readonly #lines: [DemoLine[], DemoLine[]] = [[], []];
  readonly #ended = [false, false];
  /** Rows before this one are settled: on screen for good. */
  #next = 0;
  /** Rows settled with a side still to come (kept over the limit): that side's line prints the row again, whole. */
  readonly #forced = new Set<number>();
  /** Terminal lines of pending rows now on the screen, under the settled ones. */
  #shown = 0;
  /** A "!" has been given: only the first difference is marked. */
  #marked = false;
  /** Rows settled over the limit are being printed again, whole. */
  #replaying = false;
  #frozen = false;
  #maxRegion: number;
  readonly #mark: (s: string) => string;

  constructor(readonly opts: LiveOptions) {
    this.cols = columnsFor(opts.width);
    this.#maxRegion = Math.max(0, Math.floor(opts.maxRegion));
    this.#mark = opts.mark ?? ((s) => s);
  }

  /** The column titles, written first. */
  start(): string {
    return headerLines(this.opts.sides, this.cols).join("\n") + "\n";
  }

  /** Line `l` arrived on `side`. */
  push(side: Side, l: DemoLine): string {
    const lines = this.#lines[side];
    const step = lines.length;
    lines.push(l);
    if (step < this.#next) {
      // Its row was settled without it (kept over the limit): printed again,
      // whole, in a table that starts anew; frozen, the line alone.
      const a = side === 0 ? l : this.#frozen ? null : (this.#lines[0][step] ?? null);
      const b = side === 1 ? l : this.#frozen ? null : (this.#lines[1][step] ?? null);
      const other = this.#lines[side === 0 ? 1 : 0][step] ?? null;
      const gutter = side === 0 ? this.#gutter(l, other) : this.#gutter(other, l);
      const titles = this.#frozen || this.#replaying ? [] : headerLines(this.opts.sides, this.cols);
      this.#replaying = !this.#frozen && step < this.#next - 1;
      return this.#redraw([...titles, ...this.#paint(rowLines(a, b, this.cols, gutter))]);
    }
    return this.#redraw([]);
  }

  /** `side` has printed all it will. */
  end(side: Side): string {
    this.#ended[side] = true;
    return this.#redraw([]);
  }

  /**
   * Settles every pending row as it is and redraws nothing from now on (a
   * Ctrl-C: other messages are about to be written under the table); lines
   * that still come are shown one row each.
   */
  freeze(): string {
    this.#maxRegion = 0;
    this.#frozen = true;
    return this.#redraw([]);
  }

  /** Whether line `step` of both sides is known: both there, or a side without it has ended. */
  #settled(step: number): boolean {
    return ([0, 1] as const).every((s) => this.#lines[s].length > step || this.#ended[s]);
  }

  /** "! " for the first row whose sides differ (a side without the line counts as different). */
  #gutter(a: DemoLine | null, b: DemoLine | null): Gutter {
    if (this.#marked || a?.text === b?.text) return "  ";
    this.#marked = true;
    return "! ";
  }

  #paint(lines: string[]): string[] {
    return lines[0]?.startsWith("! ") ? lines.map(this.#mark) : lines;
  }

  #row(step: number, settled: boolean): string[] {
    const a = this.#lines[0][step] ?? null;
    const b = this.#lines[1][step] ?? null;
    if (!settled) return rowLines(a, b, this.cols);
    return this.#paint(rowLines(a, b, this.cols, this.#forced.has(step) ? "  " : this.#gutter(a, b)));
  }

  #redraw(before: string[]): string {
    const settled = [...before];
    const rows = Math.max(this.#lines[0].length, this.#lines[1].length);
    while (this.#next < rows && this.#settled(this.#next)) settled.push(...this.#row(this.#next++, true));
    const pending: string[][] = [];
    for (let i = this.#next; i < rows; i++) pending.push(this.#row(i, false));
    let height = pending.reduce((n, r) => n + r.length, 0);
    while (height > this.#maxRegion && pending.length > 0) {
      this.#forced.add(this.#next);
      settled.push(...this.#row(this.#next++, true));
      height -= pending.shift()!.length;
    }
    if (settled.length === 0 && this.#shown === 0 && height === 0) return "";
    const text = [...settled, ...pending.flat()];
    const out = eraseUp(this.#shown) + text.map((l) => l + "\n").join("");
    this.#shown = height;
    return out;
  }
}
