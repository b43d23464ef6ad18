// The one line format every demo prints, on the board and on the host:
//   "  512 ms  task-1     Acquired lock in task 1 (round 1, holders: 1)"
// i.e. ms since the demo started (right-aligned, 5 wide), " ms  ", the task
// name (left-aligned, 10 wide), a space, the text. The firmware demos print it
// with Python's "%5d ms  %-10s %s"; keep the two in step.

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

/** Python's str() of a bool, so host lines read like the board's. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/**
 * What every host mirror shares: a clock started when the demo starts, the
 * logger, and a setTimeout sleep that an AbortSignal cancels (Ctrl-C).
 */
export class DemoClock {
  readonly #t0 = performance.now();
  constructor(
    readonly out: (line: string) => void,
    readonly signal?: AbortSignal,
  ) {}

  /** Whole ms since start (like ticks_diff(ticks_ms(), T0)). */
  now(): number {
    return Math.floor(performance.now() - this.#t0);
  }

  log(name: string, text: string): void {
    this.out(formatLine(this.now(), name, text));
  }

  sleep(ms: number): Promise<void> {
    const signal = this.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
