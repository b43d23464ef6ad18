// A program that prints the bytes the raw REPL uses itself (chr(4) ends output
// there, NUL and chr(3) too are commands on the way in), end to end on the
// virtual board through the Board API: the output is all output, shown with
// visible symbols, and an exception after it is still the exception.
import { describe, expect, it } from "vitest";
import { simBoard } from "../helpers/sim.js";

async function run(code: string) {
  const { board } = await simBoard();
  let out = "";
  const r = await board.exec(code, { onStdout: (d) => (out += Buffer.from(d).toString("utf8")) });
  return { r, out, board };
}

describe("chr(4), chr(0), chr(3) in a program's output (virtual board)", () => {
  it("print('a', chr(4), 'b') then a normal line: both lines are output, ␄ shown, success", async () => {
    const { r, out, board } = await run("print('a', chr(4), 'b')\nprint('next')\n");
    expect(out).toBe("a \u2404 b\r\nnext\r\n");
    expect(r).toMatchObject({ ok: true, stderr: "", interrupted: false });
    // the board is at its prompt, ready for more
    expect((await board.eval("print(6 * 7)")).trim()).toBe("42");
  });

  it("chr(4) printed, then the program raises: the traceback is the traceback", async () => {
    const { r, out } = await run("print('x' + chr(4))\nraise ValueError('boom')\n");
    expect(out).toBe("x\u2404\r\n");
    expect(r.ok).toBe(false);
    expect(r.stderr).toMatch(/^Traceback \(most recent call last\):\r?\n/);
    expect(r.stderr).toMatch(/line 2/);
    expect(r.stderr).toMatch(/ValueError: boom\r?\n$/);
  });

  it("chr(4) twice, then text that looks like an exception, then the end: all output", async () => {
    const { r, out } = await run("print(chr(4) + chr(4) + 'Note: x')\nprint('done')\n");
    expect(out).toBe("\u2404\u2404Note: x\r\ndone\r\n");
    expect(r).toMatchObject({ ok: true, stderr: "" });
  });

  it("NUL and chr(3) are output as well, shown as ␀ and ␃", async () => {
    const { r, out } = await run("print(chr(0) + chr(3) + 'z')\n");
    expect(out).toBe("\u2400\u2403z\r\n");
    expect(r.ok).toBe(true);
  });
});
