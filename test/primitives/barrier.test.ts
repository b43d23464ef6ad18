import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { Barrier, BrokenBarrierError, RuntimeError, TimeoutError, ValueError } from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";

describe("Barrier", () => {
  it("validates its arguments", () => {
    expect(() => new Barrier(0)).toThrow(ValueError);
    expect(() => new Barrier(-2)).toThrow(ValueError);
    expect(() => new Barrier(1.5)).toThrow(TypeError);
    const b = new Barrier(3);
    expect(b.parties).toBe(3);
    expect(b.nWaiting).toBe(0);
    expect(b.broken).toBe(false);
    expect(new BrokenBarrierError()).toBeInstanceOf(RuntimeError);
    expect(new BrokenBarrierError().name).toBe("BrokenBarrierError");
  });

  it("releases all parties together with arrival indices, and is cyclic", async () => {
    const b = new Barrier(3);
    for (let phase = 0; phase < 3; phase++) {
      const x = track(b.wait());
      const y = track(b.wait());
      await flush();
      expect(b.nWaiting).toBe(2);
      expect([x.state, y.state]).toEqual(["pending", "pending"]);
      const z = await b.wait();
      expect(b.nWaiting).toBe(0);
      await flush();
      expect([x.value, y.value, z]).toEqual([0, 1, 2]);
    }
  });

  it("parties = 1 passes straight through", async () => {
    let runs = 0;
    const b = new Barrier(1, () => runs++);
    expect(await b.wait()).toBe(0);
    expect(await b.wait()).toBe(0);
    expect(runs).toBe(2);
  });

  it("runs the action once, before any waiter of the phase resumes", async () => {
    const log: string[] = [];
    const b = new Barrier(3, () => log.push("action"));
    const ps = ["a", "b", "c"].map((n) =>
      b.wait().then((i) => {
        log.push(`${n}${i}`);
      }),
    );
    await Promise.all(ps);
    // The last party returns at once; the others resume after it (as on the board).
    expect(log).toEqual(["action", "c2", "a0", "b1"]);
  });

  it("an action that throws rejects the last party with its error and breaks the barrier", async () => {
    const boom = new Error("boom");
    let fail = true;
    const b = new Barrier(3, () => {
      if (fail) throw boom;
    });
    const x = track(b.wait());
    const y = track(b.wait());
    const z = track(b.wait());
    await flush();
    expect(z.state).toBe("rejected");
    expect(z.reason).toBe(boom);
    expect(x.reason).toBeInstanceOf(BrokenBarrierError);
    expect(y.reason).toBeInstanceOf(BrokenBarrierError);
    expect(b.broken).toBe(true);
    await expect(b.wait()).rejects.toBeInstanceOf(BrokenBarrierError);
    b.reset();
    expect(b.broken).toBe(false);
    fail = false;
    const again = [b.wait(), b.wait(), b.wait()];
    expect(await Promise.all(again)).toEqual([0, 1, 2]);
  });

  it("abort() rejects the waiters and leaves the barrier broken until reset()", async () => {
    const b = new Barrier(3);
    const x = track(b.wait());
    const y = track(b.wait());
    b.abort();
    expect(b.broken).toBe(true);
    expect(b.nWaiting).toBe(0);
    await flush();
    expect(x.reason).toBeInstanceOf(BrokenBarrierError);
    expect(y.reason).toBeInstanceOf(BrokenBarrierError);
    await expect(b.wait()).rejects.toBeInstanceOf(BrokenBarrierError);
    b.reset();
    expect(await Promise.all([b.wait(), b.wait(), b.wait()])).toEqual([0, 1, 2]);
  });

  it("reset() rejects the waiters with BrokenBarrierError and stays usable", async () => {
    const b = new Barrier(2);
    const x = track(b.wait());
    b.reset();
    expect(b.broken).toBe(false);
    await flush();
    expect((x.reason as Error).name).toBe("BrokenBarrierError");
    expect(await Promise.all([b.wait(), b.wait()])).toEqual([0, 1]);
  });

  it("an aborted waiter is withdrawn: the phase still needs `parties` live arrivals", async () => {
    const b = new Barrier(3);
    const ac = new AbortController();
    const a = track(b.wait({ signal: ac.signal }));
    const bb = track(b.wait());
    const why = reason("a");
    ac.abort(why);
    expect(b.nWaiting).toBe(1);
    const c = track(b.wait());
    await flush();
    expect(b.nWaiting).toBe(2);
    expect(c.state).toBe("pending");
    const d = await b.wait();
    await flush();
    expect(a.reason).toBe(why);
    expect([bb.value, c.value, d]).toEqual([0, 1, 2]);
    expect(b.broken).toBe(false);
  });

  it("a timed-out waiter is withdrawn too", async () => {
    const b = new Barrier(2);
    await expect(b.wait({ timeoutMs: 15 })).rejects.toBeInstanceOf(TimeoutError);
    expect(b.nWaiting).toBe(0);
    expect(b.broken).toBe(false);
    expect(await Promise.all([b.wait(), b.wait()])).toEqual([0, 1]);
  });

  it("a waiter aborted after the phase completed, before it resumed (even from the action), rejects; the phase stands", async () => {
    const ac = new AbortController();
    const why = reason("late");
    const b = new Barrier(3, () => ac.abort(why));
    const a = track(b.wait({ signal: ac.signal }));
    const x = track(b.wait());
    const last = await b.wait();
    await flush();
    expect(a.state).toBe("rejected");
    expect(a.reason).toBe(why);
    expect([x.value, last]).toEqual([1, 2]);
    expect(b.nWaiting).toBe(0);
    expect(b.broken).toBe(false);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("abort after the released waiter resumed cannot take the release back", async () => {
    const ac = new AbortController();
    const b = new Barrier(2);
    const a = track(b.wait({ signal: ac.signal }));
    const last = await b.wait();
    await flush();
    ac.abort();
    await flush();
    expect(a.state).toBe("fulfilled");
    expect([a.value, last]).toEqual([0, 1]);
  });

  it("a waiter aborted after reset()/abort() woke it rejects with the abort reason", async () => {
    const b = new Barrier(3);
    const ac = new AbortController();
    const why = reason("late");
    const x = track(b.wait({ signal: ac.signal }));
    const y = track(b.wait());
    b.reset();
    ac.abort(why);
    await flush();
    expect(x.reason).toBe(why);
    expect(y.reason).toBeInstanceOf(BrokenBarrierError);
    const ac2 = new AbortController();
    const z = track(b.wait({ signal: ac2.signal }));
    b.abort();
    ac2.abort(why);
    await flush();
    expect(z.reason).toBe(why);
    expect(b.broken).toBe(true);
  });

  it("an already aborted signal rejects without arriving", async () => {
    const b = new Barrier(2);
    const x = track(b.wait());
    const ac = new AbortController();
    ac.abort();
    await expect(b.wait({ signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    expect(b.nWaiting).toBe(1);
    expect(x.state).toBe("pending");
    b.reset();
    await flush();
  });

  it("a wait() from inside the action counts toward the next phase", async () => {
    let inner: Promise<number> | undefined;
    let first = true;
    const b = new Barrier(2, () => {
      if (first) {
        first = false;
        inner = b.wait();
      }
    });
    const p = [b.wait(), b.wait()];
    expect(await Promise.all(p)).toEqual([0, 1]);
    expect(b.nWaiting).toBe(1);
    expect(await b.wait()).toBe(1);
    expect(await inner).toBe(0);
  });
});
