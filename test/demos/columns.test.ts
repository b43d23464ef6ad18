// compare's two columns fitted to a terminal width (src/demos/columns.ts):
// cells counted as a terminal does (wide characters two, combining marks
// none), long lines wrapped inside their column, no line wider than asked.
import { describe, expect, it } from "vitest";
import { cellLines, cellWidth, columnsFor, fitText, headerLines, MIN_WIDTH, rowLines, sanitize, terminalWidth, truncateCells, wrapCells } from "../../src/demos/columns.js";
import { compareLines, renderTable } from "../../src/demos/compare.js";
import type { DemoLine } from "../../src/demos/format.js";
import { mulberry32 } from "../helpers/random.js";

const L = (...pairs: [number | null, string][]): DemoLine[] => pairs.map(([ms, text]) => ({ ms, text }));
const widest = (lines: string[]) => Math.max(...lines.map(cellWidth));

describe("widths", () => {
  it("cells as a terminal counts them: CJK and emoji two, a combining mark none", () => {
    expect(cellWidth("abc")).toBe(3);
    expect(cellWidth("古")).toBe(2);
    expect(cellWidth("e\u0301")).toBe(1);
    expect(cellWidth("👍🏽")).toBe(2);
    expect(cellWidth("取得了锁 🔒")).toBe(11);
  });

  it("the columns share the width evenly around ' | ' after a 2-cell gutter; never below MIN_WIDTH", () => {
    expect(columnsFor(80)).toEqual({ width: 80, left: 37, right: 38 });
    expect(columnsFor(40)).toEqual({ width: 40, left: 17, right: 18 });
    expect(columnsFor(3)).toEqual({ width: MIN_WIDTH, left: 2, right: 2 });
    expect(columnsFor(Number.NaN)).toEqual(columnsFor(80));
  });

  it("terminal width: the TTY's columns, else COLUMNS, else 80", () => {
    expect(terminalWidth({ isTTY: true, columns: 132 }, { COLUMNS: "40" })).toBe(132);
    expect(terminalWidth({ isTTY: false }, { COLUMNS: "40" })).toBe(40);
    expect(terminalWidth({ isTTY: true }, { COLUMNS: " 50 " })).toBe(50);
    expect(terminalWidth({}, {})).toBe(80);
    for (const bad of ["", "0", "-3", "abc", "12.5"]) expect(terminalWidth({}, { COLUMNS: bad })).toBe(80);
  });
});

describe("wrapping and cutting", () => {
  it("breaks at the last space that fits; continuation lines indented, their leading spaces dropped", () => {
    expect(wrapCells("  512 ms  task-1 Acquired lock in task 1", 20, 10)).toEqual(["  512 ms  task-1", "          Acquired", "          lock in", "          task 1"]);
    expect(wrapCells("a   ", 5)).toEqual(["a"]);
    expect(wrapCells("", 5)).toEqual([""]);
  });

  it("a word longer than the line is cut where the line ends; a wide character is never split", () => {
    expect(wrapCells("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
    expect(wrapCells("古古古", 5)).toEqual(["古古", "古"]);
    expect(wrapCells("古古古", 3)).toEqual(["古", "古", "古"]);
    // A combining mark stays with its letter and takes no cell.
    expect(wrapCells("cafe\u0301 cafe\u0301", 5)).toEqual(["cafe\u0301", "cafe\u0301"]);
  });

  it("truncateCells ends a cut text with …, counting wide characters", () => {
    expect(truncateCells("board", 10)).toBe("board");
    expect(truncateCells("abcdef", 4)).toBe("abc…");
    expect(truncateCells("古古古", 4)).toBe("古…");
    expect(truncateCells("abc", 0)).toBe("");
  });

  it("escape sequences and control characters are taken out, a tab is a space", () => {
    expect(sanitize("\x1b[31mred\x1b[0m\tx\x07\r")).toBe("red x");
  });

  it("random text (ASCII, CJK, emoji, combining marks) at widths 9..70: no line wider, no character lost", () => {
    const rnd = mulberry32(7);
    const pieces = ["a", "b", "xyz", " ", " ", "古", "锁", "🔒", "👍🏽", "e\u0301", "-", "counter"];
    for (let n = 0; n < 150; n++) {
      const width = 9 + Math.floor(rnd() * 62);
      const text = (cols: number) => Array.from({ length: Math.floor(rnd() * cols) }, () => pieces[Math.floor(rnd() * pieces.length)]).join("");
      const a = { ms: rnd() < 0.2 ? null : Math.floor(rnd() * 100000), text: text(40) };
      const b = { ms: Math.floor(rnd() * 100), text: text(40) };
      const cols = columnsFor(width);
      const lines = rowLines(a, rnd() < 0.2 ? null : b, cols, rnd() < 0.5 ? "  " : "! ");
      expect(widest(lines), JSON.stringify({ width, a, b, lines })).toBeLessThanOrEqual(width);
      // What was printed is all there, in order, once spaces are set aside.
      const kept = cellLines(a, cols.left).join("").replace(/ /g, "");
      const want = ((a.ms === null ? "" : `${a.ms}ms`) + a.text).replace(/ /g, "");
      expect(kept).toBe(want);
    }
  });
});

describe("rows and tables", () => {
  it("a row at 40 columns: compact cells, wrapped CJK and emoji text, the gutter on its first line only", () => {
    const cols = columnsFor(40);
    const lines = rowLines({ ms: 12, text: "task-1 取得了锁 🔒 ok" }, { ms: 3, text: "main go" }, cols, "! ");
    expect(lines).toEqual(["! 12 ms task-1      | 3 ms main go", "    取得了锁 🔒 ok  |"]);
    expect(widest(lines)).toBeLessThanOrEqual(40);
  });

  it("a roomy column keeps the demo's own format: ms right-aligned, text under the text", () => {
    expect(cellLines({ ms: 512, text: "task-1 Acquired lock in task 1" }, 24)).toEqual(["  512 ms  task-1", "          Acquired lock", "          in task 1"]);
    expect(cellLines({ ms: null, text: "Traceback (most recent call last):" }, 30)).toEqual(["          Traceback (most", "          recent call last):"]);
    expect(cellLines(null, 30)).toEqual([]);
  });

  it("column titles cut to fit, the rule as wide as the columns", () => {
    expect(headerLines(["board", "host"], columnsFor(20))).toEqual(["  board   | host", "  ------- | --------"]);
    expect(headerLines(["a very long side name", "host"], columnsFor(20))).toEqual(["  a very… | host", "  ------- | --------"]);
  });

  it("renderTable at 40 columns: rows where one side is missing marked '!' on every line, nothing wider than 40", () => {
    const c = compareLines(L([0, "main go"], [500, "task-1 取得了锁 (round 1)"]), L([1, "main go"], [480, "t-2 done"]));
    const out = renderTable(c, (s) => `<${s}>`, ["board", "host"], 40);
    expect(out.split("\n")).toEqual([
      "  board             | host",
      "  ----------------- | ------------------",
      "  0 ms main go      | 1 ms main go",
      "<! 500 ms task-1     |>",
      "<    取得了锁 (round |>",
      "<    1)              |>",
      "<!                   | 480 ms t-2 done>",
    ]);
    for (const l of out.split("\n")) expect(cellWidth(l.replace(/^<|>$/g, ""))).toBeLessThanOrEqual(40);
  });

  it("fitText wraps the verdict to the width, continuation lines indented", () => {
    expect(fitText('events diverge at line 2: board "a b", host "c"\nlargest timing difference: 1 ms', 30)).toBe(
      ['events diverge at line 2:', '  board "a b", host "c"', "largest timing difference: 1", "  ms"].join("\n"),
    );
  });
});
