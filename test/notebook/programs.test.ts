// The notebook's five programs (../shared/reference/sync-notebook.txt), typed
// the way a learner would, run through the CLI on the virtual board: Lock,
// Event and Barrier run with `asyn` (plus the glue the notebook omits);
// Event's top-level `await`, Semaphore and Queue stop with a traceback and one
// hint line, and run once the hinted fix is made.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { EXIT } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-notebook-"));
function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

/** The hint line under the traceback (stderr). */
const hintOf = (stderr: string) => stderr.split("\n").find((l) => l.startsWith("hint: "))?.slice(6);

// The notebook's Lock cells in order, with the imports its text asks for and
// the `loop` it never defines.
const LOCK = `import uasyncio as asyncio
from asyn import Lock

async def task(i, lock):
    while 1:
        await lock.acquire()
        print("Acquired lock in task", i)
        await asyncio.sleep(0.5)
        lock.release()

async def killer():
    await asyncio.sleep(10)

lock = Lock()

loop = asyncio.get_event_loop()
loop.create_task(task(1, lock))
loop.create_task(task(2, lock))
loop.create_task(task(3, lock))

loop.run_until_complete(killer()) 
`;

// The Event cells as written, with the `eventset` the notebook never defines.
const EVENT = `import uasyncio as asyncio
import asyn
event = asyn.Event()

async def eventset(event):
    await asyncio.sleep(0.5)
    print('setting event')
    event.set()

async def eventwait(event):
    print('waiting for event')
    await event
    print('got event')
    event.clear()
loop = asyncio.get_event_loop()
loop.create_task(eventset(event))
await eventwait(event)
`;

// The Barrier cell, with the three tasks and the killer it leaves out.
const BARRIER = `import uasyncio as asyncio
import asyn

def callback(text):
    print(text)

barrier = asyn.Barrier(3, callback, ('Synch',))

async def report():
    for i in range(5):
        print('{} '.format(i), end='')
        await barrier

async def killer():
    await asyncio.sleep(1)

loop = asyncio.get_event_loop()
for _ in range(3):
    loop.create_task(report())
loop.run_until_complete(killer())
`;

// The Semaphore cell exactly as written.
const SEMAPHORE = `import asyncio
import time

async def myWorker(semaphore):
    await semaphore.acquire()
    print("Successfully acquired the semaphore")
    await asyncio.sleep(3)
    print("Releasing Semaphore")
    semaphore.release()

async def main(loop):
    mySemaphore = asyncio.Semaphore(value=2)
    await asyncio.wait([myWorker(mySemaphore), myWorker(mySemaphore), myWorker(mySemaphore)])
    print("Main Coroutine")

loop = asyncio.get_event_loop()
loop.run_until_complete(main(loop))
print("All Workers Completed")
loop.close()
`;

// The Queue cell, with a slow_process and the tasks and killer it leaves out.
const QUEUE = `import uasyncio as asyncio
from uasyncio.queues import Queue
q = Queue()
n = 0
async def slow_process():
    global n
    await asyncio.sleep(0.2)
    n += 1
    return n

async def producer(q):
    while True:
        result = await slow_process()  # somehow get some data
        await q.put(result) 
        

async def consumer(q):
    while True:
        result = await(q.get())  # Will pause if q is empty
        print('Result was {}'.format(result))

async def killer():
    await asyncio.sleep(1.1)

loop = asyncio.get_event_loop()
loop.create_task(producer(q))
loop.create_task(consumer(q))
loop.run_until_complete(killer())
`;

describe.concurrent("the notebook's programs on the virtual board", () => {
  it("Lock: runs as written with asyn; one task holds the lock at a time, in turn, every 0.5 s for the killer's 10 s", async () => {
    const r = await runCli(["run", script("lock.py", LOCK), "--sim"]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const lines = r.stdout.trimEnd().split("\n");
    // 20 turns in 10 s (a 21st when it ties with the killer, as on a board;
    // fewer when a loaded test machine wakes the sleepers late).
    expect(lines.length, r.stdout).toBeGreaterThanOrEqual(15);
    expect(lines.length, r.stdout).toBeLessThanOrEqual(21);
    lines.forEach((l, k) => expect(l, r.stdout).toBe(`Acquired lock in task ${(k % 3) + 1}`));
    expect(r.endedAt).toBeGreaterThan(10_000);
  }, 60_000);

  it("Lock without the install (--no-install), and pasted without its imports: one hint each", async () => {
    const noInstall = await runCli(["run", script("lock_noinstall.py", LOCK.replace("await asyncio.sleep(10)", "await asyncio.sleep(1)")), "--sim", "--no-install"]);
    expect(noInstall.code).toBe(EXIT.boardError);
    expect(noInstall.stderr).toContain("ImportError: no module named 'asyn'");
    expect(hintOf(noInstall.stderr)).toMatch(/^asyn \(and the sync library it builds on\) is not on the board: .*--no-install/);

    const pasted = await runCli(["run", script("lock_pasted.py", LOCK.replace(/^import .*\nfrom asyn .*\n/, "")), "--sim"]);
    expect(pasted.code).toBe(EXIT.boardError);
    expect(pasted.stderr).toContain("NameError: name 'Lock' isn't defined");
    expect(hintOf(pasted.stderr)).toBe("add `from asyn import Lock` (or `from sync import Lock`) at the top of the script");
  }, 60_000);

  it("Event: top-level await is a SyntaxError with the asyncio.run hint; with run_until_complete it prints what the notebook says", async () => {
    const written = await runCli(["run", script("event.py", EVENT), "--sim"]);
    expect(written.code).toBe(EXIT.boardError);
    expect(written.stdout).toBe("");
    expect(written.stderr).toContain('File "<stdin>", line 17, in <module>\n    event.py:17: await eventwait(event)\nSyntaxError: \'await\' outside function\n');
    expect(hintOf(written.stderr)).toBe("`await` works only inside `async def`: write `asyncio.run(eventwait(event))` instead");

    const fixed = await runCli(["run", script("event_fixed.py", EVENT.replace("\nawait eventwait(event)", "\nloop.run_until_complete(eventwait(event))")), "--sim"]);
    expect(fixed.code, fixed.stderr).toBe(EXIT.ok);
    expect(fixed.stdout).toBe("waiting for event\nsetting event\ngot event\n");
  }, 60_000);

  it("Barrier: runs as written with asyn; the callback once per phase, after all three tasks arrive", async () => {
    const r = await runCli(["run", script("barrier.py", BARRIER), "--sim"]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stdout).toBe("0 0 0 Synch\n1 1 1 Synch\n2 2 2 Synch\n3 3 3 Synch\n4 4 4 Synch\n");
  }, 60_000);

  it("Semaphore: hints for asyncio.Semaphore, then asyncio.wait; with both fixes it runs, loop.close() included", async () => {
    const written = await runCli(["run", script("semaphore.py", SEMAPHORE), "--sim"]);
    expect(written.code).toBe(EXIT.boardError);
    expect(written.stderr).toContain("AttributeError: module 'asyncio' has no attribute 'Semaphore'");
    expect(hintOf(written.stderr)).toMatch(/^MicroPython's asyncio has no Semaphore: `from sync import Semaphore`/);

    const semFixed = SEMAPHORE.replace("import time\n", "import time\nfrom sync import Semaphore\n").replace("asyncio.Semaphore(", "Semaphore(");
    const second = await runCli(["--json", "run", script("semaphore2.py", semFixed), "--sim"]);
    expect(second.code).toBe(EXIT.boardError);
    const json = JSON.parse(second.stdout);
    expect(json.exitCode).toBe(EXIT.boardError);
    expect(json.stderr).toContain("AttributeError: module 'asyncio' has no attribute 'wait'");
    expect(json.hint).toBe("MicroPython's asyncio has no wait(): use `await asyncio.gather(*aws)` (the coroutines as arguments, not a list)");

    const fixed = await runCli(["run", script("semaphore3.py", semFixed.replace("asyncio.wait([myWorker(mySemaphore), myWorker(mySemaphore), myWorker(mySemaphore)])", "asyncio.gather(myWorker(mySemaphore), myWorker(mySemaphore), myWorker(mySemaphore))")), "--sim"]);
    expect(fixed.code, fixed.stderr).toBe(EXIT.ok);
    // The first two workers sleep 3 s from the same moment: a tie. Whether the
    // second release or the third worker's acquire comes first hangs on whether
    // a millisecond tick passed between their starts (on a board too, and more
    // often on a loaded virtual board); everything else is fixed.
    const acquired = "Successfully acquired the semaphore";
    const released = "Releasing Semaphore";
    const end = [released, "Main Coroutine", "All Workers Completed", ""];
    expect([
      [acquired, acquired, released, released, acquired, ...end].join("\n"),
      [acquired, acquired, released, acquired, released, ...end].join("\n"),
    ]).toContain(fixed.stdout);
  }, 60_000);

  it("Queue: uasyncio.queues gets the `from sync import Queue` hint; with it, results flow from producer to consumer", async () => {
    const written = await runCli(["run", script("queue.py", QUEUE), "--sim"]);
    expect(written.code).toBe(EXIT.boardError);
    expect(written.stderr).toContain("ImportError: no module named 'uasyncio.queues'");
    expect(hintOf(written.stderr)).toMatch(/^uasyncio.queues was removed in asyncio v3 .*`from sync import Queue`/);

    const fixed = await runCli(["run", script("queue_fixed.py", QUEUE.replace("from uasyncio.queues import Queue", "from sync import Queue")), "--sim"]);
    expect(fixed.code, fixed.stderr).toBe(EXIT.ok);
    // One result every 0.2 s until the killer's 1.1 s are up (the fifth lands at about 1.0 s).
    const results = fixed.stdout.trimEnd().split("\n");
    expect(results.length).toBeGreaterThanOrEqual(4);
    expect(results.length).toBeLessThanOrEqual(5);
    results.forEach((l, k) => expect(l).toBe(`Result was ${k + 1}`));
  }, 60_000);
});
