/**
 * Shared waiter machinery: an intrusive doubly linked FIFO of waiters, each
 * owning one pending promise, an optional timer, and a place in the (one,
 * shared) abort listener of its signal.
 *
 * Rules every primitive relies on (see docs in index.ts):
 * - A waiter leaves its list exactly once: woken (hand-off) or rejected
 *   (abort, timeout, or by the primitive). Either way it is unlinked from its
 *   list and from its signal's watch (whose listener is removed when no waiter
 *   is left) and its timer is cleared at once, so nothing is retained and a
 *   reused AbortSignal does not accumulate listeners.
 * - A hand-off is `list.wakeNext(value)` (or `waiter.wake(value)`). Like a
 *   task on the board, the woken waiter does not run at once: it *resumes* in
 *   a later microtask, in wake order (see `scheduleResume`). Its promise
 *   settles then, not before. Until then the primitive treats what it handed
 *   over as in transit (e.g. a Lock is neither free nor `locked()`, a Queue
 *   item is reserved), and newcomers still queue behind (FIFO).
 * - On resumption: if the waiter's signal aborted in between (the only thing
 *   that can happen in that window: timers are macrotasks and were cleared at
 *   wake), the list's `Handoff.revoke()` passes what it was handed on and the
 *   promise rejects with `signal.reason`, like a task cancelled after it was
 *   woken. Otherwise `Handoff.resume()` completes the hand-off and the promise
 *   resolves. Once resolved, a later abort cannot take anything back.
 * - An abort or timeout before the hand-off just unlinks the waiter: the
 *   primitives derive their state from the lists, so FIFO order is kept and
 *   nothing is lost.
 * - Tracing (trace.ts): while a trace runs, a waiter remembers the task that
 *   enqueued it (`task`), since it resumes in whatever context woke it, and
 *   the list's `Handoff` hears of the ends it cannot see (`cancelled`,
 *   `failed`). Off, this costs one `tracer !== null` test on those paths and
 *   nothing else.
 */
import { TimeoutError } from "./errors.js";
import { tracer } from "./trace.js";

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
    while ((w = this.head) !== null) w.giveUp(reason);
  }
}

const watches = new WeakMap<AbortSignal, SignalWatch>();

/**
 * What a primitive does when one of its woken waiters resumes (given to its
 * `WaiterList`). `resume` and `revoke` run inside the resumption microtask;
 * no hook may throw.
 */
export interface Handoff<T> {
  /**
   * The waiter resumes normally: complete the hand-off (e.g. the Lock is now
   * held). Returns the value its promise resolves with; `value` is what
   * `wake()` was given. (To trace it, attribute it to `taskOf(w)`.)
   */
  resume?(w: Waiter<T>, value: T): T;
  /** Its signal aborted after it was woken: pass on what it was handed. */
  revoke?(w: Waiter<T>): void;
  /**
   * Tracing only (called only while a trace runs): the waiter of `task` gave
   * up: aborted or timed out while waiting, aborted after it was woken (just
   * before `revoke`), or `timeoutMs <= 0` where it would have waited.
   */
  cancelled?(task: string): void;
  /**
   * Tracing only (called only while a trace runs): a waiter of `task` woken
   * with `wakeWithError()` resumes, about to reject with that error.
   */
  failed?(task: string): void;
}

/** The task a waiter is attributed to in a trace: the one that enqueued it ("main" if untraced then). */
export function taskOf(w: Waiter<any>): string {
  return w.task ?? "main";
}

/**
 * Woken waiters not resumed yet, in wake order, linked through `next` (free
 * once a waiter has left its list): the host's run queue. Each resumes in a
 * microtask of its own, the next one queued behind what the resumption
 * settled: a waiter's promise resolves, its awaiting function continues (up
 * to its next await) before the next woken waiter resumes, as woken tasks run
 * one after the other on the board. A trace then shows each woken task's
 * `wake` followed by what it did, in the board's order. Waiters woken while
 * others are pending (passed on by a revoked one) queue at the end.
 */
let wokenHead: Waiter<any> | null = null;
let wokenTail: Waiter<any> | null = null;
/** A `resumeWoken` microtask is queued, or running (then it queues the next itself). */
let resumeQueued = false;

function scheduleResume(w: Waiter<any>): void {
  if (wokenTail === null) wokenHead = w;
  else wokenTail.next = w;
  wokenTail = w;
  if (!resumeQueued) {
    resumeQueued = true;
    queueMicrotask(resumeWoken);
  }
}

function resumeWoken(): void {
  const w = wokenHead!;
  wokenHead = w.next;
  if (wokenHead === null) wokenTail = null;
  w.next = null;
  try {
    w.resume();
  } finally {
    // Queued after the reaction the resumption just queued, even for a
    // waiter it woke itself (a revoked hand-off passed on). A Handoff hook
    // must not throw; if one does, the others still resume.
    resumeQueued = wokenHead !== null;
    if (resumeQueued) queueMicrotask(resumeWoken);
  }
}

/** Waiter states. */
const WAITING = 0;
const WOKEN = 1;
const SETTLED = 2;
/** Woken by `wakeWithError()`, not resumed yet (its `value` is the error). */
const FAILING = 3;

export class Waiter<T> {
  prev: Waiter<T> | null = null;
  next: Waiter<T> | null = null;
  list: WaiterList<T> | null = null;
  /** Payload owned by the primitive (e.g. the item of a waiting putter). */
  data: unknown;
  /** @internal WAITING, WOKEN or FAILING (handed off, not resumed yet), or SETTLED. */
  state = WAITING;
  /** @internal the task that enqueued it, set only while tracing (see `taskOf`). */
  task: string | null = null;
  /** @internal links in the SignalWatch of this waiter's signal. */
  watch: SignalWatch | null = null;
  /** @internal */
  sprev: Waiter<any> | null = null;
  /** @internal */
  snext: Waiter<any> | null = null;
  /** @internal the signal, kept until resumption to see a late abort. */
  signal: AbortSignal | undefined = undefined;
  /** @internal while woken: what `wake()` was given. */
  value: unknown = undefined;
  /** @internal while woken. */
  handoff: Handoff<T> | null = null;
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
    w.giveUp(new TimeoutError(w.timeoutMs));
  }

  /** @internal */
  observe(signal: AbortSignal | undefined, timeoutMs: number | undefined): void {
    if (signal !== undefined) {
      this.signal = signal;
      (watches.get(signal) ?? new SignalWatch(signal)).add(this);
    }
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

  /**
   * Hand-off: leave the list now (timer and abort listener go too) and resume
   * in a microtask, where the promise resolves with `handoff.resume(w, value)`
   * (or `value`), or, if the signal aborted meanwhile, `handoff.revoke(w)`
   * runs and the promise rejects with the abort reason. `handoff` defaults to
   * the one of the list the waiter is (still) in.
   */
  wake(value: T, handoff: Handoff<T> | null = this.list?.handoff ?? null): void {
    if (this.state !== WAITING) return;
    this.state = WOKEN;
    this.detach();
    this.value = value;
    this.handoff = handoff;
    scheduleResume(this);
  }

  /** @internal the resumption of a woken waiter. */
  resume(): void {
    const failing = this.state === FAILING;
    this.state = SETTLED;
    const handoff = this.handoff;
    const value = this.value as T;
    this.handoff = null;
    this.value = undefined;
    const signal = this.signal;
    if (signal !== undefined) {
      this.signal = undefined;
      if (signal.aborted) {
        if (handoff !== null) {
          if (tracer !== null && handoff.cancelled !== undefined) handoff.cancelled(taskOf(this));
          // Woken with an error, it was handed nothing to pass on.
          if (!failing && handoff.revoke !== undefined) handoff.revoke(this);
        }
        this.data = undefined;
        this.rej(signal.reason);
        return;
      }
    }
    if (failing) {
      if (tracer !== null && handoff !== null && handoff.failed !== undefined) handoff.failed(taskOf(this));
      this.data = undefined;
      this.rej(value);
      return;
    }
    // `resume` may use `data` (a putter's item): clear it after.
    const v = handoff?.resume !== undefined ? handoff.resume(this, value) : value;
    this.data = undefined;
    this.res(v);
  }

  /**
   * Like `wake()`, but the waiter's promise rejects with `error` when it
   * resumes (or with the abort reason if its signal aborted meanwhile).
   * `handoff` (for its tracing hooks only: nothing is handed over, so neither
   * `resume` nor `revoke` runs) defaults to the one of the waiter's list.
   */
  wakeWithError(error: unknown, handoff: Handoff<T> | null = this.list?.handoff ?? null): void {
    if (this.state !== WAITING) return;
    this.state = FAILING;
    this.detach();
    this.value = error;
    this.handoff = handoff;
    scheduleResume(this);
  }

  /**
   * @internal The waiter gives up (its signal aborted or its timeout
   * elapsed) while still waiting: settle at once with `reason`; traced as
   * its list's `cancelled`.
   */
  giveUp(reason: unknown): void {
    if (this.state !== WAITING) return;
    const handoff = tracer !== null ? (this.list?.handoff ?? null) : null;
    this.reject(reason);
    if (handoff !== null && handoff.cancelled !== undefined && tracer !== null) handoff.cancelled(taskOf(this));
  }

  /** Settle at once with `reason` (by the primitive; untraced) if still waiting. */
  reject(reason: unknown): void {
    if (this.state !== WAITING) return;
    this.state = SETTLED;
    this.detach();
    this.signal = undefined;
    this.data = undefined;
    this.rej(reason);
  }
}

/** Intrusive FIFO of waiters: O(1) push, shift and removal of any node. */
export class WaiterList<T> {
  head: Waiter<T> | null = null;
  tail: Waiter<T> | null = null;
  size = 0;

  /** `handoff`: what the primitive does when a waiter woken from this list resumes. */
  constructor(readonly handoff: Handoff<T> | null = null) {}

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

  /** Wake the longest waiter (see `Waiter.wake`); false if there is none. */
  wakeNext(value: T): boolean {
    const w = this.head;
    if (w === null) return false;
    w.wake(value, this.handoff);
    return true;
  }

  /** Wake every waiter currently listed, longest first. */
  wakeAll(value: T): void {
    let w: Waiter<T> | null;
    while ((w = this.head) !== null) w.wake(value, this.handoff);
  }

  /** Wake every waiter currently listed, longest first, to reject with `error()`. */
  wakeAllWithError(error: () => unknown): void {
    let w: Waiter<T> | null;
    while ((w = this.head) !== null) w.wakeWithError(error());
  }

  /** Reject every waiter currently listed at once, longest first (untraced). */
  rejectAll(reason: () => unknown): void {
    let w: Waiter<T> | null;
    while ((w = this.head) !== null) w.reject(reason());
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
 * enqueuing (nothing taken); traced as the list's `cancelled`, like a task
 * cancelled as soon as it blocked.
 */
export function enqueue<T>(list: WaiterList<T>, opts: WaitOptions | undefined, data?: unknown): Promise<T> {
  let timeoutMs: number | undefined;
  let signal: AbortSignal | undefined;
  if (opts !== undefined) {
    timeoutMs = opts.timeoutMs;
    signal = opts.signal;
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      if (tracer !== null) list.handoff?.cancelled?.(tracer.task());
      return Promise.reject(new TimeoutError(timeoutMs));
    }
  }
  const w = new Waiter<T>();
  if (tracer !== null) w.task = tracer.task();
  const p = new Promise<T>((res, rej) => {
    w.res = res;
    w.rej = rej;
  });
  w.data = data;
  list.push(w);
  if (opts !== undefined) w.observe(signal, timeoutMs);
  return p;
}
