// End to end through a real pseudo-terminal: `synccli sim` serves the virtual
// board on /dev/pts/N and separate synccli processes open it with the native
// serialport binding, exactly as they would open /dev/ttyUSB0.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, startCli, type CliRun } from "../helpers/cli.js";
import { EXIT } from "../../src/errors.js";

let server: CliRun;
let pty: string;
const dir = mkdtempSync(join(tmpdir(), "synccli-pty-"));

beforeAll(async () => {
  server = startCli(["--json", "sim"]);
  await server.waitFor(/\}\n/);
  pty = JSON.parse(server.output()).path;
});

afterAll(async () => {
  server.child.kill("SIGINT");
  expect((await server.done).code).toBe(0);
});

describe("synccli over a pseudo-terminal", () => {
  it("serves on a pts path", () => {
    expect(pty).toMatch(/^\/dev\/pts\/\d+$/);
  });

  it("streams output live and exits 0", async () => {
    const p = join(dir, "stream.py");
    writeFileSync(p, "import asyncio\nasync def main():\n    print('first')\n    await asyncio.sleep(1)\n    print('second')\nasyncio.run(main())\n");
    const r = await runCli(["--port", pty, "run", p]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("first\nsecond\n");
    // 'first' reached us while the board was still sleeping, not at the end.
    const first = r.chunks.find((c) => c.text.includes("first"))!;
    const second = r.chunks.find((c) => c.text.includes("second"))!;
    expect(first.text).not.toContain("second");
    expect(second.at - first.at).toBeGreaterThan(500);
  });

  it("keeps interpreter state between connections, as a board does", async () => {
    expect((await runCli(["--port", pty, "exec", "kept = 41"])).code).toBe(0);
    const r = await runCli(["--port", pty, "exec", "print(kept + 1)"]);
    expect(r.stdout).toBe("42\n");
  });

  it("run starts from a fresh interpreter (soft reset) unless --no-soft-reset", async () => {
    const p = join(dir, "fresh.py");
    writeFileSync(p, "print('stale' in globals())\n");
    expect((await runCli(["--port", pty, "exec", "stale = 1"])).code).toBe(0);
    expect((await runCli(["--port", pty, "run", p, "--no-soft-reset"])).stdout).toBe("True\n");
    expect((await runCli(["--port", pty, "run", p])).stdout).toBe("False\n");
  });

  it("a script that soft-resets the board (SystemExit) ends cleanly and clears its state", async () => {
    expect((await runCli(["--port", pty, "exec", "gone = 1"])).code).toBe(0);
    const r = await runCli(["--port", pty, "exec", "print('bye')\nimport machine\nmachine.soft_reset()"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("bye\n");
    expect((await runCli(["--port", pty, "exec", "print('gone' in globals())"])).stdout).toBe("False\n");
  });

  it("Ctrl-C stops `while True: pass` and the board serves the next command", async () => {
    const run = startCli(["--port", pty, "exec", "print('spinning')\nwhile True:\n    pass"]);
    await run.waitFor("spinning");
    run.child.kill("SIGINT");
    expect((await run.done).code).toBe(EXIT.interrupted);
    const next = await runCli(["--port", pty, "exec", "print('alive')"]);
    expect(next.code).toBe(0);
    expect(next.stdout).toBe("alive\n");
  });

  it("a second program on the same port gets 'busy' (exit 5)", async () => {
    const holder = startCli(["--port", pty, "exec", "import time\nprint('holding')\ntime.sleep(1.5)"]);
    await holder.waitFor("holding");
    const r = await runCli(["--port", pty, "connect"]);
    expect(r.code).toBe(EXIT.portBusy);
    expect(r.stderr).toMatch(/is busy/);
    expect((await holder.done).code).toBe(0);
  });

  it("--reset on a port without modem-control lines: a clear error (exit 2), not a crash", async () => {
    const r = await runCli(["--port", pty, "--reset", "connect"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^synccli: cannot pulse the reset line on \/dev\/pts\/\d+: .+\nhint: .*reset button/m);
  });

  it("connect --json describes the board", async () => {
    const r = await runCli(["--port", pty, "--json", "connect"]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ port: pty, implementation: "1.27.0", rawPaste: true, filesystem: true });
    expect(info.uniqueId).toMatch(/^[0-9a-f]{12}$/);
  });
});
