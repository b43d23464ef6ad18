// sync.trace in the real MicroPython WebAssembly interpreter: the records each
// primitive writes, parsed with the host's own RecordSplitter.
import { describe, expect, it } from "vitest";
import { RecordSplitter, type TraceEvent } from "../../src/trace/events.js";
import { dedent, lines, runPy } from "./harness.js";

interface Traced {
  /** The script's own output, records taken out. */
  text: string;
  events: TraceEvent[];
  raw: string;
}

function split(raw: string): Traced {
  const events: TraceEvent[] = [];
  const splitter = new RecordSplitter((e) => events.push(e));
  const text = splitter.push(raw) + splitter.end();
  return { text, events, raw };
}

/** Runs `body` (which defines `async def body()`) as main() with tracing on. */
async function traced(body: string, timeoutMs?: number): Promise<Traced> {
  const main = dedent(`
    async def main():
        trace.start()
        try:
            await body()
        finally:
            trace.stop()
  `);
  return split(await runPy(`from sync import trace\n${dedent(body)}\n${main}`, { timeoutMs }));
}

/** "task obj op [size]" */
const fmt = (e: TraceEvent): string => `${e.task} ${e.obj} ${e.op}${e.size === undefined ? "" : ` ${e.size}`}`;

function expectWellFormed(events: TraceEvent[]): void {
  let t = 0;
  for (const e of events) {
    expect(Number.isInteger(e.t) && e.t >= t, `t of ${fmt(e)}`).toBe(true);
    t = e.t;
  }
}

/**
 * Replays a trace of one Lock, one Semaphore(2), one Queue(2) and one
 * Barrier(3) and fails at the first record that contradicts the primitive's
 * rules. Returns how many of each op were seen.
 */
function checkInvariants(events: TraceEvent[]): Record<string, number> {
  const seen: Record<string, number> = {};
  const blocked = new Map<string, Set<string>>(); // obj -> tasks in a blocking wait
  const holders = new Map<string, string[]>(); // Lock/Semaphore -> tasks holding it
  const sizes = new Map<string, number>();
  const arrived = new Map<string, string[]>(); // Barrier -> this phase's arrivals
  const toPass = new Map<string, Set<string>>(); // Barrier -> tasks of completed phases yet to leave
  const lastArrival = new Map<string, string>(); // Barrier -> task that must pass next
  const get = <T>(m: Map<string, T>, k: string, make: () => T): T => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make()));
    return v;
  };
  for (const [i, e] of events.entries()) {
    const where = `record ${i}: ${e.type} ${fmt(e)}`;
    const key = `${e.type} ${e.op}`;
    seen[key] = (seen[key] ?? 0) + 1;
    const waiting = get(blocked, e.obj, () => new Set<string>());
    if (e.type === "Lock" || e.type === "Semaphore") {
      const limit = e.type === "Lock" ? 1 : 2;
      const held = get(holders, e.obj, () => []);
      switch (e.op) {
        case "wait":
          expect(waiting.has(e.task), where).toBe(false);
          // Only blocks while the permits are out (held, or being handed over).
          expect(held.length + waiting.size >= limit, where).toBe(true);
          waiting.add(e.task);
          break;
        case "acquire":
          // A task that did not block took a spare permit: then no blocked
          // task is still queued, each has been handed one (and for a Lock,
          // nobody may be blocked at all: no overtaking).
          if (!waiting.delete(e.task)) expect(held.length + 1 + waiting.size <= limit, where).toBe(true);
          held.push(e.task);
          expect(held.length <= limit, where).toBe(true);
          break;
        case "release":
          expect(held.includes(e.task), where).toBe(true);
          held.splice(held.indexOf(e.task), 1);
          break;
        case "cancel":
          expect(waiting.delete(e.task), where).toBe(true);
          break;
        default:
          throw new Error(`unexpected ${where}`);
      }
    } else if (e.type === "Queue") {
      const prev = sizes.get(e.obj) ?? 0;
      const size = e.size!;
      expect(size, where).toBe(e.op === "put" ? prev + 1 : e.op === "get" ? prev - 1 : prev);
      expect(size >= 0 && size <= 2, where).toBe(true);
      sizes.set(e.obj, size);
      if (e.op === "put-wait" || e.op === "get-wait") {
        expect(waiting.has(e.task), where).toBe(false);
        waiting.add(`${e.task} ${e.op}`);
      } else if (e.op === "put" || e.op === "get") {
        waiting.delete(`${e.task} ${e.op}-wait`);
      } else {
        expect(e.op, where).toBe("cancel");
        expect(waiting.delete(`${e.task} put-wait`) || waiting.delete(`${e.task} get-wait`), where).toBe(true);
      }
    } else if (e.type === "Barrier") {
      const phase = get(arrived, e.obj, () => []);
      const passing = get(toPass, e.obj, () => new Set<string>());
      const last = lastArrival.get(e.obj);
      if (last !== undefined) {
        // The last arrival passes at once.
        expect(`${e.task} ${e.op}`, where).toBe(`${last} pass`);
        lastArrival.delete(e.obj);
      }
      switch (e.op) {
        case "arrive":
          expect(phase.includes(e.task) || passing.has(e.task), where).toBe(false);
          phase.push(e.task);
          if (phase.length === 3) {
            for (const t of phase.splice(0)) passing.add(t);
            lastArrival.set(e.obj, e.task);
            seen["Barrier phase"] = (seen["Barrier phase"] ?? 0) + 1;
          }
          break;
        case "pass":
          expect(passing.delete(e.task), where).toBe(true);
          break;
        case "cancel":
          if (passing.delete(e.task)) {
            // Cancelled once its phase was complete: it still counted.
            seen["Barrier cancel after the phase"] = (seen["Barrier cancel after the phase"] ?? 0) + 1;
          } else {
            // Withdrawn: the phase still needs 3 arrivals.
            expect(phase.includes(e.task), where).toBe(true);
            phase.splice(phase.indexOf(e.task), 1);
          }
          break;
        default:
          throw new Error(`unexpected ${where}`);
      }
    } else {
      throw new Error(`unexpected ${where}`);
    }
  }
  // Every blocking wait ended (in an acquire, put, get or cancel), every lock
  // and permit came back, every party of a completed phase left it.
  for (const [obj, s] of blocked) expect([...s], `still blocked on ${obj}`).toEqual([]);
  for (const [obj, h] of holders) expect(h, `still holding ${obj}`).toEqual([]);
  for (const [obj, s] of toPass) expect([...s], `yet to pass ${obj}`).toEqual([]);
  return seen;
}

describe("sync.trace (MicroPython WASM)", () => {
  it("Lock: wait, acquire when the hand-off resumes, release", async () => {
    const { text, events } = await traced(`
      async def worker(lock):
          async with lock:
              await asyncio.sleep(0)

      async def body():
          lock = Lock()
          await lock.acquire()
          ts = [asyncio.create_task(worker(lock)) for _ in range(2)]
          await spin()
          lock.release()
          for t in ts:
              await t
    `);
    expect(text).toBe("");
    expectWellFormed(events);
    expect(events.every((e) => e.type === "Lock" && e.side === "board" && e.size === undefined)).toBe(true);
    expect(events.map(fmt)).toEqual([
      "main#1 Lock#1 acquire",
      "worker#1 Lock#1 wait",
      "worker#2 Lock#1 wait",
      "main#1 Lock#1 release",
      "worker#1 Lock#1 acquire",
      "worker#1 Lock#1 release",
      "worker#2 Lock#1 acquire",
      "worker#2 Lock#1 release",
    ]);
  });

  it("Lock: cancel while queued, cancel after the hand-off (passed on, no release), wait_for timeout", async () => {
    const { text, events } = await traced(`
      async def worker(lock, hold):
          try:
              await lock.acquire()
          except asyncio.CancelledError:
              return
          await asyncio.sleep_ms(hold)
          lock.release()

      async def body():
          lock = trace.name(Lock(), "printer")
          await lock.acquire()
          a = trace.name(asyncio.create_task(worker(lock, 0)), "a")
          b = trace.name(asyncio.create_task(worker(lock, 0)), "b")
          c = trace.name(asyncio.create_task(worker(lock, 30)), "c")
          await spin()
          b.cancel()
          await spin()
          lock.release()  # hands the lock to a...
          a.cancel()  # ...which passes it on to c
          await spin()
          try:
              await asyncio.wait_for_ms(lock.acquire(), 5)
          except asyncio.TimeoutError:
              print('timeout')
          await c
    `);
    expect(text).toBe(lines("timeout"));
    expect(events.map(fmt)).toEqual([
      "main#1 printer acquire",
      "a printer wait",
      "b printer wait",
      "c printer wait",
      "b printer cancel",
      "main#1 printer release",
      "a printer cancel",
      "c printer acquire",
      // wait_for() runs the coroutine as a task of its own, credited to its caller.
      "main#1 printer wait",
      "main#1 printer cancel",
      "c printer release",
    ]);
  });

  it("names: first appearance numbers, given names cleaned, Condition locks, top-level code is main", async () => {
    const { events } = await traced(`
      trace.start()
      top = Event()
      top.set()
      trace.stop()

      async def worker(e, delay):
          await asyncio.sleep_ms(delay)
          await e.wait()

      async def producer(e):
          trace.name('producer')
          e.set()

      async def body():
          e = trace.name(Event(), 'go|now\\n\\x1e')
          late = asyncio.create_task(worker(e, 20))
          early = asyncio.create_task(worker(e, 0))
          await asyncio.sleep_ms(40)
          await asyncio.create_task(producer(e))
          await late
          await early
          l1, l2 = Lock(), Lock()
          async with l2:
              pass
          async with l1:
              pass
          c1, c2 = Condition(), Condition()
          trace.name(c2, 'buf')
          async with c2:
              c2.notify()
          async with c1:
              c1.notify()
          c3 = Condition(l1)
          async with c3:
              c3.notify()
    `);
    expect(events.map((e) => `${e.task} ${e.type} ${e.obj} ${e.op}`)).toEqual([
      // Module-level code runs outside any task.
      "main Event Event#1 set",
      "worker#1 Event go_now__ wait",
      "worker#2 Event go_now__ wait",
      "producer Event go_now__ set",
      "worker#1 Event go_now__ wake",
      "worker#2 Event go_now__ wake",
      "main#1 Lock Lock#1 acquire",
      "main#1 Lock Lock#1 release",
      "main#1 Lock Lock#2 acquire",
      "main#1 Lock Lock#2 release",
      "main#1 Lock buf.lock acquire",
      "main#1 Condition buf notify",
      "main#1 Lock buf.lock release",
      "main#1 Lock Condition#1.lock acquire",
      "main#1 Condition Condition#1 notify",
      "main#1 Lock Condition#1.lock release",
      "main#1 Lock Lock#2 acquire",
      "main#1 Condition Condition#2 notify",
      "main#1 Lock Lock#2 release",
    ]);
  });

  it("Event: wait only when it blocks, wake, set, clear, cancel (task.cancel and wait_for)", async () => {
    const { text, events } = await traced(`
      async def waiter(e):
          await e.wait()

      async def awaiter(e):
          await e

      async def body():
          e = Event()
          t1 = asyncio.create_task(waiter(e))
          t2 = asyncio.create_task(awaiter(e))
          await spin()
          e.set()
          print(await e.wait())  # already set: nothing recorded
          await e
          await spin()
          e.clear()
          t3 = asyncio.create_task(waiter(e))
          await spin()
          t3.cancel()
          await spin()
          try:
              await asyncio.wait_for_ms(e.wait(), 5)
          except asyncio.TimeoutError:
              print('timeout')
          e.set()
          print(t1.done(), t2.done(), t3.done())
    `);
    expect(text).toBe(lines("True", "timeout", "True True True"));
    expect(events.every((e) => e.type === "Event" && e.obj === "Event#1")).toBe(true);
    expect(events.map((e) => `${e.task} ${e.op}`)).toEqual([
      "waiter#1 wait",
      "awaiter#1 wait",
      "main#1 set",
      "waiter#1 wake",
      "awaiter#1 wake",
      "main#1 clear",
      "waiter#2 wait",
      "waiter#2 cancel",
      "main#1 wait",
      "main#1 cancel",
      "main#1 set",
    ]);
  });

  it("Semaphore and BoundedSemaphore: immediate and handed-off acquires, cancel after hand-off, no record for a failed release", async () => {
    const { text, events } = await traced(`
      async def user(s):
          await s.acquire()
          await asyncio.sleep(0)
          s.release()

      async def holder(s):
          try:
              await s.acquire()
          except asyncio.CancelledError:
              return
          s.release()

      async def body():
          s = Semaphore(2)
          ts = [asyncio.create_task(user(s)) for _ in range(3)]
          for t in ts:
              await t
          b = BoundedSemaphore(1)
          await b.acquire()
          h = asyncio.create_task(holder(b))
          await spin()
          b.release()  # hands the permit to h...
          h.cancel()  # ...which gives it back
          await spin()
          try:
              b.release()
          except ValueError:
              print('ValueError')
          await asyncio.wait_for_ms(b.acquire(), 50)
          b.release()
    `);
    expect(text).toBe(lines("ValueError"));
    expect(events.map((e) => `${e.task} ${e.type} ${e.obj} ${e.op}`)).toEqual([
      "user#1 Semaphore Semaphore#1 acquire",
      "user#2 Semaphore Semaphore#1 acquire",
      "user#3 Semaphore Semaphore#1 wait",
      "user#1 Semaphore Semaphore#1 release",
      "user#2 Semaphore Semaphore#1 release",
      "user#3 Semaphore Semaphore#1 acquire",
      "user#3 Semaphore Semaphore#1 release",
      "main#1 BoundedSemaphore BoundedSemaphore#1 acquire",
      "holder#1 BoundedSemaphore BoundedSemaphore#1 wait",
      "main#1 BoundedSemaphore BoundedSemaphore#1 release",
      "holder#1 BoundedSemaphore BoundedSemaphore#1 cancel",
      "main#1 BoundedSemaphore BoundedSemaphore#1 acquire",
      "main#1 BoundedSemaphore BoundedSemaphore#1 release",
    ]);
  });

  it("Barrier: arrive, pass (at once for the last arrival), break, reset, cancel (withdrawn, or after the phase)", async () => {
    const { text, events } = await traced(`
      async def party(b, n):
          for _ in range(n):
              await b.wait()

      async def brk(b):
          try:
              await b.wait()
          except BrokenBarrierError:
              print('broken')

      def boom():
          raise ValueError('boom')

      async def body():
          b = Barrier(3)
          ts = [asyncio.create_task(party(b, 2)) for _ in range(3)]
          for t in ts:
              await t
          # An action that raises breaks the barrier.
          b = trace.name(Barrier(2, boom), 'B')
          t = asyncio.create_task(brk(b))
          await spin()
          try:
              await b.wait()
          except ValueError:
              print('boom')
          await t
          await brk(b)  # already broken
          b.reset()
          # abort() with a waiter, then reset() with a waiter.
          t = asyncio.create_task(brk(b))
          await spin()
          b.abort()
          await t
          b.reset()
          t = asyncio.create_task(brk(b))
          await spin()
          b.reset()
          await t
          # A waiter that withdraws: cancelled, or timed out.
          t = asyncio.create_task(party(b, 1))
          await spin()
          t.cancel()
          await spin()
          try:
              await asyncio.wait_for_ms(b.wait(), 5)
          except asyncio.TimeoutError:
              print('timeout')
          print(b.n_waiting, b.broken)
          # Cancelled after its phase was complete (it still counted).
          b = Barrier(2)
          t = asyncio.create_task(party(b, 1))
          await spin()
          print(await b.wait())
          t.cancel()
          await spin()
    `);
    expect(text).toBe(lines("boom", "broken", "broken", "broken", "broken", "timeout", "0 False", "1"));
    expect(events.map((e) => `${e.task} ${e.obj} ${e.op}`)).toEqual([
      "party#1 Barrier#1 arrive",
      "party#2 Barrier#1 arrive",
      "party#3 Barrier#1 arrive",
      "party#3 Barrier#1 pass",
      "party#3 Barrier#1 arrive",
      "party#1 Barrier#1 pass",
      "party#1 Barrier#1 arrive",
      "party#2 Barrier#1 pass",
      "party#2 Barrier#1 arrive",
      "party#2 Barrier#1 pass",
      "party#3 Barrier#1 pass",
      "party#1 Barrier#1 pass",
      "brk#1 B arrive",
      "main#1 B arrive",
      "main#1 B break",
      "brk#1 B break",
      "main#1 B break",
      "main#1 B reset",
      "brk#2 B arrive",
      "main#1 B break",
      "brk#2 B break",
      "main#1 B reset",
      "brk#3 B arrive",
      "main#1 B reset",
      "brk#3 B break",
      "party#4 B arrive",
      "party#4 B cancel",
      "main#1 B arrive",
      "main#1 B cancel",
      "party#5 Barrier#2 arrive",
      "main#1 Barrier#2 arrive",
      "main#1 Barrier#2 pass",
      "party#5 Barrier#2 cancel",
    ]);
  });

  it("Queue: put, put-wait, get, get-wait, cancel, each with the size after it", async () => {
    const { text, events } = await traced(`
      async def producer(q, items):
          for i in items:
              await q.put(i)

      async def consumer(q, n):
          for _ in range(n):
              await q.get()

      async def getter(q):
          try:
              print('got', await q.get())
          except asyncio.CancelledError:
              pass

      async def body():
          q = Queue(1)
          c = asyncio.create_task(consumer(q, 3))
          await spin()
          p = asyncio.create_task(producer(q, [1, 2, 3]))
          await c
          await p
          q = trace.name(Queue(), 'jobs')
          q.put_nowait('a')
          q.put_nowait('b')
          q.get_nowait()
          await q.get()
          try:
              q.get_nowait()
          except QueueEmpty:
              print('QueueEmpty')
          g1 = asyncio.create_task(getter(q))
          g2 = asyncio.create_task(getter(q))
          await spin()
          g1.cancel()  # cancelled while waiting
          await spin()
          g3 = asyncio.create_task(getter(q))
          await spin()
          q.put_nowait('c')  # reserved for g2...
          g2.cancel()  # ...which passes it on to g3
          await spin()
          q = Queue(1)
          q.put_nowait(1)
          try:
              await asyncio.wait_for_ms(q.put(2), 5)
          except asyncio.TimeoutError:
              print('timeout')
    `);
    expect(text).toBe(lines("QueueEmpty", "got c", "timeout"));
    expect(events.every((e) => e.type === "Queue" && e.size !== undefined)).toBe(true);
    expect(events.map(fmt)).toEqual([
      "consumer#1 Queue#1 get-wait 0",
      "producer#1 Queue#1 put 1",
      "producer#1 Queue#1 put-wait 1",
      "consumer#1 Queue#1 get 0",
      "consumer#1 Queue#1 get-wait 0",
      "producer#1 Queue#1 put 1",
      "producer#1 Queue#1 put-wait 1",
      "consumer#1 Queue#1 get 0",
      "consumer#1 Queue#1 get-wait 0",
      "producer#1 Queue#1 put 1",
      "consumer#1 Queue#1 get 0",
      "main#1 jobs put 1",
      "main#1 jobs put 2",
      "main#1 jobs get 1",
      "main#1 jobs get 0",
      "getter#1 jobs get-wait 0",
      "getter#2 jobs get-wait 0",
      "getter#1 jobs cancel 0",
      "getter#3 jobs get-wait 0",
      "main#1 jobs put 1",
      "getter#2 jobs cancel 1",
      "getter#3 jobs get 0",
      "main#1 Queue#2 put 1",
      "main#1 Queue#2 put-wait 1",
      "main#1 Queue#2 cancel 1",
    ]);
  });

  it("Condition: wait then its lock's release, notify, wake then the lock re-acquire, cancel", async () => {
    const { text, events } = await traced(`
      async def waiter(c):
          try:
              async with c:
                  await c.wait()
          except asyncio.CancelledError:
              print('cancelled')

      async def body():
          c = Condition()
          ws = [asyncio.create_task(waiter(c)) for _ in range(2)]
          await spin()
          async with c:
              c.notify()
          await spin()
          async with c:
              c.notify_all()
          for w in ws:
              await w
          c = trace.name(Condition(), 'buf')
          ws = [asyncio.create_task(waiter(c)) for _ in range(2)]
          await spin()
          ws[0].cancel()
          await spin()
          async with c:
              c.notify(0)
              c.notify()
              await spin()  # the waiter wakes, then queues for the lock
          for w in ws:
              await w
    `);
    expect(text).toBe(lines("cancelled"));
    expect(events.map((e) => `${e.task} ${e.type} ${e.obj} ${e.op}`)).toEqual([
      "waiter#1 Lock Condition#1.lock acquire",
      "waiter#1 Condition Condition#1 wait",
      "waiter#1 Lock Condition#1.lock release",
      "waiter#2 Lock Condition#1.lock acquire",
      "waiter#2 Condition Condition#1 wait",
      "waiter#2 Lock Condition#1.lock release",
      "main#1 Lock Condition#1.lock acquire",
      "main#1 Condition Condition#1 notify",
      "main#1 Lock Condition#1.lock release",
      "waiter#1 Condition Condition#1 wake",
      "waiter#1 Lock Condition#1.lock acquire",
      "waiter#1 Lock Condition#1.lock release",
      "main#1 Lock Condition#1.lock acquire",
      "main#1 Condition Condition#1 notify",
      "main#1 Lock Condition#1.lock release",
      "waiter#2 Condition Condition#1 wake",
      "waiter#2 Lock Condition#1.lock acquire",
      "waiter#2 Lock Condition#1.lock release",
      "waiter#3 Lock buf.lock acquire",
      "waiter#3 Condition buf wait",
      "waiter#3 Lock buf.lock release",
      "waiter#4 Lock buf.lock acquire",
      "waiter#4 Condition buf wait",
      "waiter#4 Lock buf.lock release",
      "waiter#3 Condition buf cancel",
      "waiter#3 Lock buf.lock acquire",
      "waiter#3 Lock buf.lock release",
      "main#1 Lock buf.lock acquire",
      "main#1 Condition buf notify",
      "main#1 Condition buf notify",
      "waiter#4 Condition buf wake",
      "waiter#4 Lock buf.lock wait",
      "main#1 Lock buf.lock release",
      "waiter#4 Lock buf.lock acquire",
      "waiter#4 Lock buf.lock release",
    ]);
  });

  it("off: nothing is written, before start() or after stop()", async () => {
    const out = await runPy(`
      from sync import trace

      async def exercise():
          lock, e, s, q, c, b = Lock(), Event(), BoundedSemaphore(1), Queue(1), Condition(), Barrier(1)
          async with lock:
              pass
          t = asyncio.create_task(e.wait())
          await spin()
          e.set()
          await e.wait()
          e.clear()
          async with s:
              pass
          await q.put(1)
          await q.get()
          async with c:
              c.notify()
          await b.wait()
          await t
          print('done')

      async def main():
          await exercise()
          trace.start()
          trace.stop()
          await exercise()
          print(trace.on)
    `);
    expect(out).toBe(lines("done", "done", "False"));
    expect(out).not.toContain("\x1e");
  });

  it("records between partial lines leave the script's own text untouched", async () => {
    const { text, events, raw } = await traced(`
      async def other(lock):
          print('[other]', end='')
          async with lock:
              print('[other has it]', end='')

      async def body():
          lock = Lock()
          print('before', end='')
          await lock.acquire()
          print(' middle', end='')
          t = asyncio.create_task(other(lock))
          await spin()
          print(' | ', end='')
          lock.release()
          await t
          print(' after')
    `);
    expect(raw).toContain("before\x1e");
    expect(text).toBe("before middle[other] | [other has it] after\n");
    expect(events.map(fmt)).toEqual([
      "main#1 Lock#1 acquire",
      "other#1 Lock#1 wait",
      "main#1 Lock#1 release",
      "other#1 Lock#1 acquire",
      "other#1 Lock#1 release",
    ]);
  });
  it("a busy random run (cancel and wait_for timeouts everywhere) keeps every primitive's invariants", async () => {
    const { text, events } = await traced(`
      seed = [20240917]
      def rnd(n):
          seed[0] = (seed[0] * 1103515245 + 12345) & 0x7fffffff
          return (seed[0] >> 8) % n

      log = {'Lock': 0, 'Semaphore': 0, 'Queue': 0, 'timeout': 0}
      timed_out = []

      async def user(s, kind, hold):
          try:
              await s.acquire()
          except asyncio.CancelledError:
              log[kind] += 1
              return
          try:
              await spin(hold)
          finally:
              s.release()

      async def producer(q, item):
          try:
              await q.put(item)
          except asyncio.CancelledError:
              log['Queue'] += 1

      async def consumer(q, timeout, i):
          if timeout:
              trace.name("timed-%d" % i)
              try:
                  await asyncio.wait_for_ms(q.get(), timeout)
              except asyncio.TimeoutError:
                  log['timeout'] += 1
                  timed_out.append(i)
              return
          try:
              await q.get()
          except asyncio.CancelledError:
              log['Queue'] += 1

      async def party(b):
          await b.wait()

      async def body():
          # Every choice comes from this task's random stream; only the
          # wait_for() timeouts depend on the clock.
          lock, sem, q, bar = Lock(), Semaphore(2), Queue(2), Barrier(3)
          kinds = [lambda i: user(lock, 'Lock', 5 + rnd(30)), lambda i: user(lock, 'Lock', 5 + rnd(30)),
                   lambda i: user(sem, 'Semaphore', 5 + rnd(30)), lambda i: user(sem, 'Semaphore', 5 + rnd(30)),
                   lambda i: producer(q, i), lambda i: consumer(q, rnd(2) * (1 + rnd(3)), i),
                   lambda i: party(bar)]
          tasks = [[] for _ in kinds]
          for step in range(500):
              k = rnd(len(kinds))
              if rnd(3):
                  tasks[k].append(asyncio.create_task(kinds[k](step)))
              elif tasks[k]:
                  tasks[k][rnd(len(tasks[k]))].cancel()
              await spin(rnd(3))
              tasks = [[t for t in ts if not t.done()] for ts in tasks]
          for ts in tasks:
              for t in ts:
                  t.cancel()
          for ts in tasks:
              for t in ts:
                  try:
                      await t
                  except asyncio.CancelledError:
                      pass
          await spin()
          print(log['Lock'], log['Semaphore'], log['Queue'], log['timeout'])
          print(*timed_out)
    `);
    expectWellFormed(events);
    const seen = checkInvariants(events);
    const cancels = (type: string, task?: RegExp) =>
      events.filter((e) => e.type === type && e.op === "cancel" && (!task || task.test(e.task))).length;
    // Each cancellation the script saw at an acquire/put/get, and each
    // wait_for() timeout, is a cancel record of that task.
    const [counts, timedOut] = text.trim().split("\n");
    const [lock, sem, queue, timeouts] = counts!.split(" ").map(Number);
    expect([lock, sem, queue]).toEqual([cancels("Lock"), cancels("Semaphore"), cancels("Queue", /^(producer|consumer)#/)]);
    // How many wait_for() timeouts fire depends on the machine's speed (the
    // tests per primitive cover them exactly). Each is a cancel of its task's
    // get(), or, when the timeout and an item came in the same moment, a get
    // that completed all the same (asyncio's wait_for race, on a board too).
    const ids = (timedOut ?? "").split(" ").filter((x) => x !== "");
    expect(ids).toHaveLength(timeouts!);
    for (const id of ids) expect(events.some((e) => e.task === `timed-${id}` && e.type === "Queue" && (e.op === "cancel" || e.op === "get")), `timed-${id}`).toBe(true);
    // wait_for() runs q.get() as a task of its own: its events are the consumer's.
    expect(events.filter((e) => !/^(main|user|producer|consumer|party)#\d+$|^timed-\d+$/.test(e.task))).toEqual([]);
    // Busy enough to mean something.
    for (const k of ["Lock wait", "Lock cancel", "Semaphore wait", "Semaphore cancel", "Queue put-wait", "Queue get-wait",
      "Queue cancel", "Barrier cancel"]) {
      expect(seen[k] ?? 0, k).toBeGreaterThan(3);
    }
    expect(seen["Barrier phase"] ?? 0).toBeGreaterThan(3);
    // Every party of a completed phase left it once: passed, or cancelled
    // after the phase was complete.
    expect(seen["Barrier pass"]! + (seen["Barrier cancel after the phase"] ?? 0)).toBe(3 * seen["Barrier phase"]!);
  });
});
