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

/**
 * What the host sends while code runs (a board's UART receive buffer), for
 * input(): Int32Array[0] = bytes written so far, [1] = bytes read so far
 * (both counting up), then a ring of STDIN_RING bytes. The main thread writes
 * and notifies index 0; the worker reads.
 */
export const STDIN_RING = 1024;
export const STDIN_BYTES = 8 + STDIN_RING;

/** Main thread: queue bytes for the running program (the oldest are lost when the ring is full, as a UART's). */
export function putStdin(buf: SharedArrayBuffer, data: Uint8Array) {
  const counts = new Int32Array(buf, 0, 2);
  const ring = new Uint8Array(buf, 8, STDIN_RING);
  let w = Atomics.load(counts, 0);
  for (const c of data) {
    if (w - Atomics.load(counts, 1) >= STDIN_RING) continue;
    ring[w % STDIN_RING] = c;
    w++;
  }
  Atomics.store(counts, 0, w);
  Atomics.notify(counts, 0);
}

/** Worker: the next byte queued, or undefined. */
export function takeStdin(buf: SharedArrayBuffer): number | undefined {
  const counts = new Int32Array(buf, 0, 2);
  const r = Atomics.load(counts, 1);
  if (r >= Atomics.load(counts, 0)) return undefined;
  const c = new Uint8Array(buf, 8, STDIN_RING)[r % STDIN_RING];
  Atomics.store(counts, 1, r + 1);
  return c;
}

/** Main thread: drop what a finished program left unread. */
export function clearStdin(buf: SharedArrayBuffer) {
  const counts = new Int32Array(buf, 0, 2);
  Atomics.store(counts, 1, Atomics.load(counts, 0));
}
