// The legacy `asyn` module (firmware/asyn.py) on the virtual board, installed
// with the sync library it is built on; and when `run` installs it.
import { describe, expect, it } from "vitest";
import { simBoard } from "../helpers/sim.js";
import { installLibrary, libraryFiles } from "../../src/board/install.js";
import { usesLibrary } from "../../src/board/scripts.js";
import type { Board } from "../../src/board/board.js";

async function run(board: Board, code: string) {
  let stdout = "";
  const r = await board.exec(code, { onStdout: (d) => (stdout += new TextDecoder().decode(d)) });
  return { ...r, stdout: stdout.replace(/\r\n/g, "\n") };
}

describe("asyn on the board", () => {
  it("install copies asyn.py to /lib beside /lib/sync", () => {
    const asyn = libraryFiles().find((f) => f.name === "asyn.py");
    expect(asyn?.remote).toBe("/lib/asyn.py");
    expect(libraryFiles().filter((f) => f.remote.startsWith("/lib/sync/")).map((f) => f.name)).toContain("__init__.py");
  });

  it("gives the legacy API on top of sync", async () => {
    const { board } = await simBoard();
    const installed = await installLibrary(board);
    expect(installed.copied).toContain("asyn.py");
    const r = await run(
      board,
      `import asyncio, asyn, sync
from asyn import Lock
print(Lock is sync.Lock, asyn.Semaphore is sync.Semaphore, asyn.BoundedSemaphore is sync.BoundedSemaphore,
      asyn.Queue is sync.Queue, asyn.Condition is sync.Condition, asyn.BrokenBarrierError is sync.BrokenBarrierError)
print(isinstance(asyn.Event(), sync.Event), isinstance(asyn.Barrier(2), sync.Barrier))
try:
    asyn.Nothing
except AttributeError as e:
    print('AttributeError', e)

async def main():
    lock = asyn.Lock(100)  # the old delay argument
    async with lock:
        print('locked', lock.locked())
    ev = asyn.Event(10)
    async def setter():
        await asyncio.sleep_ms(20)
        ev.set(42)
    asyncio.create_task(setter())
    await ev
    print('event', ev.is_set(), ev.value())
    ev.clear()
    print('cleared', ev.is_set(), ev.value())

    phases = []
    async def acb(n):
        phases.append('async %d' % n)
    b = asyn.Barrier(2, acb, (7,))
    async def party():
        await b
    t = asyncio.create_task(party())
    await asyncio.sleep_ms(5)
    print('busy', b.busy())
    await b
    await asyncio.sleep_ms(5)
    print('busy', b.busy(), phases)
    b.trigger()
    await b
    await asyncio.sleep_ms(5)
    print('trigger', phases)

    sem = asyn.BoundedSemaphore(1)
    await sem.acquire()
    sem.release()
    try:
        sem.release()
    except ValueError:
        print('bounded')
    q = asyn.Queue()
    await q.put(1)
    print('queue', await q.get(), q.empty())

asyncio.run(main())
`,
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      [
        "True True True True True True",
        "True True",
        "AttributeError Nothing",
        "locked True",
        "event True 42",
        "cleared False None",
        "busy True",
        "busy False ['async 7']",
        "trigger ['async 7', 'async 7']",
        "bounded",
        "queue 1 True",
        "",
      ].join("\n"),
    );
  });

  it("run installs the library for scripts that import asyn, as for sync", () => {
    for (const yes of ["import asyn", "from asyn import Lock", "import uasyncio as asyncio, asyn", "  import sync", "from sync.lock import Lock", "import time, sync as s"]) {
      expect(usesLibrary(`x = 1\n${yes}\n`), yes).toBe(true);
    }
    for (const no of ["import asyncio", "import asyncx", "import syncer", "# import asyn", "print('import asyn')", "from async_thing import x"]) {
      expect(usesLibrary(`${no}\n`), no).toBe(false);
    }
  });
});
