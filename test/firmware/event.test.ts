import { describe, expect, it } from "vitest";
import { lines, runPy } from "./harness.js";

describe("sync.Event (MicroPython WASM)", () => {
  it("set/clear/is_set; wait() and `await event` return True at once when set", async () => {
    const out = await runPy(`
      async def main():
          ev = Event()
          print(ev.is_set())
          ev.set()
          print(ev.is_set(), await ev.wait(), await ev)
          ev.clear()
          print(ev.is_set())
    `);
    expect(out).toBe(lines("False", "True True True", "False"));
  });

  it("set() wakes every current waiter, in the order they started waiting", async () => {
    const out = await runPy(`
      async def by_wait(ev, name):
          print(name, 'waiting')
          r = await ev.wait()
          print(name, 'woke', r)

      async def by_await(ev, name):
          print(name, 'waiting')
          r = await ev
          print(name, 'woke', r)

      async def main():
          ev = Event()
          ts = [asyncio.create_task(by_wait(ev, 'a')), asyncio.create_task(by_await(ev, 'b')),
                asyncio.create_task(by_wait(ev, 'c'))]
          await spin()
          print('set')
          ev.set()
          for t in ts:
              await t
    `);
    expect(out).toBe(lines("a waiting", "b waiting", "c waiting", "set", "a woke True", "b woke True", "c woke True"));
  });

  it("a clear() right after set() does not un-wake the waiters; later waiters block", async () => {
    const out = await runPy(`
      async def waiter(ev, name):
          await ev
          print(name, 'woke')

      async def main():
          ev = Event()
          ts = [asyncio.create_task(waiter(ev, n)) for n in ('a', 'b')]
          await spin()
          ev.set()
          ev.clear()
          late = asyncio.create_task(waiter(ev, 'late'))
          await spin()
          print('late done', late.done(), [t.done() for t in ts])
          ev.set()
          await late
    `);
    expect(out).toBe(lines("a woke", "b woke", "late done False [True, True]", "late woke"));
  });

  it("notebook example: `await event` then clear() for the next round", async () => {
    const out = await runPy(`
      async def eventset(event):
          for i in range(2):
              await asyncio.sleep_ms(2)
              print('setting', i)
              event.set()
              await spin()

      async def eventwait(event):
          for i in range(2):
              print('waiting for event')
              await event
              print('got event')
              event.clear()

      async def main():
          event = Event()
          t = asyncio.create_task(eventset(event))
          await eventwait(event)
          await t
    `);
    expect(out).toBe(lines("waiting for event", "setting 0", "got event", "waiting for event", "setting 1", "got event"));
  });

  it("cancelled waiters (queued or just woken) do not disturb the others", async () => {
    const out = await runPy(`
      async def waiter(ev, name):
          try:
              await ev.wait()
          except asyncio.CancelledError:
              print(name, 'cancelled')
              return
          print(name, 'woke')

      async def main():
          ev = Event()
          ts = [asyncio.create_task(waiter(ev, n)) for n in ('a', 'b', 'c', 'd')]
          await spin()
          ts[1].cancel()   # still waiting
          await spin()
          ev.set()
          ts[2].cancel()   # already woken by set()
          for t in ts:
              await t
          print(ev.is_set())
          try:
              await asyncio.wait_for_ms(Event().wait(), 5)
          except asyncio.TimeoutError:
              print('timeout')
    `);
    expect(out).toBe(lines("b cancelled", "a woke", "c cancelled", "d woke", "True", "timeout"));
  });
});
