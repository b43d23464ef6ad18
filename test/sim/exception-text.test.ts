// An exception's message goes out verbatim, as MicroPython's pyexec prints it
// to stderr on a board: bytes this WebAssembly build's JS side would cut the
// message at (\x04, which it splits its "Type\x04traceback" string on, and
// NUL, where it ends a C string) are part of it.
import { afterEach, describe, expect, it } from "vitest";
import { rawBoard, stopBoards } from "../helpers/virtual-board.js";
import { runCli } from "../helpers/cli.js";

afterEach(stopBoards);

const TRACEBACK = 'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\n';

describe("exception messages holding control bytes", () => {
  it("a \\x04 in the message is sent as a board sends it: message whole, then \\x04>", async () => {
    const b = await rawBoard();
    expect(await b.run('raise ValueError("a"+chr(4)+"b")')).toBe(`OK\x04${TRACEBACK}ValueError: a\x04b\r\n\x04>`);
    // The board is fine afterwards, and an ordinary message is as before.
    expect(await b.run('raise ValueError("ab")')).toBe(`OK\x04${TRACEBACK}ValueError: ab\r\n\x04>`);
    expect(await b.run("print(1)")).toBe("OK1\r\n\x04\x04>");
  });

  it("several \\x04 and a NUL, and from inside an asyncio task", async () => {
    const b = await rawBoard();
    expect(await b.run('raise ValueError("a"+chr(4)+"b"+chr(0)+"c"+chr(4)+"d")')).toBe(`OK\x04${TRACEBACK}ValueError: a\x04b\x00c\x04d\r\n\x04>`);
    const code = ["import asyncio", "async def m():", "    await asyncio.sleep(0)", '    raise OSError("x" + chr(4) + "y")', "asyncio.run(m())"].join("\n");
    const out = await b.run(code);
    expect(out).toMatch(/^OK\x04Traceback \(most recent call last\):\r\n/);
    expect(out.endsWith(`line 4, in m\r\nOSError: x\x04y\r\n\x04>`), JSON.stringify(out)).toBe(true);
  });

  it("synccli shows the whole message, the printed \\x04 as \u2404", async () => {
    const r = await runCli(["--sim", "exec", 'raise ValueError("a"+chr(4)+"b")']);
    expect(r.code, r.stderr).toBe(1);
    // The whole traceback is the error, not output: the \x04 inside its message is not the end of it.
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\n    <exec>:1: raise ValueError("a"+chr(4)+"b")\nValueError: a\u2404b\n');
  }, 30_000);
});
