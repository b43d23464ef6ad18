// The fault matrix: every way a user's setup can go wrong ends with its own
// one-line message, hint and exit code, promptly, with no stack trace.
import { describe, expect, it } from "vitest";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli } from "../helpers/cli.js";
import { classifyOpenError } from "../../src/transport/port.js";
import { EXIT } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-faults-"));
function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

function expectUserError(r: { stderr: string }, message: RegExp, hint: RegExp) {
  const lines = r.stderr.trim().split("\n");
  expect(lines.at(-2)).toMatch(message);
  expect(lines.at(-1)).toMatch(/^hint: /);
  expect(lines.at(-1)).toMatch(hint);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("fault matrix", () => {
  it("port does not exist: exit 3, suggests list and --sim", async () => {
    const r = await runCli(["--port", "/dev/ttyDOESNOTEXIST", "connect"]);
    expect(r.code).toBe(EXIT.portNotFound);
    expectUserError(r, /^synccli: serial port \/dev\/ttyDOESNOTEXIST does not exist$/, /synccli list.*--sim/);
  });

  it("permission denied and busy are told apart from the binding's errors", () => {
    // Tests run as root, where the kernel never refuses; these are the exact
    // messages @serialport/bindings-cpp produces.
    const denied = classifyOpenError("/dev/ttyUSB0", new Error("Error: Permission denied, cannot open /dev/ttyUSB0"));
    expect(denied.exitCode).toBe(EXIT.permissionDenied);
    expect(denied.hint).toMatch(/dialout/);
    const busy = classifyOpenError("/dev/ttyUSB0", new Error("Error Resource temporarily unavailable Cannot lock port"));
    expect(busy.exitCode).toBe(EXIT.portBusy);
    // Windows says "Access denied" for a COM port another program holds.
    expect(classifyOpenError("COM3", new Error("Opening COM3: Access denied"), "win32").exitCode).toBe(EXIT.portBusy);
    expect(classifyOpenError("/dev/ttyUSB0", new Error("Opening /dev/ttyUSB0: Access denied"), "linux").exitCode).toBe(EXIT.permissionDenied);
    const missing = classifyOpenError("/dev/ttyUSB0", new Error("Error: No such file or directory, cannot open /dev/ttyUSB0"));
    expect(missing.exitCode).toBe(EXIT.portNotFound);
  });

  it("board silent: exit 6 after the timeout, not a hang", async () => {
    const r = await runCli(["--sim-options", "silent", "--timeout", "0.5", "exec", "print(1)"]);
    expect(r.code).toBe(EXIT.noAnswer);
    expectUserError(r, /no answer from the board within 0.5 s while entering the raw REPL/, /--baud/);
  });

  it("--json: the error is one JSON object on stdout too", async () => {
    const r = await runCli(["--sim-options", "silent", "--timeout", "0.5", "--json", "exec", "print(1)"]);
    expect(r.code).toBe(EXIT.noAnswer);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: EXIT.noAnswer, error: expect.stringMatching(/^no answer from the board/) });
  });

  it("disconnect mid-output: everything before it is printed, then exit 7", async () => {
    const p = script("lines.py", "for i in range(200):\n    print('line', i)\n");
    const r = await runCli(["--sim-options", "disconnect-after=600", "run", p]);
    expect(r.code).toBe(EXIT.disconnected);
    expectUserError(r, /board disconnected/, /USB cable/);
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("line"));
    expect(lines.length).toBeGreaterThan(5);
    // In order, none missing, up to the cut (the last may be partial).
    lines.slice(0, -1).forEach((l, i) => expect(l).toBe(`line ${i}`));
  });

  it("a board that only sends garbage (wrong baud): exit 6, and the message says so", async () => {
    const r = await runCli(["--sim-options", "garbage=100000", "--timeout", "1", "exec", "print(1)"]);
    expect(r.code).toBe(EXIT.noAnswer);
    expectUserError(r, /while entering the raw REPL, only \d+ bytes it could not make sense of$/, /wrong baud rate/);
  });

  it("the board resets itself mid-run (machine.reset()): exit 10 with what arrived, not a hang", async () => {
    const r = await runCli(["--sim", "exec", "print('before')\nimport machine\nmachine.reset()\nprint('never')"]);
    expect(r.code).toBe(EXIT.boardReset);
    expect(r.stdout).toMatch(/^before\n/);
    expect(r.stdout).not.toContain("never");
    expectUserError(r, /the board reset itself while running the code \(rst:0xc \(SW_CPU_RESET\)\)$/, /machine\.reset\(\)/);
  });

  it("a script that merely prints an rst: line is not taken for a reset", async () => {
    const r = await runCli(["--sim", "exec", "print('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)')\nprint('still running')"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\nstill running\n");
  });

  it("machine.reset() or sys.exit() inside an asyncio task ends the run like at top level", async () => {
    const task = (call: string) =>
      `import asyncio, sys, machine\nasync def main():\n    await asyncio.sleep(0.1)\n    print('in task')\n    ${call}\nasyncio.run(main())\nprint('never')\n`;
    const reset = await runCli(["--sim", "run", script("task_reset.py", task("machine.reset()"))]);
    expect(reset.code).toBe(EXIT.boardReset);
    expect(reset.stdout).toMatch(/^in task\n/);
    const exit = await runCli(["--sim", "run", script("task_exit.py", task("sys.exit()"))]);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe("in task\n");
  });

  it("garbage bytes before the prompt are skipped", async () => {
    const r = await runCli(["--sim-options", "garbage=300", "exec", "print('clean')"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("clean\n");
  });

  it("a slow line (1200 baud): resent requests do not leave stale banners for the next exec", async () => {
    const r = await runCli(["--sim-options", "baud=1200", "--json", "exec", "print('slow')"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, mode: "raw-paste", stdout: "slow\n" });
  });

  it("a slow upload is not mistaken for a silent board (the timeout counts from the last byte sent)", async () => {
    // 6 KB at 9600 baud in plain raw mode: about 6 s on the wire, far over --timeout 1.
    const code = "x = 1\n".repeat(1000) + "print('uploaded')";
    const r = await runCli(["--timeout", "1", "--sim-options", "no-raw-paste,baud=9600", "exec", code]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("uploaded\n");
  }, 30_000);

  it("raw-paste unsupported (R\\x00): the plain raw fallback is used", async () => {
    const r = await runCli(["--sim-options", "no-raw-paste", "--json", "exec", "print('x' * 600)"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, mode: "raw", stdout: "x".repeat(600) + "\n" });
  });

  it("firmware older than raw-paste: the fallback is used", async () => {
    const r = await runCli(["--sim-options", "legacy-firmware", "--json", "exec", "print(6 * 7)"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, mode: "raw", stdout: "42\n" });
  });

  it("device abort during raw-paste: the board's reason is shown, exit 1 (as for a SyntaxError mid-transfer)", async () => {
    const p = script("long.py", "x = 1\n".repeat(100) + "print('never')\n");
    const r = await runCli(["--sim-options", "abort-paste-after=50", "run", p]);
    expect(r.code).toBe(EXIT.boardError);
    expect(r.stdout).not.toContain("never");
    expect(r.stderr).toContain("KeyboardInterrupt: raw-paste aborted by the board\nthe board stopped receiving the code before its end\n");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("a traceback exits 1 and points at the user's line", async () => {
    const p = script("boom.py", "x = 1\ny = 0\nprint(x / y)\n");
    const r = await runCli(["--sim", "run", p]);
    expect(r.code).toBe(EXIT.boardError);
    expect(r.stderr).toContain('File "<stdin>", line 3, in <module>\n    boom.py:3: print(x / y)\nZeroDivisionError: divide by zero');
  });

  it("unknown demo name lists the known demos", async () => {
    const r = await runCli(["--sim", "run", "no-such-demo"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/no such file or demo: no-such-demo/);
  });

  it("bad option values are usage errors (exit 2)", async () => {
    expect((await runCli(["--baud", "fast", "connect"])).code).toBe(EXIT.usage);
    expect((await runCli(["--sim-options", "warp=9", "connect"])).code).toBe(EXIT.usage);
  });

  for (const [name, code] of [
    ["while True: pass (never yields)", "while True:\n    pass\n"],
    ["a loop that prints", "import time\ni = 0\nwhile True:\n    print('tick', i)\n    i += 1\n    time.sleep(0.05)\n"],
    [
      "an asyncio task",
      "import asyncio\nasync def main():\n    while True:\n        print('tick')\n        await asyncio.sleep(0.05)\nasyncio.run(main())\n",
    ],
  ] as const) {
    it(`Ctrl-C stops ${name}: exit 130, board back at its REPL`, async () => {
      const p = script(`loop${name.length}.py`, `print('started')\n${code}`);
      const run = startCli(["--sim", "run", p]);
      await run.waitFor("started");
      run.child.kill("SIGINT");
      const r = await run.done;
      expect(r.code).toBe(EXIT.interrupted);
      // Where the program stopped comes first, as mpremote shows it.
      expect(r.stderr).toMatch(/Traceback \(most recent call last\):\n(?:.*\n)*KeyboardInterrupt.*\ninterrupted; the board is back at its REPL\n/);
    });
  }
});

describe("a board without a filesystem", () => {
  it("install: exit 9 with a clear message", async () => {
    const r = await runCli(["--sim-options", "no-filesystem", "install"]);
    expect(r.code).toBe(EXIT.noFilesystem);
    expectUserError(r, /^synccli: the board has no usable filesystem \(OSError: \[Errno 19\] ENODEV\)$/, /--no-install/);
  });

  it("connect reports it", async () => {
    const r = await runCli(["--sim-options", "no-filesystem", "--json", "connect"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ filesystem: false });
  });
});
