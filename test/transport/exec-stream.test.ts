// What the Exec machine makes of the bytes after the code went out, on byte
// transcripts fed whole, split at every byte and byte by byte: a program's own
// \x04 (and NUL, Ctrl-C) in its output, an exception after it, a soft reboot,
// the boot ROM banner of a board that reset, and what Ctrl-C means in each
// phase of the exchange.
import { describe, expect, it } from "vitest";
import { Exec, INTERRUPT_ATTEMPTS, visibleControls, type Action, type OpResult } from "../../src/transport/protocol.js";
import { mulberry32 } from "../helpers/random.js";

const text = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const str = (u: Uint8Array) => Buffer.from(u).toString("latin1");

interface Seen {
  writes: string;
  stdout: string;
  stderr: string;
  noise: string;
  timers: string[];
  fails: unknown[];
  results: OpResult[];
  other: Action[];
}

function summarize(actions: Action[], s: Seen = { writes: "", stdout: "", stderr: "", noise: "", timers: [], fails: [], results: [], other: [] }): Seen {
  for (const a of actions) {
    if (a.type === "write") s.writes += str(a.data);
    else if (a.type === "stdout") s.stdout += str(a.data);
    else if (a.type === "stderr") s.stderr += str(a.data);
    else if (a.type === "noise") s.noise += str(a.data);
    else if (a.type === "timer") s.timers.push(`${a.id}:${a.ms}`);
    else if (a.type === "fail") s.fails.push(a.failure);
    else if (a.type === "done") s.results.push(a.result);
    else s.other.push(a);
  }
  return s;
}

/** An Exec in plain raw mode that has sent its code: the next bytes are "OK" and the run. */
function rawExec(opts: { resetConfirmMs?: number } = {}) {
  const op = new Exec("x = 1\n", { rawPaste: false, ...opts });
  op.start();
  return op;
}

/** Every way of cutting the stream this file checks. */
function chunkings(d: Uint8Array): { label: string; chunks: Uint8Array[] }[] {
  const ways = [
    { label: "one chunk", chunks: [d.slice()] },
    { label: "byte by byte", chunks: Array.from(d, (b) => Uint8Array.of(b)) },
  ];
  for (let p = 1; p < d.length; p++) ways.push({ label: `split at ${p}`, chunks: [d.slice(0, p), d.slice(p)] });
  return ways;
}

function run(reply: string, chunks?: Uint8Array[], opts: { resetConfirmMs?: number } = {}) {
  const op = rawExec(opts);
  const seen = summarize([]);
  for (const c of chunks ?? [text(reply)]) summarize(op.receive(c), seen);
  return { op, seen };
}

const TB = 'Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\n';
const TRACEBACK = `${TB}ValueError: boom\r\n`;
/** raise ValueError("a" + chr(4) + "b"): the board sends its message as it is. */
const WITH_CTRL_D = `${TB}ValueError: a\x04b\r\n`;

describe("a program's own \\x04 in its output (print(chr(4)))", () => {
  const cases: { name: string; reply: string; stdout: string; stderr: string }[] = [
    { name: "print('a', chr(4), 'b') then a normal line", reply: "OKa \x04 b\r\nnext\r\n\x04\x04>", stdout: "a \x04 b\r\nnext\r\n", stderr: "" },
    { name: "chr(4) then an exception: the traceback is still the traceback", reply: `OKa\x04\r\n\x04${TRACEBACK}\x04>`, stdout: "a\x04\r\n", stderr: TRACEBACK },
    { name: "chr(4) right before the end", reply: "OKend\x04\x04\x04>", stdout: "end\x04", stderr: "" },
    { name: "two in a row", reply: "OK\x04\x04\r\n\x04\x04>", stdout: "\x04\x04\r\n", stderr: "" },
    { name: "several, with text between", reply: "OKa\x04b\x04c\x04\x04>", stdout: "a\x04b\x04c", stderr: "" },
    {
      name: "chr(4) followed by text that looks like an exception",
      reply: "OK\x04Note: x\r\nmore\r\n\x04\x04>",
      stdout: "\x04Note: x\r\nmore\r\n",
      stderr: "",
    },
    {
      name: "chr(4) followed by a printed traceback header, then a real exception",
      reply: `OK\x04Traceback (most recent call last):\r\n\x04${TRACEBACK}\x04>`,
      stdout: "\x04Traceback (most recent call last):\r\n",
      stderr: TRACEBACK,
    },
    { name: "NUL and Ctrl-C are plain output", reply: "OK\x00\x03x\r\n\x04\x04>", stdout: "\x00\x03x\r\n", stderr: "" },
    { name: "ordinary output, no exception", reply: "OKhello\r\n\x04\x04>", stdout: "hello\r\n", stderr: "" },
    { name: "an exception with no traceback (raw-paste Ctrl-C)", reply: "OK\x04KeyboardInterrupt: \r\n\x04>", stdout: "", stderr: "KeyboardInterrupt: \r\n" },
    { name: "an exception whose message holds chr(4)", reply: `OKout\r\n\x04${WITH_CTRL_D}\x04>`, stdout: "out\r\n", stderr: WITH_CTRL_D },
    { name: "an exception whose message holds chr(4) twice in a row", reply: `OK\x04${TB}ValueError: a\x04\x04b\r\n\x04>`, stdout: "", stderr: `${TB}ValueError: a\x04\x04b\r\n` },
    { name: "an exception whose message ends with chr(4)", reply: `OK\x04${TB}ValueError: a\x04\r\n\x04>`, stdout: "", stderr: `${TB}ValueError: a\x04\r\n` },
    { name: "chr(4) and a whole printed traceback, then the program ends", reply: `OK\x04${TRACEBACK}\x04\x04>`, stdout: `\x04${TRACEBACK}`, stderr: "" },
    { name: "chr(4) and a whole printed traceback, then a real exception", reply: `OK\x04${TRACEBACK}\x04${WITH_CTRL_D}\x04>`, stdout: `\x04${TRACEBACK}`, stderr: WITH_CTRL_D },
    { name: "chr(4), a printed traceback cut short, then a real one", reply: `OK\x04${TB}Valu\x04${TRACEBACK}\x04>`, stdout: `\x04${TB}Valu`, stderr: TRACEBACK },
  ];
  for (const c of cases)
    it(`${c.name}: whole, split at every byte, byte by byte`, () => {
      for (const { label, chunks } of chunkings(text(c.reply))) {
        const { op, seen } = run(c.reply, chunks);
        expect(seen.stdout, label).toBe(c.stdout);
        expect(seen.stderr, label).toBe(c.stderr);
        expect(seen.results, label).toEqual([{ stderr: text(c.stderr), mode: "raw", pasteAborted: false }]);
        // (a "quiet" timer may be asked for where a cut leaves "\x04 E \x04 X" at the end: later bytes void it)
        expect(seen.noise + seen.writes + seen.timers.filter((t) => !t.startsWith("quiet:")).join() + seen.fails.length, label).toBe("0");
        expect(op.finished, label).toBe(true);
      }
    });

  it("output after a \\x04 that cannot start an exception streams at once (not held to the end)", () => {
    const op = rawExec();
    op.receive(text("OKa"));
    expect(summarize(op.receive(text("\x04"))).stdout).toBe("");
    // a space cannot begin "Traceback" nor an exception's name
    expect(summarize(op.receive(text(" b"))).stdout).toBe("\x04 b");
    expect(op.awaitingReply()).toBe(false);
  });

  it("a printed \\x04 and a whole traceback, a \\x04, then a long run of output: it streams again after 16 KB, nothing lost", () => {
    const op = rawExec();
    const seen = summarize(op.receive(text(`OK\x04${TRACEBACK.slice(0, -2)}\x04`)));
    const line = "tick 0123456789\r\n";
    for (let k = 0; k < 1200; k++) summarize(op.receive(text(line)), seen);
    // 1200 lines are 20 KB: the first ones were let out before the program ended
    expect(seen.stdout.startsWith(`\x04${TRACEBACK.slice(0, -2)}\x04${line}`)).toBe(true);
    summarize(op.receive(text("\x04\x04>")), seen);
    expect(seen.stdout).toBe(`\x04${TRACEBACK.slice(0, -2)}\x04${line.repeat(1200)}`);
    expect(seen.stderr).toBe("");
    expect(op.finished).toBe(true);
  });

  it("while the bytes after a \\x04 may be an exception they are held, and a reply is due", () => {
    const op = rawExec();
    op.receive(text("OK\x04Trace"));
    expect(op.awaitingReply()).toBe(true);
    expect(summarize(op.receive(text("back (most recent call last):\r\n"))).stdout).toBe("");
  });

  it("random outputs holding \\x04, NUL, Ctrl-C and exception-like text: exact stdout and stderr however cut", () => {
    const rnd = mulberry32(404);
    const PIECES = ["a", " ", "\x04", "\x04", "\r\n", "x: y", "E", "\x00", "\x03", "Traceback (most recent call last):\r\n", "é"];
    const ERRORS = ["", TRACEBACK, WITH_CTRL_D, "KeyboardInterrupt: \r\n", "OSError: [Errno 2] ENOENT\r\n"];
    for (let n = 0; n < 300; n++) {
      let stdout = "";
      for (let k = Math.floor(rnd() * 12); k > 0; k--) stdout += PIECES[Math.floor(rnd() * PIECES.length)];
      const stderr = ERRORS[Math.floor(rnd() * ERRORS.length)];
      const reply = text(`OK${stdout}\x04${stderr}\x04>`);
      const ways = [[reply], Array.from(reply, (b) => Uint8Array.of(b))];
      for (let w = 0; w < 3; w++) {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < reply.length; ) {
          const k = 1 + Math.floor(rnd() * 9);
          chunks.push(reply.slice(i, i + k));
          i += k;
        }
        ways.push(chunks);
      }
      for (const chunks of ways) {
        const { seen } = run("", chunks);
        expect(seen.stdout, JSON.stringify(str(reply))).toBe(stdout);
        expect(seen.stderr, JSON.stringify(str(reply))).toBe(stderr);
        expect(seen.results).toHaveLength(1);
      }
    }
  });
});

describe("an exception garbled on the line, so it did not look like one", () => {
  const GARBLED = 'Traceback (Dost recent call last):\r\n  File "<stdin>", line 13\r\nSyntaxError: invalid syntax\r\n';

  it("\\x04> then silence: a timer; when it fires the run is over, the bytes between the last two \\x04 its exception (every cut)", () => {
    const reply = `OKout\r\n\x04${GARBLED}\x04>`;
    for (const { label, chunks } of chunkings(text(reply))) {
      const { op, seen } = run(reply, chunks);
      expect(seen.results, label).toEqual([]);
      expect(seen.timers, label).toEqual(["quiet:1000"]);
      expect(op.awaitingReply(), label).toBe(false); // the timer decides, not the driver's silence
      // streamed as output, as it could not be told from output
      expect(seen.stdout, label).toBe(`out\r\n\x04${GARBLED}`);
      const end = summarize(op.timer("quiet"));
      expect(end.results, label).toEqual([{ stderr: text(GARBLED), mode: "raw", pasteAborted: false }]);
      expect(op.finished, label).toBe(true);
    }
  });

  it("\\x04> followed by more bytes is output, and the timer then does nothing", () => {
    const reply = "OKa\x04>b\r\n\x04\x04>";
    for (const { label, chunks } of chunkings(text(reply))) {
      const { op, seen } = run(reply, chunks);
      expect(seen.stdout, label).toBe("a\x04>b\r\n");
      expect(seen.results, label).toEqual([{ stderr: text(""), mode: "raw", pasteAborted: false }]);
      expect(op.timer("quiet"), label).toEqual([]);
    }
  });

  for (const [name, err] of [
    ["no exception", ""],
    ["an exception", TRACEBACK],
  ])
    it(`the final '>' garbled, ${name}: a timer after the last byte; the run ends when it fires (every cut)`, () => {
      const reply = `OKout\r\n\x04${err}\x04?`;
      for (const { label, chunks } of chunkings(text(reply))) {
        const { op, seen } = run(reply, chunks);
        expect(seen.results, label).toEqual([]);
        expect(seen.timers.at(-1), label).toBe("quiet:1000");
        const end = summarize(op.timer("quiet"));
        expect(end.results, label).toEqual([{ stderr: text(err), mode: "raw", pasteAborted: false }]);
        expect(op.finished, label).toBe(true);
      }
    });

  it("a garbled-prompt timer is void once more bytes came", () => {
    const op = rawExec();
    const s = summarize(op.receive(text(`OKout\r\n\x04\x04?`)));
    expect(s.timers).toEqual(["quiet:1000"]);
    op.receive(text("more\r\n"));
    expect(op.timer("quiet")).toEqual([]);
    expect(summarize(op.receive(text("\x04\x04>"))).results).toHaveLength(1);
  });

  it("\\x04> then a \\x04: the printed \\x04> is output, the next \\x04 may end it", () => {
    const { seen } = run("OKa\x04>\x04\x04>");
    expect(seen.stdout).toBe("a\x04>");
    expect(seen.results).toEqual([{ stderr: text(""), mode: "raw", pasteAborted: false }]);
  });
});

describe("visibleControls", () => {
  it("shows NUL, Ctrl-C and Ctrl-D as U+2400, U+2403, U+2404 and leaves the rest, UTF-8 included", () => {
    const out = Buffer.from(visibleControls(Uint8Array.from(Buffer.from("a\x00b\x03c\x04d é\x01", "utf8")))).toString("utf8");
    expect(out).toBe("a\u2400b\u2403c\u2404d é\x01");
    const plain = text("nothing to change\r\n");
    expect(visibleControls(plain)).toBe(plain);
  });
});

describe("a program that soft-resets the board (sys.exit())", () => {
  for (const reboot of ["MPY: soft reboot\r\n", "soft reboot\r\n"])
    it(`${JSON.stringify(reboot)}, boot output, then the raw prompt: done, every cut`, () => {
      const reply = `OKbye\r\n\x04\x04${reboot}boot.py says > hi\r\nraw REPL; CTRL-B to exit\r\n>`;
      for (const { label, chunks } of chunkings(text(reply))) {
        const { op, seen } = run(reply, chunks);
        expect(seen.stdout, label).toBe("bye\r\n");
        expect(seen.noise, label).toBe(`${reboot}boot.py says > hi\r\n`);
        expect(seen.results, label).toEqual([{ stderr: text(""), mode: "raw", pasteAborted: false }]);
        expect(op.finished, label).toBe(true);
      }
    });
});

// Boot ROM banners as ESP chips print them after a reset (ESP-IDF monitor logs,
// MicroPython and esptool issues quote them).
const ESP32_RESET =
  "ets Jun  8 2016 00:22:57\r\n\r\nrst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n" +
  "configsip: 0, SPIWP:0xee\r\nclk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\n" +
  "mode:DIO, clock div:2\r\nload:0x3fff0030,len:4540\r\nentry 0x400805e4\r\n";
const ESP32S3_RESET =
  "ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n" +
  "SPIWP:0xee\r\nmode:DIO, clock div:1\r\nload:0x3fce3808,len:0x44c\r\nentry 0x403c98d0\r\n";
const ESP32C3_WDT =
  "ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\nrst:0x7 (TG0WDT_SYS_RST),boot:0xc (SPI_FAST_FLASH_BOOT)\r\nSaved PC:0x4004d1f8\r\n";
/** What the virtual board sends: the ROM lines, then MicroPython's banner and prompt. */
const SIM_RESET = "ets Jun  8 2016 00:22:57\r\n\r\nrst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nMicroPython\r\nType \"help()\" for more information.\r\n>>> ";

describe("the board resets while the program runs", () => {
  const banners: [string, string, string][] = [
    ["ESP32", ESP32_RESET, "rst:0xc (SW_CPU_RESET)"],
    ["ESP32-S3", ESP32S3_RESET, "rst:0x1 (POWERON)"],
    ["ESP32-C3 watchdog", ESP32C3_WDT, "rst:0x7 (TG0WDT_SYS_RST)"],
    ["virtual board", SIM_RESET, "rst:0xc (SW_CPU_RESET)"],
  ];
  for (const [name, banner, reason] of banners)
    it(`${name}: the banner in one read, split at every byte, byte by byte: fail board-reset once, nothing lost`, () => {
      const reply = `OKbefore\r\npartial${banner}`;
      for (const { label, chunks } of chunkings(text(reply))) {
        const { op, seen } = run(reply, chunks);
        expect(seen.fails, label).toEqual([{ kind: "board-reset", reason }]);
        expect(seen.results, label).toEqual([]);
        // Everything the board sent is delivered, up to where the reset was sure; the rest is noise.
        expect(seen.stdout + seen.noise, label).toBe(reply.slice(2));
        expect(seen.stdout.startsWith("before\r\npartial"), label).toBe(true);
        expect(op.finished, label).toBe(true);
      }
    });

  it("after a printed \\x04 the held bytes are delivered too", () => {
    const { seen } = run(`OKx\x04${ESP32_RESET}`);
    expect(seen.fails).toEqual([{ kind: "board-reset", reason: "rst:0xc (SW_CPU_RESET)" }]);
    expect(seen.stdout).toBe(`x\x04${ESP32_RESET}`);
  });

  it("ESP8266 (its ROM banner is garbage at 115200): MicroPython's banner and prompt, then silence, is a reset", () => {
    const boot = '\xf0\x8c\x1c\x9e\xfe\x00MicroPython v1.22.0 on 2024-01-01; ESP module with ESP8266\r\nType "help()" for more information.\r\n>>> ';
    const reply = `OKbefore\r\n${boot}`;
    for (const { label, chunks } of chunkings(text(reply))) {
      const { op, seen } = run(reply, chunks, { resetConfirmMs: 777 });
      expect(seen.timers.at(-1), label).toBe("reset:777");
      expect(seen.fails, label).toEqual([]);
      expect(summarize(op.timer("reset")).fails, label).toEqual([{ kind: "board-reset", reason: "MicroPython's boot banner and >>> prompt arrived" }]);
    }
  });

  it("MicroPython's banner printed by a program that goes on: no reset", () => {
    const op = rawExec();
    op.receive(text('OKMicroPython v1.22.0 on 2024-01-01; ESP module with ESP8266\r\nType "help()" for more information.\r\n>>> '));
    op.receive(text("more\r\n"));
    expect(op.timer("reset")).toEqual([]);
    expect(summarize(op.receive(text("\x04\x04>"))).results).toHaveLength(1);
  });

  it("a printed rst: line is output: no timer, no failure, the run ends normally", () => {
    const line = "rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
    const reply = `OK${line}configsip: 0, SPIWP:0xee\r\nstill running\r\n>>> \r\n\x04\x04>`;
    for (const { label, chunks } of chunkings(text(reply))) {
      const { seen } = run(reply, chunks);
      expect(seen.timers, label).toEqual([]);
      expect(seen.fails, label).toEqual([]);
      expect(seen.stdout, label).toBe(reply.slice(2, -3));
      expect(seen.results, label).toHaveLength(1);
    }
  });

  it("look-alikes are not banners: a wrong date, a missing boot field, text between the lines", () => {
    for (const fake of [
      "ets June 8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n>>> ",
      "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET)\r\n>>> ",
      "ets Jun  8 2016 00:22:57\r\nhello\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n>>> ",
      "ESP-ROM:esp32s3-20210327\r\nrst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n>>> ",
    ]) {
      const { seen } = run(`OK${fake}\x04\x04>`);
      expect(seen.fails, JSON.stringify(fake)).toEqual([]);
      expect(seen.results).toHaveLength(1);
    }
  });

  it("the banner with nothing after it: a timer; the run ends by reset when it fires", () => {
    const banner = "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
    for (const { label, chunks } of chunkings(text(`OK${banner}`))) {
      const { op, seen } = run("", chunks, { resetConfirmMs: 1234 });
      expect(seen.timers, label).toEqual(["reset:1234"]);
      expect(seen.fails, label).toEqual([]);
      expect(summarize(op.timer("reset")).fails, label).toEqual([{ kind: "board-reset", reason: "rst:0x1 (POWERON_RESET)" }]);
      expect(op.finished).toBe(true);
    }
  });

  it("the banner printed by a program that then ends normally: done, and the timer does nothing", () => {
    const banner = "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
    const { op, seen } = run(`OK${banner}\x04\x04>`);
    expect(seen.timers).toEqual(["reset:10000"]);
    expect(seen.results).toHaveLength(1);
    expect(op.timer("reset")).toEqual([]);
  });

  it("before the board answered the paste request: a banner is a reset (split at every byte), other text an unexpected answer", () => {
    for (const { label, chunks } of chunkings(text(`\x00${ESP32_RESET}`))) {
      const op = new Exec("print(1)");
      op.start();
      const seen = summarize([]);
      for (const c of chunks) summarize(op.receive(c), seen);
      expect(seen.fails, label).toEqual([{ kind: "board-reset", reason: "rst:0xc (SW_CPU_RESET)" }]);
      expect(op.finished, label).toBe(true);
    }
    const op = new Exec("print(1)");
    op.start();
    expect(() => op.receive(text("Traceback"))).toThrow("unexpected byte 0x54 in answer to the raw-paste request");
  });

  for (const [name, glitch] of [
    ["", ""],
    [" after reset glitch bytes", "\x00\xff\xfe"],
  ])
    it(`during a raw-paste transfer${name}: fail board-reset, whole, split at every byte, byte by byte`, () => {
      const code = "x = 1\n".repeat(100);
      const stream = `R\x01\x80\x00\x01${glitch}${ESP32S3_RESET}`;
      for (const { label, chunks } of chunkings(text(stream))) {
        const op = new Exec(code);
        op.start();
        const seen = summarize([]);
        for (const c of chunks) summarize(op.receive(c), seen);
        expect(seen.fails, label).toEqual([{ kind: "board-reset", reason: "rst:0x1 (POWERON)" }]);
        expect(op.finished, label).toBe(true);
      }
    });

  it("during a raw-paste transfer, a garbled credit followed by the next one is an error at once", () => {
    const op = new Exec("x = 1\n".repeat(100));
    op.start();
    op.receive(text("R\x01\x80\x00\x01"));
    expect(op.receive(text("\xc7"))).toEqual([]); // may still be a reset's glitch byte
    expect(() => op.receive(text("\x01"))).toThrow("unexpected byte 0xc7 during raw-paste");
  });

  it("during a raw-paste transfer, text that is not a banner is an error at once", () => {
    const op = new Exec("x = 1\n".repeat(100));
    op.start();
    op.receive(text("R\x01\x80\x00\x01"));
    expect(() => op.receive(text("hello"))).toThrow("unexpected byte 0x68 during raw-paste");
    const op2 = new Exec("x = 1\n".repeat(100));
    op2.start();
    op2.receive(text("R\x01\x80\x00\x01ets"));
    expect(() => op2.receive(text("y"))).toThrow("unexpected byte 0x65 during raw-paste");
  });
});

describe("Ctrl-C in every phase (Exec.interrupt)", () => {
  const CODE = "print(1)\n";

  it("before the board answered the paste request: nothing now; on R\\x01 and the window, Ctrl-C instead of the code", () => {
    const op = new Exec(CODE);
    op.start();
    expect(op.interrupt()).toEqual([]);
    const s = summarize(op.receive(text("R\x01\x80\x00\x01")));
    expect(s.writes).toBe("\x03");
    const end = summarize(op.receive(text("\x04\x04KeyboardInterrupt: \r\n\x04>")));
    expect(end.writes).toBe("");
    expect(end.results).toEqual([{ stderr: text("KeyboardInterrupt: \r\n"), mode: "raw-paste", pasteAborted: false, interrupted: true }]);
  });

  for (const [name, reply] of [
    ["no raw-paste (R\\x00)", "R\x00"],
    ["firmware older than raw-paste", "raw REPL; CTRL-B to exit\r\n>"],
  ])
    it(`before the board answered, ${name}: no code is sent, done at once, nothing ran`, () => {
      for (const { label, chunks } of chunkings(text(reply))) {
        const op = new Exec(CODE);
        op.start();
        op.interrupt();
        const s = summarize([]);
        for (const c of chunks) summarize(op.receive(c), s);
        expect(s.writes, label).toBe("");
        expect(s.results, label).toEqual([{ stderr: text(""), mode: "raw", pasteAborted: false, interrupted: true, notRun: true }]);
      }
    });

  it("while waiting for the board's \\x04 after the whole code: Ctrl-C once it runs", () => {
    const op = new Exec(CODE);
    op.start();
    expect(summarize(op.receive(text("R\x01\x80\x00\x01"))).writes).toBe(CODE + "\x04");
    expect(op.interrupt()).toEqual([]);
    const s = summarize(op.receive(text("\x04")));
    expect(s.writes).toBe("\x03");
    expect(s.timers).toEqual(["interrupt:2000"]);
  });

  it("running: Ctrl-C, again on each timer, then fail wont-stop after the last", () => {
    const op = rawExec();
    op.receive(text("OKspin\r\n"));
    let s = summarize(op.interrupt());
    expect(s.writes).toBe("\x03");
    expect(s.timers).toEqual(["interrupt:2000"]);
    expect(op.interrupt()).toEqual([]); // a second request adds nothing
    for (let k = 1; k < INTERRUPT_ATTEMPTS; k++) {
      s = summarize(op.timer("interrupt"));
      expect(s.writes).toBe("\x03");
      expect(s.timers).toEqual(["interrupt:2000"]);
    }
    s = summarize(op.timer("interrupt"));
    expect(s.writes).toBe("");
    expect(s.fails).toEqual([{ kind: "wont-stop", attempts: INTERRUPT_ATTEMPTS }]);
    expect(op.finished).toBe(true);
    expect(op.receive(text("more\r\n"))).toEqual([{ type: "noise", data: text("more\r\n") }]);
  });

  it("running, giving up: output held after a printed \\x04 is delivered before the failure", () => {
    const op = rawExec();
    op.receive(text("OKa\x04Note: still printing"));
    op.interrupt();
    op.timer("interrupt");
    op.timer("interrupt");
    const s = summarize(op.timer("interrupt"));
    expect(s.stdout).toBe("\x04Note: still printing");
    expect(s.fails).toEqual([{ kind: "wont-stop", attempts: INTERRUPT_ATTEMPTS }]);
  });

  it("running, the board stops: the KeyboardInterrupt is the exception, and a late timer does nothing", () => {
    const op = rawExec();
    op.receive(text("OKtick\r\n"));
    op.interrupt();
    const s = summarize(op.receive(text(`\x04Traceback (most recent call last):\r\n  File "<stdin>", line 4, in <module>\r\nKeyboardInterrupt: \r\n\x04>`)));
    expect(s.results[0]).toMatchObject({ interrupted: true });
    expect(str(s.results[0].stderr!)).toMatch(/KeyboardInterrupt/);
    expect(op.timer("interrupt")).toEqual([]);
  });

  it("plain raw upload, part of it still queued: stop the upload, then clear the board's line with Ctrl-C, newline, Ctrl-D", () => {
    const op = new Exec(CODE, { rawPaste: false });
    op.start();
    expect(op.interrupt()).toEqual([{ type: "stop-upload" }]);
    expect(summarize(op.uploadStopped(true)).writes).toBe("\x03\n\x04");
    const s = summarize(op.receive(text("OK\x04\x04>")));
    expect(s.writes).toBe(""); // no Ctrl-C for an empty program
    expect(s.results).toEqual([{ stderr: text(""), mode: "raw", pasteAborted: false, interrupted: true, notRun: true }]);
  });

  it("plain raw upload that had all gone out: Ctrl-C once the board says OK", () => {
    const op = new Exec(CODE, { rawPaste: false });
    op.start();
    op.interrupt();
    expect(op.uploadStopped(false)).toEqual([]);
    const s = summarize(op.receive(text("OK")));
    expect(s.writes).toBe("\x03");
    expect(s.timers).toEqual(["interrupt:2000"]);
  });

  it("after the board finished: nothing", () => {
    const { op } = run("OK\x04\x04>");
    expect(op.interrupt()).toEqual([]);
    expect(op.timer("interrupt")).toEqual([]);
  });
});

// The machine reads the bytes after a \x04 a run at a time (up to the next
// \x04, or the byte that rules an exception out), and the reset watch sees
// each run once: these pin that nothing depends on where the reads split.
describe("held output and the reset watch, read a run at a time", () => {
  const BANNER = "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
  const BOOT = 'MicroPython v1.22.0 on 2024-01-01; ESP module with ESP8266\r\nType "help()" for more information.\r\n>>> ';

  for (const [name, banner, reason] of [
    ["ESP32", ESP32_RESET, "rst:0xc (SW_CPU_RESET)"],
    ["ESP32-C3 watchdog", ESP32C3_WDT, "rst:0x7 (TG0WDT_SYS_RST)"],
    ["virtual board", SIM_RESET, "rst:0xc (SW_CPU_RESET)"],
  ])
    it(`${name}: a banner inside output held after a printed \\x04, every cut: fail once, the held bytes delivered, the rest noise`, () => {
      // "Note: " keeps everything after the \x04 a possible exception, banner included.
      const reply = `OKbefore\r\n\x04Note: held\r\n${banner}\x04after the reset`;
      for (const { label, chunks } of chunkings(text(reply))) {
        const { op, seen } = run(reply, chunks);
        expect(seen.fails, label).toEqual([{ kind: "board-reset", reason }]);
        expect(seen.results, label).toEqual([]);
        expect(seen.stdout.startsWith("before\r\n\x04Note: held\r\n"), label).toBe(true);
        expect(seen.stdout + seen.noise, label).toBe(reply.slice(2));
        expect(op.finished, label).toBe(true);
      }
    });

  it("a banner held after a printed \\x04 with nothing after it: one timer however cut, the reset when it fires", () => {
    const reply = `OK\x04Note: ${BANNER}`;
    for (const { label, chunks } of chunkings(text(reply))) {
      const { op, seen } = run(reply, chunks, { resetConfirmMs: 4321 });
      expect(seen.timers, label).toEqual(["reset:4321"]);
      expect(seen.stdout + seen.fails.length, label).toBe("0");
      const end = summarize(op.timer("reset"));
      expect(end.stdout, label).toBe(`\x04Note: ${BANNER}`);
      expect(end.fails, label).toEqual([{ kind: "board-reset", reason: "rst:0x1 (POWERON_RESET)" }]);
    }
  });

  it("a loader line's words in the middle of a line after the banner do not confirm a reset, however cut", () => {
    // Only at the start of a line are they the ROM's (a window of the text must not make one).
    const reply = `OK${BANNER}said entry 0x400805e4, load:0x3fff0030,len:4540 and configsip: 0 ${"x".repeat(450)}\r\n`;
    for (const { label, chunks } of chunkings(text(reply))) {
      const { op, seen } = run(reply, chunks);
      expect(seen.fails, label).toEqual([]);
      expect(seen.timers, label).toEqual(["reset:10000"]);
      expect(seen.stdout, label).toBe(reply.slice(2));
      expect(summarize(op.receive(text("\x04\x04>"))).results, label).toHaveLength(1);
    }
  });

  it("MicroPython's banner and >>> with more bytes in the same read, after a printed \\x04: no reset when the timer fires", () => {
    const op = rawExec();
    const s = summarize(op.receive(text(`OK\x04Note: ${BOOT}still running\r\n`)));
    expect(s.timers).toEqual([]);
    expect(op.timer("reset")).toEqual([]);
    expect(summarize(op.receive(text("\x04\x04>"))).stdout).toBe(`\x04Note: ${BOOT}still running\r\n`);
  });

  it("MicroPython's banner and >>> ending a read after a printed \\x04, then silence: a reset", () => {
    const reply = `OK\x04Note: ${BOOT}`;
    for (const { label, chunks } of chunkings(text(reply))) {
      const { op, seen } = run(reply, chunks, { resetConfirmMs: 777 });
      expect(seen.timers.at(-1), label).toBe("reset:777");
      expect(summarize(op.timer("reset")).fails, label).toEqual([{ kind: "board-reset", reason: "MicroPython's boot banner and >>> prompt arrived" }]);
    }
  });

  const endings: { name: string; reply: string; stdout: string; stderr: string }[] = [
    { name: "a printed \\x04 and exception-like text, then the real end", reply: "OKa\x04Note: x\r\n\x04\x04>", stdout: "a\x04Note: x\r\n", stderr: "" },
    { name: "the same, then a real exception", reply: `OKa\x04Note: x\r\n\x04${TRACEBACK}\x04>`, stdout: "a\x04Note: x\r\n", stderr: TRACEBACK },
    {
      name: "the bytes after the second \\x04 begin a soft reboot's line, then do not",
      reply: "OKa\x04Note: x\r\n\x04MPY: sx: y\r\n\x04>",
      stdout: "a\x04Note: x\r\n",
      stderr: "MPY: sx: y\r\n",
    },
    { name: "three printed \\x04 in a row before the end", reply: "OK\x04\x04\x04\x04\x04>", stdout: "\x04\x04\x04", stderr: "" },
    {
      name: "a long held output (a printed \\x04, then log lines) and the end",
      reply: `OKgo\x04${"INFO: tick\r\n".repeat(40)}\x04\x04>`,
      stdout: `go\x04${"INFO: tick\r\n".repeat(40)}`,
      stderr: "",
    },
  ];
  for (const c of endings)
    it(`${c.name}: the same stdout and stderr in one read, split at every byte, byte by byte`, () => {
      for (const { label, chunks } of chunkings(text(c.reply))) {
        const { op, seen } = run(c.reply, chunks);
        expect(seen.stdout, label).toBe(c.stdout);
        expect(seen.stderr, label).toBe(c.stderr);
        expect(seen.results, label).toEqual([{ stderr: text(c.stderr), mode: "raw", pasteAborted: false }]);
        expect(seen.noise + seen.fails.length, label).toBe("0");
        expect(op.finished, label).toBe(true);
      }
    });

  it("what is held after two \\x04 is the same bytes whether the driver gives up (no markers) or the board will not stop (with them)", () => {
    const reply = "OKa\x04E: x\r\n\x04MPY: s";
    for (const { label, chunks } of chunkings(text(reply))) {
      const abandoned = run(reply, chunks);
      expect(abandoned.seen.stdout, label).toBe("a");
      expect(summarize(abandoned.op.abandon()).stdout, label).toBe("E: x\r\nMPY: s");
      expect(abandoned.op.abandon(), label).toEqual([]); // taken once

      const { op } = run(reply, chunks);
      op.interrupt();
      op.timer("interrupt");
      op.timer("interrupt");
      const s = summarize(op.timer("interrupt"));
      expect(s.stdout, label).toBe("\x04E: x\r\n\x04MPY: s");
      expect(s.fails, label).toEqual([{ kind: "wont-stop", attempts: INTERRUPT_ATTEMPTS }]);
    }
  });
});
