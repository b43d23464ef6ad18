import { describe, expect, it } from "vitest";
import { lines, runPy } from "./harness.js";

describe("sync.Condition (MicroPython WASM)", () => {
  it("acquire/release/locked, async with, shared or asyncio lock; RuntimeError without the lock", async () => {
    const out = await runPy(`
      async def main():
          c = Condition()
          print(c.locked(), await c.acquire(), c.locked())
          c.release()
          async with c:
              print('in with', c.locked())
          print(c.locked())
          for call in (lambda: c.wait(), lambda: c.wait_for(lambda: False)):
              try:
                  await call()
              except RuntimeError:
                  print('wait: RuntimeError')
          for call in (c.notify, c.notify_all):
              try:
                  call()
              except RuntimeError:
                  print('notify: RuntimeError')
          lock = Lock()
          shared = Condition(lock)
          async with shared:
              print('shared', lock.locked())
          print('shared', lock.locked())
          core = Condition(asyncio.Lock())
          async with core:
              core.notify()
              print('asyncio.Lock', core.locked())
    `);
    expect(out).toBe(
      lines(
        "False True True",
        "in with True",
        "False",
        "wait: RuntimeError",
        "wait: RuntimeError",
        "notify: RuntimeError",
        "notify: RuntimeError",
        "shared True",
        "shared False",
        "asyncio.Lock True",
      ),
    );
  });

  it("notify(n) wakes the longest waiters first, each holding the lock when wait() returns", async () => {
    const out = await runPy(`
      async def waiter(c, name):
          async with c:
              print(name, 'waits')
              r = await c.wait()
              print(name, 'woke', r, 'locked', c.locked())
              await spin(1)

      async def main():
          c = Condition()
          ts = [asyncio.create_task(waiter(c, n)) for n in ('w1', 'w2', 'w3', 'w4')]
          await spin()
          async with c:
              c.notify()
              print('notified 1')
          await spin()
          async with c:
              c.notify(2)
              print('notified 2')
          await spin(8)
          async with c:
              c.notify(5)   # more than are waiting
              print('notified 5')
          for t in ts:
              await t
    `);
    expect(out).toBe(
      lines(
        "w1 waits", "w2 waits", "w3 waits", "w4 waits",
        "notified 1", "w1 woke True locked True",
        "notified 2", "w2 woke True locked True", "w3 woke True locked True",
        "notified 5", "w4 woke True locked True",
      ),
    );
  });

  it("notify_all() wakes every waiter, in waiting order; wait_for(predicate) rechecks", async () => {
    const out = await runPy(`
      state = {'n': 0}

      async def waiter(c, name, target):
          async with c:
              r = await c.wait_for(lambda: state['n'] >= target and state['n'])
              print(name, 'saw', r)

      async def main():
          c = Condition()
          ts = [asyncio.create_task(waiter(c, 'w' + str(t), t)) for t in (2, 1, 3)]
          await spin()
          for _ in range(3):
              async with c:
                  state['n'] += 1
                  print('n =', state['n'])
                  c.notify_all()
              await spin()
          for t in ts:
              await t
          async with c:
              print('already true:', await c.wait_for(lambda: 'yes'))
    `);
    expect(out).toBe(lines("n = 1", "w1 saw 1", "n = 2", "w2 saw 2", "n = 3", "w3 saw 3", "already true: yes"));
  });

  it("a cancelled wait() re-acquires the lock before CancelledError propagates", async () => {
    const out = await runPy(`
      async def waiter(c, name):
          await c.acquire()
          try:
              await c.wait()
          except asyncio.CancelledError:
              print(name, 'cancelled, locked', c.locked())
              c.release()
              return
          print(name, 'woke')
          c.release()

      async def main():
          c = Condition()
          w = asyncio.create_task(waiter(c, 'w'))
          await spin()
          await c.acquire()
          w.cancel()
          await spin()
          print('main still holds the lock, w done:', w.done())
          c.release()
          await w
          print('locked', c.locked())
    `);
    expect(out).toBe(lines("main still holds the lock, w done: False", "w cancelled, locked True", "locked False"));
  });

  it("cancelled (twice) while re-acquiring the lock, wait() still ends holding it and passes the notification on", async () => {
    const out = await runPy(`
      async def waiter(c, name):
          async with c:
              try:
                  await c.wait()
              except asyncio.CancelledError:
                  print(name, 'cancelled, locked', c.locked())
                  return
              print(name, 'woke')

      async def main():
          c = Condition()
          w = asyncio.create_task(waiter(c, 'w'))
          w2 = asyncio.create_task(waiter(c, 'w2'))
          await spin()
          await c.acquire()
          c.notify()        # w is woken but must wait for the lock main holds
          await spin()
          w.cancel()        # cancelled while queued on the lock
          await spin()
          w.cancel()
          await spin()
          print('w done:', w.done())
          c.release()
          await w
          await w2          # woken by the notification w passed on
          print('locked', c.locked())
    `);
    expect(out).toBe(lines("w done: False", "w cancelled, locked True", "w2 woke", "locked False"));
  });

  it("a waiter cancelled before notify() is skipped; one cancelled after being notified passes it on", async () => {
    const out = await runPy(`
      async def waiter(c, name):
          async with c:
              try:
                  await c.wait()
              except asyncio.CancelledError:
                  print(name, 'cancelled')
                  return
              print(name, 'woke')

      async def main():
          c = Condition()
          ts = {n: asyncio.create_task(waiter(c, n)) for n in ('w1', 'w2', 'w3', 'w4')}
          await spin()
          ts['w1'].cancel()   # not notified: just leaves
          await spin()
          async with c:
              c.notify()      # picks w2 ...
          ts['w2'].cancel()   # ... cancelled before it resumed: w3 gets the notification
          await spin(8)
          print('w4 waiting:', not ts['w4'].done())
          async with c:
              c.notify()
          for t in ts.values():
              await t
    `);
    expect(out).toBe(lines("w1 cancelled", "w2 cancelled", "w3 woke", "w4 waiting: True", "w4 woke"));
  });
});
