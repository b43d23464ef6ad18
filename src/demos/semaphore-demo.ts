// Host mirror of firmware/demos/semaphore_demo.py: Semaphore(2), three
// workers arriving 200 ms apart, each holding it for 3 s. `broken`: no
// semaphore, and all three are in at once.
import { Semaphore } from "../primitives/index.js";
import { task } from "../primitives/trace.js";
import type { DemoOptions } from "./catalog.js";
import { DemoClock } from "./format.js";

const LIMIT = 2;
const HOLD_MS = 3000;
const ARRIVE_MS = 200;

export async function run(out: (line: string) => void, signal?: AbortSignal, opts: DemoOptions = {}): Promise<void> {
  const BROKEN = opts.broken === true;
  const d = new DemoClock(out, signal, opts.speed);
  let holders = 0;
  let maxHolders = 0;
  const released: string[] = []; // who released the semaphore, in order
  const held = () => (holders <= LIMIT ? `holders: ${holders}` : `holders: ${holders}, over the limit of ${LIMIT}!`);

  // Named like the board's coroutine function (traces: worker-1, worker-2, worker-3).
  async function worker(i: number, semaphore: Semaphore | null): Promise<void> {
    const name = `worker-${i}`;
    await d.sleep(ARRIVE_MS * (i - 1));
    if (semaphore === null) {
      holders += 1;
      d.log(name, `goes in without a semaphore (${held()})`);
    } else if (semaphore.locked()) {
      d.log(name, `waits for the semaphore (${holders} holders)`);
      await semaphore.acquire({ signal });
      holders += 1;
      d.log(name, `Successfully acquired the semaphore (${held()}, waited for ${released.at(-1)})`);
    } else {
      await semaphore.acquire({ signal });
      holders += 1;
      d.log(name, `Successfully acquired the semaphore (${held()})`);
    }
    maxHolders = Math.max(maxHolders, holders);
    await d.sleep(HOLD_MS);
    holders -= 1;
    if (semaphore === null) {
      d.log(name, "leaves");
    } else {
      d.log(name, "Releasing Semaphore");
      released.push(name);
      semaphore.release();
    }
  }

  // Awaited directly, as on the board: it runs in main, not as a task of its own.
  async function workers(): Promise<void> {
    const mySemaphore = BROKEN ? null : new Semaphore(LIMIT);
    await d.gather(
      () => task(worker, 1, mySemaphore),
      () => task(worker, 2, mySemaphore),
      () => task(worker, 3, mySemaphore),
    );
    d.log("main", "Main Coroutine");
  }

  await workers();
  d.log("main", "All Workers Completed");
  d.log("main", `max holders at once: ${maxHolders} (limit ${LIMIT})`);
}
