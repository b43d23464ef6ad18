import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../src/trace/events.js";
import { buildModel, checkFaithful, firstDivergence, niceStep, primitiveOrder, sanitizeEvents, type TraceModel } from "../../src/trace/model.js";

const ev = (t: number, task: string, type: string, obj: string, op: string, size?: number): TraceEvent =>
  size === undefined ? { t, side: "board", task, type, obj, op } : { t, side: "board", task, type, obj, op, size };
const L = (t: number, task: string, op: string, obj = "lock") => ev(t, task, "Lock", obj, op);

/** Three tasks hand one Lock round, first come first served (like lock-demo, shortened). */
const handOffs: TraceEvent[] = [
  L(0, "t1", "acquire"),
  L(1, "t2", "wait"),
  L(2, "t3", "wait"),
  L(10, "t1", "release"),
  L(10.5, "t2", "acquire"),
  L(11, "t1", "wait"),
  L(20, "t2", "release"),
  L(20.5, "t3", "acquire"),
  L(30, "t3", "release"),
  L(30.5, "t1", "acquire"),
  L(40, "t1", "release"),
];

const spans = (m: TraceModel, task: string) =>
  m.tasks.find((l) => l.task === task)!.intervals.map((i) => [i.kind, i.start, i.end, i.opened.op, i.closed?.op ?? null, i.open]);

describe("buildModel", () => {
  it("turns a Lock's hand-offs into holding and waiting intervals per task", () => {
    const m = buildModel(handOffs);
    expect(m.start).toBe(0);
    expect(m.end).toBe(40);
    expect(m.tasks.map((l) => l.task)).toEqual(["t1", "t2", "t3"]);
    expect(spans(m, "t1")).toEqual([
      ["holding", 0, 10, "acquire", "release", false],
      ["waiting", 11, 30.5, "wait", "acquire", false],
      ["holding", 30.5, 40, "acquire", "release", false],
    ]);
    expect(spans(m, "t2")).toEqual([
      ["waiting", 1, 10.5, "wait", "acquire", false],
      ["holding", 10.5, 20, "acquire", "release", false],
    ]);
    expect(spans(m, "t3")).toEqual([
      ["waiting", 2, 20.5, "wait", "acquire", false],
      ["holding", 20.5, 30, "acquire", "release", false],
    ]);
    expect(m.markers).toEqual([]);
    const iv = m.tasks[1]!.intervals[0]!;
    expect(iv).toMatchObject({ obj: "lock", type: "Lock", for: "acquire", openedIndex: 1, closedIndex: 4 });
  });

  it("follows the Lock's holder and its FIFO queue over time", () => {
    const [lock] = buildModel(handOffs).primitives;
    expect(lock!.obj).toBe("lock");
    expect(lock!.events).toBe(handOffs.length);
    const rows = lock!.states.map((s) => [s.from, s.to, s.holders.join(","), s.waiters.map((w) => w.task).join(",")]);
    expect(rows).toEqual([
      [0, 1, "t1", ""],
      [1, 2, "t1", "t2"],
      [2, 10, "t1", "t2,t3"],
      [10, 10.5, "", "t2,t3"],
      [10.5, 11, "t2", "t3"],
      [11, 20, "t2", "t3,t1"],
      [20, 20.5, "", "t3,t1"],
      [20.5, 30, "t3", "t1"],
      [30, 30.5, "", "t1"],
      [30.5, 40, "t1", ""],
      [40, 40, "", ""],
    ]);
  });

  it("says who woke whom", () => {
    const m = buildModel(handOffs);
    expect(m.wakes.map((w) => `${w.cause.task} ${w.cause.op} -> ${w.woken.task} ${w.woken.closed!.op}`)).toEqual([
      "t1 release -> t2 acquire",
      "t2 release -> t3 acquire",
      "t3 release -> t1 acquire",
    ]);
  });

  it("ends intervals still open at the trace's end, marked open", () => {
    const m = buildModel([L(0, "a", "acquire"), L(5, "b", "wait"), ev(7, "c", "Event", "go", "wait")]);
    expect(spans(m, "a")).toEqual([["holding", 0, 7, "acquire", null, true]]);
    expect(spans(m, "b")).toEqual([["waiting", 5, 7, "wait", null, true]]);
    expect(spans(m, "c")).toEqual([["waiting", 7, 7, "wait", null, true]]);
  });

  it("lets a Semaphore have several holders, in acquire order", () => {
    const S = (t: number, task: string, op: string) => ev(t, task, "Semaphore", "slots", op);
    const m = buildModel([S(0, "a", "acquire"), S(1, "b", "acquire"), S(2, "c", "wait"), S(3, "a", "release"), S(3.1, "c", "acquire"), S(4, "b", "release"), S(5, "c", "release")]);
    expect(m.primitives[0]!.states.map((s) => [s.from, s.holders.join(","), s.waiters.map((w) => w.task).join(",")])).toEqual([
      [0, "a", ""],
      [1, "a,b", ""],
      [2, "a,b", "c"],
      [3, "b", "c"],
      [3.1, "b,c", ""],
      [4, "c", ""],
      [5, "", ""],
    ]);
    expect(spans(m, "c")).toEqual([
      ["waiting", 2, 3.1, "wait", "acquire", false],
      ["holding", 3.1, 5, "acquire", "release", false],
    ]);
  });

  it("Event: wait until wake (or cancel), set and clear are markers and the state", () => {
    const E = (t: number, task: string, op: string) => ev(t, task, "Event", "go", op);
    const m = buildModel([E(0, "w1", "wait"), E(1, "w2", "wait"), E(5, "main", "set"), E(5.2, "w1", "wake"), E(5.3, "w2", "cancel"), E(8, "main", "clear")]);
    expect(spans(m, "w1")).toEqual([["waiting", 0, 5.2, "wait", "wake", false]]);
    expect(spans(m, "w2")).toEqual([["waiting", 1, 5.3, "wait", "cancel", false]]);
    expect(m.markers.map((k) => `${k.task} ${k.op}`)).toEqual(["main set", "main clear"]);
    expect(m.primitives[0]!.states.map((s) => [s.from, s.isSet, s.waiters.length])).toEqual([
      [0, false, 1],
      [1, false, 2],
      [5, true, 2],
      [5.2, true, 1],
      [5.3, true, 0],
      [8, false, 0],
    ]);
    expect(m.wakes.map((w) => `${w.cause.op}->${w.woken.task}`)).toEqual(["set->w1"]);
  });

  it("Queue: get-wait until get, put-wait until put, sizes over time, unblocked puts and gets as markers", () => {
    const Q = (t: number, task: string, op: string, size: number) => ev(t, task, "Queue", "q", op, size);
    const m = buildModel([
      Q(0, "cons", "get-wait", 0),
      Q(2, "prod", "put", 1),
      Q(2.1, "cons", "get", 0),
      Q(3, "prod", "put", 1),
      Q(4, "prod", "put-wait", 1),
      Q(6, "cons", "get", 0),
      Q(6.1, "prod", "put", 1),
    ]);
    expect(spans(m, "cons")).toEqual([["waiting", 0, 2.1, "get-wait", "get", false]]);
    expect(spans(m, "prod")).toEqual([["waiting", 4, 6.1, "put-wait", "put", false]]);
    expect(m.tasks.find((l) => l.task === "prod")!.intervals[0]!.for).toBe("put");
    expect(m.markers.map((k) => `${k.t} ${k.task} ${k.op}`)).toEqual(["2 prod put", "3 prod put", "6 cons get"]);
    expect(m.primitives[0]!.states.map((s) => [s.from, s.size, s.waiters.map((w) => `${w.for}:${w.task}`).join(",")])).toEqual([
      [0, 0, "get:cons"],
      [2, 1, "get:cons"],
      [2.1, 0, ""],
      [3, 1, ""],
      [4, 1, "put:prod"],
      [6, 0, "put:prod"],
      [6.1, 1, ""],
    ]);
    expect(m.wakes.map((w) => `${w.cause.task} ${w.cause.op}->${w.woken.task} ${w.woken.closed!.op}`)).toEqual(["prod put->cons get", "cons get->prod put"]);
  });

  it("Barrier: arrive until pass; the last arrival passes at once (a zero-length wait)", () => {
    const B = (t: number, task: string, op: string) => ev(t, task, "Barrier", "gate", op);
    const m = buildModel([B(0, "a", "arrive"), B(3, "b", "arrive"), B(7, "c", "arrive"), B(7, "c", "pass"), B(7.1, "a", "pass"), B(7.2, "b", "pass")]);
    expect(spans(m, "a")).toEqual([["waiting", 0, 7.1, "arrive", "pass", false]]);
    expect(spans(m, "c")).toEqual([["waiting", 7, 7, "arrive", "pass", false]]);
    expect(m.primitives[0]!.states.map((s) => s.waiters.map((w) => w.task).join(","))).toEqual(["a", "a,b", "a,b,c", "a,b", "b", ""]);
    expect(m.wakes.map((w) => `${w.cause.task}->${w.woken.task}`)).toEqual(["c->a", "c->b"]);
  });

  it("Barrier: a break from outside (or a reset) ends every wait; a waiter's own break ends its own", () => {
    const B = (t: number, task: string, op: string) => ev(t, task, "Barrier", "gate", op);
    const m = buildModel([B(0, "a", "arrive"), B(1, "b", "arrive"), B(2, "main", "break"), B(3, "a", "arrive"), B(4, "a", "break"), B(5, "b", "arrive"), B(6, "main", "reset")]);
    expect(spans(m, "a")).toEqual([
      ["waiting", 0, 2, "arrive", "break", false],
      ["waiting", 3, 4, "arrive", "break", false],
    ]);
    expect(spans(m, "b")).toEqual([
      ["waiting", 1, 2, "arrive", "break", false],
      ["waiting", 5, 6, "arrive", "reset", false],
    ]);
    expect(m.markers.map((k) => `${k.task} ${k.op}`)).toEqual(["main break", "main reset"]);
  });

  it("Condition: wait until wake, notify is a marker, its lock is held like a Lock", () => {
    const C = (t: number, task: string, op: string) => ev(t, task, "Condition", "cond", op);
    const CL = (t: number, task: string, op: string) => ev(t, task, "Lock", "cond.lock", op);
    const m = buildModel([CL(0, "c", "acquire"), C(1, "c", "wait"), CL(1, "c", "release"), CL(2, "p", "acquire"), C(3, "p", "notify"), CL(4, "p", "release"), C(4.1, "c", "wake"), CL(4.2, "c", "acquire"), CL(5, "c", "release")]);
    expect(spans(m, "c")).toEqual([
      ["holding", 0, 1, "acquire", "release", false],
      ["waiting", 1, 4.1, "wait", "wake", false],
      ["holding", 4.2, 5, "acquire", "release", false],
    ]);
    expect(spans(m, "p")).toEqual([["holding", 2, 4, "acquire", "release", false]]);
    expect(m.markers.map((k) => `${k.task} ${k.op}`)).toEqual(["p notify"]);
    expect(m.primitives.map((p) => `${p.obj}:${p.type}`)).toEqual(["cond.lock:Lock", "cond:Condition"]);
    expect(m.wakes.map((w) => `${w.cause.task} ${w.cause.op}->${w.woken.task}`)).toEqual(["p notify->c"]);
  });

  it("copes with anything: unknown types and ops, unpaired events, junk", () => {
    const junk = [
      null,
      "text",
      42,
      { t: "x", task: 7, obj: null, type: "Lock", op: "release" },
      { t: 3, side: "host", task: "a", obj: "s", type: "Semaphore", op: "release" },
      { t: 4, task: "a", obj: "lock", type: "Lock", op: "cancel" },
      { t: 5, task: "a", obj: "lock", type: "Lock", op: "explode" },
      { t: 6, task: "a", obj: "w", type: "Widget", op: "spin" },
      { t: Infinity, task: "b", obj: "q", type: "Queue", op: "get", size: "many" },
    ] as unknown as TraceEvent[];
    const m = buildModel(junk);
    expect(m.events).toHaveLength(6);
    expect(m.events[0]).toMatchObject({ t: 0, task: "7", obj: "?", type: "Lock", op: "release" });
    expect(m.events[5]).toMatchObject({ t: 6, task: "b" });
    expect(m.events[5]!.size).toBeUndefined();
    expect(m.intervals).toEqual([]);
    expect(m.markers).toHaveLength(6);
    expect(m.end).toBe(6);
    expect(buildModel(null as unknown as TraceEvent[]).events).toEqual([]);
  });

  it("empty trace: nothing, from 0 to 0", () => {
    const m = buildModel([]);
    expect(m).toMatchObject({ start: 0, end: 0, tasks: [], primitives: [], intervals: [], markers: [], wakes: [] });
  });

  it("does not mutate its input", () => {
    const copy = structuredClone(handOffs);
    buildModel(handOffs);
    checkFaithful(handOffs);
    expect(handOffs).toEqual(copy);
  });

  it("sanitizeEvents keeps good events as they are", () => {
    expect(sanitizeEvents(handOffs)).toEqual(handOffs);
  });
});

describe("buildModel: names from a trace are data", () => {
  it("ops and types named like Object.prototype members are plain markers", () => {
    const m = buildModel([L(0, "t1", "constructor"), L(1, "t1", "toString"), ev(2, "t2", "constructor", "x", "wait"), ev(3, "t2", "hasOwnProperty", "y", "__proto__")]);
    expect(m.intervals).toEqual([]);
    expect(m.markers.map((k) => `${k.task} ${k.op}`)).toEqual(["t1 constructor", "t1 toString", "t2 wait", "t2 __proto__"]);
  });
});

describe("firstDivergence", () => {
  it("null when the traces agree on (task, obj, op, size), whatever the times and sides", () => {
    const host = handOffs.map((e) => ({ ...e, side: "host" as const, t: e.t * 1.1 + 3 }));
    expect(firstDivergence(handOffs, host)).toBeNull();
    expect(firstDivergence([], [])).toBeNull();
  });

  it("the first index where they differ, with both events", () => {
    const b = [...handOffs];
    b[4] = L(10.5, "t3", "acquire");
    expect(firstDivergence(handOffs, b)).toEqual({ index: 4, a: handOffs[4], b: b[4] });
  });

  it("compares size", () => {
    const a = [ev(0, "p", "Queue", "q", "put", 1)];
    const b = [ev(0, "p", "Queue", "q", "put", 2)];
    expect(firstDivergence(a, b)?.index).toBe(0);
  });

  it("one trace running out is a divergence, with null on its side", () => {
    expect(firstDivergence(handOffs, handOffs.slice(0, 3))).toEqual({ index: 3, a: handOffs[3], b: null });
    expect(firstDivergence([], handOffs)).toEqual({ index: 0, a: null, b: handOffs[0] });
  });
});

describe("checkFaithful", () => {
  const kinds = (events: TraceEvent[]) => checkFaithful(events).map((v) => `${v.index}:${v.kind}`);

  it("finds nothing wrong with correct hand-offs", () => {
    expect(checkFaithful(handOffs)).toEqual([]);
  });

  it("a Lock with two holders", () => {
    const v = checkFaithful([L(0, "a", "acquire"), L(1, "b", "acquire")]);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: "two-holders", index: 1 });
    expect(v[0]!.message).toContain("b acquires lock while a still holds it");
  });

  it("an acquire after a wait while the holder has not released", () => {
    expect(kinds([L(0, "a", "acquire"), L(1, "b", "wait"), L(2, "b", "acquire")])).toEqual(["2:two-holders"]);
  });

  it("an acquire that jumps the queue (with or without waiting)", () => {
    expect(kinds([L(0, "a", "acquire"), L(1, "b", "wait"), L(2, "a", "release"), L(3, "c", "acquire")])).toEqual(["3:jumped-queue"]);
    expect(kinds([L(0, "a", "acquire"), L(1, "b", "wait"), L(2, "c", "wait"), L(3, "a", "release"), L(4, "c", "acquire")])).toEqual(["4:jumped-queue"]);
    const S = (t: number, task: string, op: string) => ev(t, task, "Semaphore", "s", op);
    expect(kinds([S(0, "a", "acquire"), S(1, "b", "wait"), S(2, "a", "release"), S(3, "c", "acquire")])).toEqual(["3:jumped-queue"]);
  });

  it("releasing a free Lock, or a BoundedSemaphore more often than acquired", () => {
    expect(kinds([L(0, "a", "release")])).toEqual(["0:release-not-held"]);
    const B = (t: number, task: string, op: string) => ev(t, task, "BoundedSemaphore", "b", op);
    expect(kinds([B(0, "a", "acquire"), B(1, "x", "release"), B(2, "a", "release")])).toEqual(["2:release-not-held"]);
    // A plain Semaphore may be released by anyone, any number of times.
    expect(kinds([ev(0, "a", "Semaphore", "s", "release")])).toEqual([]);
  });

  it("blocking on a free Lock nobody queues for, or on a set Event", () => {
    expect(kinds([L(0, "a", "wait")])).toEqual(["0:blocked-while-free"]);
    const E = (t: number, task: string, op: string) => ev(t, task, "Event", "e", op);
    expect(kinds([E(0, "m", "set"), E(1, "a", "wait")])).toEqual(["1:blocked-while-free"]);
  });

  it("waiting twice at once", () => {
    expect(kinds([L(0, "a", "acquire"), L(1, "b", "wait"), L(2, "b", "wait")])).toEqual(["2:double-wait"]);
  });

  it("woken with nobody setting or notifying", () => {
    const E = (t: number, task: string, op: string) => ev(t, task, "Event", "e", op);
    expect(kinds([E(0, "a", "wait"), E(1, "a", "wake")])).toEqual(["1:wake-without-set"]);
    expect(kinds([E(0, "a", "wait"), E(1, "m", "set"), E(2, "a", "wake")])).toEqual([]);
    const C = (t: number, task: string, op: string) => ev(t, task, "Condition", "c", op);
    expect(kinds([C(0, "a", "wait"), C(1, "a", "wake")])).toEqual(["1:wake-without-notify"]);
    expect(kinds([C(0, "a", "wait"), C(1, "m", "notify"), C(2, "a", "wake")])).toEqual([]);
  });

  it("a notification (item, slot) passed on by a waiter cancelled after it was woken is no violation", () => {
    const C = (t: number, task: string, op: string) => ev(t, task, "Condition", "c", op);
    // t4 is notified, t5 starts waiting, t4 is cancelled before it resumes and passes the notification to t5.
    expect(kinds([C(0, "t4", "wait"), C(1, "m", "notify"), C(2, "t5", "wait"), C(3, "t4", "cancel"), C(4, "t5", "wake")])).toEqual([]);
    // Without a notify before the cancel there is nothing to pass on.
    expect(kinds([C(0, "t4", "wait"), C(2, "t5", "wait"), C(3, "t4", "cancel"), C(4, "t5", "wake")])).toEqual(["3:wake-without-notify"]);
    const Q = (t: number, task: string, op: string, size: number) => ev(t, task, "Queue", "q", op, size);
    expect(kinds([Q(0, "a", "get-wait", 0), Q(1, "p", "put", 1), Q(2, "b", "get-wait", 1), Q(3, "a", "cancel", 1), Q(4, "b", "get", 0)])).toEqual([]);
    expect(kinds([Q(0, "a", "put-wait", 2), Q(1, "c", "get", 1), Q(2, "b", "put-wait", 1), Q(3, "a", "cancel", 1), Q(4, "b", "put", 2)])).toEqual([]);
  });

  it("a blocked Queue get or put completing with nothing in between; negative sizes", () => {
    const Q = (t: number, task: string, op: string, size: number) => ev(t, task, "Queue", "q", op, size);
    expect(kinds([Q(0, "c", "get-wait", 0), Q(1, "c", "get", 0)])).toEqual(["1:get-without-put"]);
    expect(kinds([Q(0, "c", "get-wait", 0), Q(1, "p", "put", 1), Q(2, "c", "get", 0)])).toEqual([]);
    expect(kinds([Q(0, "p", "put-wait", 1), Q(1, "p", "put", 2)])).toEqual(["1:put-without-get"]);
    expect(kinds([Q(0, "c", "get", -1)])).toEqual(["0:negative-size"]);
  });

  it("time going backwards", () => {
    expect(kinds([L(5, "a", "acquire"), L(4, "a", "release")])).toEqual(["1:time-backwards"]);
  });

  it("does not judge what it does not know, and survives junk", () => {
    expect(kinds([ev(0, "a", "Widget", "w", "spin"), L(1, "a", "explode")])).toEqual([]);
    expect(checkFaithful([null, 3] as unknown as TraceEvent[])).toEqual([]);
    expect(checkFaithful([])).toEqual([]);
  });
});

describe("helpers", () => {
  it("primitiveOrder: first appearance across runs", () => {
    expect(primitiveOrder([[L(0, "a", "acquire", "x")], [ev(0, "a", "Event", "e", "set"), L(1, "a", "acquire", "x")]])).toEqual([
      { obj: "x", type: "Lock" },
      { obj: "e", type: "Event" },
    ]);
  });

  it("niceStep: 1, 2 or 5 times a power of ten", () => {
    expect(niceStep(4500, 10)).toBe(500);
    expect(niceStep(100, 10)).toBe(10);
    expect(niceStep(600_000, 10)).toBe(100_000);
    expect(niceStep(0.3, 3)).toBe(0.1);
    expect(niceStep(0, 5)).toBe(1);
  });
});
