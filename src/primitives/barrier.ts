import { BrokenBarrierError, ValueError } from "./errors.js";
import { Waiter, WaiterList, enqueue, precheck, type WaitOptions } from "./waiters.js";

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
 */
export class Barrier {
  readonly #parties: number;
  readonly #action: (() => void) | undefined;
  #arrivals = new WaiterList<number>();
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
    if (this.#broken) return Promise.reject(new BrokenBarrierError());
    const arrivals = this.#arrivals;
    if (arrivals.size + 1 < this.#parties) return enqueue(arrivals, opts);

    // Last party: the phase completes. Take the phase's waiters out first so
    // that a reentrant call from `action` cannot touch them (the phase is
    // over), and start the next phase. They are woken after the action and
    // resume a microtask later; one whose signal aborted by then (even from
    // the action) rejects with the reason and its index is lost, as on the
    // board.
    this.#arrivals = new WaiterList<number>();
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
        for (const p of phase) p.wakeWithError(new BrokenBarrierError("Barrier action failed", { cause: err }));
        this.#arrivals.wakeAllWithError(() => new BrokenBarrierError());
        return Promise.reject(err);
      }
    }
    for (let i = 0; i < phase.length; i++) phase[i]!.wake(i, null);
    return Promise.resolve(this.#parties - 1);
  }

  /** Reject current waiters with `BrokenBarrierError`; back to empty, unbroken. */
  reset(): void {
    this.#broken = false;
    this.#arrivals.wakeAllWithError(() => new BrokenBarrierError("Barrier reset"));
  }

  /** Reject current waiters with `BrokenBarrierError`; broken until `reset()`. */
  abort(): void {
    this.#broken = true;
    this.#arrivals.wakeAllWithError(() => new BrokenBarrierError());
  }
}
