import { RuntimeError } from "./errors.js";
import { Lock } from "./lock.js";
import { tracer } from "./trace.js";
import { type Waiter, WaiterList, enqueue, precheck, taskOf, type WaitOptions } from "./waiters.js";

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
 *
 * Traced ops: `wait` (then its lock records the release), `notify` (once per
 * `notify()`/`notifyAll()` call), `wake` (a notification received: recorded
 * when the waiter resumes; its lock then records the re-acquire), `cancel` (a
 * waiter gave up waiting for a notification; a notification it had received
 * goes on to the next waiter without a `notify`). The lock records its own
 * ops; one the Condition made for itself is named "<condition>.lock".
 */
export class Condition {
  readonly #lock: Lock;
  /** The Condition made its lock (traced as "<its name>.lock"). */
  readonly #ownLock: boolean;
  readonly #waiters = new WaiterList<true>({
    resume: (w: Waiter<true>, v: true) => {
      if (tracer !== null) tracer.emit(this, "Condition", "wake", undefined, taskOf(w));
      return v;
    },
    cancelled: (task: string) => tracer?.emit(this, "Condition", "cancel", undefined, task),
  });

  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) throw new TypeError("lock must be a Lock");
    this.#ownLock = lock === undefined;
    this.#lock = lock ?? new Lock();
  }

  /**
   * Tracing: name our own lock after us before it records anything. Only
   * our methods can reach it, so calling this in each of those that use it
   * is enough (they call it only while a trace runs).
   */
  #nameLock(): void {
    if (this.#ownLock) tracer?.nameOwned(this.#lock, this, "Condition", ".lock");
  }

  acquire(opts?: WaitOptions): Promise<true> {
    if (tracer !== null) this.#nameLock();
    return this.#lock.acquire(opts);
  }

  release(): void {
    if (tracer !== null) this.#nameLock();
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
    if (tracer !== null) {
      this.#nameLock();
      tracer.emit(this, "Condition", "wait");
    }
    // The lock is held (checked by the caller): release it, then wait. Both
    // happen before anything else runs, so the order only shows in a trace,
    // where the release comes before a `timeoutMs <= 0` cancel, as on the board.
    this.#lock.release();
    const notified = enqueue(this.#waiters, { signal, timeoutMs }, notice);
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
    if (tracer !== null) this.#nameLock();
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
    if (tracer !== null) tracer.emit(this, "Condition", "notify");
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
