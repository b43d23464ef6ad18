// compare's live table (src/demos/live.ts): rows paired by line number and
// filled in as either side's lines arrive, the pending rows at the bottom
// redrawn in place. What a terminal gets is checked byte for byte, and by
// playing it on a small screen model: whatever the order of arrival, the
// screen ends up as the table of both outputs, line N beside line N.
import { describe, expect, it } from "vitest";
import { cellWidth, columnsFor, headerLines, rowLines } from "../../src/demos/columns.js";
import { LineSplitter, parseOutput, type DemoLine } from "../../src/demos/format.js";
import { eraseUp, LiveTable, type Side } from "../../src/demos/live.js";
import { mulberry32 } from "../helpers/random.js";
import { Screen } from "./screen.js";

const L = (ms: number, text: string): DemoLine => ({ ms, text });

const SIDES = ["board", "host"] as const;
const pad = (n: number) => " ".repeat(n);

describe("LiveTable", () => {
  it("a row shows the faster side at once, the other side fills it in; the first difference marked '!'", () => {
    const t = new LiveTable({ width: 60, maxRegion: 10, sides: SIDES, mark: (s) => `<${s}>` });
    // 60 columns: 27 cells | 28 cells.
    expect(t.start()).toBe(`  board${pad(22)} | host\n  ${"-".repeat(27)} | ${"-".repeat(28)}\n`);
    // The host is first: its row is shown with the board's cell blank...
    expect(t.push(1, L(1, "main go"))).toBe(`  ${pad(27)} |     1 ms  main go\n`);
    // ...and redrawn when the board's line 1 comes.
    expect(t.push(0, L(0, "main go"))).toBe(`\r\x1b[1A\x1b[J      0 ms  main go${pad(10)} |     1 ms  main go\n`);
    expect(t.push(0, L(500, "t-1 done"))).toBe(`    500 ms  t-1 done${pad(9)} |\n`);
    expect(t.push(1, L(480, "t-2 done"))).toBe(`\r\x1b[1A\x1b[J<!   500 ms  t-1 done${pad(9)} |   480 ms  t-2 done>\n`);
    // The board has ended: the host's next line settles at once; only the first difference is marked.
    expect(t.end(0)).toBe("");
    expect(t.push(1, L(600, "t-2 more"))).toBe(`  ${pad(27)} |   600 ms  t-2 more\n`);
    expect(t.end(1)).toBe("");
  });

  it("whatever the order of arrival, the screen ends as the table of line N beside line N, no line wider than the terminal", () => {
    const board = parseOutput(
      [
        "    0 ms  main       3 tasks, one lock",
        "    5 ms  task-1     Acquired lock in task 1 (round 1), reads counter = 0",
        "   55 ms  task-2     waits for the lock 等待锁 🔒",
        "  610 ms  task-1     writes counter = 1, Releasing lock",
        "  611 ms  task-2     Acquired lock in task 2 (round 1, waited for task-1), reads counter = 1",
        " 1215 ms  main       final counter: 2, expected 2",
      ].join("\n"),
    );
    const host: DemoLine[] = board.map((l, i) => (i === 3 ? { ms: l.ms! + 2, text: "task-1 writes counter = 2, Releasing lock" } : { ms: l.ms! + 1, text: l.text }));
    host.push(L(1300, "main one more line"));
    const rnd = mulberry32(42);
    for (const width of [40, 57, 80, 120]) {
      const cols = columnsFor(width);
      const expected = [...headerLines(SIDES, cols)];
      for (let i = 0; i < host.length; i++) expected.push(...rowLines(board[i] ?? null, host[i] ?? null, cols, i === 3 ? "! " : "  "));
      for (let run = 0; run < 8; run++) {
        const t = new LiveTable({ width, maxRegion: 100, sides: SIDES });
        const screen = new Screen(true);
        screen.write(t.start());
        const queues: [DemoLine[], DemoLine[]] = [[...board], [...host]];
        const ended = [false, false];
        while (!ended[0] || !ended[1]) {
          const side: Side = ended[0] ? 1 : ended[1] ? 0 : rnd() < 0.5 ? 0 : 1;
          const next = queues[side].shift();
          if (next) screen.write(t.push(side, next));
          else {
            screen.write(t.end(side));
            ended[side] = true;
          }
          for (const l of screen.text()) expect(cellWidth(l)).toBeLessThanOrEqual(width);
        }
        expect(screen.text()).toEqual(expected);
      }
    }
  });

  it("past maxRegion lines the oldest pending row settles with its blank; the late side's lines start the table again, rows whole", () => {
    // As `compare --broken`: the left side runs to its end before the right one starts.
    const t = new LiveTable({ width: 60, maxRegion: 2, sides: ["fixed", "broken"] });
    const screen = new Screen(true);
    screen.write(t.start());
    const left = [L(0, "A"), L(1, "B"), L(2, "C"), L(3, "D")];
    const right = [L(0, "A"), L(1, "B"), L(2, "X"), L(3, "D")];
    for (const l of left) screen.write(t.push(0, l));
    screen.write(t.end(0));
    for (const l of right) screen.write(t.push(1, l));
    screen.write(t.end(1));
    // The redrawn part never went beyond maxRegion lines.
    expect(Math.max(...screen.ups)).toBeLessThanOrEqual(2);
    const cols = columnsFor(60);
    expect(screen.text()).toEqual([
      ...headerLines(["fixed", "broken"], cols),
      ...rowLines(left[0]!, null, cols),
      ...rowLines(left[1]!, null, cols),
      // Rows 1 and 2 again, whole, under the titles again; then rows 3 and 4 filled in where they were pending.
      ...headerLines(["fixed", "broken"], cols),
      ...rowLines(left[0]!, right[0]!, cols),
      ...rowLines(left[1]!, right[1]!, cols),
      ...rowLines(left[2]!, right[2]!, cols, "! "),
      ...rowLines(left[3]!, right[3]!, cols),
    ]);
  });

  it("a side far ahead, over a small screen: every row still shows up paired, the redrawn part within maxRegion lines", () => {
    const left = Array.from({ length: 12 }, (_, i) => L(i * 10, `task-${i % 3} step ${i} of a long enough line to wrap`));
    const right = left.map((l) => L(l.ms! + 3, l.text));
    const rnd = mulberry32(9);
    const cols = columnsFor(50);
    for (let run = 0; run < 10; run++) {
      const t = new LiveTable({ width: 50, maxRegion: 5, sides: SIDES });
      const screen = new Screen(true);
      screen.write(t.start());
      const queues: [DemoLine[], DemoLine[]] = [[...left], [...right]];
      // The left side runs ahead in bursts.
      while (queues[0].length || queues[1].length) {
        const side: Side = queues[1].length === 0 || (queues[0].length > 0 && rnd() < 0.7) ? 0 : 1;
        screen.write(t.push(side, queues[side].shift()!));
      }
      screen.write(t.end(0));
      screen.write(t.end(1));
      expect(Math.max(0, ...screen.ups)).toBeLessThanOrEqual(5);
      const text = screen.text().join("\n");
      for (let i = 0; i < left.length; i++) expect(text).toContain(rowLines(left[i]!, right[i]!, cols).join("\n"));
      // It ends with the last rows, paired.
      const last = rowLines(left[11]!, right[11]!, cols);
      expect(last.length).toBeGreaterThan(1); // wrapped
      expect(screen.text().slice(-last.length)).toEqual(last);
    }
  });

  it("freeze (Ctrl-C): pending rows stay as they are, nothing is redrawn after", () => {
    const t = new LiveTable({ width: 40, maxRegion: 10, sides: SIDES });
    const screen = new Screen(true);
    screen.write(t.start());
    screen.write(t.push(1, L(0, "a")));
    screen.write(t.push(1, L(1, "b")));
    expect(t.freeze()).toBe(eraseUp(2) + [...rowLines(null, L(0, "a"), t.cols), ...rowLines(null, L(1, "b"), t.cols)].map((l) => l + "\n").join(""));
    expect(t.push(0, L(5, "a"))).toBe(rowLines(L(5, "a"), null, t.cols).join("\n") + "\n");
    expect(t.push(0, L(6, "c"))).not.toContain("\x1b");
  });
});

describe("LineSplitter", () => {
  it("any chunking of the output gives parseOutput's lines", () => {
    const output = "    0 ms  main       go\r\n\r\n  12 ms  task-1     x\n  partial\r\nTraceback (most recent call last):\n  File \"<stdin>\"\r";
    const rnd = mulberry32(3);
    for (let run = 0; run < 50; run++) {
      const s = new LineSplitter();
      const got: DemoLine[] = [];
      for (let i = 0; i < output.length; ) {
        const n = 1 + Math.floor(rnd() * 8);
        got.push(...s.push(output.slice(i, i + n)));
        i += n;
      }
      got.push(...s.end());
      expect(got).toEqual(parseOutput(output));
    }
  });
});
