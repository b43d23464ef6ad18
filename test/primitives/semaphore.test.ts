import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { BoundedSemaphore, Semaphore, TimeoutError, ValueError } from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";

describe("Semaphore", () => {
  it("validates the initial value", () => {
    expect(() => new Semaphore(-1)).toThrow(ValueError);
    expect(() => new BoundedSemaphore(-1)).toThrow(ValueError);
    try {
      new Semaphore(-1);
    } catch (e) {
      expect((e as Error).name).toBe("ValueError");
    }
    expect(() => new Semaphore(1.5)).toThrow(TypeError);
    expect(new Semaphore().value).toBe(1);
    expect(new Semaphore(0).locked()).toBe(true);
  });

  it("counts permits and locked()", async () => {
    const sem = new Semaphore(2);
    expect(sem.locked()).toBe(false);
    await sem.acquire();
    expect(sem.value).toBe(1);
    await sem.acquire();
    expect(sem.locked()).toBe(true);
    sem.release();
    sem.release();
    expect(sem.value).toBe(2);
    sem.release(); // plain Semaphore may go above its initial value
    expect(sem.value).toBe(3);
  });

  it("is strictly FIFO: release wakes the longest waiter, a newcomer never overtakes", async () => {
    const sem = new Semaphore(2);
    await sem.acquire();
    await sem.acquire();
    const order: string[] = [];
    const ws = ["a", "b", "c"].map((n) => sem.acquire().then(() => order.push(n)));
    sem.release(); // straight to a
    expect(sem.value).toBe(0);
    expect(sem.locked()).toBe(true);
    const late = track(sem.acquire());
    await flush();
    expect(order).toEqual(["a"]);
    sem.release();
    sem.release();
    await flush();
    expect(order).toEqual(["a", "b", "c"]);
    expect(late.state).toBe("pending");
    sem.release();
    await flush();
    expect(late.state).toBe("fulfilled");
    await Promise.all(ws);
  });

  it("an aborted waiter is withdrawn; the permit goes to the next one", async () => {
    const sem = new Semaphore(0);
    const ac = new AbortController();
    const a = track(sem.acquire({ signal: ac.signal }));
    const b = track(sem.acquire());
    const why = reason("a");
    ac.abort(why);
    expect(sem.waiting).toBe(1);
    sem.release();
    await flush();
    expect(a.state).toBe("rejected");
    expect(a.reason).toBe(why);
    expect(b.state).toBe("fulfilled");
    expect(sem.value).toBe(0);
    // no waiters left: the next release is kept, not swallowed
    sem.release();
    expect(sem.value).toBe(1);
  });

  it("abort after hand-off, before the waiter resumed: it passes the permit on", async () => {
    const sem = new Semaphore(0);
    const ac = new AbortController();
    const a = track(sem.acquire({ signal: ac.signal }));
    const b = track(sem.acquire());
    sem.release(); // handed to a
    expect(sem.locked()).toBe(true);
    const late = track(sem.acquire()); // queues behind b
    const why = reason("late");
    ac.abort(why);
    await flush();
    expect([a.state, b.state, late.state]).toEqual(["rejected", "fulfilled", "pending"]);
    expect(a.reason).toBe(why);
    expect(sem.value).toBe(0);
    sem.release();
    await flush();
    expect(late.state).toBe("fulfilled");
  });

  it("abort after hand-off of the only waiter returns the permit to the counter", async () => {
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const ac = new AbortController();
    const a = track(sem.acquire({ signal: ac.signal }));
    sem.release();
    ac.abort();
    await flush();
    expect(a.state).toBe("rejected");
    expect(sem.value).toBe(1);
    expect(() => sem.release()).toThrow(ValueError);
  });

  it("abort after the woken waiter resumed keeps the permit with it", async () => {
    const sem = new Semaphore(0);
    const ac = new AbortController();
    const a = track(sem.acquire({ signal: ac.signal }));
    sem.release();
    await flush();
    ac.abort();
    await flush();
    expect(a.state).toBe("fulfilled");
    expect(sem.value).toBe(0);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("an already aborted signal rejects without taking a free permit", async () => {
    const sem = new Semaphore(3);
    const ac = new AbortController();
    ac.abort();
    await expect(sem.acquire({ signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(sem.value).toBe(3);
  });

  it("timeoutMs fires with TimeoutError and takes nothing", async () => {
    const sem = new Semaphore(0);
    const b = track(sem.acquire());
    await expect(sem.acquire({ timeoutMs: 15 })).rejects.toBeInstanceOf(TimeoutError);
    expect(sem.waiting).toBe(1);
    sem.release();
    await flush();
    expect(b.state).toBe("fulfilled");
    await expect(sem.acquire({ timeoutMs: 0 })).rejects.toBeInstanceOf(TimeoutError);
    sem.release();
    await expect(sem.acquire({ timeoutMs: 0 })).resolves.toBe(true);
  });

  it("runExclusive limits concurrency and releases on error", async () => {
    const sem = new Semaphore(2);
    let inside = 0;
    let peak = 0;
    const log: number[] = [];
    const job = (i: number) =>
      sem.runExclusive(async () => {
        inside++;
        peak = Math.max(peak, inside);
        log.push(i);
        await flush(1);
        inside--;
        return i * 10;
      });
    const out = await Promise.all([0, 1, 2, 3, 4, 5].map(job));
    expect(out).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
    expect(log).toEqual([0, 1, 2, 3, 4, 5]);
    await expect(sem.runExclusive(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(sem.value).toBe(2);
  });
});

describe("BoundedSemaphore", () => {
  it("over-release throws ValueError", async () => {
    const sem = new BoundedSemaphore(2);
    expect(() => sem.release()).toThrow(ValueError);
    await sem.acquire();
    sem.release();
    let err: unknown;
    try {
      sem.release();
    } catch (e) {
      err = e;
    }
    expect((err as Error).name).toBe("ValueError");
    expect((err as Error).message).toBe("BoundedSemaphore released too many times");
    expect(sem.value).toBe(2);
  });

  it("BoundedSemaphore(0) can never be released", () => {
    const sem = new BoundedSemaphore(0);
    expect(() => sem.release()).toThrow(ValueError);
  });

  it("hands off FIFO like Semaphore and stays within the bound", async () => {
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const order: string[] = [];
    const ws = ["a", "b"].map((n) => sem.acquire().then(() => order.push(n)));
    sem.release();
    await flush();
    sem.release();
    await flush();
    expect(order).toEqual(["a", "b"]);
    sem.release();
    expect(sem.value).toBe(1);
    expect(() => sem.release()).toThrow(ValueError);
    await Promise.all(ws);
  });
});
