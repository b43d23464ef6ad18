// Issue 9: synccli used as an adversarial user would. Every failure is one
// line + `hint:` + a defined exit code (never exit 70 with a stack trace), and
// under --json exactly one JSON object on stdout.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli, type CliResult } from "../helpers/cli.js";
import { EXIT, UserError } from "../../src/errors.js";
import { fileError, renderError } from "../../src/cli/context.js";
import { linesToCR } from "../../src/cli/repl.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-adv-"));

function expectUserError(r: CliResult, code: number, message: RegExp) {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.code).toBe(code);
  const lines = r.stderr.trim().split("\n");
  expect(lines.at(-2)).toMatch(message);
  expect(lines.at(-1)).toMatch(/^hint: /);
}

function oneJson(r: CliResult): Record<string, unknown> {
  const lines = r.stdout.trim().split("\n");
  expect(lines.length).toBe(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe("options out of bounds are usage errors (exit 2)", () => {
  for (const [args, message] of [
    [["--baud", "1"], /^synccli: --baud must be a whole number from 300 to 5000000, got "1"$/],
    [["--baud", "115200.5"], /--baud must be a whole number/],
    [["--timeout", "1e12"], /^synccli: --timeout must be a number of seconds from 0.1 to 86400, got "1e12"$/],
    [["--timeout", "0.001"], /--timeout must be a number of seconds/],
    [["--sim-options", "drop=2"], /^synccli: bad --sim options: drop is a probability from 0 to 1, got 2$/],
    [["--sim-options", "garble=-0.5"], /bad --sim options/],
    [["--sim-options", "baud="], /^synccli: bad --sim options: baud must be a whole number from 300 to 5000000, got 0$/],
  ] as const) {
    it(args.join(" "), async () => {
      const r = await runCli([...args, "exec", "print(1)"]);
      expectUserError(r, EXIT.usage, message);
    });
  }

  it('--sim-options "" is the virtual board with no options, not the default serial port', async () => {
    const r = await runCli(["--sim-options", "", "exec", "print(6*7)"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("42\n");
  });
});

describe("ports that are not serial ports (exit 3)", () => {
  it("/dev/null", async () => {
    const r = await runCli(["--port", "/dev/null", "connect"]);
    expectUserError(r, EXIT.portNotFound, /^synccli: \/dev\/null is not a serial port/);
  });
  it("a regular file, and a directory", async () => {
    const f = join(dir, "not-a-port");
    writeFileSync(f, "x");
    expectUserError(await runCli(["--port", f, "connect"]), EXIT.portNotFound, /is not a serial port \(it is a regular file\)$/);
    expectUserError(await runCli(["--port", dir, "connect"]), EXIT.portNotFound, /is not a serial port \(it is a directory\)$/);
  });
  it('--port "": a defined exit code, no stack trace', async () => {
    const r = await runCli(["--port", "", "connect"]);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect([EXIT.usage, EXIT.portNotFound]).toContain(r.code);
  });
});

describe("--json: exactly one JSON object on every error path", () => {
  it("commander usage errors", async () => {
    for (const args of [["--json", "--bogus"], ["--json", "run"], ["--json", "nosuchcommand"], ["exec", "--json"]]) {
      const r = await runCli(args);
      expect(r.code).toBe(EXIT.usage);
      expect(oneJson(r)).toMatchObject({ ok: false, exitCode: EXIT.usage });
    }
  });

  it("an option out of bounds", async () => {
    const r = await runCli(["--json", "--baud", "1", "--sim", "exec", "1"]);
    expect(oneJson(r)).toMatchObject({ ok: false, exitCode: EXIT.usage, error: expect.stringMatching(/--baud/) });
  });

  it("Ctrl-C before the script starts (while the board does not answer)", async () => {
    const run = startCli(["--sim-options", "silent", "--timeout", "20", "--json", "exec", "print(1)"]);
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(EXIT.interrupted);
    expect(oneJson(r)).toMatchObject({ ok: false, interrupted: true, exitCode: EXIT.interrupted });
  });
});

/**
 * A script that fits in the board's first window plus its first credit is all
 * sent before the board's abort can arrive, so the board's \x04 then reads as
 * its acknowledgement and the abort shows up as the error it reports.
 */
const OWN_CODE_FAILED = /stopped receiving synccli's own code|raised an error in synccli's own code/;

describe("a raw-paste the board aborts (abort-paste-after=): exit 8, not an internal error", () => {
  it("connect", async () => {
    const r = await runCli(["--sim-options", "abort-paste-after=10", "connect"]);
    expectUserError(r, EXIT.protocol, /stopped receiving synccli's own code/);
  });
  it("connect --json", async () => {
    const r = await runCli(["--sim-options", "abort-paste-after=10", "--json", "connect"]);
    expect(r.code).toBe(EXIT.protocol);
    expect(oneJson(r)).toMatchObject({ ok: false, exitCode: EXIT.protocol });
  });
  it("install", async () => {
    expectUserError(await runCli(["--sim-options", "abort-paste-after=10", "install"]), EXIT.protocol, OWN_CODE_FAILED);
  });
  it("run (which installs the library first)", async () => {
    expectUserError(await runCli(["--sim-options", "abort-paste-after=10", "run", "lock-demo"]), EXIT.protocol, OWN_CODE_FAILED);
  });
  it("compare", async () => {
    const r = await runCli(["--sim-options", "abort-paste-after=10", "compare", "lock-demo"]);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.code).toBe(EXIT.protocol);
  });
  it("run --json of a script without the library reports pasteAborted", async () => {
    const p = join(dir, "long.py");
    writeFileSync(p, "x = 1\n".repeat(100) + "print(x)\n");
    const r = await runCli(["--sim-options", "abort-paste-after=50", "--json", "run", p]);
    expect(oneJson(r)).toMatchObject({ pasteAborted: true, ok: false });
  });
});

describe("garbled bytes during install's stat step or probe", () => {
  it("garble=0.01 over several seeds: never an internal error", async () => {
    const runs = await Promise.all(
      [1, 2, 3, 4].map((seed) => runCli(["--sim-options", `garble=0.01,seed=${seed}`, "--timeout", "2", "install"])),
    );
    for (const r of runs) {
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      // noFilesystem: a garbled file name can land on a folder (/lib), which the board refuses to open (EISDIR)
      expect([EXIT.ok, EXIT.noAnswer, EXIT.protocol, EXIT.noFilesystem]).toContain(r.code);
      if (r.code !== 0) expect(r.stderr.trim().split("\n").at(-1)).toMatch(/^hint: /);
    }
    const probes = await Promise.all([1, 2, 3, 4].map((seed) => runCli(["--sim-options", `garble=0.01,seed=${seed}`, "--timeout", "2", "--json", "connect"])));
    for (const r of probes) {
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect([EXIT.ok, EXIT.noAnswer, EXIT.protocol]).toContain(r.code);
      oneJson(r);
    }
  }, 120_000); // each garbled run may wait out --timeout (2 s) at many steps, the more so beside other test files
});

describe("scripts", () => {
  it("a NUL byte in the script: refused with a clear message (exit 2)", async () => {
    const p = join(dir, "nul.py");
    writeFileSync(p, "print(1)\nx = '\u0000'\n");
    expectUserError(await runCli(["--sim", "run", p]), EXIT.usage, /contains a NUL byte \(0x00\) on line 2/);
  });

  it("a demo name cannot escape firmware/demos", async () => {
    expectUserError(await runCli(["--sim", "run", "../sync/lock"]), EXIT.usage, /^synccli: no such file or demo: \.\.\/sync\/lock$/);
  });

  it("an unreadable local file is a usage error, not an internal one", () => {
    let real: unknown;
    try {
      readFileSync(dir); // EISDIR, as Node reports it
    } catch (e) {
      real = e;
    }
    expect(fileError(real)).toBeInstanceOf(UserError);
    const denied = Object.assign(new Error("EACCES: permission denied, open '/x/s.py'"), { code: "EACCES", syscall: "open", path: "/x/s.py" });
    const err = fileError(denied)!;
    expect(err.message).toBe("cannot open /x/s.py: permission denied");
    expect(err.exitCode).toBe(EXIT.usage);
    const write = process.stderr.write;
    process.stderr.write = () => true;
    try {
      expect(renderError(denied)).toBe(EXIT.usage);
    } finally {
      process.stderr.write = write;
    }
    expect(fileError(new Error("plain"))).toBeUndefined();
  });
});

describe("repl with piped input", () => {
  it("LF line ends go to the board as CR", () => {
    const t = linesToCR();
    expect([...t(Buffer.from("a\nb\r\nc\r"))]).toEqual([...Buffer.from("a\rb\rc\r")]);
    expect([...t(Buffer.from("\nd\n"))]).toEqual([...Buffer.from("d\r")]); // CR ended the last chunk
  });

  it("echo 'print(6*7)' | synccli --sim repl prints 42", async () => {
    const r = await runCli(["--sim", "repl"], { input: "print(6*7)\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^42\r?$/m);
  });

  it("piped lines are answered one by one: a block, a pause in it, then a last line", async () => {
    // Busy for longer than --timeout: still waited for, to the last line.
    // (2.4 s of work, pauses of 0.4 s: a loaded machine still answers well within the 2 s.)
    const input = "import time\nfor i in range(6):\n    time.sleep(0.4)\n    print('got', i)\n\nprint('end')\n";
    const r = await runCli(["--sim-options", "baud=9600", "--timeout", "2", "repl"], { input });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^(got \d|end)\r?$/gm)?.map((l) => l.trim())).toEqual(["got 0", "got 1", "got 2", "got 3", "got 4", "got 5", "end"]);
  });

  it("piped input answers an input(); input ending without a newline, or inside a block, still runs; an input() left waiting is exit 6", async () => {
    const [answered, noNewline, openBlock, waiting] = await Promise.all([
      // The answer typed ahead waits in the board's buffer for the input() that takes it, as over a UART.
      runCli(["--sim", "repl"], { input: "x = input('name? ')\nBob\nprint('hi', x)\n" }),
      runCli(["--sim", "repl"], { input: "print(6*7)" }),
      runCli(["--sim", "repl"], { input: "for i in range(2):\n  print('i', i)\n" }),
      // --timeout 3: a loaded machine may take over a second to echo the line at all.
      runCli(["--sim", "--timeout", "3", "repl"], { input: "x = input('name? ')\n" }),
    ]);
    expect(answered.stdout).toMatch(/^hi Bob\r?$/m);
    expect(answered.code).toBe(0);
    expect(noNewline.stdout).toMatch(/^42\r?$/m);
    expect(openBlock.stdout.match(/^i \d\r?$/gm)?.map((l) => l.trim())).toEqual(["i 0", "i 1"]);
    expect([noNewline.code, openBlock.code]).toEqual([0, 0]);
    expectUserError(waiting, EXIT.noAnswer, /waiting for more input \(an input\(\) call\?\)/);
  });

  it("a silent board: exit 6 with a message", async () => {
    const r = await runCli(["--sim-options", "silent", "--timeout", "0.5", "repl"], { input: "print(1)\n" });
    expectUserError(r, EXIT.noAnswer, /no answer from the board within 0.5 s while opening the REPL/);
  });

  it("a disconnect: exit 7 with a message", async () => {
    const run = startCli(["--sim-options", "disconnect-after=3000", "repl"]);
    run.child.stdin!.write("print(list(range(3000)))\n"); // stdin stays open: only the disconnect ends it
    const r = await run.done;
    expectUserError(r, EXIT.disconnected, /board disconnected/);
  });
});
