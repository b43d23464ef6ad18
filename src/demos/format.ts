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

/** A step of the demo: runs once the schedule reaches `at` (ms since start, speed applied). */
interface Step {
  at: number;
  run: () => void;
}

/**
 * What every host mirror shares: a clock started when the demo starts, the
 * logger, a sleep that an AbortSignal cancels (Ctrl-C), scaled by the demo's
 * speed like the board's `int(MS / SPEED)`, and the board's `gather` and
 * `create_task`.
 *
 * The steps (a task starting, a sleep ending) follow the demo's schedule, as
 * asyncio's queue on the board does, not the host's timers: a sleep ends at
 * the schedule time of the step that called it plus its length, a task starts
 * at the schedule time of the step that asked for it, and steps run in that
 * order (ties: first asked, first run), one per timer callback, so each runs
 * until it waits before the next begins. The timer only paces them to the
 * wall clock; a late one runs the steps that are due at once, in order.
 * With one setTimeout per sleep and tasks started one event-loop turn apart,
 * what ran first hung on which timer fired first, and a busy machine that
 * delayed one turn or timer by 200 ms reordered the demo (task-3 arriving
 * after task-1's release instead of before it), so compare reported a
 * divergence the board never had. Lines still print the wall-clock ms, so
 * compare's timing column stays honest.
 */
export class DemoClock {
  readonly #t0 = performance.now();
  readonly speed: number;
  /** The schedule time of the step running now (0 before any). */
  #at = 0;
  /** Sorted by `at`, then by when the step was asked for. */
  readonly #steps: Step[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

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

  /**
   * The schedule time of the running step, ms since start (speed applied):
   * when it was due, however late the host got to it. For what the board
   * decides from its clock, so that a busy host cannot change it.
   */
  scheduled(): number {
    return this.#at;
  }

  log(name: string, text: string): void {
    this.out(formatLine(this.now(), name, text));
  }

  /** Sleeps int(ms / speed) ms (the board's `asyncio.sleep_ms(int(MS / SPEED))`), counted from the running step's schedule time. */
  sleep(ms: number): Promise<void> {
    const signal = this.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.#steps.indexOf(step);
        if (i >= 0) this.#steps.splice(i, 1);
        this.#arm();
        reject(signal!.reason);
      };
      const step = this.#add(this.#at + Math.trunc(ms / this.speed), () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The board's `asyncio.create_task(f())`: `start` begins once the caller waits, at the caller's schedule time. */
  createTask<T>(start: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#add(this.#at, () => {
        if (this.signal?.aborted) return reject(this.signal.reason);
        try {
          start().then(resolve, reject);
        } catch (err) {
          reject(err);
        }
      });
    });
  }

  /**
   * The board's `asyncio.gather(f(1), f(2), ...)`: the tasks start once the
   * caller waits, in order, each running until it really waits before the
   * next starts (on the host an `await` of a primitive that does not block
   * still yields to other code, so starting them all in one go would let the
   * second in while the first is between two steps the board runs in one go).
   * Resolves with their results; rejects with the first error.
   */
  gather<T>(...starts: (() => Promise<T>)[]): Promise<T[]> {
    const running = starts.map((start) => this.createTask(start));
    for (const p of running) p.catch(() => {}); // handled by Promise.all, even if one fails before the others end
    return Promise.all(running);
  }

  #add(at: number, run: () => void): Step {
    const step: Step = { at, run };
    let i = this.#steps.length;
    while (i > 0 && this.#steps[i - 1]!.at > at) i--;
    this.#steps.splice(i, 0, step);
    this.#arm();
    return step;
  }

  /** One timer, for the first step, when the wall clock reaches its time (at once if that has passed). */
  #arm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const first = this.#steps[0];
    if (first === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Timers count whole ms and may fire a fraction early: not before its time.
      if (performance.now() - this.#t0 < first.at) return this.#arm();
      this.#steps.shift();
      this.#at = first.at;
      first.run();
      // The step's own code runs after this callback (promise continuations);
      // what it asks for re-arms the timer. The next step is a later callback.
      this.#arm();
    }, Math.max(0, Math.ceil(first.at - (performance.now() - this.#t0))));
  }
}
