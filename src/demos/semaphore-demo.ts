// Host mirror of firmware/demos/semaphore_demo.py: Semaphore(2), three
// workers arriving 200 ms apart, each holding it for 3 s.
import { Semaphore } from "../primitives/index.js";
import { DemoClock } from "./format.js";

const HOLD_MS = 3000;
const ARRIVE_MS = 200;

export async function run(out: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const d = new DemoClock(out, signal);
  let holders = 0;

  async function myWorker(i: number, semaphore: Semaphore): Promise<void> {
    const name = `worker-${i}`;
    await d.sleep(ARRIVE_MS * (i - 1));
    if (semaphore.locked()) d.log(name, "Waiting for the semaphore");
    await semaphore.acquire({ signal });
    holders += 1;
    d.log(name, `Successfully acquired the semaphore (holders: ${holders})`);
    await d.sleep(HOLD_MS);
    d.log(name, "Releasing Semaphore");
    holders -= 1;
    semaphore.release();
  }

  async function workers(): Promise<void> {
    const mySemaphore = new Semaphore(2);
    await Promise.all([myWorker(1, mySemaphore), myWorker(2, mySemaphore), myWorker(3, mySemaphore)]);
    d.log("main", "Main Coroutine");
  }

  await workers();
  d.log("main", "All Workers Completed");
}
