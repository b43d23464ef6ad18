import { QueueEmpty, QueueFull, ValueError } from "./errors.js";
import { tracer } from "./trace.js";
import { RESOLVED_TRUE, type Waiter, WaiterList, enqueue, precheck, taskOf, type WaitOptions } from "./waiters.js";

/** Growable ring buffer (a deque): O(1) push, shift, pop and unshift. */
class Ring<T> {
  #buf: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  #grow(): void {
    const buf = this.#buf;
    const grown = new Array<T | undefined>(buf.length * 2);
    for (let i = 0; i < this.#size; i++) grown[i] = buf[(this.#head + i) & (buf.length - 1)];
    this.#buf = grown;
    this.#head = 0;
  }

  push(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    const buf = this.#buf;
    buf[(this.#head + this.#size) & (buf.length - 1)] = item;
    this.#size++;
  }

  unshift(item: T): void {
    if (this.#size === this.#buf.length) this.#grow();
    const buf = this.#buf;
    this.#head = (this.#head - 1) & (buf.length - 1);
    buf[this.#head] = item;
    this.#size++;
  }

  /** Caller checks `size > 0`. */
  shift(): T {
    const buf = this.#buf;
    const item = buf[this.#head] as T;
    buf[this.#head] = undefined; // do not retain
    this.#head = (this.#head + 1) & (buf.length - 1);
    this.#size--;
    return item;
  }

  /** Caller checks `size > 0`. */
  pop(): T {
    const buf = this.#buf;
    const i = (this.#head + this.#size - 1) & (buf.length - 1);
    const item = buf[i] as T;
    buf[i] = undefined;
    this.#size--;
    return item;
  }
}

/**
 * Mirror of `asyncio.Queue` (FIFO) as firmware/sync implements it, with
 * strict FIFO hand-off for getters and putters alike:
 * - an item put while getters wait is reserved for the longest getter, which
 *   takes it (the oldest reserved item) when it resumes;
 * - a get that makes room while putters wait reserves the free slot for the
 *   longest putter, which adds its item when it resumes (and then admits the
 *   next putter if there is room);
 * so the queue never holds more than `maxsize` items and neither getters nor
 * putters are ever overtaken by newcomers.
 *
 * A woken getter or putter resumes a microtask after the call that woke it.
 * Until then its reservation stands: a reserved item counts in `qsize()` but
 * cannot be got (`empty()` tells whether `getNowait()` would fail), and a
 * reserved slot makes `full()` true (tells whether `putNowait()` would fail).
 *
 * An aborted `get()` loses no item and an aborted `put()` adds none: a waiter
 * aborted before it was woken just leaves; one aborted after it was woken but
 * before it resumed passes its reservation on to the next waiter (or frees
 * it) and rejects with the reason.
 *
 * Invariants: getters waiting implies every item is reserved (`empty()`);
 * putters waiting implies `full()`.
 *
 * Traced ops, each with `size` = `qsize()` after it: `put`, `get` (also by
 * `putNowait`/`getNowait`; a woken putter or getter records its op when it
 * resumes), `put-wait` / `get-wait` (about to block: full / empty), `cancel`
 * (a putter or getter gave up). `join()`/`taskDone()` are not traced.
 */
export class Queue<T> {
  readonly #maxsize: number;
  /** Items reserved for woken getters that have not resumed yet, oldest first. */
  readonly #reserved = new Ring<T>();
  /** The other items, after the reserved ones. */
  readonly #items = new Ring<T>();
  /** Free slots reserved for woken putters that have not resumed yet. */
  #rp = 0;
  readonly #getters = new WaiterList<T>({
    resume: (w: Waiter<T>) => {
      const item = this.#reserved.shift();
      if (tracer !== null) tracer.emit(this, "Queue", "get", this.qsize(), taskOf(w));
      this.#wakePutter();
      return item;
    },
    revoke: () => {
      this.#items.unshift(this.#reserved.pop());
      this.#wakeGetter();
    },
    cancelled: (task: string) => tracer?.emit(this, "Queue", "cancel", this.qsize(), task),
  });
  readonly #putters = new WaiterList<true>({
    resume: (w: Waiter<true>, v: true) => {
      this.#rp--;
      this.#add(w.data as T);
      if (tracer !== null) tracer.emit(this, "Queue", "put", this.qsize(), taskOf(w));
      this.#wakePutter();
      return v;
    },
    revoke: () => {
      this.#rp--;
      this.#wakePutter();
    },
    cancelled: (task: string) => tracer?.emit(this, "Queue", "cancel", this.qsize(), task),
  });
  readonly #joiners = new WaiterList<true>();
  #unfinished = 0;

  /** `maxsize <= 0` (the default) means unbounded. */
  constructor(maxsize = 0) {
    if (typeof maxsize !== "number" || !(Number.isInteger(maxsize) || maxsize === Infinity)) {
      throw new TypeError(`maxsize must be an integer, got ${String(maxsize)}`);
    }
    this.#maxsize = maxsize;
  }

  get maxsize(): number {
    return this.#maxsize;
  }

  /** Number of items in the queue, including those reserved for woken getters. */
  qsize(): number {
    return this.#reserved.size + this.#items.size;
  }

  /** True if `getNowait()` would throw: no item, or all reserved for woken getters. */
  empty(): boolean {
    return this.#items.size === 0;
  }

  /** True if `putNowait()` would throw: `maxsize` reached, or slots reserved for woken putters. */
  full(): boolean {
    return this.#rp > 0 || (this.#maxsize > 0 && this.#reserved.size + this.#items.size >= this.#maxsize);
  }

  /** Number of items put and not yet marked done with `taskDone()`. */
  get unfinishedTasks(): number {
    return this.#unfinished;
  }

  /** Number of waiting getters / putters (for demos and tests); woken ones no longer count. */
  get waitingGetters(): number {
    return this.#getters.size;
  }
  get waitingPutters(): number {
    return this.#putters.size;
  }

  put(item: T, opts?: WaitOptions): Promise<true> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (!this.full()) {
      this.#add(item);
      if (tracer !== null) tracer.emit(this, "Queue", "put", this.qsize());
      return RESOLVED_TRUE;
    }
    if (tracer !== null) tracer.emit(this, "Queue", "put-wait", this.qsize());
    return enqueue(this.#putters, opts, item);
  }

  /** @throws QueueFull if the queue is full. */
  putNowait(item: T): void {
    if (this.full()) throw new QueueFull();
    this.#add(item);
    if (tracer !== null) tracer.emit(this, "Queue", "put", this.qsize());
  }

  get(opts?: WaitOptions): Promise<T> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this.#items.size > 0) {
      const item = this.#take();
      if (tracer !== null) tracer.emit(this, "Queue", "get", this.qsize());
      return Promise.resolve(item);
    }
    if (tracer !== null) tracer.emit(this, "Queue", "get-wait", this.qsize());
    return enqueue(this.#getters, opts);
  }

  /** @throws QueueEmpty if the queue is empty. */
  getNowait(): T {
    if (this.#items.size === 0) throw new QueueEmpty();
    const item = this.#take();
    if (tracer !== null) tracer.emit(this, "Queue", "get", this.qsize());
    return item;
  }

  /** @throws ValueError if called more times than items were put. */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new ValueError("task_done() called too many times");
    if (--this.#unfinished === 0) this.#joiners.wakeAll(true);
  }

  /** Resolve once every item put so far has been marked done. */
  join(opts?: WaitOptions): Promise<true> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this.#unfinished === 0) return RESOLVED_TRUE;
    return enqueue(this.#joiners, opts);
  }

  /** Append `item` (room checked by the caller); reserve it for a waiting getter if any. */
  #add(item: T): void {
    this.#items.push(item);
    this.#unfinished++;
    this.#wakeGetter();
  }

  /** Remove the oldest unreserved item (caller checks there is one); admit a waiting putter. */
  #take(): T {
    const item = this.#items.shift();
    this.#wakePutter();
    return item;
  }

  /** Reserve the oldest unreserved item, if any, for the longest waiting getter. */
  #wakeGetter(): void {
    if (this.#items.size > 0 && this.#getters.wakeNext(undefined as T)) this.#reserved.push(this.#items.shift());
  }

  /** Reserve a free slot, if any, for the longest waiting putter. */
  #wakePutter(): void {
    const m = this.#maxsize;
    if (m > 0 && this.#reserved.size + this.#items.size + this.#rp >= m) return;
    if (this.#putters.wakeNext(true)) this.#rp++;
  }
}
