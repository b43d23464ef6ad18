import { describe, expect, it } from "vitest";
import { normLines, printedMarks, printedMarksOfRuns, withoutAsides } from "../../src/trace/printed.js";

// What lock-demo --broken prints (text as parseOutput gives it: task first, single-spaced).
const broken = normLines([
  { ms: 1, text: "main 3 tasks add 1 to a shared counter" },
  { ms: 14, text: "task-1 reads counter = 0 (round 1, no lock)" },
  { ms: 216, text: "task-2 reads counter = 0 (round 1, no lock)" },
  { ms: 420, text: "task-3 reads counter = 0 (round 1, no lock)" },
  { ms: 616, text: "task-1 writes counter = 1" },
  { ms: 817, text: "task-2 writes counter = 1" },
  { ms: 1033, text: "task-3 writes counter = 1" },
  { ms: 2253, text: "main final counter: 3, expected 9 (6 updates lost)" },
]);
const none = new Set<string>();

describe("normLines", () => {
  it("reads the ms off strings as the demos print them, and takes parsed lines as they are", () => {
    expect(normLines(["  500 ms  task-1  Acquired", "no time here  ", "-3.5ms x"])).toEqual([
      { ms: 500, text: "task-1  Acquired" },
      { ms: null, text: "no time here" },
      { ms: -3.5, text: "x" },
    ]);
    expect(normLines([{ ms: 7, text: "a b" }, { ms: Number.NaN, text: "c" }])).toEqual([
      { ms: 7, text: "a b" },
      { ms: null, text: "c" },
    ]);
    expect(normLines(undefined)).toEqual([]);
  });
});

describe("printedMarks", () => {
  it("without a trace: name-like words on two or more timed lines, never main", () => {
    const marks = printedMarks(broken, none, none);
    expect(marks.map((m) => m.task)).toEqual(["task-1", "task-2", "task-3", "task-1", "task-2", "task-3"]);
    expect(marks[0]).toEqual({ t: 14, task: "task-1", text: "reads counter = 0 (round 1, no lock)" });
    // One line is more likely prose than a task; untimed lines are never a task's.
    const stray = normLines([{ ms: 5, text: "total: 5" }, { ms: 6, text: "once only" }, { ms: null, text: "w x" }, { ms: null, text: "w y" }]);
    expect(printedMarks(stray, none, none)).toEqual([]);
  });

  it("without a trace, a task another run traces counts from its first line", () => {
    const one = normLines([{ ms: 3, text: "task-9 alone" }]);
    expect(printedMarks(one, none, new Set(["task-9"])).map((m) => m.task)).toEqual(["task-9"]);
    expect(printedMarks(one, none, none)).toEqual([]);
  });

  it("with a trace: only the tasks it names (main too, when main is traced)", () => {
    expect(printedMarks(broken, new Set(["task-2"]), none).map((m) => m.t)).toEqual([216, 817]);
    expect(printedMarks(broken, new Set(["main"]), none).map((m) => m.t)).toEqual([1, 2253]);
  });

  it("sorts by time, keeping the printed order of lines at the same ms", () => {
    const lines = normLines([{ ms: 9, text: "a second" }, { ms: 5, text: "b x" }, { ms: 9, text: "a third" }, { ms: 1, text: "b y" }]);
    expect(printedMarks(lines, none, none).map((m) => `${m.t} ${m.task} ${m.text}`)).toEqual(["1 b y", "5 b x", "9 a second", "9 a third"]);
  });
});

describe("printedMarksOfRuns", () => {
  it("each run's elsewhere is what the other runs trace, never its own", () => {
    const fixedLines = normLines([{ ms: 1, text: "solo lonely line" }]);
    const brokenLines = normLines([{ ms: 2, text: "solo lonely line" }]);
    const [fixed, brokenMarks] = printedMarksOfRuns([fixedLines, brokenLines], [new Set(["solo"]), none]);
    expect(fixed!.map((m) => m.t)).toEqual([1]);
    expect(brokenMarks!.map((m) => m.t)).toEqual([2]);
    // The same line alone: one line, nobody traces it, so not a task's.
    expect(printedMarksOfRuns([brokenLines], [none])).toEqual([[]]);
  });
});

describe("withoutAsides", () => {
  it("drops (...) asides, keeping the text when it is nothing else", () => {
    expect(withoutAsides("reads counter = 0 (round 1, no lock)")).toBe("reads counter = 0");
    expect(withoutAsides("(only an aside)")).toBe("(only an aside)");
  });
});
