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
 * - A hand-off (release, put, get, set, notify, a completed Barrier phase...)
 *   wakes the longest waiter, which, like a task on the board, resumes a
 *   microtask later; its promise settles then. Until it resumes, what it was
 *   handed is in transit: a Lock is neither free nor `locked()` (`release()`
 *   throws), a Queue item or slot is reserved for it, and newcomers still
 *   queue behind (FIFO). If its signal aborts in that window, it passes what
 *   it was handed on (lock, permit, item, slot, notification) and rejects
 *   with the reason, like a task cancelled after it was woken. Once its
 *   promise has resolved, a later abort cannot take anything back.
 * - A signal that is already aborted rejects at once, without taking anything
 *   even if it is free.
 * - `timeoutMs <= 0` means "do not wait": succeed only if no waiting is needed.
 * - Timers keep Node alive while a wait is pending and are cleared (and abort
 *   listeners removed) as soon as the waiter settles.
 * - Async-shaped methods never throw synchronously; they return a rejected
 *   promise. Synchronous methods (`release`, `notify`, `putNowait`, ...) throw.
 * - Error classes carry the Python exception name in `name` (see errors.ts).
 * - Tracing (trace.ts): `startTrace()` records every state change of every
 *   primitive as a TraceEvent (src/trace/events.ts), naming the task that
 *   made it (`task(fn)`, `namedTask(name, fn)`; "main" outside any) and the
 *   primitive (`traceName(obj, name)`, else "<Type>#<n>"). A woken waiter's
 *   op is recorded when it resumes, in its own task's name. Off, each
 *   operation pays one `tracer !== null` test.
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
export { startTrace, traceName, task, namedTask } from "./trace.js";
export type { TraceRecorder } from "./trace.js";
export type { TraceEvent } from "../trace/events.js";
