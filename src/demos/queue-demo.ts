// Host mirror of firmware/demos/queue_demo.py: a producer and a consumer
// through a bounded Queue(2); getNowait() on an empty queue throws
// QueueEmpty; a None (null) end marker; join().
import { Queue, QueueEmpty } from "../primitives/index.js";
import { DemoClock } from "./format.js";

const PRODUCE_MS = 300;
const CONSUME_MS = 1100;

type Item = number | null;
const py = (item: Item) => (item === null ? "None" : String(item));

export async function run(out: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const d = new DemoClock(out, signal);

  async function producer(q: Queue<Item>): Promise<void> {
    for (const item of [1, 2, 3, 4, null]) {
      await d.sleep(PRODUCE_MS);
      if (q.full()) d.log("producer", `queue full (${q.qsize()} items), put(${py(item)}) waits`);
      else d.log("producer", `put(${py(item)})`);
      await q.put(item, { signal });
    }
  }

  async function consumer(q: Queue<Item>): Promise<void> {
    for (;;) {
      if (q.empty()) d.log("consumer", "queue empty, get() waits");
      const item = await q.get({ signal });
      if (item === null) {
        d.log("consumer", "got None: no more items");
        q.taskDone();
        return;
      }
      d.log("consumer", `got ${item}`);
      await d.sleep(CONSUME_MS);
      q.taskDone();
    }
  }

  const q = new Queue<Item>(2);
  try {
    const item = q.getNowait();
    d.log("main", `get_nowait() returned ${py(item)}`);
  } catch (err) {
    if (!(err instanceof QueueEmpty)) throw err;
    d.log("main", "get_nowait() on the empty queue raised QueueEmpty");
  }
  const c = consumer(q);
  try {
    await producer(q);
    await q.join({ signal });
    d.log("main", "join() returned: every item processed");
  } finally {
    await c.catch(() => {}); // its own error (an abort) is the same as ours
  }
  await c;
}
