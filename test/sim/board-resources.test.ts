// The virtual board's filesystem capacity and OSError numbers, as on a board
// (driven directly through the board side of the raw REPL, no host library).
import { afterEach, describe, expect, it } from "vitest";
import type { VirtualBoardOptions } from "../../src/sim/virtual-board.js";
import { parseSimSpec } from "../../src/sim/index.js";
import { rawBoard, stopBoards } from "../helpers/virtual-board.js";

afterEach(stopBoards);

/** A booted board in raw mode; the returned function runs code and gives its stdout, or its traceback when it raised. */
async function runner(opts: VirtualBoardOptions = {}) {
  const b = await rawBoard(opts);
  return async (code: string) => {
    const [, stdout, stderr] = /^OK([^\x04]*)\x04([^\x04]*)\x04>$/.exec(await b.run(code, 10_000))!;
    return (stderr || stdout).replace(/\r\n/g, "\n");
  };
}

describe("OSError numbers from file operations are MicroPython's", () => {
  it("ENOENT 2, EEXIST 17, EISDIR 21, ENOTDIR 20, ENOTEMPTY 39, and errno.* compare equal", async () => {
    const run = await runner();
    const out = await run(
      [
        "import os, errno",
        "os.mkdir('/d')",
        "open('/d/f', 'w').close()",
        "def no(f):",
        "    try:",
        "        f()",
        "    except OSError as e:",
        "        return e.errno",
        "print(no(lambda: os.stat('/nope')), no(lambda: open('/nope')), no(lambda: os.remove('/nope')))",
        "print(no(lambda: os.mkdir('/d')), no(lambda: os.remove('/d')), no(lambda: os.listdir('/d/f')), no(lambda: os.rmdir('/d')))",
        "print(no(lambda: os.stat('/nope')) == errno.ENOENT, no(lambda: os.mkdir('/d')) == errno.EEXIST)",
        "import uos",
        "print(uos is os, no(lambda: uos.rename('/nope', '/x')))",
      ].join("\n"),
    );
    expect(out).toBe("2 2 2\n17 21 20 39\nTrue True\nTrue 2\n");
    // As a board prints it (and as mpremote parses it).
    expect(await run("open('/nope')")).toBe('Traceback (most recent call last):\n  File "<stdin>", line 1, in <module>\nOSError: [Errno 2] ENOENT\n');
  });
});

it("parses fs-size= with K/M suffixes and bounds", () => {
  expect(parseSimSpec("fs-size=1M")).toMatchObject({ fsSize: 1024 * 1024 });
  expect(parseSimSpec("fs-size=512K")).toMatchObject({ fsSize: 512 * 1024 });
  expect(() => parseSimSpec("fs-size=")).toThrow(/fs-size needs a size/);
  expect(() => parseSimSpec("fs-size=1")).toThrow(/between/);
  expect(() => parseSimSpec("fs-size=lots")).toThrow(/fs-size needs a size/);
});

describe("filesystem capacity", () => {
  it("writes beyond it fail with ENOSPC (28), and os.statvfs agrees with what fits", async () => {
    const run = await runner({ fsSize: 64 * 1024 });
    const out = await run(
      [
        "import os",
        "s = os.statvfs('/')",
        "print(s[0] * s[2], s[3] == s[2])",
        "f = open('/big', 'wb')",
        "n = 0",
        "try:",
        "    while True:",
        "        f.write(bytes(4096))",
        "        n += 1",
        "except OSError as e:",
        "    print(n, e.errno)",
        "f.close()",
        "print(os.statvfs('/')[3])",
        "os.remove('/big')",
        "print(os.statvfs('/')[3] == s[3])",
      ].join("\n"),
    );
    expect(out).toBe("65536 True\n16 28\n0\nTrue\n");
  });

  it("defaults to 2 MB, as the vfs partition of a 4 MB ESP32", async () => {
    const run = await runner();
    expect(await run("import os\ns = os.statvfs('/')\nprint(s[0] * s[2])")).toBe(`${2 * 1024 * 1024}\n`);
  });
});
