import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { Event, TimeoutError } from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";

describe("Event", () => {
  it("starts clear; wait on a set event resolves at once", async () => {
    const ev = new Event();
    expect(ev.isSet()).toBe(false);
    ev.set();
    expect(ev.isSet()).toBe(true);
    await expect(ev.wait()).resolves.toBe(true);
    ev.clear();
    expect(ev.isSet()).toBe(false);
  });

  it("set() wakes every current waiter in FIFO order", async () => {
    const ev = new Event();
    const order: number[] = [];
    const ps = [0, 1, 2, 3].map((i) => ev.wait().then(() => order.push(i)));
    await flush();
    expect(order).toEqual([]);
    expect(ev.waiting).toBe(4);
    ev.set();
    expect(ev.waiting).toBe(0);
    await Promise.all(ps);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it("clear() right after set() does not un-wake the waiters", async () => {
    const ev = new Event();
    const a = track(ev.wait());
    const b = track(ev.wait());
    ev.set();
    ev.clear();
    const late = track(ev.wait());
    await flush();
    expect([a.state, b.state, late.state]).toEqual(["fulfilled", "fulfilled", "pending"]);
    ev.set();
    await flush();
    expect(late.state).toBe("fulfilled");
  });

  it("an aborted waiter rejects with the reason; the others are still woken", async () => {
    const ev = new Event();
    const ac = new AbortController();
    const a = track(ev.wait());
    const b = track(ev.wait({ signal: ac.signal }));
    const why = reason("b");
    ac.abort(why);
    expect(ev.waiting).toBe(1);
    ev.set();
    await flush();
    expect(a.state).toBe("fulfilled");
    expect(b.state).toBe("rejected");
    expect(b.reason).toBe(why);
  });

  it("abort after set(), before the waiter resumed, rejects it; the others still wake", async () => {
    const ev = new Event();
    const ac = new AbortController();
    const a = track(ev.wait({ signal: ac.signal }));
    const b = track(ev.wait());
    ev.set();
    expect(ev.waiting).toBe(0);
    const why = reason("late");
    ac.abort(why);
    await flush();
    expect([a.state, b.state]).toEqual(["rejected", "fulfilled"]);
    expect(a.reason).toBe(why);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("abort after the woken waiter resumed cannot take the wake-up back", async () => {
    const ev = new Event();
    const ac = new AbortController();
    const a = track(ev.wait({ signal: ac.signal }));
    ev.set();
    await flush();
    ac.abort();
    await flush();
    expect(a.state).toBe("fulfilled");
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("an already aborted signal rejects even when the event is set", async () => {
    const ev = new Event();
    ev.set();
    const ac = new AbortController();
    const why = reason("pre");
    ac.abort(why);
    await expect(ev.wait({ signal: ac.signal })).rejects.toBe(why);
  });

  it("timeoutMs fires with TimeoutError and the waiter is removed", async () => {
    const ev = new Event();
    await expect(ev.wait({ timeoutMs: 15 })).rejects.toBeInstanceOf(TimeoutError);
    expect(ev.waiting).toBe(0);
    await expect(ev.wait({ timeoutMs: 0 })).rejects.toBeInstanceOf(TimeoutError);
    ev.set();
    await expect(ev.wait({ timeoutMs: 0 })).resolves.toBe(true);
  });

  it("reusing one signal does not accumulate listeners", async () => {
    const ev = new Event();
    const ac = new AbortController();
    for (let round = 0; round < 20; round++) {
      const ps = [ev.wait({ signal: ac.signal }), ev.wait({ signal: ac.signal, timeoutMs: 10_000 })];
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(1);
      ev.set();
      await Promise.all(ps);
      ev.clear();
      expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
    }
  });
});
