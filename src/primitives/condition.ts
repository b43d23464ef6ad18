import { RuntimeError } from "./errors.js";
import { Lock } from "./lock.js";
import { WaiterList, enqueue, precheck, type WaitOptions } from "./waiters.js";

/** Per-wait record: set when `notify()` wakes the waiter. */
interface Notice {
  notified: boolean;
}

/** Milliseconds left until `deadline` (undefined: none), for a `timeoutMs`. */
function remainingMs(deadline: number | undefined): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, Math.ceil(deadline - performance.now()));
}

/**
 * Mirror of `asyncio.Condition`. Like asyncio, "holding the lock" means the
 * underlying lock is `locked()` (locks have no owner).
 *
 * - `wait()` releases the lock, waits for a notification, re-acquires the
 *   lock and resolves `true`. The signal and `timeoutMs` cover the whole
 *   call, re-acquiring included. If the wait is aborted or times out, at any
 *   point, the lock is still re-acquired (uncancellably, in FIFO order: an
 *   abort while queued for the lock re-queues at the back, as the board's
 *   retry loop does) before the promise rejects, so the caller always holds
 *   the lock afterwards. If it had been notified, the notification is passed
 *   on to the next waiter (`notify(1)`) just before it rejects.
 * - `notify(n)` wakes up to `n` waiters, longest first; `notifyAll()` wakes all.
 *   A woken waiter resumes a microtask later; an abort before that still fails
 *   its `wait()` (and passes the notification on, as above).
 * - `wait()`/`waitFor()` without the lock reject with `RuntimeError`;
 *   `notify()`/`notifyAll()` without the lock throw `RuntimeError`.
 * - An already aborted signal rejects `wait()`/`waitFor()` at once, without
 *   releasing the lock.
 */
export class Condition {
  readonly #lock: Lock;
  readonly #waiters = new WaiterList<true>();

  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) throw new TypeError("lock must be a Lock");
    this.#lock = lock ?? new Lock();
  }

  acquire(opts?: WaitOptions): Promise<true> {
    return this.#lock.acquire(opts);
  }

  release(): void {
    this.#lock.release();
  }

  locked(): boolean {
    return this.#lock.locked();
  }

  /** Number of tasks waiting for a notification (for demos and tests). */
  get waiting(): number {
    return this.#waiters.size;
  }

  wait(opts?: WaitOptions): Promise<true> {
    if (!this.#lock.locked()) return Promise.reject(new RuntimeError("cannot wait on un-acquired lock"));
    const bad = precheck(opts);
    if (bad !== undefined) return bad;
    const timeoutMs = opts?.timeoutMs;
    return this.#wait(opts?.signal, timeoutMs, timeoutMs === undefined ? undefined : performance.now() + timeoutMs);
  }

  /** One wait; `timeoutMs` for the notification, `deadline` (its end) for the re-acquire. */
  async #wait(signal: AbortSignal | undefined, timeoutMs: number | undefined, deadline: number | undefined): Promise<true> {
    const notice: Notice = { notified: false };
    const notified = enqueue(this.#waiters, { signal, timeoutMs }, notice);
    this.#lock.release();
    let failed = false;
    let reason: unknown;
    try {
      await notified;
    } catch (err) {
      failed = true;
      reason = err;
    }
    // Re-acquire, however the wait ended. The first abort or timeout fails
    // the wait; after that, acquire uncancellably.
    for (;;) {
      try {
        await this.#lock.acquire(failed ? undefined : { signal, timeoutMs: remainingMs(deadline) });
        break;
      } catch (err) {
        failed = true;
        reason = err;
      }
    }
    if (failed) {
      // Notified, but failing: pass the notification on.
      if (notice.notified) this.#notify(1);
      throw reason;
    }
    return true;
  }

  /**
   * Wait until `predicate()` returns a truthy value and resolve with it. The
   * predicate is called with the lock held. `timeoutMs` bounds the whole call;
   * on timeout or abort the lock is held again when the promise rejects.
   */
  async waitFor<R>(predicate: () => R, opts?: WaitOptions): Promise<R> {
    if (typeof predicate !== "function") throw new TypeError("predicate must be a function");
    if (!this.#lock.locked()) throw new RuntimeError("cannot wait on un-acquired lock");
    const bad = precheck(opts);
    if (bad !== undefined) return bad;
    let result = predicate();
    if (result) return result;
    const signal = opts?.signal;
    const timeoutMs = opts?.timeoutMs;
    const deadline = timeoutMs !== undefined && timeoutMs !== Infinity ? performance.now() + timeoutMs : undefined;
    while (!result) {
      await this.#wait(signal, remainingMs(deadline), deadline);
      result = predicate();
    }
    return result;
  }

  /** Wake up to `n` waiters, longest first. */
  notify(n = 1): void {
    if (!this.#lock.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    this.#notify(n);
  }

  /** Wake every waiter. */
  notifyAll(): void {
    this.notify(Infinity);
  }

  #notify(n: number): void {
    const waiters = this.#waiters;
    for (let i = 0; i < n; i++) {
      const w = waiters.head;
      if (w === null) break;
      (w.data as Notice).notified = true;
      w.wake(true);
    }
  }
}
