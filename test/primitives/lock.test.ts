import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Lock, RuntimeError, TimeoutError } from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("Lock", () => {
  it("acquires when free with a cached resolved promise", async () => {
    const lock = new Lock();
    expect(lock.locked()).toBe(false);
    const p1 = lock.acquire();
    expect(lock.locked()).toBe(true);
    expect(await p1).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
    const p2 = lock.acquire();
    expect(p2).toBe(p1); // no new promise when free
    lock.release();
  });

  it("release of an unlocked lock throws RuntimeError", () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(RuntimeError);
    try {
      lock.release();
    } catch (e) {
      expect((e as Error).name).toBe("RuntimeError");
      expect((e as Error).message).toBe("Lock is not acquired.");
    }
  });

  it("hands off in strict FIFO order and a newcomer never overtakes", async () => {
    const lock = new Lock();
    const order: string[] = [];
    await lock.acquire();
    const tasks = ["a", "b", "c"].map((n) =>
      lock.acquire().then(() => {
        order.push(n);
      }),
    );
    await flush();
    expect(lock.waiting).toBe(3);
    lock.release(); // hands to a, which has not resumed yet: in transit
    expect(lock.locked()).toBe(false);
    expect(() => lock.release()).toThrow(RuntimeError); // not held: no double hand-off
    const late = track(lock.acquire()); // newcomer queues behind b, c
    expect(lock.waiting).toBe(3);
    await flush();
    expect(lock.locked()).toBe(true); // a resumed and holds it
    expect(order).toEqual(["a"]);
    expect(late.state).toBe("pending");
    lock.release();
    await flush();
    lock.release();
    await flush();
    expect(order).toEqual(["a", "b", "c"]);
    expect(late.state).toBe("pending");
    lock.release();
    await flush();
    expect(late.state).toBe("fulfilled");
    lock.release();
    expect(lock.locked()).toBe(false);
    await Promise.all(tasks);
  });

  it("an aborted waiter is removed at once, rejects with the signal's reason, FIFO kept", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = track(lock.acquire());
    const b = track(lock.acquire({ signal: ac.signal }));
    const c = track(lock.acquire());
    expect(lock.waiting).toBe(3);
    const why = reason("b");
    ac.abort(why);
    expect(lock.waiting).toBe(2);
    await flush();
    expect(b.state).toBe("rejected");
    expect(b.reason).toBe(why);
    lock.release();
    await flush();
    expect([a.state, c.state]).toEqual(["fulfilled", "pending"]);
    lock.release();
    await flush();
    expect(c.state).toBe("fulfilled");
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it("aborting the only waiter then releasing frees the lock (nothing swallowed)", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = track(lock.acquire({ signal: ac.signal }));
    ac.abort();
    lock.release();
    expect(lock.locked()).toBe(false);
    await flush();
    expect(a.state).toBe("rejected");
    expect((a.reason as Error).name).toBe("AbortError");
  });

  it("abort after hand-off, before the waiter resumed: it passes the lock on", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = track(lock.acquire({ signal: ac.signal, timeoutMs: 10_000 }));
    const b = track(lock.acquire());
    lock.release(); // handed to a, not resumed yet
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0); // gone at hand-off
    const why = reason("late");
    ac.abort(why);
    await flush();
    expect(a.state).toBe("rejected");
    expect(a.reason).toBe(why);
    expect(b.state).toBe("fulfilled"); // passed on in FIFO order
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it("abort after hand-off of the only waiter frees the lock; a newcomer meanwhile gets it", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = track(lock.acquire({ signal: ac.signal }));
    lock.release();
    ac.abort();
    await flush();
    expect(a.state).toBe("rejected");
    expect(lock.locked()).toBe(false);
    expect(lock.waiting).toBe(0);

    await lock.acquire();
    const ac2 = new AbortController();
    const c = track(lock.acquire({ signal: ac2.signal }));
    lock.release();
    const d = track(lock.acquire()); // arrives during the hand-off: queues
    ac2.abort();
    await flush();
    expect([c.state, d.state]).toEqual(["rejected", "fulfilled"]);
    expect(lock.locked()).toBe(true);
    lock.release();
  });

  it("abort after the woken waiter resumed cannot take the lock back", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = track(lock.acquire({ signal: ac.signal }));
    lock.release();
    await flush();
    ac.abort();
    await flush();
    expect(a.state).toBe("fulfilled");
    expect(a.value).toBe(true);
    expect(lock.locked()).toBe(true); // a owns it
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("a released-twice hand-off: the second release() throws, only the woken waiter holds the lock", async () => {
    const lock = new Lock();
    await lock.acquire();
    const b = track(lock.acquire());
    lock.release();
    expect(() => lock.release()).toThrow(RuntimeError);
    const c = track(lock.acquire());
    await flush();
    expect([b.state, c.state]).toEqual(["fulfilled", "pending"]);
    expect(lock.locked()).toBe(true);
    lock.release();
    await flush();
    expect(c.state).toBe("fulfilled");
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it("a cached resolved promise even right after a hand-off completed", async () => {
    const lock = new Lock();
    const first = lock.acquire();
    const w = lock.acquire();
    lock.release();
    await w;
    lock.release();
    expect(lock.locked()).toBe(false);
    expect(lock.acquire()).toBe(first);
    lock.release();
  });

  it("an already aborted signal rejects without taking a free lock", async () => {
    const lock = new Lock();
    const ac = new AbortController();
    const why = reason("pre");
    ac.abort(why);
    const p = lock.acquire({ signal: ac.signal });
    expect(lock.locked()).toBe(false);
    await expect(p).rejects.toBe(why);
  });

  it("timeoutMs fires with TimeoutError (real timers) and takes nothing", async () => {
    const lock = new Lock();
    await lock.acquire();
    const b = track(lock.acquire());
    const p = lock.acquire({ timeoutMs: 20 });
    const c = track(lock.acquire());
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).name).toBe("TimeoutError");
    expect(lock.waiting).toBe(2);
    lock.release();
    await flush();
    expect([b.state, c.state]).toEqual(["fulfilled", "pending"]);
    lock.release();
    await flush();
    expect(c.state).toBe("fulfilled");
    lock.release();
  });

  it("timeoutMs <= 0 succeeds if free, else rejects at once", async () => {
    const lock = new Lock();
    await expect(lock.acquire({ timeoutMs: 0 })).resolves.toBe(true);
    const p = lock.acquire({ timeoutMs: 0 });
    expect(lock.waiting).toBe(0);
    await expect(p).rejects.toBeInstanceOf(TimeoutError);
    await expect(lock.acquire({ timeoutMs: -5 })).rejects.toBeInstanceOf(TimeoutError);
    lock.release();
  });

  it("a bad timeoutMs rejects (never throws synchronously)", async () => {
    const lock = new Lock();
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = lock.acquire({ timeoutMs: Number.NaN });
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(TypeError);
    expect(lock.locked()).toBe(false);
  });

  it("clears the timer when the waiter is handed the lock or aborted", async () => {
    vi.useFakeTimers();
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = track(lock.acquire({ timeoutMs: 1000 }));
    const b = track(lock.acquire({ timeoutMs: 1000, signal: ac.signal }));
    expect(vi.getTimerCount()).toBe(2);
    lock.release();
    expect(vi.getTimerCount()).toBe(1);
    ac.abort();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    await flush();
    expect(a.state).toBe("fulfilled");
    expect(b.state).toBe("rejected");
    lock.release();
  });

  it("timeouts longer than setTimeout's limit are re-armed, not fired early", async () => {
    vi.useFakeTimers();
    const lock = new Lock();
    await lock.acquire();
    const limit = 0x7fffffff;
    const a = track(lock.acquire({ timeoutMs: limit + 1000 }));
    vi.advanceTimersByTime(limit);
    await flush();
    expect(a.state).toBe("pending");
    vi.advanceTimersByTime(999);
    await flush();
    expect(a.state).toBe("pending");
    vi.advanceTimersByTime(1);
    await flush();
    expect(a.state).toBe("rejected");
    expect((a.reason as TimeoutError).timeoutMs).toBe(limit + 1000);
    expect(vi.getTimerCount()).toBe(0);
    lock.release();
  });

  it("reusing one signal for many waits does not accumulate listeners", async () => {
    const lock = new Lock();
    const ac = new AbortController();
    await lock.acquire();
    const waits = [];
    for (let i = 0; i < 50; i++) waits.push(lock.acquire({ signal: ac.signal }));
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(1); // one shared listener per signal
    for (let i = 0; i < 50; i++) {
      lock.release();
      await waits[i];
    }
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    // timed-out waiters drop their listener too
    await expect(lock.acquire({ signal: ac.signal, timeoutMs: 1 })).rejects.toBeInstanceOf(TimeoutError);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    // and uncontended acquires never add one
    lock.release();
    for (let i = 0; i < 10; i++) {
      await lock.acquire({ signal: ac.signal });
      lock.release();
    }
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("runExclusive serialises, returns the value and releases on error", async () => {
    const lock = new Lock();
    const log: string[] = [];
    const job = (name: string) =>
      lock.runExclusive(async () => {
        log.push(`${name}+`);
        await flush(1);
        log.push(`${name}-`);
        return name;
      });
    const results = await Promise.all([job("a"), job("b"), job("c")]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a+", "a-", "b+", "b-", "c+", "c-"]);
    await expect(
      lock.runExclusive(() => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(lock.locked()).toBe(false);
    const ac = new AbortController();
    ac.abort();
    await expect(lock.runExclusive(() => 1, { signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(lock.locked()).toBe(false);
  });

  it("no waiter is retained after many aborts", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const ps = [];
    for (let i = 0; i < 10_000; i++) ps.push(lock.acquire({ signal: ac.signal }).catch(() => 0));
    expect(lock.waiting).toBe(10_000);
    ac.abort();
    expect(lock.waiting).toBe(0);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    await Promise.all(ps);
    lock.release();
    expect(lock.locked()).toBe(false);
  });
});

describe("Lock: a hand-off passed on by a waiter aborted before it resumed", () => {
  it("the next waiter gets the lock, in order, and the run queue stays sound", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const order: string[] = [];
    const a = lock.acquire({ signal: ac.signal }).then(
      () => order.push("a acquired"),
      () => order.push("a aborted"),
    );
    const b = lock.acquire().then(() => order.push("b acquired"));
    lock.release(); // hands the lock to a...
    ac.abort(); // ...which passes it on to b when it resumes
    await Promise.all([a, b]);
    expect(order).toEqual(["a aborted", "b acquired"]);
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });
});
