// Host mirror of firmware/demos/lock_demo.py: three tasks take one Lock in
// turns, three rounds each, and no two ever hold it at once.
import { Lock } from "../primitives/index.js";
import { DemoClock } from "./format.js";

const ROUNDS = 3;
const HOLD_MS = 500;

export async function run(out: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const d = new DemoClock(out, signal);
  const lock = new Lock();
  let holders = 0;
  let maxHolders = 0;

  async function task(i: number): Promise<void> {
    const name = `task-${i}`;
    for (let r = 1; r <= ROUNDS; r++) {
      await lock.acquire({ signal });
      holders += 1;
      maxHolders = Math.max(maxHolders, holders);
      d.log(name, `Acquired lock in task ${i} (round ${r}, holders: ${holders})`);
      await d.sleep(HOLD_MS);
      d.log(name, "Releasing lock");
      holders -= 1;
      lock.release();
    }
  }

  d.log("main", `3 tasks share one lock, ${ROUNDS} rounds each`);
  await Promise.all([task(1), task(2), task(3)]);
  d.log("main", `max holders at once: ${maxHolders}`);
}
