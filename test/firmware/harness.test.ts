// The harness must be able to make tests fail: wrong traces, Python errors,
// hangs, leftover tasks and unretrieved task exceptions all show up.
import { describe, expect, it } from "vitest";
import { lines, runPy } from "./harness.js";

describe("MicroPython WASM harness", () => {
  it("runs main() and returns the exact printed trace", async () => {
    const out = await runPy(`
      async def main():
          print('a')
          await spin()
          print('b', end='')
          print('c')
    `);
    expect(out).toBe("a\nbc\n");
    expect(out).not.toBe(lines("a", "b", "c"));
  });

  it("each test body is a fresh module", async () => {
    await runPy(`
      leaked = 1
      async def main():
          pass
    `);
    const out = await runPy(`
      async def main():
          print('leaked' in globals())
    `);
    expect(out).toBe(lines("False"));
  });

  it("rejects with the traceback and the trace so far when Python raises", async () => {
    await expect(
      runPy(`
        async def main():
            print('before')
            raise ValueError('boom')
      `),
    ).rejects.toThrow(/ValueError: boom[\s\S]*output so far ---\nbefore\n/);
  });

  it("rejects when main() hangs, and the interpreter stays usable", async () => {
    await expect(
      runPy(
        `
        async def main():
            print('stuck')
            await Event().wait()
      `,
        { timeoutMs: 100 },
      ),
    ).rejects.toThrow(/did not finish within 100 ms; output so far:\nstuck\n/);
    expect(await runPy(`
      async def main():
          print('next')
    `)).toBe(lines("next"));
  });

  it("flags tasks left scheduled and task exceptions nobody retrieved", async () => {
    const out = await runPy(`
      async def sleeper():
          await asyncio.sleep(10)

      async def failing():
          raise KeyError('lost')

      async def main():
          asyncio.create_task(failing())
          asyncio.leftover = asyncio.create_task(sleeper())
          await asyncio.sleep(0)
    `);
    expect(out).toMatch(/^Task exception wasn't retrieved\n[\s\S]*KeyError: lost\nharness: tasks still scheduled after main\(\)\n$/);
    // Clean up for the next test of this file.
    const clean = await runPy(`
      async def main():
          asyncio.leftover.cancel()
    `);
    expect(clean).toBe("");
  });

  it("imports the public API by name from the sync package", async () => {
    const out = await runPy(`
      import sync
      from sync import Lock, Event, Semaphore, BoundedSemaphore, Barrier, BrokenBarrierError
      from sync import Queue, QueueEmpty, QueueFull, Condition

      async def main():
          print(issubclass(BoundedSemaphore, Semaphore), issubclass(BrokenBarrierError, RuntimeError))
          print(issubclass(QueueEmpty, Exception), issubclass(QueueFull, Exception))
          try:
              sync.Nope
          except AttributeError:
              print('AttributeError')
    `);
    expect(out).toBe(lines("True True", "True True", "AttributeError"));
  });
});
