// src/primitives (built to dist/) against async-mutex 0.5, same process, same run.
// Not a test: nothing is asserted; the goals are reported next to the ratios.
//   npx tsc -p . && node --expose-gc bench/primitives.mjs
// Each comparison alternates ours/theirs for several rounds after a warm-up and
// reports the median ops/s of each side, so background load hits both alike.
import { Mutex, Semaphore as AmSemaphore } from "async-mutex";
import v8 from "node:v8";
import vm from "node:vm";
import { Lock, Queue, Semaphore, startTrace } from "../dist/primitives/index.js";

const ROUNDS = 7;
const ROUND_MS = 120;
const WARMUP_MS = 300;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Run `batch()` (which returns how many ops it did) for about `ms`; ops/s. */
async function rate(batch, ms) {
  let ops = 0;
  const t0 = performance.now();
  let t;
  do {
    ops += await batch();
    t = performance.now() - t0;
  } while (t < ms);
  return (ops / t) * 1000;
}

/** Warm both sides up, then alternate rounds; median ops/s of each. */
async function compare(ours, theirs) {
  await rate(ours, WARMUP_MS);
  await rate(theirs, WARMUP_MS);
  const a = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await rate(ours, ROUND_MS));
    b.push(await rate(theirs, ROUND_MS));
  }
  return { ours: median(a), theirs: median(b) };
}

// --- uncontended Lock ---------------------------------------------------------
const N_UNCONTENDED = 10_000;

function uncontendedOurs() {
  const lock = new Lock();
  return async () => {
    for (let i = 0; i < N_UNCONTENDED; i++) {
      await lock.acquire();
      lock.release();
    }
    return N_UNCONTENDED;
  };
}

function uncontendedTheirs() {
  const mutex = new Mutex();
  return async () => {
    for (let i = 0; i < N_UNCONTENDED; i++) {
      const release = await mutex.acquire();
      release();
    }
    return N_UNCONTENDED;
  };
}

// --- contended: `tasks` tasks looping acquire/release, so ~tasks-1 always wait
const TASKS = 100;
const PER_TASK = 50;

function contended(acquire, release, tasks = TASKS) {
  return async () => {
    const workers = [];
    for (let t = 0; t < tasks; t++) {
      workers.push(
        (async () => {
          for (let i = 0; i < PER_TASK; i++) {
            const token = await acquire();
            release(token);
          }
        })(),
      );
    }
    await Promise.all(workers);
    return tasks * PER_TASK;
  };
}

function lockContendedOurs() {
  const lock = new Lock();
  return contended(
    () => lock.acquire(),
    () => lock.release(),
  );
}

function lockContendedTheirs() {
  const mutex = new Mutex();
  return contended(
    () => mutex.acquire(),
    (release) => release(),
  );
}

function semContendedOurs() {
  const sem = new Semaphore(2);
  return contended(
    () => sem.acquire(),
    () => sem.release(),
  );
}

function semContendedTheirs() {
  const sem = new AmSemaphore(2);
  return contended(
    () => sem.acquire(),
    ([, release]) => release(),
  );
}

// --- Queue: 100,000 items producer -> consumer --------------------------------
async function queueRun(maxsize, n) {
  const q = new Queue(maxsize);
  const t0 = performance.now();
  const producer = (async () => {
    for (let i = 0; i < n; i++) await q.put(i);
  })();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await q.get();
  await producer;
  const ms = performance.now() - t0;
  if (sum !== (n * (n - 1)) / 2 || !q.empty()) throw new Error("queue lost or reordered items");
  return ms;
}

// --- tracing: off vs on -------------------------------------------------------
// The code without tracing no longer exists to compare with, so: off (what
// every untraced run pays: one `tracer !== null` test per op) side by side
// with on (every op recorded, to a no-op listener). The "on" side starts a
// fresh trace every TRACE_SPAN ops: the recorder keeps every event, and a
// trace of millions of events would measure the garbage collector moving
// them (a traced demo records a few hundred).
const N_TRACE = 10_000;
const TRACE_SPAN = 1_000;
const noop = () => {};

function lockTraced(on) {
  const lock = new Lock();
  return async () => {
    for (let j = 0; j < N_TRACE; j += TRACE_SPAN) {
      const rec = on ? startTrace(noop) : null;
      for (let i = 0; i < TRACE_SPAN; i++) {
        await lock.acquire();
        lock.release();
      }
      rec?.stop();
    }
    return N_TRACE;
  };
}

/** Uncontended put then get (one op = the pair) on a bounded Queue. */
function queueTraced(on) {
  const q = new Queue(100);
  return async () => {
    for (let j = 0; j < N_TRACE; j += TRACE_SPAN) {
      const rec = on ? startTrace(noop) : null;
      for (let i = 0; i < TRACE_SPAN; i++) {
        await q.put(i);
        await q.get();
      }
      rec?.stop();
    }
    return N_TRACE;
  };
}

function traceRows(name, { ours: off, theirs: on }) {
  return [
    {
      name: `${name}, tracing off`,
      value: fmtRate(off),
      ratio: "1.00x",
      note: `median of ${ROUNDS} rounds, alternating with on`,
    },
    {
      name: `${name}, tracing on (no-op listener)`,
      value: fmtRate(on),
      ratio: `${(on / off).toFixed(2)}x off`,
      note: `every op recorded (2 events), a fresh trace every ${TRACE_SPAN.toLocaleString("en-US")} ops`,
    },
  ];
}

// --- heap after 100,000 aborted waiters ---------------------------------------
function getGc() {
  if (typeof globalThis.gc === "function") return { gc: globalThis.gc, how: "--expose-gc" };
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    if (typeof gc === "function") return { gc, how: "v8 flag at run time" };
  } catch {
    // fall through
  }
  return null;
}

async function heapAfterAborts(total = 100_000, batch = 1_000) {
  const g = getGc();
  const collect = async () => {
    await new Promise((r) => setImmediate(r));
    if (g) {
      g.gc();
      g.gc();
    }
  };
  const lock = new Lock();
  await lock.acquire();
  // Warm-up cycle, so code compiled on first use is not counted as growth.
  {
    const w = new AbortController();
    const ps = [];
    for (let i = 0; i < batch; i++) ps.push(lock.acquire({ signal: w.signal, timeoutMs: 600_000 }).catch(() => 0));
    w.abort();
    await Promise.all(ps);
  }
  await collect();
  const before = process.memoryUsage().heapUsed;

  // Peak: all `total` waiters pending at once (shows the measurement can see them).
  let ac = new AbortController();
  let pending = [];
  for (let i = 0; i < total; i++) pending.push(lock.acquire({ signal: ac.signal, timeoutMs: 600_000 }).catch(() => 0));
  await collect();
  const peak = process.memoryUsage().heapUsed;
  ac.abort();
  await Promise.all(pending);
  pending = [];

  // Then `total` more, aborted batch by batch (one controller per batch).
  for (let done = 0; done < total; done += batch) {
    ac = new AbortController();
    const ps = [];
    for (let i = 0; i < batch; i++) ps.push(lock.acquire({ signal: ac.signal, timeoutMs: 600_000 }).catch(() => 0));
    ac.abort();
    await Promise.all(ps);
  }
  ac = null;
  await collect();
  const after = process.memoryUsage().heapUsed;
  const waiting = lock.waiting;
  lock.release();
  return { before, peak, after, waiting, gc: g ? g.how : null };
}

const fmtRate = (x) => `${Math.round(x).toLocaleString("en-US")} ops/s`;
const fmtKB = (b) => `${(b / 1024).toFixed(0)} KB`;

function pair(name, goal, { ours, theirs }) {
  const ratio = ours / theirs;
  return [
    {
      name: `${name}: synccli`,
      value: fmtRate(ours),
      ratio: `${ratio.toFixed(2)}x async-mutex`,
      note: `goal >= ${goal}x: ${ratio >= goal ? "met" : "NOT met"}`,
    },
    { name: `${name}: async-mutex 0.5`, value: fmtRate(theirs), ratio: "1.00x", note: `median of ${ROUNDS} rounds` },
  ];
}

export async function run() {
  const rows = [];
  rows.push(...pair("Lock uncontended acquire/release", 5, await compare(uncontendedOurs(), uncontendedTheirs())));
  rows.push(
    ...pair(`Lock hand-off, ${TASKS} tasks waiting`, 2, await compare(lockContendedOurs(), lockContendedTheirs())),
  );
  rows.push(
    ...pair(`Semaphore(2), ${TASKS} tasks waiting`, 1.5, await compare(semContendedOurs(), semContendedTheirs())),
  );

  rows.push(...traceRows("Lock uncontended acquire/release", await compare(lockTraced(false), lockTraced(true))));
  rows.push(...traceRows("Queue(100) put+get, uncontended", await compare(queueTraced(false), queueTraced(true))));

  const N = 100_000;
  for (const maxsize of [0, 100]) {
    await queueRun(maxsize, 10_000); // warm-up
    const ms = median([await queueRun(maxsize, N), await queueRun(maxsize, N), await queueRun(maxsize, N)]);
    rows.push({
      name: `Queue(${maxsize}) put/get ${N.toLocaleString("en-US")} items`,
      value: `${ms.toFixed(0)} ms`,
      ratio: "",
      note: `${fmtRate((N / ms) * 1000).replace("ops", "items")}, median of 3`,
    });
  }

  const h = await heapAfterAborts(N);
  const growth = h.after - h.before;
  rows.push({
    name: `heap, ${N.toLocaleString("en-US")} waiters pending`,
    value: `+${fmtKB(h.peak - h.before)}`,
    ratio: "",
    note: `${((h.peak - h.before) / N).toFixed(0)} B/waiter while pending`,
  });
  rows.push({
    name: `heap after ${(2 * N).toLocaleString("en-US")} aborted waiters`,
    value: `${growth >= 0 ? "+" : ""}${fmtKB(growth)}`,
    ratio: "",
    note: h.gc
      ? `${(Math.max(0, growth) / (2 * N)).toFixed(2)} B/waiter retained, ${h.waiting} still queued (gc via ${h.gc}); goal: none retained (< 8 B/waiter, i.e. not even a pointer each): ${growth / (2 * N) < 8 && h.waiting === 0 ? "met" : "NOT met"}`
      : "gc unavailable: figure is approximate (run with --expose-gc)",
  });
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await run();
  console.table(rows);
}
