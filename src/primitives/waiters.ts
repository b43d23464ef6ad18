/**
 * Shared waiter machinery: an intrusive doubly linked FIFO of waiters, each
 * owning one pending promise, an optional timer, and a place in the (one,
 * shared) abort listener of its signal.
 *
 * Rules every primitive relies on (see docs in index.ts):
 * - A waiter is settled exactly once. Settling (resolve, reject, abort,
 *   timeout) unlinks it from its list and from its signal's watch (whose
 *   listener is removed when no waiter is left) and clears its timer at once,
 *   so nothing is retained and a reused AbortSignal does not accumulate
 *   listeners.
 * - A hand-off is `list.shift()` + `waiter.resolve(value)`: once resolved, a
 *   later abort cannot take it back (the listener is already gone).
 * - An abort or timeout before the hand-off just unlinks the waiter: the
 *   primitives derive their state from the lists, so FIFO order is kept and
 *   nothing is lost.
 */
import { TimeoutError } from "./errors.js";

/** Options accepted by every method that may wait. */
export interface WaitOptions {
  /** Abort the wait; the promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /**
   * Give up after this many milliseconds; the promise rejects with
   * `TimeoutError`. `<= 0` means "do not wait at all": succeed only if no
   * waiting is needed. `Infinity`/`undefined` mean no timeout. Non-numbers and
   * NaN reject with `TypeError`.
   */
  timeoutMs?: number | undefined;
}

/** `setTimeout` cannot arm longer than this; longer timeouts are re-armed. */
const MAX_TIMER_MS = 0x7fffffff;

/** Shared, already resolved promise: fast paths return it without allocating. */
export const RESOLVED_TRUE: Promise<true> = Promise.resolve(true);

const ONCE: AddEventListenerOptions = { once: true };

/**
 * The one abort listener a signal gets, however many waiters use it: Node's
 * `addEventListener` searches the listener list for duplicates and
 * `removeEventListener` searches it too, so one listener per waiter would make
 * n waiters sharing a signal cost O(n^2). The watch keeps its own O(1) list of
 * waiters and is removed from the signal (and from `watches`) as soon as none
 * is left.
 */
class SignalWatch {
  head: Waiter<any> | null = null;
  tail: Waiter<any> | null = null;
  size = 0;
  constructor(readonly signal: AbortSignal) {}

  add(w: Waiter<any>): void {
    w.watch = this;
    w.sprev = this.tail;
    w.snext = null;
    if (this.tail === null) this.head = w;
    else this.tail.snext = w;
    this.tail = w;
    if (this.size++ === 0) {
      watches.set(this.signal, this);
      this.signal.addEventListener("abort", this, ONCE);
    }
  }

  remove(w: Waiter<any>): void {
    const { sprev, snext } = w;
    if (sprev === null) this.head = snext;
    else sprev.snext = snext;
    if (snext === null) this.tail = sprev;
    else snext.sprev = sprev;
    w.sprev = w.snext = null;
    w.watch = null;
    if (--this.size === 0) {
      watches.delete(this.signal);
      // Once aborted, the dispatch drops our `once` listener by itself.
      if (!this.signal.aborted) this.signal.removeEventListener("abort", this);
    }
  }

  /** The signal aborted: reject every waiter watching it, oldest first. */
  handleEvent(): void {
    const reason = this.signal.reason;
    let w: Waiter<any> | null;
    while ((w = this.head) !== null) w.reject(reason);
  }
}

const watches = new WeakMap<AbortSignal, SignalWatch>();

export class Waiter<T> {
  prev: Waiter<T> | null = null;
  next: Waiter<T> | null = null;
  list: WaiterList<T> | null = null;
  /** Payload owned by the primitive (e.g. the item of a waiting putter). */
  data: unknown;
  settled = false;
  /** @internal links in the SignalWatch of this waiter's signal. */
  watch: SignalWatch | null = null;
  /** @internal */
  sprev: Waiter<any> | null = null;
  /** @internal */
  snext: Waiter<any> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timeoutMs = 0;
  private remainingMs = 0;
  /** @internal settle functions of the waiter's promise. */
  res!: (value: T) => void;
  /** @internal */
  rej!: (reason: unknown) => void;

  /** Timer callback (shared: no closure per waiter). */
  static onTimer<U>(this: void, w: Waiter<U>): void {
    w.timer = null;
    if (w.remainingMs > 0) {
      w.armTimer(w.remainingMs);
      return;
    }
    w.reject(new TimeoutError(w.timeoutMs));
  }

  /** @internal */
  observe(signal: AbortSignal | undefined, timeoutMs: number | undefined): void {
    if (signal !== undefined) (watches.get(signal) ?? new SignalWatch(signal)).add(this);
    if (timeoutMs !== undefined && timeoutMs !== Infinity) {
      this.timeoutMs = timeoutMs;
      this.armTimer(timeoutMs);
    }
  }

  private armTimer(ms: number): void {
    const now = ms > MAX_TIMER_MS ? MAX_TIMER_MS : ms;
    this.remainingMs = ms - now;
    this.timer = setTimeout(Waiter.onTimer<T>, now, this);
  }

  /** Unlink from the list, stop watching the signal, clear the timer. Idempotent. */
  detach(): void {
    const list = this.list;
    if (list !== null) list.remove(this);
    const watch = this.watch;
    if (watch !== null) watch.remove(this);
    const timer = this.timer;
    if (timer !== null) {
      this.timer = null;
      clearTimeout(timer);
    }
  }

  resolve(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.res(value);
  }

  reject(reason: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.rej(reason);
  }
}

/** Intrusive FIFO of waiters: O(1) push, shift and removal of any node. */
export class WaiterList<T> {
  head: Waiter<T> | null = null;
  tail: Waiter<T> | null = null;
  size = 0;

  push(w: Waiter<T>): void {
    w.list = this;
    w.next = null;
    w.prev = this.tail;
    if (this.tail === null) this.head = w;
    else this.tail.next = w;
    this.tail = w;
    this.size++;
  }

  /** Unlink and return the longest waiter, or null. */
  shift(): Waiter<T> | null {
    const w = this.head;
    if (w !== null) this.remove(w);
    return w;
  }

  remove(w: Waiter<T>): void {
    if (w.list !== this) return;
    const { prev, next } = w;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    w.prev = w.next = null;
    w.list = null;
    this.size--;
  }

  /** Resolve every waiter currently listed, longest first. */
  resolveAll(value: T): void {
    let w: Waiter<T> | null;
    while ((w = this.shift()) !== null) w.resolve(value);
  }

  /** Reject every waiter currently listed, longest first. */
  rejectAll(reason: () => unknown): void {
    let w: Waiter<T> | null;
    while ((w = this.shift()) !== null) w.reject(reason());
  }
}

/**
 * Validate `opts` before anything is taken. Returns a rejected promise if the
 * signal is already aborted (like a cancelled task: nothing is taken even if
 * free) or `timeoutMs` is not a number; otherwise undefined.
 */
export function precheck(opts: WaitOptions | undefined): Promise<never> | undefined {
  if (opts === undefined) return undefined;
  const { signal, timeoutMs } = opts;
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs))) {
    return Promise.reject(new TypeError(`timeoutMs must be a number, got ${String(timeoutMs)}`));
  }
  return undefined;
}

/**
 * Append a new waiter to `list` and return its promise. Call `precheck(opts)`
 * first. A `timeoutMs <= 0` rejects at once with `TimeoutError` without
 * enqueuing (nothing taken).
 */
export function enqueue<T>(list: WaiterList<T>, opts: WaitOptions | undefined, data?: unknown): Promise<T> {
  let timeoutMs: number | undefined;
  let signal: AbortSignal | undefined;
  if (opts !== undefined) {
    timeoutMs = opts.timeoutMs;
    signal = opts.signal;
    if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.reject(new TimeoutError(timeoutMs));
  }
  const w = new Waiter<T>();
  const p = new Promise<T>((res, rej) => {
    w.res = res;
    w.rej = rej;
  });
  w.data = data;
  list.push(w);
  if (opts !== undefined) w.observe(signal, timeoutMs);
  return p;
}
