/**
 * Host-side TypeScript mirror of the asyncio synchronisation primitives
 * (firmware/sync/ on the MicroPython side, following CPython asyncio).
 *
 * Common rules:
 * - Every method that may wait takes `opts: { signal?, timeoutMs? }`. An
 *   aborted or timed-out waiter is removed from its queue at once and behaves
 *   like a cancelled task: FIFO order kept, nothing lost, nothing taken. It
 *   rejects with `signal.reason`, or with `TimeoutError` (this module's class,
 *   `name === "TimeoutError"`, also exported as `PrimitiveTimeoutError`).
 * - Once a waiter has been handed the lock/permit/item/notification, a later
 *   abort cannot take it back: its promise resolves normally and it owns what
 *   it was handed.
 * - A signal that is already aborted rejects at once, without taking anything
 *   even if it is free.
 * - `timeoutMs <= 0` means "do not wait": succeed only if no waiting is needed.
 * - Timers keep Node alive while a wait is pending and are cleared (and abort
 *   listeners removed) as soon as the waiter settles.
 * - Async-shaped methods never throw synchronously; they return a rejected
 *   promise. Synchronous methods (`release`, `notify`, `putNowait`, ...) throw.
 * - Error classes carry the Python exception name in `name` (see errors.ts).
 */
export { Lock } from "./lock.js";
export { Event } from "./event.js";
export { Semaphore, BoundedSemaphore } from "./semaphore.js";
export { Barrier } from "./barrier.js";
export { Queue } from "./queue.js";
export { Condition } from "./condition.js";
export {
  RuntimeError,
  ValueError,
  BrokenBarrierError,
  QueueEmpty,
  QueueFull,
  TimeoutError,
  PrimitiveTimeoutError,
} from "./errors.js";
export type { WaitOptions } from "./waiters.js";
