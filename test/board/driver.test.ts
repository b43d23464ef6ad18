// The board driver (src/board/board.ts) on a scripted raw-REPL board, with
// fake timers: the timers the Exec machine asks for (Ctrl-C retries, the wait
// after a reset banner) run in no real time, and a program that stays silent
// for minutes costs nothing.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Board } from "../../src/board/board.js";
import { EXIT, UserError } from "../../src/errors.js";
import { rawReplBoard, ScriptedBinding, type ScriptedRun } from "./scripted-binding.js";

const open: Board[] = [];

beforeEach(() => {
  // Timers only: the serial stream's own scheduling (nextTick, setImmediate) stays real.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
});

afterEach(async () => {
  for (const b of open.splice(0)) {
    const closing = b.close().catch(() => {});
    await vi.advanceTimersByTimeAsync(1000);
    await closing;
  }
  vi.useRealTimers();
});

async function boardFor(run: (code: string, program: ScriptedRun) => void, timeoutMs = 5000) {
  const binding = new ScriptedBinding(rawReplBoard(run));
  const board = await Board.open({ path: "/dev/scripted", baudRate: 115200, timeoutMs, binding });
  open.push(board);
  const entering = board.enterRaw();
  await vi.advanceTimersByTimeAsync(200); // the drain pause between \r^C^C and \r^A
  await entering;
  return { board, binding };
}

/** Runs exec, collecting stdout as text; the promise is returned unawaited (fake time must move). */
function execText(board: Board, code: string, signal?: AbortSignal) {
  let out = "";
  const done = board.exec(code, { signal, onStdout: (d) => (out += Buffer.from(d).toString("utf8")) }).then(
    (r) => ({ r, err: undefined }),
    (err: unknown) => ({ r: undefined, err }),
  );
  return { done, out: () => out };
}

const ctrlCs = (written: number[], from: number) => written.slice(from).filter((b) => b === 0x03).length;

describe("Ctrl-C on a board that never stops (fake timers)", () => {
  it("three Ctrl-C, two seconds apart, then 'did not stop after 3 Ctrl-C' (exit 6), not sooner", async () => {
    const { board, binding } = await boardFor((_code, p) => p.emit("spin\r\n")); // ignores Ctrl-C
    const ac = new AbortController();
    const before = binding.written.length;
    const { done } = execText(board, "while True: pass\n", ac.signal);
    await vi.advanceTimersByTimeAsync(10);
    ac.abort();
    await vi.advanceTimersByTimeAsync(1);
    expect(ctrlCs(binding.written, before)).toBe(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(ctrlCs(binding.written, before)).toBe(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(ctrlCs(binding.written, before)).toBe(3);
    let settled = false;
    void done.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(1990);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    const { err } = await done;
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe("the board did not stop after 3 Ctrl-C");
    expect((err as UserError).exitCode).toBe(EXIT.noAnswer);
    expect(ctrlCs(binding.written, before)).toBe(3);
  });

  it("a board that stops at the second Ctrl-C: interrupted, its output kept, no third Ctrl-C later", async () => {
    let hits = 0;
    const { board, binding } = await boardFor((_code, p) => {
      p.emit("busy\r\n");
      p.onInterrupt = () => {
        if (++hits === 2) p.finish('Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nKeyboardInterrupt: \r\n');
      };
    });
    const ac = new AbortController();
    const before = binding.written.length;
    const { done, out } = execText(board, "busy()\n", ac.signal);
    await vi.advanceTimersByTimeAsync(10);
    ac.abort();
    await vi.advanceTimersByTimeAsync(2100);
    const { r } = await done;
    expect(r).toMatchObject({ interrupted: true, ok: false });
    expect(r!.stderr).toMatch(/KeyboardInterrupt/);
    expect(out()).toBe("busy\r\n");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ctrlCs(binding.written, before)).toBe(2);
  });
});

const BANNER = "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x8 (TG1WDT_SYS_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";
const AFTER = "configsip: 0, SPIWP:0xee\r\nclk_drv:0x00,q_drv:0x00,d_drv:0x00,cs0_drv:0x00,hd_drv:0x00,wp_drv:0x00\r\nmode:DIO, clock div:2\r\nload:0x3fff0030,len:4540\r\nentry 0x400805e4\r\n";

describe("the board resets mid-run (fake timers)", () => {
  it("banner and the ROM's next lines: exit 10 at once, everything before it shown", async () => {
    const { board } = await boardFor((_code, p) => p.emit(`before\r\n${BANNER}${AFTER}`));
    const { done, out } = execText(board, "crash()\n");
    await vi.advanceTimersByTimeAsync(5);
    const { err } = await done;
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(EXIT.boardReset);
    expect((err as UserError).message).toBe("the board reset itself while running the code (rst:0x8 (TG1WDT_SYS_RESET))");
    expect(out().startsWith(`before\r\n${BANNER}`)).toBe(true);
  });

  it("the banner alone: a reset once --timeout passes with no end of the run", async () => {
    const { board } = await boardFor((_code, p) => p.emit(`before\r\n${BANNER}`), 5000);
    const { done } = execText(board, "crash()\n");
    let settled = false;
    void done.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(4990);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    const { err } = await done;
    expect((err as UserError).exitCode).toBe(EXIT.boardReset);
  });

  it("a script that prints an rst: line and keeps running silently for a minute is not a reset", async () => {
    const { board } = await boardFor((_code, p) => {
      p.emit("rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n");
      setTimeout(() => {
        p.emit("still running\r\n");
        p.finish();
      }, 60_000);
    });
    const { done, out } = execText(board, "print(...)\n");
    await vi.advanceTimersByTimeAsync(60_010);
    const { r, err } = await done;
    expect(err).toBeUndefined();
    expect(r).toMatchObject({ ok: true, interrupted: false });
    expect(out()).toBe("rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\nstill running\r\n");
  });
});

describe("a program that prints chr(4), NUL or Ctrl-C (scripted board)", () => {
  it("print('a', chr(4), 'b') then a line: all of it is output, the byte shown as ␄, exit code ok", async () => {
    const { board } = await boardFor((_code, p) => {
      p.emit("a \x04 b\r\n");
      setTimeout(() => {
        p.emit("next\r\n");
        p.finish();
      }, 30_000); // longer than --timeout: output after a printed \x04 is not a reply that is due
    });
    const { done, out } = execText(board, "print('a', chr(4), 'b')\n");
    await vi.advanceTimersByTimeAsync(10);
    expect(out()).toBe("a \u2404 b\r\n"); // streamed at once, not held to the end
    await vi.advanceTimersByTimeAsync(30_010);
    const { r } = await done;
    expect(r).toMatchObject({ ok: true, stderr: "" });
    expect(out()).toBe("a \u2404 b\r\nnext\r\n");
  });

  it("chr(4), NUL and Ctrl-C, then an exception: the traceback is the traceback", async () => {
    const tb = 'Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nValueError: boom\r\n';
    const { board } = await boardFor((_code, p) => {
      p.emit("x\x04\x00\x03\r\n");
      p.finish(tb);
    });
    const { done, out } = execText(board, "print(...)\nraise ValueError('boom')\n");
    await vi.advanceTimersByTimeAsync(10);
    const { r } = await done;
    expect(r).toMatchObject({ ok: false, interrupted: false, stderr: tb });
    expect(out()).toBe("x\u2404\u2400\u2403\r\n");
  });
});

describe("error paths keep what arrived, and nothing waits past the timeout (fake timers)", () => {
  const PARTIAL_TB = 'out\r\n\x04Traceback (most recent call last):\r\n  File "<stdin>", line 3, in <module>\r\n';

  it("unplugged while the board printed its traceback: exit 7, and the partial traceback is shown", async () => {
    let binding!: ScriptedBinding;
    binding = new ScriptedBinding(rawReplBoard((_code, p) => {
      p.emit(PARTIAL_TB);
      setTimeout(() => binding.unplug(), 50);
    }));
    const board = await Board.open({ path: "/dev/scripted", baudRate: 115200, timeoutMs: 5000, binding });
    open.push(board);
    const entering = board.enterRaw();
    await vi.advanceTimersByTimeAsync(200);
    await entering;
    const { done, out } = execText(board, "boom()\n");
    await vi.advanceTimersByTimeAsync(100);
    const { err } = await done;
    expect((err as UserError).exitCode).toBe(EXIT.disconnected);
    expect(out()).toBe('out\r\nTraceback (most recent call last):\r\n  File "<stdin>", line 3, in <module>\r\n');
  });

  it("silence in the middle of a traceback: no answer (exit 6) after --timeout, the partial traceback shown", async () => {
    const { board } = await boardFor((_code, p) => p.emit(PARTIAL_TB), 3000);
    const { done, out } = execText(board, "boom()\n");
    await vi.advanceTimersByTimeAsync(3100);
    const { err } = await done;
    expect((err as UserError).exitCode).toBe(EXIT.noAnswer);
    expect((err as UserError).message).toMatch(/^no answer from the board within 3 s while running code/);
    expect(out()).toContain("Traceback (most recent call last):\r\n");
  });

  it("a line that never takes our bytes (a hung native-USB board): no answer, not a hang", async () => {
    const binding = new ScriptedBinding({ onWrite: () => new Promise<void>(() => {}) });
    const board = await Board.open({ path: "/dev/scripted", baudRate: 115200, timeoutMs: 1000, binding });
    open.push(board);
    const entering = board.enterRaw().then(
      () => undefined,
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(2500);
    const err = await entering;
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(EXIT.noAnswer);
    // and closing does not wait for the stuck write forever either
    const closing = board.close().then(() => "closed");
    await vi.advanceTimersByTimeAsync(3000);
    expect(await closing).toBe("closed");
    open.pop();
  });

  it("a slow line that does take the bytes is not stuck: a long plain-raw upload at 9600 baud succeeds with --timeout 1 s", async () => {
    const code = "x = 1\n".repeat(1000); // 6 KB: over 6 s at 9600 baud
    const inner = rawReplBoard((_c, p) => p.finish(), { rawPaste: "no" });
    const binding = new ScriptedBinding({
      // the bytes leave at line rate: each write completes after its wire time, then the board sees it
      onWrite: (data, emit) => new Promise<void>((r) => setTimeout(r, (data.length * 10 * 1000) / 9600)).then(() => inner.onWrite!(data, emit)),
    });
    const board = await Board.open({ path: "/dev/scripted", baudRate: 9600, timeoutMs: 1000, binding });
    open.push(board);
    const entering = board.enterRaw();
    await vi.advanceTimersByTimeAsync(300);
    await entering;
    const { done } = execText(board, code);
    await vi.advanceTimersByTimeAsync(10_000);
    const { r, err } = await done;
    expect(err).toBeUndefined();
    expect(r).toMatchObject({ ok: true, mode: "raw" });
  });
});

describe("synccli's own code whose end never comes (a garbled end marker)", () => {
  it("eval (probe, file operations) gives no answer after --timeout of silence; a user's silent program is waited for", async () => {
    // The board takes the code and prints, but its end markers never arrive.
    const { board } = await boardFor((_code, p) => p.emit("partial"), 2000);
    let settled: unknown = "pending";
    const own = board.eval("print('x')").then(
      () => "resolved",
      (err: unknown) => err,
    );
    void own.then((v) => (settled = v));
    await vi.advanceTimersByTimeAsync(1900);
    expect(settled).toBe("pending");
    await vi.advanceTimersByTimeAsync(200);
    expect(settled).toBeInstanceOf(UserError);
    expect((settled as UserError).exitCode).toBe(EXIT.noAnswer);
  });

  it("a user's program that stays silent is not cut off by --timeout", async () => {
    const { board } = await boardFor((_code, p) => p.emit("started"), 2000);
    const ac = new AbortController();
    const { done } = execText(board, "import time\ntime.sleep(3600)\n", ac.signal);
    let finished = false;
    void done.then(() => (finished = true));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(finished).toBe(false);
    ac.abort(); // leave it as a user would: Ctrl-C
    await vi.advanceTimersByTimeAsync(5000);
  });
});
