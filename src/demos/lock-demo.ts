// Host mirror of firmware/demos/lock_demo.py: three tasks take one Lock in
// turns to update a shared counter (read, work, write), three rounds each;
// `broken`: the same without the lock, and updates get lost.
import { Lock } from "../primitives/index.js";
import { task } from "../primitives/trace.js";
import type { DemoOptions } from "./catalog.js";
import { DemoClock } from "./format.js";

const ROUNDS = 3;
const ARRIVE_MS = 200; // task i starts (i - 1) * 200 ms after task 1
const WORK_MS = 600; // between reading the counter and writing it back

export async function run(out: (line: string) => void, signal?: AbortSignal, opts: DemoOptions = {}): Promise<void> {
  const BROKEN = opts.broken === true;
  const d = new DemoClock(out, signal, opts.speed);
  let counter = 0;
  let waiting = 0; // tasks blocked in lock.acquire()
  let holder: string | null = null; // the task holding the lock
  const turns: string[] = []; // who had the lock, in order

  // Named `task` like the board's coroutine function: traces call its tasks task-1, task-2, task-3.
  const taskFn = async function task(i: number, lock: Lock | null): Promise<void> {
    const name = `task-${i}`;
    await d.sleep(ARRIVE_MS * (i - 1));
    for (let r = 1; r <= ROUNDS; r++) {
      let value: number;
      if (lock === null) {
        value = counter;
        d.log(name, `reads counter = ${value} (round ${r}, no lock)`);
      } else {
        let how: string;
        // locked() is false while release() hands the lock over to a waiter
        // that has not resumed yet: count the waiters too.
        if (lock.locked() || waiting > 0) {
          const first = holder !== null ? turns.length - 1 : turns.length; // the holder's turn, then the next ones
          d.log(name, "waits for the lock");
          waiting += 1;
          await lock.acquire({ signal });
          waiting -= 1;
          how = `round ${r}, waited for ${turns.slice(first).join(", ")}`;
        } else {
          await lock.acquire({ signal });
          how = `round ${r}`;
        }
        holder = name;
        turns.push(name);
        value = counter;
        d.log(name, `Acquired lock in task ${i} (${how}), reads counter = ${value}`);
      }
      await d.sleep(WORK_MS); // slow work: the others run meanwhile
      counter = value + 1;
      if (lock === null) {
        d.log(name, `writes counter = ${counter}`);
      } else {
        d.log(name, `writes counter = ${counter}, Releasing lock`);
        holder = null;
        lock.release();
      }
    }
  };

  const lock = BROKEN ? null : new Lock();
  d.log("main", `3 tasks add 1 to a shared counter, ${ROUNDS} rounds each: read, work, write`);
  await d.gather(
    () => task(taskFn, 1, lock),
    () => task(taskFn, 2, lock),
    () => task(taskFn, 3, lock),
  );
  const expected = 3 * ROUNDS;
  d.log("main", `final counter: ${counter}, expected ${expected} (${expected - counter} updates lost)`);
}
