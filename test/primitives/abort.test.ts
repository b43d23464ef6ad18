import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  PrimitiveTimeoutError,
  Queue,
  Semaphore,
  TimeoutError,
} from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";

afterEach(() => {
  vi.useRealTimers();
});

async function setup() {
  const lock = new Lock();
  await lock.acquire();
  const sem = new Semaphore(0);
  const bsem = new BoundedSemaphore(1);
  await bsem.acquire();
  const ev = new Event();
  const q = new Queue<number>(1);
  const full = new Queue<number>(1);
  full.putNowait(0);
  const barrier = new Barrier(3);
  const cond = new Condition();
  await cond.acquire();
  return { lock, sem, bsem, ev, q, full, barrier, cond };
}

describe("abort and timeout across all primitives", () => {
  it("one shared signal: every waiter rejects with its reason, one listener while waiting, none after", async () => {
    const p = await setup();
    const ac = new AbortController();
    const o = { signal: ac.signal };
    const waits = [
      p.lock.acquire(o),
      p.sem.acquire(o),
      p.bsem.acquire(o),
      p.ev.wait(o),
      p.q.get(o),
      p.full.put(1, o),
      p.barrier.wait(o),
      p.full.join(o),
      p.cond.wait(o),
    ].map(track);
    await flush();
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(1);
    const why = reason("all");
    ac.abort(why);
    await flush();
    expect(waits.map((w) => w.state)).toEqual(Array(waits.length).fill("rejected"));
    expect(waits.every((w) => w.reason === why)).toBe(true);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    expect([p.lock.waiting, p.sem.waiting, p.bsem.waiting, p.ev.waiting, p.cond.waiting]).toEqual([0, 0, 0, 0, 0]);
    expect([p.q.waitingGetters, p.full.waitingPutters, p.barrier.nWaiting]).toEqual([0, 0, 0]);
    expect(p.full.qsize()).toBe(1);
    expect(p.cond.locked()).toBe(true); // re-acquired by the cancelled wait
  });

  it("timeouts fire for every primitive (fake timers) and leave no timer behind", async () => {
    vi.useFakeTimers();
    const p = await setup();
    const o = { timeoutMs: 100 };
    const waits = [
      p.lock.acquire(o),
      p.sem.acquire(o),
      p.bsem.acquire(o),
      p.ev.wait(o),
      p.q.get(o),
      p.full.put(1, o),
      p.barrier.wait(o),
      p.full.join(o),
      p.cond.wait(o),
    ].map(track);
    await flush();
    expect(vi.getTimerCount()).toBe(waits.length);
    vi.advanceTimersByTime(99);
    await flush();
    expect(waits.every((w) => w.state === "pending")).toBe(true);
    vi.advanceTimersByTime(1);
    await flush();
    expect(waits.map((w) => w.state)).toEqual(Array(waits.length).fill("rejected"));
    expect(waits.every((w) => w.reason instanceof TimeoutError && (w.reason as Error).name === "TimeoutError")).toBe(
      true,
    );
    expect(vi.getTimerCount()).toBe(0);
    expect(PrimitiveTimeoutError).toBe(TimeoutError);
  });

  it("settling by hand-off clears timers and listeners for every primitive", async () => {
    vi.useFakeTimers();
    const p = await setup();
    const ac = new AbortController();
    const o = { signal: ac.signal, timeoutMs: 1000 };
    const waits = [
      p.lock.acquire(o),
      p.sem.acquire(o),
      p.bsem.acquire(o),
      p.ev.wait(o),
      p.q.get(o),
      p.full.put(1, o),
      p.barrier.wait(o),
      p.barrier.wait(o),
      p.cond.wait(o),
    ].map(track);
    await flush();
    expect(vi.getTimerCount()).toBe(waits.length);
    p.lock.release();
    p.sem.release();
    p.bsem.release();
    p.ev.set();
    p.q.putNowait(5);
    p.full.getNowait();
    void p.barrier.wait();
    await p.cond.acquire();
    p.cond.notify();
    p.cond.release();
    await flush();
    expect(waits.map((w) => w.state)).toEqual(Array(waits.length).fill("fulfilled"));
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    ac.abort(); // too late: changes nothing
    await flush();
    expect(waits.map((w) => w.state)).toEqual(Array(waits.length).fill("fulfilled"));
  });

  it("a timer keeps the process alive while a wait is pending (not unref'd)", async () => {
    const spy = vi.spyOn(globalThis, "setTimeout");
    const lock = new Lock();
    await lock.acquire();
    const w = lock.acquire({ timeoutMs: 30 });
    expect(spy).toHaveBeenCalledTimes(1);
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(timer.hasRef()).toBe(true);
    await expect(w).rejects.toBeInstanceOf(TimeoutError);
    lock.release();
  });

  it("aborting 20,000 waiters sharing one signal is linear and leaves nothing behind", async () => {
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const ps = [];
    for (let i = 0; i < 20_000; i++) ps.push(lock.acquire({ signal: ac.signal, timeoutMs: 60_000 }).catch(() => 0));
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(1);
    ac.abort();
    expect(lock.waiting).toBe(0);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    await Promise.all(ps);
    lock.release();
  });
});
