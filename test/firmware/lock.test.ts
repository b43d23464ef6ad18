import { describe, expect, it } from "vitest";
import { lines, runPy } from "./harness.js";

describe("sync.Lock (MicroPython WASM)", () => {
  it("acquire/release/locked, async with, legacy delay_ms, RuntimeError on unlocked release", async () => {
    const out = await runPy(`
      async def main():
          lock = Lock()
          print(lock.locked())
          print(await lock.acquire(), lock.locked())
          lock.release()
          print(lock.locked())
          try:
              lock.release()
          except RuntimeError:
              print('RuntimeError')
          async with lock:
              print('in with', lock.locked())
          print(lock.locked())
          try:
              async with lock:
                  raise ValueError('body')
          except ValueError:
              print('ValueError, locked', lock.locked())
          legacy = Lock(100)
          print(await legacy.acquire(), Lock(delay_ms=0).locked())
    `);
    expect(out).toBe(
      lines("False", "True True", "False", "RuntimeError", "in with True", "False", "ValueError, locked False", "True False"),
    );
  });

  it("hands the lock over in strict FIFO order; the releaser cannot overtake waiters", async () => {
    const out = await runPy(`
      async def worker(lock, name):
          await lock.acquire()
          print('got', name)
          await asyncio.sleep(0)
          lock.release()

      async def main():
          lock = Lock()
          await lock.acquire()
          ts = [asyncio.create_task(worker(lock, n)) for n in (1, 2, 3)]
          await spin()
          lock.release()
          # No await in between: a non-FIFO lock would let main take it here.
          await lock.acquire()
          print('got main')
          lock.release()
          for t in ts:
              await t
          print('locked', lock.locked())
    `);
    expect(out).toBe(lines("got 1", "got 2", "got 3", "got main", "locked False"));
  });

  it("a second release() while the lock is being handed over raises RuntimeError", async () => {
    const out = await runPy(`
      async def worker(lock):
          await lock.acquire()
          print('worker got it')
          lock.release()

      async def main():
          lock = Lock()
          await lock.acquire()
          t = asyncio.create_task(worker(lock))
          await spin()
          lock.release()
          try:
              lock.release()
          except RuntimeError:
              print('RuntimeError')
          await t
          print('locked', lock.locked())
    `);
    expect(out).toBe(lines("RuntimeError", "worker got it", "locked False"));
  });

  it("round-robins looping tasks with mutual exclusion (notebook example)", async () => {
    const out = await runPy(`
      inside = 0
      async def task(i, lock):
          global inside
          for _ in range(3):
              await lock.acquire()
              inside += 1
              print('Acquired lock in task', i, 'inside', inside)
              await asyncio.sleep_ms(2)
              inside -= 1
              lock.release()

      async def main():
          lock = Lock()
          await asyncio.gather(*[task(i, lock) for i in (1, 2, 3)])
    `);
    const expected: string[] = [];
    for (let round = 0; round < 3; round++) for (const i of [1, 2, 3]) expected.push(`Acquired lock in task ${i} inside 1`);
    expect(out).toBe(lines(...expected));
  });

  it("a waiter cancelled while queued neither blocks the others nor takes the lock", async () => {
    const out = await runPy(`
      async def worker(lock, name):
          try:
              await lock.acquire()
          except asyncio.CancelledError:
              print('cancelled', name)
              raise
          print('got', name)
          lock.release()

      async def main():
          lock = Lock()
          await lock.acquire()
          ts = [asyncio.create_task(worker(lock, n)) for n in (1, 2, 3)]
          await spin()
          ts[1].cancel()
          ts[0].cancel()
          await spin()
          print('still locked', lock.locked())
          lock.release()
          await spin()
          print('locked', lock.locked(), [t.done() for t in ts])
          # The lock is still fully usable.
          print(await lock.acquire())
          lock.release()
    `);
    expect(out).toBe(lines("cancelled 2", "cancelled 1", "still locked True", "got 3", "locked False [True, True, True]", "True"));
  });

  it("a waiter cancelled just after being handed the lock passes it on", async () => {
    const out = await runPy(`
      async def worker(lock, name):
          try:
              await lock.acquire()
          except asyncio.CancelledError:
              print('cancelled', name)
              return
          print('got', name)
          await asyncio.sleep(0)
          lock.release()

      async def main():
          lock = Lock()
          await lock.acquire()
          ts = [asyncio.create_task(worker(lock, n)) for n in (1, 2, 3)]
          await spin()
          lock.release()   # hands the lock to 1, already scheduled to resume
          ts[0].cancel()   # 1 must pass it on to 2
          for t in ts:
              await t
          print('locked', lock.locked())
          async with lock:
              print('main got it')
    `);
    expect(out).toBe(lines("cancelled 1", "got 2", "got 3", "locked False", "main got it"));
  });

  it("asyncio.wait_for() timeouts on acquire() leave the queue intact", async () => {
    const out = await runPy(`
      async def main():
          lock = Lock()
          await lock.acquire()
          for _ in range(3):
              try:
                  await asyncio.wait_for_ms(lock.acquire(), 5)
              except asyncio.TimeoutError:
                  print('timeout')
          lock.release()
          print('locked', lock.locked())
          print(await asyncio.wait_for_ms(lock.acquire(), 5), lock.locked())
    `);
    expect(out).toBe(lines("timeout", "timeout", "timeout", "locked False", "True True"));
  });
});
