// Board | host comparison: the pure alignment and verdict (src/demos/compare.ts),
// and the CLI (`compare`, `run --host`) end to end on the virtual board.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { align, compareLines, renderTable, verdict } from "../../src/demos/compare.js";
import type { DemoLine } from "../../src/demos/format.js";
import { parseOutput } from "../../src/demos/format.js";
import { demoSource } from "../../src/demos/catalog.js";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { ownBoards } from "../helpers/state-dir.js";
import { EXPECTED, EXPECTED_BROKEN } from "./expected.js";

/** Lines from "ms text" pairs. */
const L = (...pairs: [number | null, string][]): DemoLine[] => pairs.map(([ms, text]) => ({ ms, text }));
const texts = (rows: { board: DemoLine | null; host: DemoLine | null }[]) => rows.map((r) => [r.board?.text ?? null, r.host?.text ?? null]);

describe("compareLines", () => {
  it("equal: every row paired, equivalent, largest timing difference over all rows", () => {
    const board = L([0, "main start"], [500, "task-1 A"], [1000, "task-2 B"]);
    const host = L([2, "main start"], [507, "task-1 A"], [996, "task-2 B"]);
    const c = compareLines(board, host);
    expect(c).toEqual({
      equivalent: true,
      firstDivergence: null,
      maxTimingDiffMs: 7,
      rows: [
        { board: board[0], host: host[0] },
        { board: board[1], host: host[1] },
        { board: board[2], host: host[2] },
      ],
    });
    expect(verdict(c)).toBe("same order of events (3 events); largest timing difference: 7 ms");
  });

  it("reordered: diverges at the first position that differs; the swapped line gets rows of its own", () => {
    const board = L([0, "A"], [100, "B"], [200, "C"]);
    const host = L([0, "A"], [100, "C"], [230, "B"]);
    const c = compareLines(board, host);
    expect(c.equivalent).toBe(false);
    expect(c.firstDivergence).toEqual({ line: 2, board: { ms: 100, text: "B" }, host: { ms: 100, text: "C" } });
    expect(texts(c.rows)).toEqual([
      ["A", "A"],
      ["B", null],
      ["C", "C"],
      [null, "B"],
    ]);
    expect(c.maxTimingDiffMs).toBe(100); // C: 200 on the board, 100 on the host
    expect(verdict(c)).toBe('events diverge at line 2: board "B", host "C"\nlargest timing difference: 100 ms');
  });

  it("missing line on the host: a board-only row, then the rest paired again", () => {
    const board = L([0, "A"], [100, "B"], [200, "C"], [300, "D"]);
    const host = L([0, "A"], [200, "C"], [301, "D"]);
    const c = compareLines(board, host);
    expect(c.firstDivergence).toEqual({ line: 2, board: { ms: 100, text: "B" }, host: { ms: 200, text: "C" } });
    expect(texts(c.rows)).toEqual([
      ["A", "A"],
      ["B", null],
      ["C", "C"],
      ["D", "D"],
    ]);
    expect(c.maxTimingDiffMs).toBe(1);
    expect(verdict(c)).toBe('events diverge at line 2: board "B", host "C"\nlargest timing difference: 1 ms');
  });

  it("extra line at the end on the host: the board's output ended first", () => {
    const board = L([0, "A"], [100, "B"]);
    const host = L([0, "A"], [100, "B"], [150, "X"]);
    const c = compareLines(board, host);
    expect(c.firstDivergence).toEqual({ line: 3, board: null, host: { ms: 150, text: "X" } });
    expect(texts(c.rows)).toEqual([
      ["A", "A"],
      ["B", "B"],
      [null, "X"],
    ]);
    expect(verdict(c)).toBe('events diverge at line 3: board (nothing: its output ended), host "X"\nlargest timing difference: 0 ms');
  });

  it("repeated events line up in order; lines outside the format (a traceback) take part with no timing", () => {
    const board = L([0, "t A"], [10, "t B"], [20, "t A"], [30, "t B"], [null, "Traceback (most recent call last):"]);
    const host = L([0, "t A"], [12, "t B"], [21, "t A"], [30, "t B"]);
    const c = compareLines(board, host);
    expect(texts(c.rows)).toEqual([
      ["t A", "t A"],
      ["t B", "t B"],
      ["t A", "t A"],
      ["t B", "t B"],
      ["Traceback (most recent call last):", null],
    ]);
    expect(c.firstDivergence).toEqual({ line: 5, board: { ms: null, text: "Traceback (most recent call last):" }, host: null });
    expect(c.maxTimingDiffMs).toBe(2);
  });

  it("nothing in common: no timing difference to report", () => {
    const c = compareLines(L([0, "A"]), L([0, "B"]));
    expect(c.maxTimingDiffMs).toBeNull();
    expect(texts(c.rows)).toEqual([
      ["A", null],
      [null, "B"],
    ]);
    expect(verdict(c)).toBe('events diverge at line 1: board "A", host "B"\nlargest timing difference: none (no matching events)');
    expect(verdict(compareLines([], []))).toBe("same order of events (0 events); largest timing difference: none (no matching events)");
  });

  it("align keeps the common prefix and suffix paired around a changed middle", () => {
    const board = L([0, "A"], [1, "X"], [2, "Y"], [3, "Z"]);
    const host = L([0, "A"], [1, "Y"], [2, "Q"], [3, "Z"]);
    expect(texts(align(board, host))).toEqual([
      ["A", "A"],
      ["X", null],
      ["Y", "Y"],
      [null, "Q"],
      ["Z", "Z"],
    ]);
  });

  it("renders two columns, board | host, 80 columns by default, marking rows that only one side has", () => {
    const c = compareLines(L([0, "main go"], [500, "t-1 done"]), L([1, "main go"], [480, "t-2 done"]));
    // 80 columns: a 2-cell gutter, 37 cells, " | ", 38 cells.
    expect(renderTable(c, (s) => `<${s}>`)).toBe(
      [
        `  board${" ".repeat(32)} | host`,
        `  ${"-".repeat(37)} | ${"-".repeat(38)}`,
        `      0 ms  main go${" ".repeat(20)} |     1 ms  main go`,
        `<!   500 ms  t-1 done${" ".repeat(19)} |>`,
        `<!${" ".repeat(38)} |   480 ms  t-2 done>`,
      ].join("\n"),
    );
  });
});

const dir = mkdtempSync(join(tmpdir(), "synccli-compare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** lock_demo.py with --broken applied (no lock at all): the board must diverge from the (fixed) host mirror. Written once. */
let brokenPath: string | undefined;
function brokenLockDemo(): string {
  if (brokenPath !== undefined) return brokenPath;
  const p = join(dir, "lock_demo.py");
  writeFileSync(p, demoSource("lock-demo", { broken: true }));
  return (brokenPath = p);
}

describe.concurrent("CLI", () => {
  it("compare lock-demo --sim --json: exit 0, equivalent, every row paired with the expected events", async () => {
    const r = await runCli(["compare", "lock-demo", "--sim", "--json"], { env: ownBoards() });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out).sort()).toEqual(["equivalent", "firstDivergence", "maxTimingDiffMs", "rows", "sides"]);
    expect(out.sides).toEqual(["board", "host"]);
    expect(out.equivalent).toBe(true);
    expect(out.firstDivergence).toBeNull();
    expect(out.rows.map((r: any) => r.board.text)).toEqual(EXPECTED["lock-demo"]);
    expect(out.rows.map((r: any) => r.host.text)).toEqual(EXPECTED["lock-demo"]);
    for (const row of out.rows) {
      expect(Object.keys(row.board).sort()).toEqual(["ms", "text"]);
      expect(typeof row.board.ms).toBe("number");
      expect(typeof row.host.ms).toBe("number");
    }
    // How far apart the sides ran depends on the machine's load: check that it
    // is the largest difference of the rows shown, not a bound on it.
    expect(out.maxTimingDiffMs).toBe(Math.max(...out.rows.map((row: any) => Math.abs(row.board.ms - row.host.ms))));
  }, 60_000);

  it("compare <broken lock_demo.py> --sim --json: exit 1, diverges at once (no lock to take), the board loses updates", async () => {
    const r = await runCli(["compare", brokenLockDemo(), "--sim", "--json"], { env: ownBoards() });
    expect(r.code, r.stderr).toBe(EXIT.diverged);
    const out = JSON.parse(r.stdout);
    expect(out.equivalent).toBe(false);
    expect(out.firstDivergence.line).toBe(2);
    expect(out.firstDivergence.board.text).toBe("task-1 reads counter = 0 (round 1, no lock)");
    expect(out.firstDivergence.host.text).toBe("task-1 Acquired lock in task 1 (round 1), reads counter = 0");
    // The board ran the broken variant through: every line of it, in order.
    const boardSide = out.rows.filter((row: any) => row.board !== null).map((row: any) => row.board.text);
    expect(boardSide).toEqual(EXPECTED_BROKEN["lock-demo"]);
    expect(boardSide.at(-1)).toBe("main final counter: 3, expected 9 (6 updates lost)");
    const hostSide = out.rows.filter((row: any) => row.host !== null).map((row: any) => row.host.text);
    expect(hostSide).toEqual(EXPECTED["lock-demo"]);
  }, 60_000);

  it("compare, human output: two columns and the verdict (wide enough for whole lines: COLUMNS=240)", async () => {
    const r = await runCli(["compare", brokenLockDemo(), "--sim"], { env: { COLUMNS: "240", ...ownBoards() } });
    expect(r.code, r.stderr).toBe(EXIT.diverged);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ {2}board +\| host$/);
    expect(lines[2]).toMatch(/^ {2} +\d+ ms {2}main 3 tasks add 1 to a shared counter, 3 rounds each: read, work, write +\| +\d+ ms {2}main 3 tasks add 1 to a shared counter, 3 rounds each: read, work, write$/);
    expect(lines.filter((l) => l.startsWith("! ")).length).toBeGreaterThan(0);
    expect(lines.at(-2)).toBe('events diverge at line 2: board "task-1 reads counter = 0 (round 1, no lock)", host "task-1 Acquired lock in task 1 (round 1), reads counter = 0"');
    expect(lines.at(-1)).toMatch(/^largest timing difference: \d+ ms$/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(240);
  }, 60_000);

  it("run lock-demo --host: the host mirror alone prints the expected events, exit 0", async () => {
    const r = await runCli(["run", "lock-demo", "--host"]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(parseOutput(r.stdout).map((l) => l.text)).toEqual(EXPECTED["lock-demo"]);
  }, 30_000);

  it("a name with no host mirror is a usage error (exit 2), before any board is opened", async () => {
    const a = await runCli(["run", "no-such-demo", "--host"]);
    expect(a.code).toBe(EXIT.usage);
    expect(a.stderr).toMatch(/^synccli: no such file or demo: no-such-demo\nhint: demos: /);
    const b = await runCli(["--port", "/dev/ttyDOESNOTEXIST", "compare", "no-such-demo"]);
    expect(b.code).toBe(EXIT.usage);
    expect(b.stderr).toMatch(/^synccli: no such file or demo: no-such-demo\n/);
    // A script of one's own that is not named like a demo has no mirror to run or compare with.
    const script = join(mkdtempSync(join(tmpdir(), "synccli-mirror-")), "mine.py");
    writeFileSync(script, "print(1)\n");
    const c = await runCli(["run", script, "--host"]);
    expect(c.code).toBe(EXIT.usage);
    expect(c.stderr).toMatch(/^synccli: no host mirror for .*mine\.py\nhint: demos with a host mirror: lock-demo, event-demo, /);
    const d = await runCli(["--port", "/dev/ttyDOESNOTEXIST", "compare", script]);
    expect(d.code).toBe(EXIT.usage);
    expect(d.stderr).toMatch(/^synccli: no host mirror for .*mine\.py\n/);
  }, 30_000);

  it("compare <broken lock_demo.py> --broken: no `BROKEN = False` line to rewrite, a usage error (exit 2) before any board is opened", async () => {
    const r = await runCli(["--port", "/dev/ttyDOESNOTEXIST", "compare", brokenLockDemo(), "--broken", "--json"]);
    expect(r.code).toBe(EXIT.usage);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: EXIT.usage, error: "lock_demo.py has no top-level `BROKEN = False` line for --broken to rewrite" });
  }, 30_000);
});
