import { RuntimeError } from "./errors.js";
import { tracer } from "./trace.js";
import { RESOLVED_TRUE, type Waiter, WaiterList, enqueue, precheck, taskOf, type WaitOptions } from "./waiters.js";

const FREE = 0;
const HELD = 1;
/** `release()` woke the longest waiter, which has not resumed yet. */
const HANDING = 2;

/**
 * Mirror of `asyncio.Lock`, with strict FIFO hand-off: `release()` with
 * waiters present passes the lock straight to the longest waiter, so a
 * newcomer never overtakes.
 *
 * Between that `release()` and the moment the woken waiter resumes (a
 * microtask later), the lock is in transit, as on the board (and in CPython):
 * `locked()` is false, `release()` throws `RuntimeError`, and `acquire()`
 * queues (FIFO). If the waiter's signal aborts in that window, it passes the
 * lock on to the next waiter (or frees it) and rejects with the reason.
 *
 * Invariant: `FREE` implies no waiters.
 *
 * Traced ops: `wait` (about to block), `acquire` (a woken waiter records it
 * when it resumes), `release`, `cancel` (a waiter gave up; if it had been
 * handed the lock, the next waiter's `acquire` follows, with no `release`).
 */
export class Lock {
  #state = FREE;
  readonly #waiters = new WaiterList<true>({
    resume: (w: Waiter<true>, v: true) => {
      this.#state = HELD;
      if (tracer !== null) tracer.emit(this, "Lock", "acquire", undefined, taskOf(w));
      return v;
    },
    // Not a release (it was never held): pass the lock on.
    revoke: () => {
      this.#state = this.#waiters.wakeNext(true) ? HANDING : FREE;
    },
    cancelled: (task: string) => tracer?.emit(this, "Lock", "cancel", undefined, task),
  });

  /**
   * Resolve with `true` once the lock is held. When the lock is free (and the
   * options do not forbid it) this returns a cached, already resolved promise.
   */
  acquire(opts?: WaitOptions): Promise<true> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this.#state === FREE) {
      this.#state = HELD;
      if (tracer !== null) tracer.emit(this, "Lock", "acquire");
      return RESOLVED_TRUE;
    }
    if (tracer !== null) tracer.emit(this, "Lock", "wait");
    return enqueue(this.#waiters, opts);
  }

  /**
   * Release the lock, handing it to the longest waiter if any.
   * @throws RuntimeError if the lock is not held (free, or in transit to a
   * woken waiter that has not resumed yet).
   */
  release(): void {
    if (this.#state !== HELD) throw new RuntimeError("Lock is not acquired.");
    if (tracer !== null) tracer.emit(this, "Lock", "release");
    this.#state = this.#waiters.wakeNext(true) ? HANDING : FREE;
  }

  /** True if some task holds the lock (not while it is in transit to a woken waiter). */
  locked(): boolean {
    return this.#state === HELD;
  }

  /** Number of tasks waiting to acquire (for demos and tests). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Acquire, run `fn`, release (even if `fn` throws). */
  async runExclusive<R>(fn: () => R | PromiseLike<R>, opts?: WaitOptions): Promise<Awaited<R>> {
    await this.acquire(opts);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}
