import { ValueError } from "./errors.js";
import { tracer } from "./trace.js";
import { RESOLVED_TRUE, type Waiter, WaiterList, enqueue, precheck, taskOf, type WaitOptions } from "./waiters.js";

function checkValue(value: number, what: string): void {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${what} initial value must be an integer, got ${String(value)}`);
  }
  if (value < 0) throw new ValueError(`${what} initial value must be >= 0`);
}

/**
 * Mirror of `asyncio.Semaphore`, strictly FIFO: while tasks wait, a newcomer
 * never takes a permit ahead of them, and `release()` hands the permit
 * straight to the longest waiter (the counter stays 0).
 *
 * If a woken waiter's signal aborts before it resumes (a microtask after the
 * `release()`), it passes the permit on, as `release()` would, and rejects
 * with the reason.
 *
 * Invariant: waiters present implies `value === 0`.
 *
 * Traced ops (type "Semaphore" or "BoundedSemaphore"), as Lock's: `wait`,
 * `acquire` (a woken waiter records it when it resumes), `release`, `cancel`
 * (a woken waiter that gives up passes its permit on: no `release`).
 */
export class Semaphore {
  protected _value: number;
  /** Permits handed to woken waiters that have not resumed yet. */
  protected _handing = 0;
  // The pass-on is the plain (unbounded) release, untraced: the permit was
  // already counted out, so no bound applies and it must not throw.
  readonly #waiters = new WaiterList<true>({
    resume: (w: Waiter<true>) => {
      this._handing--;
      if (tracer !== null) tracer.emit(this, semType(this), "acquire", undefined, taskOf(w));
      return true;
    },
    revoke: () => {
      this._handing--;
      this.#pass();
    },
    cancelled: (task: string) => tracer?.emit(this, semType(this), "cancel", undefined, task),
  });

  /** @throws ValueError if `value < 0`, TypeError if not an integer. */
  constructor(value = 1) {
    checkValue(value, new.target.name);
    this._value = value;
  }

  /** Current number of free permits. */
  get value(): number {
    return this._value;
  }

  /** Number of tasks waiting (for demos and tests). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** True if `acquire()` would wait. */
  locked(): boolean {
    return this._value === 0;
  }

  acquire(opts?: WaitOptions): Promise<true> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this._value > 0) {
      this._value--;
      if (tracer !== null) tracer.emit(this, semType(this), "acquire");
      return RESOLVED_TRUE;
    }
    if (tracer !== null) tracer.emit(this, semType(this), "wait");
    return enqueue(this.#waiters, opts);
  }

  release(): void {
    if (tracer !== null) tracer.emit(this, semType(this), "release");
    this.#pass();
  }

  /** Hand a permit to the longest waiter, or add it to the free ones. */
  #pass(): void {
    if (this.#waiters.wakeNext(true)) this._handing++;
    else this._value++;
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

/**
 * Mirror of `asyncio.BoundedSemaphore`: `release()` beyond the initial value
 * throws `ValueError`.
 */
export class BoundedSemaphore extends Semaphore {
  readonly #bound: number;

  constructor(value = 1) {
    super(value);
    this.#bound = value;
  }

  override release(): void {
    // A permit on its way to a woken waiter is still held: count it.
    if (this._value + this._handing >= this.#bound) throw new ValueError("BoundedSemaphore released too many times");
    super.release();
  }
}

/** The type a semaphore is traced as. */
function semType(s: Semaphore): string {
  return s instanceof BoundedSemaphore ? "BoundedSemaphore" : "Semaphore";
}
