import { BrokenBarrierError, ValueError } from "./errors.js";
import { tracer } from "./trace.js";
import { type Handoff, Waiter, WaiterList, enqueue, precheck, taskOf, type WaitOptions } from "./waiters.js";

/**
 * Mirror of `asyncio.Barrier` (plus an optional `action`, as in
 * `threading.Barrier`). Cyclic: once `parties` live arrivals are in, the phase
 * completes and the barrier is ready for the next phase at once.
 *
 * - `wait()` resolves with the arrival index within the phase: 0 for the
 *   first live arrival, `parties - 1` for the one that completed the phase.
 * - `action` runs synchronously, once, when the last party arrives and before
 *   any waiter of that phase resumes. If it throws, that error rejects the last
 *   party's `wait()`, the other waiters of the phase reject with
 *   `BrokenBarrierError`, and the barrier is broken until `reset()`.
 * - An aborted/timed-out waiter before the phase completes is withdrawn: the
 *   phase still needs `parties` live arrivals, the barrier stays usable, and
 *   indices are given to live arrivals only (CPython may repeat an index after
 *   a cancelled waiter; this mirror never does).
 * - `reset()` rejects the current waiters with `BrokenBarrierError` and returns
 *   to the empty, unbroken state; `abort()` does the same but leaves the
 *   barrier broken (every later `wait()` rejects) until `reset()`.
 * - Waiters released by a completed phase, `reset()` or `abort()` resume a
 *   microtask later; if a waiter's signal aborts before that, it rejects with
 *   the abort reason instead (a task cancelled after it was woken).
 *
 * Unlike CPython's asyncio `reset()`/`abort()`, these are synchronous.
 *
 * Traced ops: `arrive` (every live arrival, the last included), `pass` (each
 * task leaving a completed phase: a waiter when it resumes, the last arrival
 * at once), `break` (each task whose `wait()` ends in `BrokenBarrierError`,
 * when it resumes, or at once on a broken barrier; and the task that breaks
 * it: its `abort()`, or its `action` threw), `reset`, `cancel` (a waiter gave
 * up, before or after it was released).
 */
export class Barrier {
  readonly #parties: number;
  readonly #action: (() => void) | undefined;
  readonly #handoff: Handoff<number> = {
    resume: (w: Waiter<number>, index: number) => {
      if (tracer !== null) tracer.emit(this, "Barrier", "pass", undefined, taskOf(w));
      return index;
    },
    failed: (task: string) => tracer?.emit(this, "Barrier", "break", undefined, task),
    cancelled: (task: string) => tracer?.emit(this, "Barrier", "cancel", undefined, task),
  };
  #arrivals = new WaiterList<number>(this.#handoff);
  #broken = false;

  /**
   * @throws ValueError if `parties < 1`, TypeError if not an integer or if
   * `action` is given and is not a function.
   */
  constructor(parties: number, action?: () => void) {
    if (typeof parties !== "number" || !Number.isInteger(parties)) {
      throw new TypeError(`parties must be an integer, got ${String(parties)}`);
    }
    if (parties < 1) throw new ValueError("parties must be > 0");
    if (action !== undefined && typeof action !== "function") throw new TypeError("action must be a function");
    this.#parties = parties;
    this.#action = action;
  }

  get parties(): number {
    return this.#parties;
  }

  /** Number of live arrivals waiting in the current phase. */
  get nWaiting(): number {
    return this.#arrivals.size;
  }

  get broken(): boolean {
    return this.#broken;
  }

  wait(opts?: WaitOptions): Promise<number> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this.#broken) {
      if (tracer !== null) tracer.emit(this, "Barrier", "break");
      return Promise.reject(new BrokenBarrierError());
    }
    if (tracer !== null) tracer.emit(this, "Barrier", "arrive");
    const arrivals = this.#arrivals;
    if (arrivals.size + 1 < this.#parties) return enqueue(arrivals, opts);

    // Last party: the phase completes. Take the phase's waiters out first so
    // that a reentrant call from `action` cannot touch them (the phase is
    // over), and start the next phase. They are woken after the action and
    // resume a microtask later; one whose signal aborted by then (even from
    // the action) rejects with the reason and its index is lost, as on the
    // board.
    const handoff = this.#handoff;
    this.#arrivals = new WaiterList<number>(handoff);
    const phase: Waiter<number>[] = [];
    let w: Waiter<number> | null;
    while ((w = arrivals.shift()) !== null) {
      w.detach();
      phase.push(w);
    }
    const action = this.#action;
    if (action !== undefined) {
      try {
        action();
      } catch (err) {
        this.#broken = true;
        if (tracer !== null) tracer.emit(this, "Barrier", "break");
        for (const p of phase) p.wakeWithError(new BrokenBarrierError("Barrier action failed", { cause: err }), handoff);
        this.#arrivals.wakeAllWithError(() => new BrokenBarrierError());
        return Promise.reject(err);
      }
    }
    for (let i = 0; i < phase.length; i++) phase[i]!.wake(i, handoff);
    if (tracer !== null) tracer.emit(this, "Barrier", "pass");
    return Promise.resolve(this.#parties - 1);
  }

  /** Reject current waiters with `BrokenBarrierError`; back to empty, unbroken. */
  reset(): void {
    if (tracer !== null) tracer.emit(this, "Barrier", "reset");
    this.#broken = false;
    this.#arrivals.wakeAllWithError(() => new BrokenBarrierError("Barrier reset"));
  }

  /** Reject current waiters with `BrokenBarrierError`; broken until `reset()`. */
  abort(): void {
    if (tracer !== null) tracer.emit(this, "Barrier", "break");
    this.#broken = true;
    this.#arrivals.wakeAllWithError(() => new BrokenBarrierError());
  }
}
