// Registry of the host mirrors of the firmware demos (firmware/demos/*.py):
// same printed lines (format.ts), same task names, built on src/primitives/;
// each takes the same options as the board's demo (`broken`, `speed`).
import type { DemoOptions } from "./catalog.js";
import { run as lockDemo } from "./lock-demo.js";
import { run as eventDemo } from "./event-demo.js";
import { run as barrierDemo } from "./barrier-demo.js";
import { run as semaphoreDemo } from "./semaphore-demo.js";
import { run as queueDemo } from "./queue-demo.js";
import { run as conditionDemo } from "./condition-demo.js";

export interface HostDemo {
  /** The demo's name as `synccli run` knows it (firmware/demos/lock_demo.py -> "lock-demo"). */
  name: string;
  /**
   * Runs the demo, calling `out` with each line (no newline) as it happens;
   * an abort rejects with `signal.reason`. `opts.broken`: the variant
   * without the primitive; `opts.speed`: every sleep lasts int(ms / speed)
   * (0 < speed <= 100, else it throws UserError before printing anything).
   */
  run(out: (line: string) => void, signal?: AbortSignal, opts?: DemoOptions): Promise<void>;
}

export const hostDemos: readonly HostDemo[] = [
  { name: "lock-demo", run: lockDemo },
  { name: "event-demo", run: eventDemo },
  { name: "barrier-demo", run: barrierDemo },
  { name: "semaphore-demo", run: semaphoreDemo },
  { name: "queue-demo", run: queueDemo },
  { name: "condition-demo", run: conditionDemo },
];

/** The host demo for a name ("lock-demo"), a firmware file name ("lock_demo.py") or a path to one. */
export function hostDemo(nameOrPath: string): HostDemo | undefined {
  const base = nameOrPath.split(/[\\/]/).pop()!.replace(/\.py$/, "").replace(/_/g, "-");
  return hostDemos.find((d) => d.name === base);
}

export { formatLine, parseLine, parseOutput, type DemoLine } from "./format.js";
export { listDemos, demoInfo, demoSource, applyDemoOptions, checkSpeed, parseSpeed, MAX_SPEED, type DemoInfo, type DemoOptions } from "./catalog.js";
