import { describe, expect, it } from "vitest";
import { lines, runPy } from "./harness.js";

describe("sync.Barrier (MicroPython WASM)", () => {
  it("returns arrival indices 0..parties-1, first arrival 0; wait() and `await barrier`", async () => {
    const out = await runPy(`
      async def party(b, name, use_await):
          i = (await b) if use_await else (await b.wait())
          print(name, i)

      async def main():
          b = Barrier(3)
          print(b.parties, b.n_waiting, b.broken)
          ts = [asyncio.create_task(party(b, 'a', False)), asyncio.create_task(party(b, 'b', True))]
          await spin()
          print('waiting', b.n_waiting)
          print('main', await b.wait(), b.n_waiting)
          for t in ts:
              await t
          try:
              Barrier(0)
          except ValueError:
              print('ValueError')
    `);
    expect(out).toBe(lines("3 0 False", "waiting 2", "main 2 0", "a 0", "b 1", "ValueError"));
  });

  it("notebook example: cyclic over many phases, action(*args) once per phase", async () => {
    const out = await runPy(`
      def callback(text):
          print(text)

      async def report(barrier):
          for i in range(5):
              print('{} '.format(i), end='')
              await barrier

      async def main():
          barrier = Barrier(3, callback, ('Synch',))
          await asyncio.gather(*[report(barrier) for _ in range(3)])
    `);
    expect(out).toBe(lines("0 0 0 Synch", "1 1 1 Synch", "2 2 2 Synch", "3 3 3 Synch", "4 4 4 Synch"));
  });

  it("the action runs before any waiter of the phase resumes; indices restart each phase", async () => {
    const out = await runPy(`
      phase = 0
      def action(tag):
          global phase
          print(tag, phase)
          phase += 1

      async def party(b, name, delay):
          for _ in range(3):
              await spin(delay)
              i = await b.wait()
              print(name, 'phase', phase, 'index', i)

      async def main():
          b = Barrier(2, action, ('action',))
          await asyncio.gather(party(b, 'fast', 0), party(b, 'slow', 2))
    `);
    expect(out).toBe(
      lines(
        "action 0", "slow phase 1 index 1", "fast phase 1 index 0",
        "action 1", "slow phase 2 index 1", "fast phase 2 index 0",
        "action 2", "slow phase 3 index 1", "fast phase 3 index 0",
      ),
    );
  });

  it("a single-party barrier completes at once", async () => {
    const out = await runPy(`
      async def main():
          b = Barrier(1, print, ('act',))
          print(await b.wait(), await b, b.n_waiting)
    `);
    expect(out).toBe(lines("act", "act", "0 0 0"));
  });

  it("an action that raises: its exception from the last wait(), BrokenBarrierError for the others, broken until reset()", async () => {
    const out = await runPy(`
      calls = []
      def action():
          calls.append(1)
          if len(calls) == 1:
              raise KeyError('in action')

      async def party(b, name):
          try:
              print(name, await b.wait())
          except BrokenBarrierError:
              print(name, 'BrokenBarrierError')

      async def main():
          b = Barrier(3, action)
          ts = [asyncio.create_task(party(b, n)) for n in ('a', 'b')]
          await spin()
          try:
              await b.wait()
          except KeyError as e:
              print('last got', repr(e))
          for t in ts:
              await t
          print('broken', b.broken, b.n_waiting)
          await party(b, 'late')
          b.reset()
          print('broken', b.broken)
          ts = [asyncio.create_task(party(b, n)) for n in ('x', 'y', 'z')]
          for t in ts:
              await t
          print('action calls', len(calls))
    `);
    expect(out).toBe(
      lines(
        "last got KeyError('in action',)",
        "a BrokenBarrierError",
        "b BrokenBarrierError",
        "broken True 0",
        "late BrokenBarrierError",
        "broken False",
        "z 2",
        "x 0",
        "y 1",
        "action calls 2",
      ),
    );
  });

  it("abort() breaks current and future waits until reset()", async () => {
    const out = await runPy(`
      async def party(b, name):
          try:
              print(name, await b.wait())
          except BrokenBarrierError:
              print(name, 'BrokenBarrierError')

      async def main():
          b = Barrier(3)
          ts = [asyncio.create_task(party(b, n)) for n in ('a', 'b')]
          await spin()
          b.abort()
          print('aborted', b.broken, b.n_waiting)
          for t in ts:
              await t
          await party(b, 'c')
          b.reset()
          ts = [asyncio.create_task(party(b, n)) for n in ('d', 'e', 'f')]
          for t in ts:
              await t
    `);
    expect(out).toBe(
      lines("aborted True 0", "a BrokenBarrierError", "b BrokenBarrierError", "c BrokenBarrierError", "f 2", "d 0", "e 1"),
    );
  });

  it("reset() sends BrokenBarrierError to current waiters and leaves the barrier usable", async () => {
    const out = await runPy(`
      async def party(b, name):
          try:
              print(name, await b.wait())
          except BrokenBarrierError:
              print(name, 'BrokenBarrierError')

      async def main():
          b = Barrier(2)
          t = asyncio.create_task(party(b, 'a'))
          await spin()
          b.reset()
          print('reset', b.broken, b.n_waiting)
          await t
          ts = [asyncio.create_task(party(b, n)) for n in ('b', 'c')]
          for t in ts:
              await t
    `);
    expect(out).toBe(lines("reset False 0", "a BrokenBarrierError", "c 1", "b 0"));
  });

  it("a waiter cancelled before the phase completes is withdrawn; the phase needs parties live arrivals", async () => {
    const out = await runPy(`
      async def party(b, name):
          try:
              i = await b.wait()
          except asyncio.CancelledError:
              print(name, 'cancelled')
              return
          print(name, i)

      async def main():
          b = Barrier(3, print, ('action',))
          a = asyncio.create_task(party(b, 'a'))
          bb = asyncio.create_task(party(b, 'b'))
          await spin()
          a.cancel()
          await spin()
          print('n_waiting', b.n_waiting, 'broken', b.broken)
          c = asyncio.create_task(party(b, 'c'))
          await spin()
          print('n_waiting', b.n_waiting, bb.done(), c.done())
          d = asyncio.create_task(party(b, 'd'))
          for t in (bb, c, d):
              await t
          print('n_waiting', b.n_waiting, 'broken', b.broken)
    `);
    expect(out).toBe(
      lines("a cancelled", "n_waiting 1 broken False", "n_waiting 2 False False", "action", "d 2", "b 0", "c 1", "n_waiting 0 broken False"),
    );
  });

  it("a waiter cancelled just after the phase completed does not disturb the others or the next phase", async () => {
    const out = await runPy(`
      async def party(b, name, rounds):
          for _ in range(rounds):
              try:
                  i = await b.wait()
              except asyncio.CancelledError:
                  print(name, 'cancelled')
                  return
              print(name, i)

      async def main():
          b = Barrier(2)
          a = asyncio.create_task(party(b, 'a', 1))
          await spin()
          print('main', await b.wait())
          a.cancel()   # a was already released by the phase
          await a
          c = asyncio.create_task(party(b, 'c', 1))
          await spin()
          print('main', await b.wait())
          await c
    `);
    expect(out).toBe(lines("main 1", "a cancelled", "main 1", "c 0"));
  });
});
