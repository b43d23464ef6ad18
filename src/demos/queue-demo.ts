// Host mirror of firmware/demos/queue_demo.py: a producer and a consumer
// through a bounded Queue(2); getNowait() on an empty queue throws
// QueueEmpty; a None (null) end marker; join(). `broken`: a plain list read
// without waiting, where empty reads as None and the consumer leaves early.
import { Queue, QueueEmpty } from "../primitives/index.js";
import { task } from "../primitives/trace.js";
import type { DemoOptions } from "./catalog.js";
import { DemoClock } from "./format.js";

const PRODUCE_MS = 300;
const CONSUME_MS = 1100;

type Item = number | null;
const py = (item: Item) => (item === null ? "None" : String(item));
/** Python's str() of a list of items: "[1, 2, None]". */
const pyList = (items: readonly Item[]) => `[${items.map(py).join(", ")}]`;

/** broken: take the first entry, or None when there is none (never waits). */
const listGet = (items: Item[]): Item => (items.length > 0 ? items.shift()! : null);

export async function run(out: (line: string) => void, signal?: AbortSignal, opts: DemoOptions = {}): Promise<void> {
  const BROKEN = opts.broken === true;
  const d = new DemoClock(out, signal, opts.speed);

  // Called directly by main (as on the board): it runs in main, not as a task.
  async function producer(q: Queue<Item> | Item[]): Promise<void> {
    for (const item of [1, 2, 3, 4, null]) {
      await d.sleep(PRODUCE_MS); // somehow get some data
      if (Array.isArray(q)) {
        q.push(item);
        d.log("producer", `append(${py(item)}): ${q.length} in the list`);
      } else if (q.full()) {
        d.log("producer", `queue full (${q.qsize()} items), put(${py(item)}) waits`);
        await q.put(item, { signal });
        d.log("producer", `put(${py(item)}) done: the consumer made room`);
      } else {
        d.log("producer", `put(${py(item)})`);
        await q.put(item, { signal });
      }
    }
  }

  // Named like the board's coroutine function (traces: consumer).
  async function consumer(q: Queue<Item> | Item[]): Promise<void> {
    for (;;) {
      let item: Item;
      if (Array.isArray(q)) {
        item = listGet(q);
        if (item === null) {
          d.log("consumer", "list empty, read None: takes it for the end marker and leaves");
          return;
        }
        d.log("consumer", `got ${py(item)}`);
      } else {
        if (q.empty()) d.log("consumer", "queue empty, get() waits");
        item = await q.get({ signal }); // pauses while the queue is empty
        if (item !== null) d.log("consumer", `got ${item}`);
      }
      if (item === null) {
        d.log("consumer", "got None: no more items");
        (q as Queue<Item>).taskDone();
        return;
      }
      await d.sleep(CONSUME_MS); // process it
      if (!Array.isArray(q)) q.taskDone();
    }
  }

  let q: Queue<Item> | Item[];
  if (BROKEN) {
    q = [];
    d.log("main", `reading the empty list returned ${py(listGet(q))}`);
  } else {
    q = new Queue<Item>(2);
    try {
      const item = q.getNowait();
      d.log("main", `get_nowait() returned ${py(item)}`);
    } catch (err) {
      if (!(err instanceof QueueEmpty)) throw err;
      d.log("main", "get_nowait() on the empty queue raised QueueEmpty");
    }
  }
  const c = d.createTask(() => task(consumer, q));
  c.catch(() => {}); // awaited below (after the producer), even if it fails first
  try {
    await producer(q);
    if (Array.isArray(q)) {
      const lost = q.filter((item) => item !== null).length;
      d.log("main", `never processed: ${lost} items, the list holds ${pyList(q)}`);
    } else {
      d.log("main", "join() waits until every item is processed");
      await q.join({ signal });
      d.log("main", "join() returned: every item processed");
    }
  } finally {
    await c.catch(() => {}); // its own error (an abort) is the same as ours
  }
  await c;
}
