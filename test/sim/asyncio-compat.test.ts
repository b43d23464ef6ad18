// The virtual board's asyncio as on real firmware: the frozen `uasyncio`
// alias, top-level `await` refused at compile time, get_event_loop() and the
// loop's blocking run calls, leftover tasks frozen between runs and stopped
// at the end of the script, user globals as empty as on a board.
import { describe, expect, it } from "vitest";
import { simBoard } from "../helpers/sim.js";
import type { Board } from "../../src/board/board.js";

async function run(board: Board, code: string) {
  let stdout = "";
  const r = await board.exec(code, { onStdout: (d) => (stdout += new TextDecoder().decode(d)) });
  return { ...r, stdout: stdout.replace(/\r\n/g, "\n") };
}

describe("virtual board asyncio, as on real firmware", () => {
  it("uasyncio is the firmware's alias module: same objects, not a package; globals start empty", async () => {
    const { board } = await simBoard();
    const r = await run(
      board,
      [
        "print(sorted(k for k in globals() if not k.startswith('__')))",
        "import uasyncio as asyncio",
        "import asyncio as a",
        "from uasyncio import Event, sleep_ms",
        "print(asyncio.run is a.run, Event is a.Event, sleep_ms is a.sleep_ms, asyncio.__name__)",
        "try:",
        "    from uasyncio.queues import Queue",
        "except ImportError as e:",
        "    print('ImportError:', e)",
        "async def main():",
        "    await asyncio.sleep_ms(10)",
        "    return 'ran'",
        "print(asyncio.run(main()))",
      ].join("\n"),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("[]\nTrue True True uasyncio\nImportError: no module named 'uasyncio.queues'\nran\n");
  });

  it("top-level await is a SyntaxError at the line, before anything runs; await inside async def is fine", async () => {
    const { board } = await simBoard();
    const bad = await run(board, "import asyncio\nprint('compiled first')\nasync def f():\n    await asyncio.sleep_ms(1)\nawait f()\n");
    expect(bad.ok).toBe(false);
    expect(bad.stdout).toBe("");
    expect(bad.stderr.replace(/\r\n/g, "\n")).toBe(
      "Traceback (most recent call last):\n  File \"<stdin>\", line 5, in <module>\nSyntaxError: 'await' outside function\n",
    );
    const plain = await run(board, "x = (1,\n");
    expect(plain.stderr).toMatch(/^Traceback \(most recent call last\):\r?\n {2}File "<stdin>", line \d+\r?\nSyntaxError: invalid syntax/);
    const good = await run(board, "import asyncio\nasync def f():\n    await asyncio.sleep_ms(1)\n    print('awaited')\nasyncio.run(f())\n");
    expect(good.stderr).toBe("");
    expect(good.stdout).toBe("awaited\n");
  });

  it("get_event_loop: create_task, run_until_complete returns the result at once, leftover tasks frozen between runs and stopped at the end", async () => {
    const { board } = await simBoard();
    const script = [
      "import asyncio, time",
      "ticks = []",
      "async def ticker():",
      "    while True:",
      "        ticks.append(1)",
      "        await asyncio.sleep_ms(0)", // always ready: must not keep the loop from returning
      "async def f(x):",
      "    await asyncio.sleep_ms(50)",
      "    return x * 2",
      "loop = asyncio.get_event_loop(runq_len=40, waitq_len=40)",
      "loop.create_task(ticker())",
      "print(loop.run_until_complete(f(21)))",
      "n = len(ticks)",
      "time.sleep_ms(100)",
      "print('frozen between runs', len(ticks) == n and n > 0)",
      "t = loop.create_task(f(5))",
      "print(loop.run_until_complete(t), len(ticks) > n)",
      "print(asyncio.run(f(1)))",
      "loop.close()",
      "print('end')",
    ].join("\n");
    const r = await run(board, script);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("42\nfrozen between runs True\n10 True\n2\nend\n");
    // The ticker was stopped with the script: nothing of it runs afterwards.
    const after = await run(board, "import asyncio\nn = len(ticks)\nasync def idle():\n    await asyncio.sleep_ms(50)\nasyncio.run(idle())\nprint(len(ticks) == n)\n");
    expect(after.stdout).toBe("True\n");
  });

  it("loop.run_forever() blocks until loop.stop(); a nested run does not hang; a task's traceback shows the user's frames only", async () => {
    const { board } = await simBoard();
    const forever = await run(
      board,
      [
        "import asyncio",
        "loop = asyncio.get_event_loop()",
        "async def stopper():",
        "    await asyncio.sleep_ms(50)",
        "    print('stopping')",
        "    loop.stop()",
        "loop.create_task(stopper())",
        "loop.run_forever()",
        "print('after run_forever')",
      ].join("\n"),
    );
    expect(forever.stderr).toBe("");
    expect(forever.stdout).toBe("stopping\nafter run_forever\n");
    // asyncio.run() from inside a task does not freeze the task that called it.
    const nested = await run(
      board,
      "import asyncio\nasync def inner():\n    print('inner')\nasync def outer():\n    asyncio.run(inner())\n    await asyncio.sleep_ms(20)\n    print('outer')\nasyncio.run(outer())\nprint('end')\n",
    );
    expect(nested.stderr).toBe("");
    expect(nested.stdout).toBe("inner\nouter\nend\n");
    const failing = await run(board, "import asyncio\nasync def main():\n    await asyncio.sleep_ms(1)\n    1/0\nasyncio.get_event_loop().run_until_complete(main())\n");
    expect(failing.ok).toBe(false);
    expect(failing.stderr).toContain('File "<stdin>", line 5, in <module>');
    expect(failing.stderr).toContain('File "<stdin>", line 4, in main');
    expect(failing.stderr).not.toMatch(/__sim|line \d+, in (?:run|pause)\b/);
    expect(failing.stderr).toMatch(/ZeroDivisionError: divide by zero\s*$/);
  });
});
