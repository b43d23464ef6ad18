import { RuntimeError } from "./errors.js";
import { RESOLVED_TRUE, WaiterList, enqueue, precheck, type WaitOptions } from "./waiters.js";

/**
 * Mirror of `asyncio.Lock`, with strict FIFO hand-off: `release()` with
 * waiters present passes the lock straight to the longest waiter (the lock
 * stays locked), so a newcomer never overtakes.
 *
 * Invariant: `!locked()` implies no waiters.
 */
export class Lock {
  #locked = false;
  readonly #waiters = new WaiterList<true>();

  /**
   * Resolve with `true` once the lock is held. When the lock is free (and the
   * options do not forbid it) this returns a cached, already resolved promise.
   */
  acquire(opts?: WaitOptions): Promise<true> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (!this.#locked) {
      this.#locked = true;
      return RESOLVED_TRUE;
    }
    return enqueue(this.#waiters, opts);
  }

  /** Release the lock, handing it to the longest waiter if any. */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired.");
    const w = this.#waiters.shift();
    if (w !== null) w.resolve(true);
    else this.#locked = false;
  }

  locked(): boolean {
    return this.#locked;
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
