import { RuntimeError } from "./errors.js";
import { Lock } from "./lock.js";
import { WaiterList, enqueue, precheck, type WaitOptions } from "./waiters.js";

/**
 * Mirror of `asyncio.Condition`. Like asyncio, "holding the lock" means the
 * underlying lock is locked (locks have no owner).
 *
 * - `wait()` releases the lock, waits for a notification, re-acquires the
 *   lock and resolves `true`. If the wait is aborted or times out before a
 *   notification, the lock is still re-acquired (uncancellably, in FIFO order)
 *   before the promise rejects, so the caller always holds the lock afterwards.
 *   A notification already delivered cannot be taken back by a later abort.
 * - `notify(n)` wakes up to `n` waiters, longest first; `notifyAll()` wakes all.
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
    return this.#wait(opts);
  }

  async #wait(opts: WaitOptions | undefined): Promise<true> {
    this.#lock.release();
    let failed = false;
    let reason: unknown;
    try {
      await enqueue(this.#waiters, opts);
    } catch (err) {
      failed = true;
      reason = err;
    }
    await this.#lock.acquire(); // must re-acquire even if the wait failed
    if (failed) throw reason;
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
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
      await this.#wait({ signal, timeoutMs: remaining === undefined ? undefined : Math.ceil(remaining) });
      result = predicate();
    }
    return result;
  }

  /** Wake up to `n` waiters, longest first. */
  notify(n = 1): void {
    if (!this.#lock.locked()) throw new RuntimeError("cannot notify on un-acquired lock");
    const waiters = this.#waiters;
    for (let i = 0; i < n; i++) {
      const w = waiters.shift();
      if (w === null) break;
      w.resolve(true);
    }
  }

  /** Wake every waiter. */
  notifyAll(): void {
    this.notify(Infinity);
  }
}
