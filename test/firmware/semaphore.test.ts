import { describe, expect, it } from "vitest";
import { lines, runPy } from "./harness.js";

describe("sync.Semaphore / BoundedSemaphore (MicroPython WASM)", () => {
  it("counts permits; locked(); async with; negative value is a ValueError", async () => {
    const out = await runPy(`
      async def main():
          s = Semaphore(2)
          print(await s.acquire(), s.locked())
          print(await s.acquire(), s.locked())
          s.release()
          print(s.locked())
          async with s:
              print('in with', s.locked())
          print(s.locked())
          d = Semaphore()
          print(await d.acquire(), d.locked())
          try:
              Semaphore(-1)
          except ValueError:
              print('ValueError')
          z = Semaphore(0)
          print(z.locked())
          z.release()   # a plain Semaphore may go above its initial value
          z.release()
          print(await z.acquire(), await z.acquire(), z.locked())
    `);
    expect(out).toBe(
      lines("True False", "True True", "False", "in with True", "False", "True True", "ValueError", "True", "True True True"),
    );
  });

  it("notebook example: only `value` workers hold the semaphore at once", async () => {
    const out = await runPy(`
      async def my_worker(semaphore, name, steps):
          await semaphore.acquire()
          print(name, 'acquired')
          await spin(steps)
          print(name, 'releasing')
          semaphore.release()

      async def main():
          sem = Semaphore(value=2)
          await asyncio.gather(my_worker(sem, 'a', 2), my_worker(sem, 'b', 8), my_worker(sem, 'c', 2))
          print('Main Coroutine')
    `);
    expect(out).toBe(
      lines("a acquired", "b acquired", "a releasing", "c acquired", "c releasing", "b releasing", "Main Coroutine"),
    );
  });

  it("strict FIFO: release wakes the longest waiter and a newcomer never overtakes", async () => {
    const out = await runPy(`
      async def worker(s, name):
          await s.acquire()
          print('got', name)
          await asyncio.sleep(0)
          s.release()

      async def main():
          s = Semaphore(1)
          await s.acquire()
          ts = [asyncio.create_task(worker(s, n)) for n in (1, 2, 3)]
          await spin()
          s.release()
          # No await in between: with waiters present, main must queue.
          await s.acquire()
          print('got main')
          s.release()
          for t in ts:
              await t
          print('locked', s.locked())
    `);
    expect(out).toBe(lines("got 1", "got 2", "got 3", "got main", "locked False"));
  });

  it("a waiter cancelled while queued is skipped and takes no permit", async () => {
    const out = await runPy(`
      async def worker(s, name):
          try:
              await s.acquire()
          except asyncio.CancelledError:
              print('cancelled', name)
              return
          print('got', name)

      async def main():
          s = Semaphore(0)
          ts = [asyncio.create_task(worker(s, n)) for n in (1, 2, 3)]
          await spin()
          ts[0].cancel()
          await spin()
          s.release()
          await spin()
          s.release()
          for t in ts:
              await t
          print('locked', s.locked())
          s.release()
          print('locked', s.locked())
    `);
    expect(out).toBe(lines("cancelled 1", "got 2", "got 3", "locked True", "locked False"));
  });

  it("a waiter cancelled after being handed a permit passes it on (or returns it)", async () => {
    const out = await runPy(`
      async def worker(s, name):
          try:
              await s.acquire()
          except asyncio.CancelledError:
              print('cancelled', name)
              return
          print('got', name)

      async def main():
          s = Semaphore(0)
          ts = [asyncio.create_task(worker(s, n)) for n in (1, 2)]
          await spin()
          s.release()      # permit handed to 1
          ts[0].cancel()   # ... who passes it to 2
          for t in ts:
              await t
          print('locked', s.locked())
          t = asyncio.create_task(worker(s, 3))
          await spin()
          s.release()      # permit handed to 3
          t.cancel()       # ... nobody else waits: the permit is returned
          await t
          print('locked', s.locked())
          print(await s.acquire(), s.locked())
    `);
    expect(out).toBe(lines("cancelled 1", "got 2", "locked True", "cancelled 3", "locked False", "True True"));
  });

  it("BoundedSemaphore refuses to go above its initial value", async () => {
    const out = await runPy(`
      async def main():
          b = BoundedSemaphore(2)
          try:
              b.release()
          except ValueError:
              print('ValueError')
          await b.acquire()
          await b.acquire()
          b.release()
          b.release()
          try:
              b.release()
          except ValueError:
              print('ValueError again')
          print(b.locked(), await b.acquire(), await b.acquire(), b.locked())
          d = BoundedSemaphore()
          await d.acquire()
          d.release()
          try:
              d.release()
          except ValueError:
              print('default bound 1')
          try:
              BoundedSemaphore(-1)
          except ValueError:
              print('negative')
    `);
    expect(out).toBe(lines("ValueError", "ValueError again", "False True True True", "default bound 1", "negative"));
  });

  it("BoundedSemaphore hands off to waiters and passes on a permit when cancelled", async () => {
    const out = await runPy(`
      async def worker(s, name):
          try:
              async with s:
                  print('got', name)
                  await asyncio.sleep(0)
          except asyncio.CancelledError:
              print('cancelled', name)

      async def main():
          b = BoundedSemaphore(1)
          await b.acquire()
          ts = [asyncio.create_task(worker(b, n)) for n in (1, 2, 3)]
          await spin()
          b.release()
          ts[0].cancel()
          for t in ts:
              await t
          try:
              b.release()
          except ValueError:
              print('ValueError')
          print(b.locked())
    `);
    expect(out).toBe(lines("cancelled 1", "got 2", "got 3", "ValueError", "False"));
  });
});
