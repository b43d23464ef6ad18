import { tracer } from "./trace.js";
import { RESOLVED_TRUE, type Waiter, WaiterList, enqueue, precheck, taskOf, type WaitOptions } from "./waiters.js";

/**
 * Mirror of `asyncio.Event`. `set()` wakes every current waiter at once; a
 * `clear()` right after does not un-wake them. A woken waiter resumes a
 * microtask later; if its signal aborts before that, it rejects with the
 * reason (like a task cancelled after `set()` scheduled it).
 *
 * Traced ops: `set` and `clear` (every call), `wait` (about to block: not
 * set), `wake` (a blocked wait ended: recorded when the waiter resumes),
 * `cancel` (a blocked waiter gave up, even after `set()` woke it).
 */
export class Event {
  #value = false;
  readonly #waiters = new WaiterList<true>({
    resume: (w: Waiter<true>, v: true) => {
      if (tracer !== null) tracer.emit(this, "Event", "wake", undefined, taskOf(w));
      return v;
    },
    cancelled: (task: string) => tracer?.emit(this, "Event", "cancel", undefined, task),
  });

  isSet(): boolean {
    return this.#value;
  }

  set(): void {
    if (tracer !== null) tracer.emit(this, "Event", "set");
    if (this.#value) return;
    this.#value = true;
    this.#waiters.wakeAll(true);
  }

  clear(): void {
    if (tracer !== null) tracer.emit(this, "Event", "clear");
    this.#value = false;
  }

  /** Resolve with `true` once the event is set (at once if it is set now). */
  wait(opts?: WaitOptions): Promise<true> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this.#value) return RESOLVED_TRUE;
    if (tracer !== null) tracer.emit(this, "Event", "wait");
    return enqueue(this.#waiters, opts);
  }

  /** Number of tasks waiting (for demos and tests). */
  get waiting(): number {
    return this.#waiters.size;
  }
}
