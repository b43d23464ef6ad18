// Ctrl-C from the host through the board API.
import { describe, expect, it } from "vitest";
import { simBoard } from "../helpers/sim.js";
import { Board } from "../../src/board/board.js";

describe("Board.exec with an AbortSignal", () => {
  it("stops an asyncio program and reports interrupted; the board runs the next exec", async () => {
    const { board } = await simBoard();
    const ac = new AbortController();
    const out: string[] = [];
    const run = board.exec("import asyncio\nasync def main():\n    while True:\n        print('tick')\n        await asyncio.sleep(0.05)\nasyncio.run(main())\n", {
      signal: ac.signal,
      onStdout: (d) => {
        out.push(Buffer.from(d).toString());
        ac.abort();
      },
    });
    const r = await run;
    expect(r.interrupted).toBe(true);
    expect(r.stderr).toMatch(/KeyboardInterrupt/);
    expect(out.join("")).toMatch(/^tick\r?\n/);
    expect((await board.eval("print('next')")).trim()).toBe("next");
  });
  // A board that never stops (three Ctrl-C, then exit 6) is in driver.test.ts,
  // on fake timers: the six seconds it takes cost nothing there.
});

describe("Board.interrupt", () => {
  it("stops a program left running by an earlier connection and leaves the board ready", async () => {
    const { board, sim } = await simBoard();
    // Start a never-ending asyncio program without waiting for it, as another
    // host (or main.py) might have.
    await board.enterRaw();
    void board.exec("import asyncio\nasync def main():\n    while True:\n        await asyncio.sleep(0.05)\nasyncio.run(main())\n").catch(() => {});
    await new Promise((r) => setTimeout(r, 300));
    const second = await Board.open({ path: sim.path, baudRate: 115200, timeoutMs: 5000, binding: sim.binding });
    await second.interrupt();
    expect((await second.eval("print(6 * 7)")).trim()).toBe("42");
    await second.close();
  });
});

describe("Ctrl-C while the code is still being sent", () => {
  it("stops a raw-paste transfer part-way; the board reports KeyboardInterrupt and stays usable", async () => {
    const { board, link } = await simBoard({ baud: 9600 });
    await board.enterRaw();
    const code = "x = 1\n".repeat(4000) + "print('end')\n"; // 24 KB: 25 s at 9600 baud
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const before = link.stats.toBoard;
    const out: string[] = [];
    const r = await board.exec(code, { signal: ac.signal, onStdout: (d) => out.push(Buffer.from(d).toString()) });
    expect(r.interrupted).toBe(true);
    expect(r.stderr).toMatch(/KeyboardInterrupt/);
    expect(out.join("")).toBe("");
    expect(link.stats.toBoard - before).toBeLessThan(code.length / 4);
    expect((await board.eval("print('after')")).trim()).toBe("after");
  }, 20_000);
});

describe("Ctrl-C before the code was sent", () => {
  it("does not send the code at all", async () => {
    const { board, link } = await simBoard();
    await board.enterRaw();
    const ac = new AbortController();
    ac.abort();
    const before = link.stats.toBoard;
    const out: string[] = [];
    const r = await board.exec("print('must not run')", { signal: ac.signal, onStdout: (d) => out.push(Buffer.from(d).toString()) });
    expect(r.interrupted).toBe(true);
    expect(out).toEqual([]);
    expect(link.stats.toBoard - before).toBe(0);
  });
});

describe("Ctrl-C during a plain raw-mode upload (no raw-paste)", () => {
  for (const rawPaste of ["no", "legacy"] as const) {
    it(`stops within a second and leaves the board usable (${rawPaste === "no" ? "no-raw-paste" : "legacy-firmware"})`, async () => {
      const { board, link } = await simBoard({ rawPaste });
      await board.enterRaw();
      const code = "x = 1\n".repeat(40_000) + "print('end')\n"; // 240 KB: about 20 s at 115200 baud
      const ac = new AbortController();
      const out: string[] = [];
      const before = link.stats.toBoard;
      const t0 = performance.now();
      setTimeout(() => ac.abort(), 300);
      const r = await board.exec(code, { signal: ac.signal, onStdout: (d) => out.push(Buffer.from(d).toString()) });
      expect(r.interrupted).toBe(true);
      expect(r.mode).toBe("raw");
      expect(performance.now() - t0).toBeLessThan(1800);
      expect(out.join("")).not.toMatch(/end/);
      expect(link.stats.toBoard - before).toBeLessThan(code.length / 4);
      expect((await board.eval("print('after')")).trim()).toBe("after");
    }, 30_000);
  }
});
