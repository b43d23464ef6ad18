// The virtual board against what real firmware sends, driven byte for byte
// (no host library, no simulated line delay): cooked output, partial lines,
// interruptible waits.
import { afterEach, describe, expect, it } from "vitest";
import { rawBoard, stopBoards, watchBoard } from "../helpers/virtual-board.js";

afterEach(stopBoards);

describe("virtual board output", () => {
  it("is CR/LF-cooked as on a real board: print(2) sends 2\\r\\n", async () => {
    const b = await rawBoard();
    expect(await b.run("print(2)\nprint('a\\nb', end='')\nprint()")).toBe("OK2\r\na\r\nb\r\n\x04\x04>");
    expect(await b.run("import sys\nsys.stdout.write('x\\n')")).toBe("OKx\r\n\x04\x04>");
    // Bytes written to sys.stdout.buffer go out as they are, as on a board (binary protocols).
    expect(await b.run("import sys\nsys.stdout.buffer.write(b'\\x00\\n\\r\\n')\nprint(sys.platform != '', end='')")).toBe("OK\x00\n\r\nTrue\x04\x04>");
  });

  it("sends a partial line as printed, not at the next newline", async () => {
    const b = await rawBoard();
    b.clear();
    b.send("import time\nfor i in range(3):\n    print('.', end='')\n    time.sleep(0.15)\nprint('end')\x04");
    await b.until("end\r\n");
    const dots = b.stamps.filter((s) => s.text.includes("."));
    expect(dots.length).toBe(3);
    // One dot per sleep: each arrives about 150 ms after the one before.
    expect(dots[1].at - dots[0].at).toBeGreaterThan(100);
    expect(dots[2].at - dots[1].at).toBeGreaterThan(100);
  });

  it("an unfinished line survives a Ctrl-C that needs the interpreter restart", async () => {
    const b = await rawBoard({ interruptGraceMs: 150 });
    b.clear();
    b.send("print('half a line', end='')\nwhile True:\n    pass\n\x04");
    await new Promise((r) => setTimeout(r, 100));
    b.send("\x03");
    const out = await b.until(/\x04>$/);
    expect(out).toContain("half a line");
    expect(out).toContain("KeyboardInterrupt");
  });

  it("a prompt printed just before a tight loop survives it too", async () => {
    const b = await rawBoard({ interruptGraceMs: 150 });
    b.clear();
    b.send("import sys\nsys.stdout.write('your name? ')\nwhile True:\n    pass\n\x04");
    await new Promise((r) => setTimeout(r, 100));
    b.send("\x03");
    const out = await b.until(/\x04>$/);
    expect(out).toMatch(/^OKyour name\? \x04Traceback/);
  });
});

describe("input()", () => {
  it("reads a line from the serial line, echoed as typed, as a board's UART", async () => {
    const b = await rawBoard();
    b.clear();
    b.send("name = input('your name? ')\nprint('hello', name)\n\x04");
    await b.until("your name? ");
    b.send("Bobx\x7fb\r");
    expect(await b.until(/\x04>$/)).toBe("OKyour name? Bobx\b \bb\r\nhello Bobb\r\n\x04\x04>");
  });

  it("Ctrl-C stops it at once, with a traceback naming the line, globals kept", async () => {
    const b = await rawBoard({ interruptGraceMs: 5000 });
    b.clear();
    b.send("x = 7\nname = input('? ')\n\x04");
    await b.until("? ");
    b.send("\x03");
    expect(await b.until(/\x04>$/, 1000)).toBe('OK? \x04Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nKeyboardInterrupt: \r\n\x04>');
    expect(await b.run("print(x)")).toBe("OK7\r\n\x04\x04>");
  });
});

describe("Ctrl-C into running code", () => {
  it("stops `while True: time.sleep(0.1)` at once, naming the line, globals kept", async () => {
    const b = await rawBoard({ interruptGraceMs: 5000 });
    b.clear();
    b.send("import time\nx = 42\nwhile True:\n    time.sleep(0.1)\n\x04");
    await b.until("OK");
    await new Promise((r) => setTimeout(r, 250));
    const t0 = performance.now();
    b.send("\x03");
    const out = await b.until(/\x04>$/, 1000);
    expect(performance.now() - t0).toBeLessThan(300);
    expect(out).toBe('OK\x04Traceback (most recent call last):\r\n  File "<stdin>", line 4, in <module>\r\nKeyboardInterrupt: \r\n\x04>');
    // No restart: the variables are still there.
    expect(await b.run("print(x)")).toBe("OK42\r\n\x04\x04>");
  });

  it("at the friendly REPL too, and the traceback shows no frame of the board's own helpers", async () => {
    const b = await watchBoard({ interruptGraceMs: 5000 });
    b.send("\r");
    await b.until(/>>> $/, 3000);
    b.clear();
    b.send("import time\r");
    await b.until(/>>> $/, 3000);
    b.send("while True: time.sleep(0.1)\r\r");
    await new Promise((r) => setTimeout(r, 250));
    b.clear();
    b.send("\x03");
    const out = await b.until(/KeyboardInterrupt: \r\n[\s\S]*>>> $/, 3000);
    expect(out).toContain('Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nKeyboardInterrupt: \r\n');
    expect(out).not.toContain("__sim");
  });

  it("stops sleep_ms, sleep_us and a busy-wait on ticks_ms too", async () => {
    const b = await rawBoard({ interruptGraceMs: 5000 });
    for (const loop of [
      "while True:\n    time.sleep_ms(50)\n",
      "while True:\n    time.sleep_us(50000)\n",
      "t = time.ticks_ms()\nwhile time.ticks_diff(time.ticks_ms(), t) < 60000:\n    pass\n",
    ]) {
      b.clear();
      b.send("import time\n" + loop + "\x04");
      await b.until("OK");
      await new Promise((r) => setTimeout(r, 120));
      b.send("\x03");
      const out = await b.until(/\x04>$/, 1000);
      expect(out).toMatch(/File "<stdin>", line \d+, in <module>\r\nKeyboardInterrupt: \r\n\x04>$/);
      expect(out).not.toContain("restarted");
    }
  });

  it("time.sleep still sleeps for its time and time's other functions remain", async () => {
    const b = await rawBoard();
    const out = await b.run(
      "import time, utime\nt = time.ticks_ms()\ntime.sleep(0.05)\ntime.sleep_ms(20)\ntime.sleep_us(10000)\nd = time.ticks_diff(time.ticks_ms(), t)\nprint(d >= 78, d < 400, utime is time, time.time() > 0, time.__name__)",
    );
    expect(out).toBe("OKTrue True True True time\r\n\x04\x04>");
  });
});

/** A host doing a raw-paste by the book: one window per credit, stopping when the board sends \x04. */
async function paste(b: Awaited<ReturnType<typeof rawBoard>>, code: string) {
  b.clear();
  b.send("\x05A\x01");
  await b.until("R\x01");
  const data = Buffer.from(code, "latin1");
  let sent = 0;
  let credits = 0;
  let seen = 4; // R \x01 and the window
  let stopped = false;
  while (sent < data.length) {
    await b.until(/R\x01..[\s\S]*/);
    const out = b.out;
    for (; seen < out.length; seen++) {
      if (out[seen] === "\x01") credits++;
      else if (out[seen] === "\x04") stopped = true;
    }
    if (stopped) break;
    if (credits === 0) {
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    credits--;
    b.send(data.subarray(sent, sent + 128).toString("latin1"));
    sent += 128;
    // About the time 128 bytes take at 115200 baud.
    await new Promise((r) => setTimeout(r, 11));
  }
  const stoppedAt = sent;
  b.send("\x04");
  const out = await b.until(/\x04>$/);
  return { out: out.slice(4), stoppedAt, total: data.length };
}

describe("raw-paste errors as the firmware, which compiles while receiving", () => {
  it("a SyntaxError part-way stops the transfer with a lone \\x04, then reports it after the host's \\x04", async () => {
    const b = await rawBoard();
    const code = "x = 1\ny = = 2\n" + "print('filler line to make the script long')\n".repeat(400);
    const r = await paste(b, code);
    expect(r.stoppedAt).toBeLessThan(r.total);
    expect(r.out.replace(/^\x01*/, "")).toBe('\x04\x04Traceback (most recent call last):\r\n  File "<stdin>", line 2\r\nSyntaxError: invalid syntax\r\n\x04>');
    // The board is usable afterwards, and nothing of the bad script ran.
    expect(await b.run("print(x if 'x' in globals() else 'clean')")).toBe("OKclean\r\n\x04\x04>");
  });

  it("code that is only incomplete so far (open bracket, block, triple-quoted string) is not an error", async () => {
    const b = await rawBoard();
    const long = (n: number) => "    'padding padding padding padding padding padding padding',\n".repeat(n);
    // ... nor is a nonlocal whose binding comes later in the enclosing function.
    const late = `def outer():\n    def inner():\n        nonlocal v\n        v = 1\n${"    pass\n".repeat(80)}    v = 0\n    inner()\n    return v\n`;
    const code = `x = [\n${long(40)}]\ns = '''\n${"text ) ( ] = = text\n".repeat(60)}'''\ndef f():\n${"    pass\n".repeat(100)}${late}print(len(x), len(s) > 100, outer())\n`;
    const r = await paste(b, code);
    expect(r.stoppedAt).toBeGreaterThanOrEqual(r.total);
    expect(r.out.replace(/^\x01*/, "")).toBe("\x04" + "40 True 1\r\n\x04\x04>");
  });
});
