import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { Queue, QueueEmpty, QueueFull, TimeoutError, ValueError } from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";

describe("Queue", () => {
  it("is FIFO and reports its size", async () => {
    const q = new Queue<number>();
    expect(q.empty()).toBe(true);
    expect(q.full()).toBe(false);
    for (let i = 0; i < 5; i++) await q.put(i);
    expect(q.qsize()).toBe(5);
    const out = [];
    for (let i = 0; i < 5; i++) out.push(await q.get());
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(q.empty()).toBe(true);
  });

  it("putNowait throws QueueFull, getNowait throws QueueEmpty", () => {
    const q = new Queue<string>(1);
    expect(() => q.getNowait()).toThrow(QueueEmpty);
    q.putNowait("a");
    expect(q.full()).toBe(true);
    let err: unknown;
    try {
      q.putNowait("b");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueueFull);
    expect((err as Error).name).toBe("QueueFull");
    expect(q.getNowait()).toBe("a");
    try {
      q.getNowait();
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).toBe("QueueEmpty");
  });

  it("maxsize <= 0 is unbounded; maxsize must be an integer", () => {
    for (const m of [0, -1]) {
      const q = new Queue<number>(m);
      for (let i = 0; i < 1000; i++) q.putNowait(i);
      expect(q.full()).toBe(false);
    }
    expect(() => new Queue(1.5)).toThrow(TypeError);
  });

  it("never holds more than maxsize; waiting putters are admitted FIFO", async () => {
    const q = new Queue<string>(2);
    const sizes: number[] = [];
    const puts = ["a", "b", "c", "d", "e"].map((x) => track(q.put(x)));
    await flush();
    expect(q.qsize()).toBe(2);
    expect(q.waitingPutters).toBe(3);
    expect(puts.map((p) => p.state)).toEqual(["fulfilled", "fulfilled", "pending", "pending", "pending"]);
    const got: string[] = [];
    for (let i = 0; i < 5; i++) {
      got.push(await q.get());
      sizes.push(q.qsize());
      await flush();
    }
    expect(got).toEqual(["a", "b", "c", "d", "e"]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    expect(puts.every((p) => p.state === "fulfilled")).toBe(true);
  });

  it("waiting getters are served FIFO, items handed straight to them", async () => {
    const q = new Queue<number>();
    const gs = [0, 1, 2].map(() => track(q.get()));
    await flush();
    expect(q.waitingGetters).toBe(3);
    q.putNowait(10);
    expect(q.qsize()).toBe(1); // reserved for the first getter until it resumes
    expect(q.empty()).toBe(true); // ... so it cannot be got
    expect(() => q.getNowait()).toThrow(QueueEmpty);
    await q.put(11);
    q.putNowait(12);
    await flush();
    expect(gs.map((g) => g.value)).toEqual([10, 11, 12]);
  });

  it("a newcomer get never overtakes a waiting getter", async () => {
    const q = new Queue<number>();
    const g1 = track(q.get());
    q.putNowait(1);
    const g2 = track(q.get());
    q.putNowait(2);
    await flush();
    expect([g1.value, g2.value]).toEqual([1, 2]);
  });

  it("an aborted get loses no item", async () => {
    const q = new Queue<string>();
    const ac = new AbortController();
    const g1 = track(q.get({ signal: ac.signal }));
    const g2 = track(q.get());
    const why = reason("g1");
    ac.abort(why);
    expect(q.waitingGetters).toBe(1);
    q.putNowait("x");
    q.putNowait("y");
    await flush();
    expect(g1.reason).toBe(why);
    expect(g2.value).toBe("x");
    expect(q.getNowait()).toBe("y");
  });

  it("abort after hand-off, before the getter resumed: the item goes to the next getter", async () => {
    const q = new Queue<string>();
    const ac = new AbortController();
    const why = reason("late");
    const g = track(q.get({ signal: ac.signal }));
    const h = track(q.get());
    q.putNowait("x");
    ac.abort(why);
    await flush();
    expect(g.state).toBe("rejected");
    expect(g.reason).toBe(why);
    expect(h.value).toBe("x");
    expect(q.qsize()).toBe(0);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("abort after hand-off with no other getter: the item is back in the queue, in order", async () => {
    const q = new Queue<string>();
    const ac = new AbortController();
    const g = track(q.get({ signal: ac.signal }));
    const h = track(q.get());
    q.putNowait("x"); // reserved for g
    q.putNowait("y"); // reserved for h
    q.putNowait("z");
    expect([q.qsize(), q.empty()]).toEqual([3, false]);
    expect(q.getNowait()).toBe("z"); // the only unreserved item
    ac.abort();
    await flush();
    expect(g.state).toBe("rejected");
    expect(h.value).toBe("x"); // items leave in order: g's "x" passed on
    expect(q.getNowait()).toBe("y");
    expect(q.empty()).toBe(true);
  });

  it("abort after the getter resumed: it keeps its item", async () => {
    const q = new Queue<string>();
    const ac = new AbortController();
    const g = track(q.get({ signal: ac.signal }));
    q.putNowait("x");
    await flush();
    ac.abort();
    await flush();
    expect(g.state).toBe("fulfilled");
    expect(g.value).toBe("x");
    expect(q.empty()).toBe(true);
  });

  it("an aborted put adds nothing", async () => {
    const q = new Queue<string>(1);
    q.putNowait("a");
    const ac = new AbortController();
    const p1 = track(q.put("lost", { signal: ac.signal }));
    const p2 = track(q.put("b"));
    ac.abort();
    expect(q.waitingPutters).toBe(1);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(q.empty()).toBe(true);
    await flush();
    expect(p1.state).toBe("rejected");
    expect(p2.state).toBe("fulfilled");
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(ValueError); // "lost" was never counted
  });

  it("a woken putter adds its item when it resumes; its slot is reserved until then", async () => {
    const q = new Queue<string>(1);
    q.putNowait("a");
    const p = track(q.put("b"));
    expect(q.getNowait()).toBe("a"); // wakes the putter
    expect([q.qsize(), q.empty(), q.full()]).toEqual([0, true, true]);
    expect(() => q.putNowait("x")).toThrow(QueueFull); // the slot is reserved
    const late = track(q.put("c")); // queues behind the woken putter
    expect(q.waitingPutters).toBe(1);
    await flush();
    expect([p.state, late.state]).toEqual(["fulfilled", "pending"]);
    expect(q.getNowait()).toBe("b");
    await flush();
    expect(q.getNowait()).toBe("c");
    expect(late.state).toBe("fulfilled");
  });

  it("abort after a putter was woken, before it resumed: it adds nothing, the slot goes to the next putter", async () => {
    const q = new Queue<string>(1);
    q.putNowait("a");
    const ac = new AbortController();
    const why = reason("late");
    const p = track(q.put("b", { signal: ac.signal }));
    const r = track(q.put("c"));
    expect(q.getNowait()).toBe("a"); // wakes the putter of "b"
    ac.abort(why);
    await flush();
    expect(p.state).toBe("rejected");
    expect(p.reason).toBe(why);
    expect(r.state).toBe("fulfilled");
    expect(q.getNowait()).toBe("c");
    expect(q.empty()).toBe(true);
    q.taskDone();
    q.taskDone();
    expect(() => q.taskDone()).toThrow(ValueError); // "b" was never counted
  });

  it("abort after the putter resumed: the put stands", async () => {
    const q = new Queue<string>(1);
    q.putNowait("a");
    const ac = new AbortController();
    const p = track(q.put("b", { signal: ac.signal }));
    expect(q.getNowait()).toBe("a");
    await flush();
    ac.abort();
    await flush();
    expect(p.state).toBe("fulfilled");
    expect(q.getNowait()).toBe("b");
  });

  it("a join aborted after the last taskDone() woke it, before it resumed, rejects", async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    const ac = new AbortController();
    const j = track(q.join({ signal: ac.signal }));
    const k = track(q.join());
    q.getNowait();
    q.taskDone();
    ac.abort();
    await flush();
    expect([j.state, k.state]).toEqual(["rejected", "fulfilled"]);
  });

  it("already aborted signals take nothing and add nothing", async () => {
    const q = new Queue<string>(2);
    q.putNowait("a");
    const ac = new AbortController();
    ac.abort();
    await expect(q.get({ signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    await expect(q.put("z", { signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(q.qsize()).toBe(1);
    expect(q.getNowait()).toBe("a");
  });

  it("get/put time out with TimeoutError", async () => {
    const q = new Queue<number>(1);
    await expect(q.get({ timeoutMs: 15 })).rejects.toBeInstanceOf(TimeoutError);
    expect(q.waitingGetters).toBe(0);
    q.putNowait(1);
    await expect(q.put(2, { timeoutMs: 15 })).rejects.toBeInstanceOf(TimeoutError);
    expect(q.waitingPutters).toBe(0);
    expect(q.qsize()).toBe(1);
    await expect(q.put(2, { timeoutMs: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await expect(q.get({ timeoutMs: 0 })).resolves.toBe(1);
  });

  it("taskDone/join", async () => {
    const q = new Queue<number>();
    await expect(q.join()).resolves.toBe(true);
    expect(() => q.taskDone()).toThrow(ValueError);
    q.putNowait(1);
    q.putNowait(2);
    const j1 = track(q.join());
    const j2 = track(q.join());
    q.getNowait();
    q.taskDone();
    await flush();
    expect(j1.state).toBe("pending");
    q.getNowait();
    q.taskDone();
    await flush();
    expect([j1.state, j2.state]).toEqual(["fulfilled", "fulfilled"]);
    expect(q.unfinishedTasks).toBe(0);
    let err: unknown;
    try {
      q.taskDone();
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).toBe("ValueError");
  });

  it("join can be aborted and time out", async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    const ac = new AbortController();
    const j = track(q.join({ signal: ac.signal }));
    ac.abort();
    await flush();
    expect(j.state).toBe("rejected");
    await expect(q.join({ timeoutMs: 10 })).rejects.toBeInstanceOf(TimeoutError);
  });

  it("moves 100,000 items in order through a bounded queue", async () => {
    const q = new Queue<number>(64);
    const N = 100_000;
    const producer = (async () => {
      for (let i = 0; i < N; i++) await q.put(i);
    })();
    let expected = 0;
    let ok = true;
    for (let i = 0; i < N; i++) {
      const v = await q.get();
      if (v !== expected++ || q.qsize() > 64) ok = false;
    }
    await producer;
    expect(ok).toBe(true);
    expect(q.empty()).toBe(true);
  });

  it("an unbounded queue grows and drains in order", () => {
    const q = new Queue<number>();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5000; i++) q.putNowait(i);
      for (let i = 0; i < 2500; i++) expect(q.getNowait()).toBe(i);
      for (let i = 0; i < 5000; i++) q.putNowait(5000 + i);
      for (let i = 2500; i < 10_000; i++) if (q.getNowait() !== i) throw new Error(`order broke at ${i}`);
      expect(q.empty()).toBe(true);
    }
  });
});
