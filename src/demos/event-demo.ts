// Host mirror of firmware/demos/event_demo.py: three waiters block on an
// Event until a setter fires it; all resume together; a late waiter passes
// straight through; clear() resets it. `broken`: a polled flag instead, seen
// late and at different moments.
import { Event } from "../primitives/index.js";
import { task } from "../primitives/trace.js";
import type { DemoOptions } from "./catalog.js";
import { DemoClock, pyBool } from "./format.js";

const SET_AFTER_MS = 1500;
const LATE_MS = 2500;
const POLL_MS = [650, 850, 1100]; // broken: how often waiters 1-3 look at the flag

export async function run(out: (line: string) => void, signal?: AbortSignal, opts: DemoOptions = {}): Promise<void> {
  const BROKEN = opts.broken === true;
  const d = new DemoClock(out, signal, opts.speed);
  const resumed: number[] = [];
  let ready = false; // broken: the flag that stands in for the Event

  // Function names as on the board (traces name tasks after them).
  async function waiter(i: number, event: Event | null): Promise<void> {
    const name = `waiter-${i}`;
    if (event === null) {
      const poll = POLL_MS[i - 1]!;
      d.log(name, `polls a flag every ${poll} ms (no event to wait on)`);
      let polls = 0;
      while (!ready) {
        await d.sleep(poll);
        polls += 1;
      }
      resumed.push(d.scheduled());
      d.log(name, `sees the flag at poll ${polls} (${polls - 1} found nothing)`);
    } else {
      d.log(name, "waits for the event");
      await event.wait({ signal });
      resumed.push(d.scheduled());
      d.log(name, "got event");
    }
  }

  async function setter(event: Event | null): Promise<void> {
    await d.sleep(SET_AFTER_MS);
    if (event === null) {
      d.log("setter", "ready = True (nobody is woken: each waiter sees it at its next poll)");
      ready = true;
    } else {
      d.log("setter", "event.set(): wakes every waiter at once");
      event.set();
    }
  }

  async function latecomer(event: Event | null): Promise<void> {
    await d.sleep(LATE_MS);
    if (event === null) {
      d.log("waiter-4", `arrives late, flag is set: ${pyBool(ready)}`);
      d.log("waiter-4", "goes on at once");
    } else {
      d.log("waiter-4", `arrives late, event is set: ${pyBool(event.isSet())}`);
      await event.wait({ signal });
      d.log("waiter-4", "got event at once");
    }
  }

  const event = BROKEN ? null : new Event();
  await d.gather(
    () => task(waiter, 1, event),
    () => task(waiter, 2, event),
    () => task(waiter, 3, event),
    () => task(setter, event),
    () => task(latecomer, event),
  );
  // Schedule times, not the wall clock: a busy host must not turn 500 ms into 200.
  const spread = (Math.max(...resumed) - Math.min(...resumed)) * d.speed; // ms at speed 1: 0, or 500 when broken
  d.log("main", `waiters 1-3 resumed together: ${pyBool(spread < 250)}`);
  if (event === null) {
    ready = false;
    d.log("main", "ready = False: the flag is down again");
  } else {
    event.clear();
    d.log("main", `event.clear(): is_set() = ${pyBool(event.isSet())}`);
  }
}
