import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { Condition, Lock, RuntimeError, TimeoutError } from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";

describe("Condition", () => {
  it("wait()/waitFor() without the lock reject (not throw) with RuntimeError; notify throws", async () => {
    const c = new Condition();
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = c.wait();
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(RuntimeError);
    await expect(p).rejects.toMatchObject({ name: "RuntimeError" });
    await expect(c.waitFor(() => true)).rejects.toBeInstanceOf(RuntimeError);
    expect(() => c.notify()).toThrow(RuntimeError);
    expect(() => c.notifyAll()).toThrow(RuntimeError);
    expect(() => c.release()).toThrow(RuntimeError);
  });

  it("shares a given lock", async () => {
    const lock = new Lock();
    const c = new Condition(lock);
    await lock.acquire();
    expect(c.locked()).toBe(true);
    c.release();
    expect(lock.locked()).toBe(false);
  });

  it("notify(n) wakes the longest waiters first; each resumes holding the lock", async () => {
    const c = new Condition();
    const log: string[] = [];
    const waiter = async (name: string) => {
      await c.acquire();
      log.push(`${name} waits`);
      await c.wait();
      expect(c.locked()).toBe(true);
      log.push(`${name} woke`);
      c.release();
    };
    const ws = ["a", "b", "c", "d"].map(waiter);
    await flush();
    expect(c.waiting).toBe(4);
    await c.acquire();
    c.notify();
    await flush();
    expect(log.filter((l) => l.endsWith("woke"))).toEqual([]); // still needs the lock
    c.release();
    await flush();
    expect(log.filter((l) => l.endsWith("woke"))).toEqual(["a woke"]);
    await c.acquire();
    c.notify(2);
    c.release();
    await flush();
    expect(log.filter((l) => l.endsWith("woke"))).toEqual(["a woke", "b woke", "c woke"]);
    await c.acquire();
    c.notifyAll();
    c.release();
    await Promise.all(ws);
    expect(log).toEqual(["a waits", "b waits", "c waits", "d waits", "a woke", "b woke", "c woke", "d woke"]);
    expect(c.locked()).toBe(false);
  });

  it("notify with no waiters is a no-op; notify(0) wakes nobody", async () => {
    const c = new Condition();
    await c.acquire();
    c.notify();
    c.notifyAll();
    c.release();
    const w = (async () => {
      await c.acquire();
      await c.wait();
      c.release();
      return "woke";
    })();
    await flush();
    await c.acquire();
    c.notify(0);
    expect(c.waiting).toBe(1);
    c.notify(1);
    c.release();
    expect(await w).toBe("woke");
  });

  it("a cancelled wait re-acquires the lock before rejecting", async () => {
    const c = new Condition();
    const ac = new AbortController();
    const why = reason("w");
    let lockedAtRejection: boolean | undefined;
    const w = track(
      (async () => {
        await c.acquire();
        try {
          await c.wait({ signal: ac.signal });
        } catch (e) {
          lockedAtRejection = c.locked();
          c.release();
          throw e;
        }
      })(),
    );
    await flush();
    expect(c.waiting).toBe(1);
    await c.acquire(); // main holds the lock
    ac.abort(why);
    expect(c.waiting).toBe(0);
    await flush();
    expect(w.state).toBe("pending"); // blocked re-acquiring
    c.release();
    await flush();
    expect(w.state).toBe("rejected");
    expect(w.reason).toBe(why);
    expect(lockedAtRejection).toBe(true);
    expect(c.locked()).toBe(false);
  });

  it("an aborted waiter is skipped by notify (nothing swallowed)", async () => {
    const c = new Condition();
    const ac = new AbortController();
    const woke: string[] = [];
    const mk = (name: string, signal?: AbortSignal) =>
      track(
        (async () => {
          await c.acquire();
          try {
            await c.wait({ signal });
            woke.push(name);
          } finally {
            c.release();
          }
        })(),
      );
    const a = mk("a", ac.signal);
    const b = mk("b");
    await flush();
    ac.abort();
    await flush();
    await c.acquire();
    c.notify(1);
    c.release();
    await flush();
    expect(a.state).toBe("rejected");
    expect(woke).toEqual(["b"]);
  });

  /** A task: acquire, wait, record, release. */
  function waiter(c: Condition, name: string, log: string[], signal?: AbortSignal) {
    return track(
      (async () => {
        await c.acquire();
        try {
          await c.wait({ signal });
          log.push(`${name} woke`);
        } catch (e) {
          log.push(`${name} failed, locked ${c.locked()}`);
          throw e;
        } finally {
          c.release();
        }
      })(),
    );
  }

  it("abort after notify, before the waiter resumed: it re-acquires, passes the notification on and rejects", async () => {
    const c = new Condition();
    const ac = new AbortController();
    const why = reason("late");
    const log: string[] = [];
    const a = waiter(c, "a", log, ac.signal);
    const b = waiter(c, "b", log);
    await flush();
    await c.acquire();
    c.notify();
    ac.abort(why);
    c.release();
    await flush();
    expect(log).toEqual(["a failed, locked true", "b woke"]);
    expect(a.reason).toBe(why);
    expect(b.state).toBe("fulfilled");
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("abort while re-acquiring the lock after notify: re-queues for the lock, then passes the notification on", async () => {
    const c = new Condition();
    const ac = new AbortController();
    const log: string[] = [];
    const a = waiter(c, "a", log, ac.signal);
    const b = waiter(c, "b", log);
    await flush();
    await c.acquire();
    c.notify();
    await flush(); // a resumed and queues for the lock
    const d = track(c.acquire()); // d queues behind a
    ac.abort(); // a re-queues behind d
    c.release(); // to d
    await flush();
    expect(d.state).toBe("fulfilled");
    expect(log).toEqual([]);
    log.push("d");
    c.release(); // to a, which passes its notification to b
    await flush();
    expect(log).toEqual(["d", "a failed, locked true", "b woke"]);
    expect(a.state).toBe("rejected");
  });

  it("a notified wait whose timeout fires while re-acquiring rejects with TimeoutError, holding the lock", async () => {
    const c = new Condition();
    await c.acquire();
    const w = track(c.wait({ timeoutMs: 20 }));
    await c.acquire();
    c.notify();
    await new Promise((r) => setTimeout(r, 40)); // a is queued for the lock meanwhile
    expect(w.state).toBe("pending");
    c.release();
    await flush();
    expect(w.state).toBe("rejected");
    expect(w.reason).toBeInstanceOf(TimeoutError);
    expect(c.locked()).toBe(true);
    c.release();
  });

  it("abort after wait() resolved cannot take the notification back", async () => {
    const c = new Condition();
    const ac = new AbortController();
    const w = track(
      (async () => {
        await c.acquire();
        await c.wait({ signal: ac.signal });
        const held = c.locked();
        ac.abort();
        c.release();
        return held;
      })(),
    );
    await flush();
    await c.acquire();
    c.notify();
    c.release();
    await flush();
    expect(w.state).toBe("fulfilled");
    expect(w.value).toBe(true);
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });

  it("an already aborted signal rejects without releasing the lock", async () => {
    const c = new Condition();
    await c.acquire();
    const other = track(c.acquire());
    const ac = new AbortController();
    ac.abort();
    await expect(c.wait({ signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    await expect(c.waitFor(() => false, { signal: ac.signal })).rejects.toMatchObject({ name: "AbortError" });
    await flush();
    expect(other.state).toBe("pending");
    c.release();
    await flush();
    expect(other.state).toBe("fulfilled");
    c.release();
  });

  it("wait() times out with TimeoutError, holding the lock again", async () => {
    const c = new Condition();
    await c.acquire();
    await expect(c.wait({ timeoutMs: 15 })).rejects.toBeInstanceOf(TimeoutError);
    expect(c.locked()).toBe(true);
    expect(c.waiting).toBe(0);
    c.release();
  });

  it("wait() releases the lock to the next lock waiter in FIFO order", async () => {
    const c = new Condition();
    await c.acquire();
    const other = track(c.acquire());
    const w = track(c.wait());
    await flush();
    expect(other.state).toBe("fulfilled"); // got the lock wait() released
    c.notify();
    c.release(); // other's turn ends; the waiter re-acquires
    await flush();
    expect(w.state).toBe("fulfilled");
    expect(c.locked()).toBe(true);
    c.release();
  });

  it("waitFor() re-checks the predicate after each wake-up and returns its value", async () => {
    const c = new Condition();
    let n = 0;
    const evals: number[] = [];
    const w = track(
      (async () => {
        await c.acquire();
        const r = await c.waitFor(() => {
          evals.push(n);
          return n >= 3 ? `n=${n}` : null;
        });
        c.release();
        return r;
      })(),
    );
    for (let i = 0; i < 3; i++) {
      await flush();
      await c.acquire();
      n++;
      c.notifyAll();
      c.release();
    }
    await flush();
    expect(w.value).toBe("n=3");
    expect(evals).toEqual([0, 1, 2, 3]);
  });

  it("waitFor() with a true predicate resolves at once, keeping the lock", async () => {
    const c = new Condition();
    await c.acquire();
    await expect(c.waitFor(() => 42)).resolves.toBe(42);
    expect(c.locked()).toBe(true);
    c.release();
  });

  it("waitFor() timeoutMs bounds the whole call", async () => {
    const c = new Condition();
    await c.acquire();
    let evals = 0;
    const stop = new AbortController();
    // a notifier that keeps waking the waiter without satisfying it
    const noise = (async () => {
      while (!stop.signal.aborted) {
        await new Promise((r) => setTimeout(r, 2));
        await c.acquire();
        c.notifyAll();
        c.release();
      }
    })();
    await expect(
      c.waitFor(() => {
        evals++;
        return false;
      }, { timeoutMs: 40 }),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(c.locked()).toBe(true);
    expect(evals).toBeGreaterThan(1);
    stop.abort();
    c.release();
    await noise;
  });

  it("waitFor() can be aborted; the lock is held when it rejects", async () => {
    const c = new Condition();
    const ac = new AbortController();
    await c.acquire();
    const w = c.waitFor(() => false, { signal: ac.signal });
    await flush();
    expect(c.locked()).toBe(false);
    ac.abort(reason("wf"));
    await expect(w).rejects.toMatchObject({ name: "AbortTag" });
    expect(c.locked()).toBe(true);
    c.release();
    expect(getEventListeners(ac.signal, "abort")).toHaveLength(0);
  });
});
