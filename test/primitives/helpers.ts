// Test helpers for the primitives tests (not a test file itself).
const realSetImmediate = setImmediate;

/** Let every pending microtask (and promise chain) run. Immune to fake timers. */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => realSetImmediate(r));
}

export interface Tracked<T> {
  state: "pending" | "fulfilled" | "rejected";
  value: T | undefined;
  reason: unknown;
  promise: Promise<T>;
}

/** Observe a promise's outcome without leaving it unhandled. */
export function track<T>(promise: Promise<T>): Tracked<T> {
  const t: Tracked<T> = { state: "pending", value: undefined, reason: undefined, promise };
  promise.then(
    (v) => {
      t.state = "fulfilled";
      t.value = v;
    },
    (e) => {
      t.state = "rejected";
      t.reason = e;
    },
  );
  return t;
}

/** A distinctive abort reason, to check it is passed through as is. */
export function reason(tag: string): Error {
  const e = new Error(`aborted: ${tag}`);
  e.name = "AbortTag";
  return e;
}
