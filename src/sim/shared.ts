// Memory shared between the virtual board (main thread) and its interpreter
// worker. Kept apart from interpreter.ts, whose top level is the worker.

/** Size of InterpreterData.pendingOut: a 4-byte count, then the bytes. */
export const PENDING_OUT_BYTES = 4 + 4096;

/** The bytes a worker left in pendingOut (and clears them); for the main thread. */
export function takePendingOut(buf: SharedArrayBuffer): Uint8Array {
  const count = new Int32Array(buf, 0, 1);
  const n = Math.min(Atomics.exchange(count, 0, 0), buf.byteLength - 4);
  return new Uint8Array(buf, 4, n).slice();
}
