import { describe, expect, it } from "vitest";
import { lines, runPy } from "./harness.js";

describe("sync.Queue (MicroPython WASM)", () => {
  it("put_nowait/get_nowait, qsize/empty/full, QueueEmpty (never None) and QueueFull", async () => {
    const out = await runPy(`
      async def main():
          q = Queue()
          print(q.maxsize, q.qsize(), q.empty(), q.full())
          for i in range(100):
              q.put_nowait(i)
          print(q.qsize(), q.empty(), q.full())
          print([q.get_nowait() for _ in range(3)], q.qsize())
          while not q.empty():
              q.get_nowait()
          try:
              print(q.get_nowait())
          except QueueEmpty:
              print('QueueEmpty')
          b = Queue(2)
          b.put_nowait('a')
          await b.put('b')
          print(b.qsize(), b.full())
          try:
              b.put_nowait('c')
          except QueueFull:
              print('QueueFull', b.qsize())
          print(await b.get(), b.get_nowait(), b.empty(), b.full())
          n = Queue(maxsize=-1)   # maxsize <= 0: unbounded
          for i in range(5):
              n.put_nowait(i)
          print(n.full(), n.qsize())
    `);
    expect(out).toBe(lines("0 0 True False", "100 False False", "[0, 1, 2] 97", "QueueEmpty", "2 True", "QueueFull 2", "a b True False", "False 5"));
  });

  it("waiting getters are served first come first served, and a newcomer cannot overtake them", async () => {
    const out = await runPy(`
      async def getter(q, name):
          print(name, 'got', await q.get())

      async def main():
          q = Queue()
          ts = [asyncio.create_task(getter(q, n)) for n in ('g1', 'g2', 'g3')]
          await spin()
          q.put_nowait(1)
          # g1 has been woken for item 1 but has not run yet.
          try:
              q.get_nowait()
          except QueueEmpty:
              print('newcomer: QueueEmpty, qsize', q.qsize(), 'empty', q.empty())
          await q.put(2)
          q.put_nowait(3)
          q.put_nowait(4)
          print('newcomer got', q.get_nowait())
          for t in ts:
              await t
          print(q.qsize())
    `);
    expect(out).toBe(lines("newcomer: QueueEmpty, qsize 1 empty True", "newcomer got 4", "g1 got 1", "g2 got 2", "g3 got 3", "0"));
  });

  it("waiting putters are served in order, never above maxsize, and a newcomer cannot overtake them", async () => {
    const out = await runPy(`
      async def putter(q, item):
          await q.put(item)
          print('put', item, 'qsize', q.qsize())

      async def main():
          q = Queue(2)
          q.put_nowait('x')
          q.put_nowait('y')
          ts = [asyncio.create_task(putter(q, n)) for n in ('a', 'b', 'c')]
          await spin()
          print('got', q.get_nowait(), 'qsize', q.qsize(), 'full', q.full())
          # 'a' has been given the free slot but has not run yet.
          try:
              q.put_nowait('newcomer')
          except QueueFull:
              print('newcomer: QueueFull')
          print('got', await q.get())
          await spin()
          print('got', await q.get())
          print('got', await q.get())
          for t in ts:
              await t
          print('got', q.get_nowait(), q.qsize())
    `);
    expect(out).toBe(
      lines(
        "got x qsize 1 full True",
        "newcomer: QueueFull",
        "got y",
        "put a qsize 1",
        "put b qsize 2",
        "got a",
        "got b",
        "put c qsize 1",
        "got c 0",
      ),
    );
  });

  it("a new putter queues behind a woken putter even when a slot is spare", async () => {
    const out = await runPy(`
      async def putter(q, item):
          await q.put(item)
          print('put', item)

      async def main():
          q = Queue(3)
          for x in 'xyz':
              q.put_nowait(x)
          a = asyncio.create_task(putter(q, 'a'))
          await spin()
          print('got', q.get_nowait(), q.get_nowait())   # 'a' is woken for the first slot
          print('qsize', q.qsize(), 'full', q.full())
          try:
              q.put_nowait('n')
          except QueueFull:
              print('newcomer: QueueFull')
          await q.put('m')   # main is a newcomer too: it must wait for 'a'
          print('put m')
          await a
          print([q.get_nowait() for _ in range(q.qsize())], q.full())
    `);
    expect(out).toBe(lines("got x y", "qsize 1 full True", "newcomer: QueueFull", "put a", "put m", "['z', 'a', 'm'] False"));
  });

  it("producer/consumer (notebook example) keeps item order and the bound", async () => {
    const out = await runPy(`
      async def producer(q):
          for i in range(8):
              await q.put(i)
              assert q.qsize() <= q.maxsize, q.qsize()
          await q.put(None)

      async def consumer(q):
          got = []
          while True:
              result = await q.get()
              if result is None:
                  break
              got.append(result)
              await spin(result % 3)
          print('Result was', got)

      async def main():
          q = Queue(2)
          await asyncio.gather(producer(q), consumer(q))
          print(q.qsize(), q.empty())
    `);
    expect(out).toBe(lines("Result was [0, 1, 2, 3, 4, 5, 6, 7]", "0 True"));
  });

  it("a cancelled get() loses no item, whether still waiting or just woken", async () => {
    const out = await runPy(`
      async def getter(q, name):
          try:
              item = await q.get()
          except asyncio.CancelledError:
              print(name, 'cancelled')
              return
          print(name, 'got', item)

      async def main():
          q = Queue()
          g1 = asyncio.create_task(getter(q, 'g1'))
          g2 = asyncio.create_task(getter(q, 'g2'))
          g3 = asyncio.create_task(getter(q, 'g3'))
          await spin()
          g1.cancel()            # still waiting
          await spin()
          q.put_nowait('A')      # goes to g2, woken
          g2.cancel()            # ... who passes it on to g3
          await g1
          await g2
          await g3
          g4 = asyncio.create_task(getter(q, 'g4'))
          await spin()
          q.put_nowait('B')      # woken g4 ...
          g4.cancel()            # ... cancelled: nobody else waits, B stays queued
          await g4
          print('qsize', q.qsize(), 'empty', q.empty(), q.get_nowait())
          try:
              await asyncio.wait_for_ms(q.get(), 5)
          except asyncio.TimeoutError:
              print('timeout')
          q.put_nowait('C')
          print('qsize', q.qsize(), q.get_nowait())
    `);
    expect(out).toBe(lines("g1 cancelled", "g2 cancelled", "g3 got A", "g4 cancelled", "qsize 1 empty False B", "timeout", "qsize 1 C"));
  });

  it("a cancelled put() adds no item, whether still waiting or just woken", async () => {
    const out = await runPy(`
      async def putter(q, item):
          try:
              await q.put(item)
          except asyncio.CancelledError:
              print(item, 'cancelled')
              return
          print('put', item)

      async def main():
          q = Queue(1)
          q.put_nowait('x')
          p1 = asyncio.create_task(putter(q, 'p1'))
          p2 = asyncio.create_task(putter(q, 'p2'))
          p3 = asyncio.create_task(putter(q, 'p3'))
          await spin()
          p1.cancel()            # still waiting
          await spin()
          print('got', q.get_nowait())   # slot goes to p2, woken
          p2.cancel()                    # ... who passes it on to p3
          for t in (p1, p2, p3):
              await t
          print('qsize', q.qsize(), 'got', q.get_nowait())
          q.put_nowait('y')
          p4 = asyncio.create_task(putter(q, 'p4'))
          await spin()
          print('got', q.get_nowait())   # slot goes to p4, woken ...
          p4.cancel()                    # ... cancelled: the slot is free again
          await p4
          print('qsize', q.qsize(), 'full', q.full())
          q.put_nowait('z')
          try:
              await asyncio.wait_for_ms(q.put('w'), 5)
          except asyncio.TimeoutError:
              print('timeout')
          print('qsize', q.qsize(), q.get_nowait(), q.empty())
    `);
    expect(out).toBe(
      lines(
        "p1 cancelled",
        "got x",
        "p2 cancelled",
        "put p3",
        "qsize 1 got p3",
        "got y",
        "p4 cancelled",
        "qsize 0 full False",
        "timeout",
        "qsize 1 z True",
      ),
    );
  });

  it("task_done() and join(): join returns once every item put has been marked done", async () => {
    const out = await runPy(`
      async def joiner(q, name):
          await q.join()
          print(name, 'joined')

      async def main():
          q = Queue()
          await q.join()
          print('join on a fresh queue returns at once')
          try:
              q.task_done()
          except ValueError:
              print('ValueError')
          for i in range(3):
              q.put_nowait(i)
          ts = [asyncio.create_task(joiner(q, n)) for n in ('j1', 'j2')]
          for i in range(3):
              item = await q.get()
              await spin()
              print('done', item)
              q.task_done()
          for t in ts:
              await t
          try:
              q.task_done()
          except ValueError:
              print('ValueError again')
          # Items handed straight to a waiting getter count too.
          t = asyncio.create_task(q.get())
          await spin()
          await q.put('h')
          j = asyncio.create_task(joiner(q, 'j3'))
          print(await t)
          await spin()
          print('j3 still waiting', not j.done())
          q.task_done()
          await j
    `);
    expect(out).toBe(
      lines(
        "join on a fresh queue returns at once",
        "ValueError",
        "done 0",
        "done 1",
        "done 2",
        "j1 joined",
        "j2 joined",
        "ValueError again",
        "h",
        "j3 still waiting True",
        "j3 joined",
      ),
    );
  });
});
