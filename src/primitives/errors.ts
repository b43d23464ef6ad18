/**
 * Error classes of the primitives.
 *
 * Every class's `name` is the name of the Python exception it mirrors, so a
 * trace from this TypeScript mirror can be compared with the MicroPython side
 * by error *type name* alone:
 *
 * | class                | `name`               | raised by                                             |
 * |----------------------|----------------------|-------------------------------------------------------|
 * | `RuntimeError`       | `"RuntimeError"`     | release of an unlocked Lock, Condition misuse         |
 * | `ValueError`         | `"ValueError"`       | negative Semaphore value, BoundedSemaphore over-release,
 * |                      |                      | `Queue.taskDone()` underflow, `Barrier(parties < 1)`  |
 * | `BrokenBarrierError` | `"BrokenBarrierError"` | waiters of a broken/reset Barrier (a `RuntimeError`, as in CPython) |
 * | `QueueEmpty`         | `"QueueEmpty"`       | `Queue.getNowait()` on an empty queue                 |
 * | `QueueFull`          | `"QueueFull"`        | `Queue.putNowait()` on a full queue                   |
 * | `TimeoutError`       | `"TimeoutError"`     | a wait whose `timeoutMs` elapsed                      |
 *
 * Wrong argument *types* (non-integer counts, a non-function predicate)
 * throw the built-in `TypeError`, whose name already matches Python's.
 *
 * Aborts (an `AbortSignal` in the options) are not wrapped: the waiter
 * rejects with `signal.reason` as is.
 *
 * About `TimeoutError`: JavaScript has no global `TimeoutError` class, but
 * `AbortSignal.timeout()` aborts with a `DOMException` whose `name` is also
 * `"TimeoutError"`. The class exported here is a distinct class (test with
 * `err instanceof TimeoutError` after importing it from this module to tell
 * them apart; `err.name === "TimeoutError"` matches both, which is intended:
 * both mean "the wait timed out", like Python's `TimeoutError`). It is also
 * exported under the alias `PrimitiveTimeoutError` for code that wants to
 * avoid shadowing any other `TimeoutError` identifier in scope.
 */

/** Mirrors Python's `RuntimeError` (e.g. "Lock is not acquired."). */
export class RuntimeError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/** Mirrors Python's `ValueError`. */
export class ValueError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ValueError";
  }
}

/** Mirrors `asyncio.BrokenBarrierError` (a subclass of `RuntimeError` in CPython too). */
export class BrokenBarrierError extends RuntimeError {
  constructor(message = "Barrier aborted", options?: ErrorOptions) {
    super(message, options);
    this.name = "BrokenBarrierError";
  }
}

/** Mirrors `asyncio.QueueEmpty`. */
export class QueueEmpty extends Error {
  constructor(message = "Queue is empty", options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueEmpty";
  }
}

/** Mirrors `asyncio.QueueFull`. */
export class QueueFull extends Error {
  constructor(message = "Queue is full", options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueFull";
  }
}

/**
 * Rejection reason of a wait whose `timeoutMs` elapsed; mirrors Python's
 * `TimeoutError` (what `asyncio.wait_for` raises). See the module comment for
 * how it relates to the DOMException named "TimeoutError".
 */
export class TimeoutError extends Error {
  /** The `timeoutMs` that elapsed. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, message = `timed out after ${timeoutMs} ms`) {
    super(message);
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

export { TimeoutError as PrimitiveTimeoutError };
