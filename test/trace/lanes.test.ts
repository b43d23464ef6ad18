import { describe, expect, it } from "vitest";
import chalk, { Chalk } from "chalk";
import type { TraceEvent } from "../../src/trace/events.js";
import { cellWidth, keysOf, PRINT_CHAR, renderLanes, renderLanesRuns, sanitizeLabel, truncateCells } from "../../src/trace/lanes.js";

const ev = (t: number, task: string, type: string, obj: string, op: string): TraceEvent => ({ t, side: "board", task, type, obj, op });
const L = (t: number, task: string, op: string) => ev(t, task, "Lock", "lock", op);

const small: TraceEvent[] = [L(0, "t1", "acquire"), L(1, "t2", "wait"), L(10, "t1", "release"), L(10, "t2", "acquire"), ev(15, "t1", "Event", "go", "set"), L(20, "t2", "release")];

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (s: string) => s.replace(ANSI, "");

describe("renderLanes", () => {
  it("draws one row per task: holding solid, waiting shaded, events as dots; an axis and a legend", () => {
    expect(renderLanes(small, { width: 30 })).toBe(
      [
        "t1 │█████████████      ·",
        "t2 │ ░░░░░░░░░░░░█████████████",
        "   └┬─────┬──────┬─────┬─────┬",
        "    0 ms  5      10    15   20",
        "█ holding  ░ waiting  · event",
        "",
      ].join("\n"),
    );
  });

  it("several runs share one time scale, each under its label", () => {
    const host = small.map((e) => ({ ...e, side: "host" as const, t: e.t * 1.5 }));
    expect(renderLanesRuns([{ label: "board", events: small }, { label: "host", events: host }], { width: 40 })).toBe(
      [
        "board  (6 events, 20 ms)",
        "t1 │████████████      ·",
        "t2 │ ░░░░░░░░░░░████████████",
        "host  (6 events, 30 ms)",
        "t1 │██████████████████         ·",
        "t2 │ ░░░░░░░░░░░░░░░░░██████████████████",
        "   └┬─────┬─────┬─────┬─────┬─────┬────┬",
        "    0 ms  5     10    15    20    25  30",
        "█ holding  ░ waiting  · event",
        "",
      ].join("\n"),
    );
  });

  it("no colour codes unless asked, and then per primitive, without touching the global chalk", () => {
    const level = chalk.level;
    expect(renderLanes(small, { width: 60 })).not.toMatch(ANSI);
    expect(renderLanes(small, { width: 60, color: false, chalk: new Chalk({ level: 3 }) })).not.toMatch(ANSI);
    const coloured = renderLanes(small, { width: 60, color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured).toContain("\x1b[34m"); // the first primitive: blue
    expect(coloured).toContain("\x1b[33m"); // the second: yellow
    expect(plain(coloured)).toBe(renderLanes(small, { width: 60 }).replace("· event", "· event  ■ lock  ■ go"));
    const exact = renderLanes(small, { width: 60, color: true, chalk: new Chalk({ level: 3 }) });
    expect(exact).toContain("\x1b[38;2;0;114;178m"); // #0072B2
    expect(chalk.level).toBe(level);
  });

  it("takes a colouriser function instead of chalk", () => {
    const out = renderLanes(small, { width: 60, color: true, colorize: (text, p) => `<${p.obj}>${text}</>` });
    expect(out).toContain("<lock>█");
    expect(out).toContain("<go>·</>");
  });

  it("never wider than width, whatever the names (wide characters, emoji, control characters)", () => {
    const names = ["t", "任务一号很长的名字", "🚀🚀🚀 rocket task", "tab\there", "\x1b[31mred", "x".repeat(100), "e\u0301\u0301"];
    const events: TraceEvent[] = [];
    names.forEach((n, i) => {
      events.push(L(i * 7, n, "wait"), L(i * 7 + 3, n, "acquire"), L(i * 7 + 5, n, "release"));
      events.push(ev(i * 7 + 6, n, "Event", `事件-${i}`, "set"));
    });
    for (const width of [1, 2, 3, 5, 8, 13, 21, 34, 55, 80, 120, 200]) {
      for (const color of [false, true]) {
        const out = renderLanesRuns(
          [
            { label: "board 板", events },
            { label: "host", events: [] },
          ],
          { width, color },
        );
        for (const line of out.split("\n")) expect(cellWidth(plain(line)), `width ${width}: ${JSON.stringify(line)}`).toBeLessThanOrEqual(width);
        // Names cannot smuggle escape sequences into the terminal.
        expect(plain(out)).not.toContain("\x1b");
        expect(out).not.toContain("\t");
      }
    }
    const out = renderLanes(events, { width: 40 });
    expect(out).toContain("任务一号…");
    expect(out).toContain("?[31mred");
  });

  it("an event-less trace says so", () => {
    expect(renderLanes([], { width: 40 })).toBe("no events recorded\n");
    expect(renderLanesRuns([{ label: "board", events: [] }, { label: "host", events: [] }], { width: 10 })).toBe("no events…\n");
    const one = renderLanesRuns([{ label: "board", events: small }, { label: "host", events: [] }], { width: 40 });
    expect(one).toContain("host  (0 events)\n    no events recorded\n");
  });

  it("one event at time 0", () => {
    expect(renderLanes([ev(0, "main", "Event", "go", "set")], { width: 20 })).toBe(["main │·", "     └┬─────────────", "      0 ms", "█ holding  ░ waiting", ""].join("\n"));
  });

  it("a hold within one clock tick is still a hold; the last arrival at a Barrier (no wait) shows only its pass", () => {
    const B = (t: number, task: string, op: string) => ev(t, task, "Barrier", "gate", op);
    const events = [L(0, "a", "acquire"), L(0, "a", "release"), B(1, "b", "arrive"), B(10, "a", "arrive"), B(10, "a", "pass"), B(10, "b", "pass")];
    // Lock and Barrier: without colour the wait names its Barrier.
    expect(renderLanes(events, { width: 20 }).split("\n").slice(0, 2)).toEqual(["a │█               ┃", "b │ ░gate░░░░░░░░░░┃"]);
  });

  it("a short hold in a long run stays visible", () => {
    const events = [L(0, "a", "acquire"), L(10_000, "a", "release"), L(10_000, "b", "acquire"), L(10_001, "b", "release"), L(10_002, "a", "acquire"), L(20_000, "a", "release")];
    const row = renderLanes(events, { width: 40 }).split("\n")[1]!;
    expect(row).toMatch(/^b +│ +█$/);
  });
});

describe("cells", () => {
  it("counts terminal cells", () => {
    expect(cellWidth("abc")).toBe(3);
    expect(cellWidth("任务")).toBe(4);
    expect(cellWidth("🚀")).toBe(2);
    expect(cellWidth("e\u0301")).toBe(1);
    expect(cellWidth("👩‍🔬")).toBe(2);
  });

  it("truncates with an ellipsis, never splitting a wide character", () => {
    expect(truncateCells("abcdef", 4)).toBe("abc…");
    expect(truncateCells("任务任务", 4)).toBe("任…");
    expect(truncateCells("abc", 3)).toBe("abc");
    expect(truncateCells("abc", 0)).toBe("");
  });

  it("sanitizes control characters and bidi overrides", () => {
    expect(sanitizeLabel("a\x1b[2Jb\u202Ec\x07")).toBe("a?[2Jb?c?");
  });

  it("a Barrier's pass is one column of ┃ through every task it lets through, the last arrival too", () => {
    const B = (t: number, task: string, op: string) => ev(t, task, "Barrier", "b", op);
    const events = [B(0, "a", "arrive"), B(4, "b", "arrive"), B(10, "c", "arrive"), B(10, "c", "pass"), B(10, "a", "pass"), B(10, "b", "pass"), B(12, "a", "arrive"), B(16, "b", "arrive"), B(20, "c", "arrive"), B(20, "c", "pass"), B(20, "a", "pass"), B(20, "b", "pass")];
    expect(renderLanes(events, { width: 60 })).toBe(
      [
        "a │░░░░░░░░░░░░░░░░░░░░░░░░░░░░┃     ░░░░░░░░░░░░░░░░░░░░░░┃",
        "b │           ░░░░░░░░░░░░░░░░░┃                ░░░░░░░░░░░┃",
        "c │                            ┃                           ┃",
        "  └┬────┬─────┬─────┬────┬─────┬─────┬────┬─────┬─────┬────┬",
        "   0 ms 2     4     6    8     10    12   14    16    18  20",
        "█ holding  ░ waiting  · event  ┃ all pass the Barrier",
        "",
      ].join("\n"),
    );
  });

  it("a Queue gets a row of its fill level under the tasks, from ▁ up to █ at the most it held", () => {
    const Q = (t: number, task: string, op: string, size: number): TraceEvent => ({ ...ev(t, task, "Queue", "q", op), size });
    const q = [Q(0, "cons", "get-wait", 0), Q(2, "prod", "put", 1), Q(2, "cons", "get", 0), Q(4, "prod", "put", 1), Q(6, "prod", "put", 2), Q(8, "prod", "put-wait", 2), Q(14, "cons", "get", 1), Q(14, "prod", "put", 2), Q(20, "cons", "get", 1)];
    expect(renderLanes(q, { width: 60 })).toBe(
      [
        "cons │░░░░░░                               ·               ·",
        "prod │     ·    ·     ·    ░░░░░░░░░░░░░░░░░",
        "q    │     ▄    ▄▄▄▄▄▄██████████████████████████████████████",
        "     └┬────┬────┬─────┬────┬─────┬────┬────┬─────┬────┬────┬",
        "      0 ms 2    4     6    8     10   12   14    16   18  20",
        "█ holding  ░ waiting  · event  ▁▄█ items in the Queue",
        "",
      ].join("\n"),
    );
    // In colour, the row takes the Queue's colour.
    expect(renderLanes(q, { width: 60, color: true })).toMatch(/q {4}\x1b\[2m│\x1b\[22m {5}\x1b\[34m▄/);
  });
});

// lock-demo --broken in small: no primitive, so no trace; only what it printed.
const brokenLines = [
  "    0 ms  main       3 tasks add 1 to a shared counter",
  "   10 ms  task-1     reads counter = 0 (round 1, no lock)",
  "   20 ms  task-2     reads counter = 0 (round 1, no lock)",
  "   30 ms  task-3     reads counter = 0 (round 1, no lock)",
  "   60 ms  task-1     writes counter = 1",
  "   70 ms  task-2     writes counter = 1",
  "   80 ms  task-3     writes counter = 1",
  "   90 ms  main       final counter: 1, expected 3 (2 updates lost)",
];
/** Columns (after the "│") of the printed-line marks in a row. */
const markCols = (row: string) => [...row.slice(row.indexOf("│") + 1)].flatMap((ch, i) => (ch === PRINT_CHAR ? [i] : []));

describe("printed lines", () => {
  it("a run without primitives: a lane per task that printed, a mark per line, what it said where it fits", () => {
    const out = renderLanesRuns([{ label: "broken", events: [], lines: brokenLines }], { width: 60 });
    expect(out).toBe(
      [
        "broken  (no primitive used: 6 printed lines, 80 ms)",
        "task-1 │     ▾ reads counter = 0       ▾ writes counter = 1",
        "task-2 │          ▾ reads counter = 0       ▾ writes … 1",
        "task-3 │               ▾ reads counter = 0        ▾ writes",
        "       └┬────┬────┬────┬─────┬────┬────┬────┬─────┬────┬────",
        "        0 ms 10   20   30    40   50   60   70    80   90",
        "▾ printed a line",
        "",
      ].join("\n"),
    );
    // The lost update, as columns: every task's read comes before any task's write.
    const rows = out.split("\n").slice(1, 4).map(markCols);
    expect(rows).toEqual([
      [5, 31],
      [10, 36],
      [15, 42],
    ]);
    expect(Math.max(...rows.map((r) => r[0]!))).toBeLessThan(Math.min(...rows.map((r) => r[1]!)));
    // One run: the same lanes, without the header.
    expect(renderLanes([], { width: 60 }, brokenLines)).toBe(out.slice(out.indexOf("\n") + 1));
  });

  it("lanes in order of first line; lines at one moment share a mark and a label, cut at a whole line (never into the next mark)", () => {
    const lines = [
      { ms: 5, text: "b starts (first)" },
      { ms: 6, text: "a starts" },
      { ms: 50, text: "a writes 1" },
      { ms: 50, text: "a reads 1" },
      { ms: 51, text: "b ends" },
      { ms: 100, text: "a ends" },
    ];
    const rows = renderLanes([], { width: 40 }, lines).split("\n");
    expect(rows.slice(0, 2)).toEqual(["b │ ▾ starts      ▾ ends", "a │ ▾ starts      ▾ writes 1, …   ▾ ends"]);
  });

  it("only a task's lines: not main's, not untimed ones, not a word on one line only; with a trace, only traced tasks", () => {
    const stray = ["    5 ms  main  hello", "    6 ms  main  bye", "    7 ms  total: 5", "no ms here", "no ms again"];
    expect(renderLanes([], { width: 40 }, stray)).toBe("no events recorded\n");
    expect(renderLanesRuns([{ label: "board", events: [], lines: stray }, { label: "host", events: [] }], { width: 40 })).toBe("no events recorded on any side\n");
    // Traced: zz printed twice but is not in the trace, main is not either.
    const out = renderLanes(small, { width: 30 }, ["0 ms t1 got it", "1 ms t2 waits", "12 ms zz one", "13 ms zz two", "20 ms main done"]);
    expect(out).not.toMatch(/zz|main/);
    expect(out.split("\n").slice(0, 2).map(markCols)).toEqual([[0], [1]]);
  });

  it("compare: a line of a task the other side traces is that task's, from its first line", () => {
    const fixed = [L(0, "task-9", "acquire"), L(40, "task-9", "release")];
    const out = renderLanesRuns(
      [
        { label: "fixed", events: fixed },
        { label: "broken", events: [], lines: ["   20 ms  task-9  alone"] },
      ],
      { width: 60 },
    );
    expect(out.split("\n").slice(0, 4)).toEqual([
      "fixed  (2 events, 40 ms)",
      "task-9 │████████████████████████████████████████████████████",
      "broken  (no primitive used: 1 printed line, 20 ms)",
      "task-9 │                          ▾ alone",
    ]);
  });

  it("in a traced lane a mark never hides what the trace drew: it takes a bar's cell only where the bar goes on", () => {
    expect(renderLanes(small, { width: 30 }, ["0 ms t1 got it", "1 ms t2 waits", "10 ms t1 lets go", "10 ms t2 got it"])).toBe(
      [
        "t1 │▾████████████▾     ·",
        "t2 │ ▾░░░░░░░░░░░▾████████████",
        "   └┬─────┬──────┬─────┬─────┬",
        "    0 ms  5      10    15   20",
        "█ holding  ░ waiting  · event",
        "",
      ].join("\n"),
    );
    // A Barrier's pass and a hold one cell long keep their cells; the marks go beside them.
    const B = (t: number, task: string, op: string) => ev(t, task, "Barrier", "gate", op);
    const events = [L(0, "a", "acquire"), L(0, "a", "release"), B(1, "b", "arrive"), B(10, "a", "arrive"), B(10, "a", "pass"), B(10, "b", "pass")];
    const rows = renderLanes(events, { width: 20 }, ["0 ms a holds", "10 ms a passes"]).split("\n");
    expect(rows.slice(0, 2)).toEqual(["a │█▾             ▾┃", "b │ ░gate░░░░░░░░░░┃"]);
  });

  it("plain text unless colour is asked for; in colour the mark is bold and nothing else changes", () => {
    const run = [{ label: "broken", events: [], lines: brokenLines }];
    const plainOut = renderLanesRuns(run, { width: 60 });
    expect(plainOut).not.toMatch(ANSI);
    expect(renderLanesRuns(run, { width: 60, color: true, chalk: new Chalk({ level: 0 }) })).toBe(plainOut);
    const coloured = renderLanesRuns(run, { width: 60, color: true, chalk: new Chalk({ level: 1 }) });
    expect(coloured).toContain(`\x1b[1m${PRINT_CHAR}\x1b[22m`);
    expect(plain(coloured)).toBe(plainOut);
  });

  it("never wider than width, whatever the printed text and names", () => {
    const lines = ["任务一号 读 计数器 = 0", "任务一号 写 1", "🚀x \x1b[31mred\ttab (aside)", "🚀x again", "e\u0301 é"].map((t, i) => ({ ms: i * 13, text: t }));
    for (const width of [1, 2, 3, 5, 8, 13, 21, 34, 55, 80, 120]) {
      for (const out of [renderLanes([], { width }, lines), renderLanes(small, { width }, lines), renderLanesRuns([{ label: "b", events: small }, { label: "h", events: [], lines }], { width, color: true })]) {
        for (const line of out.split("\n")) expect(cellWidth(plain(line)), `width ${width}: ${JSON.stringify(line)}`).toBeLessThanOrEqual(width);
        expect(plain(out)).not.toContain("\x1b");
        expect(out).not.toContain("\t");
      }
    }
  });
});

// A task that holds the Lock, then waits for the Semaphore t2 holds, then
// holds it; t2 then takes the Lock twice, the second time within one tick.
const Lk = (t: number, task: string, op: string) => ev(t, task, "Lock", "Lock", op);
const Sm = (t: number, task: string, op: string) => ev(t, task, "Semaphore", "Semaphore", op);
const two: TraceEvent[] = [
  Lk(0, "t1", "acquire"),
  Sm(0, "t2", "acquire"),
  Lk(10, "t1", "release"),
  Sm(10, "t1", "wait"),
  Sm(18, "t2", "release"),
  Sm(18, "t1", "acquire"),
  Lk(20, "t2", "acquire"),
  Lk(22, "t2", "release"),
  Lk(26, "t2", "acquire"),
  Lk(26, "t2", "release"),
  Sm(30, "t1", "release"),
];

describe("which primitive, without colour", () => {
  it("with bars of two primitives, each bar names its own after its first cell: whole where it fits, else its key from the legend", () => {
    expect(renderLanes(two, { width: 40 })).toBe(
      [
        "t1 │█Lock███████░S░░░░░░░░█Semaphore████",
        "t2 │█Semaphore████████████  █L█    █",
        "   └┬─────┬─────┬─────┬─────┬─────┬────┬",
        "    0 ms  5     10    15    20    25  30",
        "█ holding  ░ waiting  · event",
        "L Lock  S Semaphore",
        "",
      ].join("\n"),
    );
    // Narrower: the Semaphore's hold has no room for its name, so its key; the keys share the legend's line when they fit.
    expect(renderLanes(two, { width: 30 }).split("\n").slice(0, 2)).toEqual(["t1 │█Lock████░S░░░░░█S████████", "t2 │█Semaphore██████ █L█  █"]);
    expect(renderLanes(two, { width: 60 }).split("\n").at(-2)).toBe("█ holding  ░ waiting  · event  L Lock  S Semaphore");
    // Too narrow for both on one line: a line each, none left out (the legend's other items are).
    expect(renderLanes(two, { width: 12 }).split("\n").slice(-4, -1)).toEqual(["█ holding", "L Lock", "S Semaphore"]);
  });

  it("a Condition's wait and its lock's holds read apart; where a printed mark cuts a bar, its name or key goes in a piece with room", () => {
    const C = (t: number, task: string, op: string) => ev(t, task, "Condition", "Condition", op);
    const CL = (t: number, task: string, op: string) => ev(t, task, "Lock", "Condition.lock", op);
    const events = [CL(0, "c", "acquire"), C(4, "c", "wait"), CL(4, "c", "release"), CL(30, "p", "acquire"), C(32, "p", "notify"), CL(36, "p", "release"), C(36, "c", "wake"), CL(36, "c", "acquire"), CL(40, "c", "release")];
    const out = renderLanes(events, { width: 50 }, ["1 ms c waits", "36 ms c woken"]);
    // c's first hold is cut by its mark at 1 ms: one cell, then three with its key.
    expect(out.split("\n").slice(0, 2)).toEqual(["c │█▾█L█░Condition░░░░░░░░░░░░░░░░░░░░░░░░░░░▾█L██", "p │                                   █L██████"]);
    expect(out).toContain("\nL Condition.lock  C Condition\n");
  });

  it("keys: the type's initial, else a letter of the name, else the first free; never two alike", () => {
    expect(keysOf([{ obj: "Condition.lock", type: "Lock" }, { obj: "Condition", type: "Condition" }])).toEqual(new Map([["Condition.lock", "L"], ["Condition", "C"]]));
    const many = keysOf(["Lock-1", "Lock-2", "fork", "Barrier", "BoundedSemaphore"].map((obj) => ({ obj, type: obj.replace(/-\d$/, "").replace("fork", "Lock") })));
    expect([...many.values()]).toEqual(["L", "O", "F", "B", "U"]);
    expect(new Set(keysOf(Array.from({ length: 40 }, (_, i) => ({ obj: `Lock-${i}`, type: "Lock" }))).values()).size).toBe(36);
  });

  it("a name that reads as another's key, or as blocks, is not drawn: the key is", () => {
    const events = two.map((e) => (e.type === "Lock" ? { ...e, obj: "S" } : { ...e, obj: "██" }));
    const rows = renderLanes(events, { width: 40 }).split("\n");
    expect(rows.slice(0, 2)).toEqual(["t1 │█L██████████░S░░░░░░░░█S████████████", "t2 │█S████████████████████  █L█    █"]);
    expect(rows.at(-2)).toBe("█ holding  ░ waiting  · event  L S  S ██");
  });

  it("one primitive drawing bars (an Event's dots do not count): as clean as before, no names, no keys", () => {
    const rows = renderLanes(small, { width: 30 }).split("\n");
    expect(rows.slice(0, 2)).toEqual(["t1 │█████████████      ·", "t2 │ ░░░░░░░░░░░░█████████████"]);
    expect(rows.at(-2)).toBe("█ holding  ░ waiting  · event");
    const one = renderLanes(
      two.map((e) => ({ ...e, type: "Lock", obj: "Lock" })),
      { width: 40 },
    ).split("\n");
    for (const row of one.slice(0, 2)) expect(row).toMatch(/^t\d │[█░ ]+$/);
  });

  it("in colour nothing changes: colour says which, the bars stay solid; colour asked but unavailable is plain, so named", () => {
    const coloured = renderLanes(two, { width: 40, color: true });
    expect(coloured).toContain("\x1b[34m████████████\x1b[39m\x1b[33m░░░░░░░░░░");
    expect(plain(coloured).split("\n").slice(0, 2)).toEqual(["t1 │████████████░░░░░░░░░░██████████████", "t2 │██████████████████████  ███    █"]);
    expect(plain(coloured)).not.toMatch(/L Lock|S Semaphore/);
    expect(renderLanes(two, { width: 40, color: true, colorize: (t) => t })).not.toMatch(/[A-Z]█/);
    expect(renderLanes(two, { width: 40, color: true, chalk: new Chalk({ level: 0 }) })).toBe(renderLanes(two, { width: 40 }));
  });

  it("wide names take their two cells each and keep every row aligned; never wider than width", () => {
    const wide = two.map((e) => ({ ...e, obj: e.type === "Lock" ? "锁" : "信号量🚀" }));
    const rows = renderLanes(wide, { width: 40 }).split("\n");
    expect(rows.slice(0, 2)).toEqual(["t1 │█锁█████████░信号量🚀░█信号量🚀█████", "t2 │█信号量🚀█████████████  █L█    █"]);
    expect(rows.at(-2)).toBe("L 锁  S 信号量🚀");
    // A name covers cells of its own bar only, as many as it is wide: fill
    // them back and the row is the one colour draws, where no name is.
    const solid = plain(renderLanes(wide, { width: 40, color: true })).split("\n");
    const filled = (row: string) => {
      let out = "";
      for (const { segment } of new Intl.Segmenter("en", { granularity: "grapheme" }).segment(row.slice(row.indexOf("│") + 1))) out += /[█░ ]/.test(segment) ? segment : out.at(-1)!.repeat(cellWidth(segment));
      return out;
    };
    expect(filled(rows[0]!)).toBe(filled(solid[0]!));
    expect(filled(rows[1]!)).toBe(filled(solid[1]!));
    for (const width of [1, 3, 8, 13, 21, 34, 55, 80, 120]) {
      for (const out of [renderLanes(wide, { width }), renderLanesRuns([{ label: "board", events: wide }, { label: "host", events: two }], { width })]) {
        for (const line of out.split("\n")) expect(cellWidth(line), `width ${width}: ${JSON.stringify(line)}`).toBeLessThanOrEqual(width);
      }
    }
  });
});
