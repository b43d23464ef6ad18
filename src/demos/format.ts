// The one line format every demo prints, on the board and on the host:
//   "  600 ms  task-2     Acquired lock in task 2 (round 1, waited for task-1), reads counter = 1"
// i.e. ms since the demo started (right-aligned, 5 wide), " ms  ", the task
// name (left-aligned, 10 wide), a space, the text. The firmware demos print it
// with Python's "%5d ms  %-10s %s"; keep the two in step.
import { checkSpeed } from "./catalog.js";

export function formatLine(ms: number, name: string, text: string): string {
  return `${String(ms).padStart(5)} ms  ${name.padEnd(10)} ${text}`;
}

/** A demo line taken apart: `ms` since start (null if the line is not in the format) and the event. */
export interface DemoLine {
  ms: number | null;
  /** The event: task name and text, single-spaced ("task-1 Acquired lock ..."); the whole line if not in the format. */
  text: string;
}

const LINE = /^\s*(-?\d+) ms  (\S+)(?: +(.*))?$/;

export function parseLine(line: string): DemoLine {
  const m = LINE.exec(line);
  if (!m) return { ms: null, text: line.trimEnd() };
  const text = m[3] === undefined ? m[2]! : `${m[2]} ${m[3].trimEnd()}`;
  return { ms: Number(m[1]), text };
}

/** Splits output into lines (LF or CRLF), dropping empty ones, and parses each. */
export function parseOutput(output: string): DemoLine[] {
  return output
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .map(parseLine);
}

/**
 * `parseOutput` a chunk at a time, for output that streams in: `push` returns
 * the lines a chunk completes, `end` the unfinished last one. What they return
 * together is parseOutput() of all the chunks joined.
 */
export class LineSplitter {
  #rest = "";

  push(text: string): DemoLine[] {
    const parts = (this.#rest + text).split("\n");
    this.#rest = parts.pop()!;
    // A CR before the LF goes with it, as in parseOutput's /\r?\n/.
    return keep(parts.map((p) => (p.endsWith("\r") ? p.slice(0, -1) : p)));
  }

  end(): DemoLine[] {
    const rest = this.#rest;
    this.#rest = "";
    return keep([rest]);
  }
}

const keep = (lines: string[]) => lines.filter((l) => l.trim() !== "").map(parseLine);

/** Python's str() of a bool, so host lines read like the board's. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/**
 * What every host mirror shares: a clock started when the demo starts, the
 * logger, and a setTimeout sleep that an AbortSignal cancels (Ctrl-C),
 * scaled by the demo's speed like the board's `int(MS / SPEED)`.
 */
export class DemoClock {
  readonly #t0 = performance.now();
  readonly speed: number;
  constructor(
    readonly out: (line: string) => void,
    readonly signal?: AbortSignal,
    speed = 1,
  ) {
    this.speed = checkSpeed(speed);
  }

  /** Whole ms since start (like ticks_diff(ticks_ms(), T0)). */
  now(): number {
    return Math.floor(performance.now() - this.#t0);
  }

  log(name: string, text: string): void {
    this.out(formatLine(this.now(), name, text));
  }

  /** Sleeps int(ms / speed) ms (the board's `asyncio.sleep_ms(int(MS / SPEED))`). */
  sleep(ms: number): Promise<void> {
    const signal = this.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const scaled = Math.trunc(ms / this.speed);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, scaled);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}

/** Resolves once everything runnable now has run until it waits (a macrotask later). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The host's `asyncio.gather(f(1), f(2), ...)`: on the board, gather's tasks
 * start once the caller waits, in order, each running until it really waits
 * before the next one starts. On the host an `await` of a primitive that does
 * not block (a free lock) still yields to other code, so starting every task
 * at once would let the second task in while the first is between two steps
 * the board runs in one go (the lines stay the same, a trace would differ).
 * Each `start` therefore begins only after the ones before it have run until
 * they wait. Resolves with their results; rejects with the first error.
 */
export async function gather<T>(...starts: (() => Promise<T>)[]): Promise<T[]> {
  const running: Promise<T>[] = [];
  for (const start of starts) {
    await nextTurn();
    const p = start();
    p.catch(() => {}); // handled by Promise.all below, even if it fails before the others start
    running.push(p);
  }
  return Promise.all(running);
}

/** The host's `asyncio.create_task(f())`: `start` begins once the caller waits (a macrotask later), as on the board. */
export function createTask<T>(start: () => Promise<T>): Promise<T> {
  return nextTurn().then(start);
}
