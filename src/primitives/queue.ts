import { QueueEmpty, QueueFull, ValueError } from "./errors.js";
import { RESOLVED_TRUE, WaiterList, enqueue, precheck, type WaitOptions } from "./waiters.js";

/** Growable ring buffer: O(1) push and shift. */
class Ring<T> {
  #buf: (T | undefined)[] = new Array<T | undefined>(16);
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    let buf = this.#buf;
    if (this.#size === buf.length) {
      const grown = new Array<T | undefined>(buf.length * 2);
      for (let i = 0; i < this.#size; i++) grown[i] = buf[(this.#head + i) & (buf.length - 1)];
      this.#buf = buf = grown;
      this.#head = 0;
    }
    buf[(this.#head + this.#size) & (buf.length - 1)] = item;
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
}

/**
 * Mirror of `asyncio.Queue` (FIFO), with strict FIFO hand-off:
 * - a `put` while getters wait hands the item straight to the longest getter;
 * - a `get` from a full queue with waiting putters moves the longest putter's
 *   item in and completes that put;
 * so the queue never holds more than `maxsize` items and neither getters nor
 * putters are ever overtaken by newcomers.
 *
 * An aborted `get()` loses no item (it never received one); an aborted
 * `put()` adds none. A getter that was already handed an item keeps it.
 *
 * Invariants: getters waiting implies the queue is empty; putters waiting
 * implies the queue is full.
 */
export class Queue<T> {
  readonly #maxsize: number;
  readonly #items = new Ring<T>();
  readonly #getters = new WaiterList<T>();
  readonly #putters = new WaiterList<true>();
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

  qsize(): number {
    return this.#items.size;
  }

  empty(): boolean {
    return this.#items.size === 0;
  }

  full(): boolean {
    return this.#maxsize > 0 && this.#items.size >= this.#maxsize;
  }

  /** Number of items put and not yet marked done with `taskDone()`. */
  get unfinishedTasks(): number {
    return this.#unfinished;
  }

  /** Number of waiting getters / putters (for demos and tests). */
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
    if (this.#offer(item)) return RESOLVED_TRUE;
    return enqueue(this.#putters, opts, item);
  }

  /** @throws QueueFull if the queue is full. */
  putNowait(item: T): void {
    if (!this.#offer(item)) throw new QueueFull();
  }

  get(opts?: WaitOptions): Promise<T> {
    if (opts !== undefined) {
      const bad = precheck(opts);
      if (bad !== undefined) return bad;
    }
    if (this.#items.size > 0) return Promise.resolve(this.#take());
    return enqueue(this.#getters, opts);
  }

  /** @throws QueueEmpty if the queue is empty. */
  getNowait(): T {
    if (this.#items.size === 0) throw new QueueEmpty();
    return this.#take();
  }

  /** @throws ValueError if called more times than items were put. */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new ValueError("task_done() called too many times");
    if (--this.#unfinished === 0) this.#joiners.resolveAll(true);
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

  /** Add `item` without waiting if possible; false if full. */
  #offer(item: T): boolean {
    const getter = this.#getters.shift();
    if (getter !== null) {
      this.#unfinished++;
      getter.resolve(item);
      return true;
    }
    if (this.full()) return false;
    this.#items.push(item);
    this.#unfinished++;
    return true;
  }

  /** Remove the oldest item (caller checks non-empty); admit one waiting putter. */
  #take(): T {
    const item = this.#items.shift();
    const putter = this.#putters.shift();
    if (putter !== null) {
      this.#items.push(putter.data as T);
      putter.data = undefined;
      this.#unfinished++;
      putter.resolve(true);
    }
    return item;
  }
}
