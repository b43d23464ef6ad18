// hintFor: a board's traceback (and the script) in, one line naming the fix
// out, for the errors older asyncio code meets on MicroPython.
import { describe, expect, it } from "vitest";
import { hintFor } from "../../src/board/hints.js";

const tb = (line: number, error: string, where = "<module>") =>
  `Traceback (most recent call last):\r\n  File "<stdin>", line ${line}, in ${where}\r\n${error}\r\n`;

describe("hintFor", () => {
  it("asyn or sync not on the board (run --no-install)", () => {
    expect(hintFor(tb(1, "ImportError: no module named 'asyn'"))).toMatch(/^asyn \(and the sync library it builds on\) is not on the board: .*--no-install.*synccli install/);
    expect(hintFor(tb(1, "ImportError: no module named 'sync'"))).toMatch(/^the sync library is not on the board/);
    expect(hintFor(tb(1, "ImportError: no module named 'sync.lock'"))).toMatch(/^the sync library is not on the board/);
  });

  it("uasyncio.queues, gone since asyncio v3", () => {
    expect(hintFor(tb(1, "ImportError: no module named 'uasyncio.queues'"))).toBe(
      "uasyncio.queues was removed in asyncio v3 (MicroPython 1.13): use `from sync import Queue` (same put/get API; synccli installs sync)",
    );
  });

  it("Semaphore, Queue, Barrier, Condition missing from MicroPython's asyncio, in each message form", () => {
    for (const name of ["Semaphore", "BoundedSemaphore", "Queue", "Barrier", "Condition"]) {
      const hint = `MicroPython's asyncio has no ${name}: \`from sync import ${name}\` and write \`${name}(...)\` for \`asyncio.${name}(...)\` (synccli installs sync)`;
      // MicroPython 1.27
      expect(hintFor(tb(3, `AttributeError: module 'asyncio' has no attribute '${name}'`, "main"))).toBe(hint);
      // older firmware names only the attribute: the line must use asyncio.<name>
      const src = `import asyncio\nasync def main():\n    s = asyncio.${name}(2)\n`;
      expect(hintFor(tb(3, `AttributeError: ${name}`, "main"), src)).toBe(hint);
      expect(hintFor(tb(3, `AttributeError: ${name}`, "main"), "import asyncio\nasync def main():\n    s = other.thing\n")).toBeUndefined();
      // from asyncio import X, in both forms
      const imported = `MicroPython's asyncio has no ${name}: \`from sync import ${name}\` (synccli installs sync)`;
      expect(hintFor(tb(1, `ImportError: no module named 'asyncio.${name}'`))).toBe(imported);
      expect(hintFor(tb(1, `ImportError: can't import name ${name}`), `from uasyncio import sleep, ${name}\n`)).toBe(imported);
    }
  });

  it("asyncio.wait: use gather", () => {
    expect(hintFor(tb(13, "AttributeError: module 'asyncio' has no attribute 'wait'", "main"))).toBe(
      "MicroPython's asyncio has no wait(): use `await asyncio.gather(*aws)` (the coroutines as arguments, not a list)",
    );
  });

  it("loop.close", () => {
    const hint = "MicroPython has one event loop that needs no closing: delete `loop.close()`";
    expect(hintFor(tb(4, "AttributeError: type object 'Loop' has no attribute 'close'"))).toBe(hint);
    expect(hintFor(tb(4, "AttributeError: close"), "import asyncio\nloop = asyncio.get_event_loop()\nx = 1\nloop.close()\n")).toBe(hint);
  });

  it("top-level await: wrap the very call in asyncio.run(...)", () => {
    const src = "import asyncio\nasync def f():\n    pass\nawait eventwait(event)  # go\nx = await f()\n";
    const err = "SyntaxError: 'await' outside function";
    expect(hintFor(tb(4, err), src)).toBe("`await` works only inside `async def`: write `asyncio.run(eventwait(event))` instead");
    expect(hintFor(tb(5, err), src)).toBe("`await` works only inside `async def`: write `x = asyncio.run(f())` instead");
    expect(hintFor(tb(1, err))).toMatch(/^`await` works only inside `async def`: wrap the call in `asyncio.run\(\.\.\.\)`/);
    // lines synccli put before the user's code are not counted
    expect(hintFor(tb(7, err), src, 3)).toMatch(/write `asyncio.run\(eventwait\(event\)\)`/);
  });

  it("the notebook's missing glue", () => {
    expect(hintFor(tb(1, "NameError: name 'loop' isn't defined"))).toBe("add `loop = asyncio.get_event_loop()` before the first use of `loop`");
    expect(hintFor(tb(1, "NameError: name 'asyncio' isn't defined"))).toBe("add `import asyncio` at the top of the script");
    expect(hintFor(tb(1, "NameError: name 'Lock' isn't defined"))).toBe("add `from asyn import Lock` (or `from sync import Lock`) at the top of the script");
    expect(hintFor(tb(1, "NameError: name 'eventset' isn't defined"))).toMatch(/^the notebook never defines eventset: /);
  });

  it("nothing for other errors", () => {
    expect(hintFor(tb(1, "ZeroDivisionError: divide by zero"))).toBeUndefined();
    expect(hintFor(tb(1, "NameError: name 'foo' isn't defined"))).toBeUndefined();
    expect(hintFor(tb(1, "AttributeError: 'list' object has no attribute 'wait'"))).toBeUndefined();
    expect(hintFor(tb(1, "ImportError: no module named 'requests'"))).toBeUndefined();
    expect(hintFor("")).toBeUndefined();
  });
});
