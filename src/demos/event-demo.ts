// Host mirror of firmware/demos/event_demo.py: three waiters block on an
// Event until a setter fires it; all resume together; a late waiter passes
// straight through; clear() resets it.
import { Event } from "../primitives/index.js";
import { DemoClock, pyBool } from "./format.js";

const SET_AFTER_MS = 1500;
const LATE_MS = 2500;

export async function run(out: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const d = new DemoClock(out, signal);
  const event = new Event();
  const resumed: number[] = [];

  async function waiter(i: number): Promise<void> {
    const name = `waiter-${i}`;
    d.log(name, "waiting for event");
    await event.wait({ signal });
    resumed.push(d.now());
    d.log(name, "got event");
  }

  async function setter(): Promise<void> {
    await d.sleep(SET_AFTER_MS);
    d.log("setter", "event.set()");
    event.set();
  }

  async function lateWaiter(): Promise<void> {
    await d.sleep(LATE_MS);
    d.log("waiter-4", `arrives late, event is set: ${pyBool(event.isSet())}`);
    await event.wait({ signal });
    d.log("waiter-4", "got event at once");
  }

  await Promise.all([waiter(1), waiter(2), waiter(3), setter(), lateWaiter()]);
  const spread = Math.max(...resumed) - Math.min(...resumed);
  d.log("main", `waiters 1-3 resumed together: ${pyBool(spread < 100)}`);
  event.clear();
  d.log("main", `event.clear(): is_set() = ${pyBool(event.isSet())}`);
}
