// Host mirror of firmware/demos/condition_demo.py: two consumers wait on a
// Condition for items a producer announces with notify(); notifyAll() ends.
// `broken`: an Event instead, which wakes both consumers for every item.
import { Condition, Event } from "../primitives/index.js";
import { task } from "../primitives/trace.js";
import type { DemoOptions } from "./catalog.js";
import { DemoClock } from "./format.js";

const PRODUCE_MS = 600;
const CONSUME_MS = 300;

export async function run(out: (line: string) => void, signal?: AbortSignal, opts: DemoOptions = {}): Promise<void> {
  const BROKEN = opts.broken === true;
  const d = new DemoClock(out, signal, opts.speed);
  const items: number[] = [];
  let done = false;
  let forNothing = 0; // wake-ups that found no item

  // Named like the board's coroutine functions (traces: consumer-1, consumer-2, producer).
  async function consumer(i: number, cond: Condition | null, ready: Event | null): Promise<void> {
    const name = `consumer-${i}`;
    for (;;) {
      let woken = "";
      let item: number;
      if (cond === null) {
        while (items.length === 0 && !done) {
          d.log(name, "waits for an item (ready.wait())");
          await ready!.wait({ signal });
          ready!.clear();
          woken = "woken, ";
          if (items.length === 0 && !done) {
            forNothing += 1;
            d.log(name, "woken, but the item is gone: woken for nothing");
          }
        }
        if (items.length === 0) {
          d.log(name, `${woken}no more items, leaving`);
          return;
        }
        item = items.shift()!;
        d.log(name, `${woken}got item ${item}`);
      } else {
        await cond.acquire({ signal });
        try {
          while (items.length === 0 && !done) {
            d.log(name, "waits for an item (cond.wait())");
            await cond.wait({ signal });
            woken = "woken, ";
          }
          if (items.length === 0) {
            d.log(name, `${woken}no more items, leaving`);
            return;
          }
          item = items.shift()!;
          d.log(name, `${woken}got item ${item}`);
        } finally {
          cond.release();
        }
      }
      await d.sleep(CONSUME_MS); // use it, without holding the lock
    }
  }

  async function producer(cond: Condition | null, ready: Event | null): Promise<void> {
    for (let item = 1; item < 5; item++) {
      await d.sleep(PRODUCE_MS);
      if (cond === null) {
        items.push(item);
        d.log("producer", `added item ${item}, ready.set()`);
        ready!.set();
      } else {
        await cond.acquire({ signal });
        try {
          items.push(item);
          d.log("producer", `added item ${item}, notify()`);
          cond.notify();
        } finally {
          cond.release();
        }
      }
    }
    await d.sleep(PRODUCE_MS);
    if (cond === null) {
      done = true;
      d.log("producer", "no more items, ready.set()");
      ready!.set();
    } else {
      await cond.acquire({ signal });
      try {
        done = true;
        d.log("producer", "no more items, notify_all()");
        cond.notifyAll();
      } finally {
        cond.release();
      }
    }
  }

  const cond = BROKEN ? null : new Condition();
  const ready = BROKEN ? new Event() : null;
  await d.gather(
    () => task(consumer, 1, cond, ready),
    () => task(consumer, 2, cond, ready),
    () => task(producer, cond, ready),
  );
  d.log("main", `all consumers done; woken for nothing: ${forNothing}`);
}
