// A small terminal model for compare's live table: plays what was written
// (text, "\r", "\n", cursor up "ESC[nA", erase to the end of the screen
// "ESC[J", erase the line "ESC[K"; other escape sequences ignored) and keeps
// the screen's lines. One character per cell: fine for checking line order
// and layout of ASCII output; widths are checked on the lines with cellWidth.
export class Screen {
  lines: string[] = [""];
  row = 0;
  col = 0;
  /** Every cursor-up, in lines. */
  ups: number[] = [];

  /** `strict`: a "\r" must come at the start of a line (LiveTable only ever writes whole lines). */
  constructor(private readonly strict = false) {}

  write(text: string): void {
    for (let i = 0; i < text.length; ) {
      const esc = /^\x1b\[([0-9;?]*)([@-~])/.exec(text.slice(i));
      if (esc) {
        i += esc[0].length;
        const n = Number(esc[1] || 1);
        if (esc[2] === "A") {
          this.ups.push(n);
          this.row -= n;
          if (this.row < 0) throw new Error("cursor above the screen");
        } else if (esc[2] === "J") {
          this.lines.length = this.row + 1;
          this.lines[this.row] = this.lines[this.row]!.slice(0, this.col);
        } else if (esc[2] === "K") this.lines[this.row] = this.lines[this.row]!.slice(0, this.col);
        continue;
      }
      const ch = text[i++]!;
      if (ch === "\r") {
        if (this.strict && this.col !== 0) throw new Error("\\r in the middle of a line");
        this.col = 0;
      } else if (ch === "\n") {
        this.row++;
        this.col = 0;
        if (this.lines.length <= this.row) this.lines.push("");
      } else {
        const line = this.lines[this.row]!.padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
        this.col++;
      }
    }
  }

  /** The screen's lines, without the empty one the cursor is on at the end. */
  text(): string[] {
    return this.lines.at(-1) === "" ? this.lines.slice(0, -1) : this.lines;
  }
}
