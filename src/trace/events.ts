// The trace: every state change of every primitive, from the board
// (firmware/sync/trace.py, sent over the serial link) and from the host
// (src/primitives/trace.ts), in one schema. Pure: no I/O.
//
// On the wire a board event is one record inside the script's output:
//   \x1e <t> | <task> | <type> | <obj> | <op> [ | <size> ] \n
// RS (0x1e) never appears in a demo's text, so the host can strip records
// out of the stream wherever they fall, even in the middle of a line the
// script has not finished printing. Names are sent raw: an automatic name is
// "<base>#<n>" (n counts instances of that base in order of first
// appearance); `normalizeNames` turns those into what people read.

/** Primitive types, as the classes are named in `sync` and `synccli/primitives`. */
export type PrimitiveType = "Lock" | "Event" | "Semaphore" | "BoundedSemaphore" | "Barrier" | "Queue" | "Condition";

/** One state change, as written to a `--trace` file (one JSON object per line). */
export interface TraceEvent {
  /** ms since tracing started on that side (the script's start). */
  t: number;
  side: "board" | "host";
  /** The task that made the change: its given name, or its coroutine's function name (with -N when there are several). */
  task: string;
  /** The primitive: its given name, or its type (with -N when there are several of that type). */
  obj: string;
  type: PrimitiveType | string;
  op: string;
  /** Queue ops: the number of items in the queue after the op. */
  size?: number;
  /** `compare --broken`: which variant of the demo produced the event. */
  variant?: "fixed" | "broken";
}

/**
 * The ops each type records (see README, "Traces"):
 * - Lock, Semaphore, BoundedSemaphore: wait (blocked), acquire, release, cancel (gave up: cancelled or timed out)
 * - Event: wait (blocked), wake (its wait ended), set, clear, cancel
 * - Barrier: arrive, pass, break, reset
 * - Queue: put, put-wait, get, get-wait, cancel (all with size)
 * - Condition: wait, notify, wake, cancel; its lock records its own ops
 */
export const OPS: Record<PrimitiveType, readonly string[]> = {
  Lock: ["wait", "acquire", "release", "cancel"],
  Semaphore: ["wait", "acquire", "release", "cancel"],
  BoundedSemaphore: ["wait", "acquire", "release", "cancel"],
  Event: ["wait", "wake", "set", "clear", "cancel"],
  Barrier: ["arrive", "pass", "break", "reset"],
  Queue: ["put", "put-wait", "get", "get-wait", "cancel"],
  Condition: ["wait", "notify", "wake", "cancel"],
};

export const RS = 0x1e;

/** Parses one record's body (between RS and LF, CR dropped); null if it is not a record. */
export function parseRecord(body: string, side: TraceEvent["side"] = "board"): TraceEvent | null {
  const f = body.replace(/\r$/, "").split("|");
  if (f.length < 5 || f.length > 6) return null;
  const t = Number(f[0]);
  if (f[0] === "" || !Number.isFinite(t)) return null;
  const e: TraceEvent = { t, side, task: f[1]!, obj: f[3]!, type: f[2]!, op: f[4]! };
  if (f.length === 6) {
    const size = Number(f[5]);
    if (f[5] === "" || !Number.isInteger(size)) return null;
    e.size = size;
  }
  return e;
}

/** The record the board sends for `e` (the host uses it only in tests and the simulator). */
export function formatRecord(e: Omit<TraceEvent, "side">): string {
  return `\x1e${e.t}|${e.task}|${e.type}|${e.obj}|${e.op}${e.size === undefined ? "" : `|${e.size}`}\n`;
}

/**
 * Separates trace records from a script's output, chunk by chunk: `push`
 * returns the text that is not part of a record (in order, nothing held back
 * but an unfinished record) and hands each complete record to `onEvent`.
 * A record cut off at the end of the run (`end`) is returned as text, so
 * nothing that arrived is lost.
 */
export class RecordSplitter {
  #record: string | null = null;
  constructor(
    private readonly onEvent: (e: TraceEvent) => void,
    private readonly side: TraceEvent["side"] = "board",
  ) {}

  push(text: string): string {
    let out = "";
    let i = 0;
    while (i < text.length) {
      if (this.#record === null) {
        const rs = text.indexOf("\x1e", i);
        if (rs < 0) {
          out += text.slice(i);
          break;
        }
        out += text.slice(i, rs);
        this.#record = "";
        i = rs + 1;
      } else {
        const lf = text.indexOf("\n", i);
        if (lf < 0) {
          this.#record += text.slice(i);
          break;
        }
        const body = this.#record + text.slice(i, lf);
        this.#record = null;
        i = lf + 1;
        const e = parseRecord(body, this.side);
        // Not a record after all: the script printed an RS. Keep its text.
        if (e === null) out += `\x1e${body}\n`;
        else this.onEvent(e);
      }
    }
    return out;
  }

  /** What is left at the end of the output: an unfinished record, as text. */
  end(): string {
    const rest = this.#record === null ? "" : `\x1e${this.#record}`;
    this.#record = null;
    return rest;
  }
}

/**
 * Automatic names arrive as "<base>#<n>". A base seen only once becomes just
 * "<base>" ("main#1" -> "main", "Lock#1" -> "Lock"); with several, "<base>-<n>"
 * ("task#2" -> "task-2"). Given names are kept as they are. Per side, since
 * each side numbers its own.
 */
export function normalizeNames(events: readonly TraceEvent[]): TraceEvent[] {
  // "Condition#1.lock": the lock a Condition made for itself, numbered with it.
  const AUTO = /^(.+?)#(\d+)(\.[^#]*)?$/;
  const counts = new Map<string, Set<string>>();
  const note = (side: string, name: string) => {
    const m = AUTO.exec(name);
    if (!m) return;
    const key = `${side}\0${m[1]}`;
    let s = counts.get(key);
    if (!s) counts.set(key, (s = new Set()));
    s.add(m[2]!);
  };
  for (const e of events) {
    note(e.side, e.task);
    note(e.side, e.obj);
  }
  const rename = (side: string, name: string) => {
    const m = AUTO.exec(name);
    if (!m) return name;
    return (counts.get(`${side}\0${m[1]}`)!.size === 1 ? m[1]! : `${m[1]}-${m[2]}`) + (m[3] ?? "");
  };
  return events.map((e) => ({ ...e, task: rename(e.side, e.task), obj: rename(e.side, e.obj) }));
}

/** The `--trace` file: JSON Lines, one event per line, in the order they happened on each side. */
export function toJsonl(events: readonly TraceEvent[]): string {
  return events.map((e) => JSON.stringify(e) + "\n").join("");
}
