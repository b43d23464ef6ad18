import { RESOLVED_TRUE, WaiterList, enqueue, precheck, type WaitOptions } from "./waiters.js";

/**
 * Mirror of `asyncio.Event`. `set()` wakes every current waiter at once; a
 * `clear()` right after does not un-wake them. A woken waiter resumes a
 * microtask later; if its signal aborts before that, it rejects with the
 * reason (like a task cancelled after `set()` scheduled it).
 */
export class Event {
  #value = false;
  readonly #waiters = new WaiterList<true>();

  isSet(): boolean {
    return this.#value;
  }

  set(): void {
    if (this.#value) return;
    this.#value = true;
    this.#waiters.wakeAll(true);
  }

  clear(): void {
    this.#value = false;
  }

  /** Resolve with `true` once the event is set (at once if it is set now). */
  wait(opts?: WaitOptions): Promise<true> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this.#value) return RESOLVED_TRUE;
    return enqueue(this.#waiters, opts);
  }

  /** Number of tasks waiting (for demos and tests). */
  get waiting(): number {
    return this.#waiters.size;
  }
}
