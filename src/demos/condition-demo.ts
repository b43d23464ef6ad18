// Host mirror of firmware/demos/condition_demo.py: two consumers wait on a
// Condition for items a producer announces with notify(); notifyAll() ends.
import { Condition } from "../primitives/index.js";
import { DemoClock } from "./format.js";

const PRODUCE_MS = 600;
const CONSUME_MS = 300;

export async function run(out: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const d = new DemoClock(out, signal);
  const cond = new Condition();
  const items: number[] = [];
  let done = false;

  async function consumer(i: number): Promise<void> {
    const name = `consumer-${i}`;
    for (;;) {
      await cond.acquire({ signal });
      let item: number;
      try {
        while (items.length === 0 && !done) {
          d.log(name, "waiting for an item");
          await cond.wait({ signal });
        }
        if (items.length === 0) {
          d.log(name, "no more items, leaving");
          return;
        }
        item = items.shift()!;
        d.log(name, `got item ${item}`);
      } finally {
        cond.release();
      }
      await d.sleep(CONSUME_MS);
    }
  }

  async function producer(): Promise<void> {
    for (let item = 1; item < 5; item++) {
      await d.sleep(PRODUCE_MS);
      await cond.acquire({ signal });
      try {
        items.push(item);
        d.log("producer", `added item ${item}, notify()`);
        cond.notify();
      } finally {
        cond.release();
      }
    }
    await d.sleep(PRODUCE_MS);
    await cond.acquire({ signal });
    try {
      done = true;
      d.log("producer", "no more items, notify_all()");
      cond.notifyAll();
    } finally {
      cond.release();
    }
  }

  await Promise.all([consumer(1), consumer(2), producer()]);
  d.log("main", "all consumers done");
}
