// The smaller commands, end to end on the virtual board.
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";

describe("commands", () => {
  it("repl: the friendly REPL answers typed lines", async () => {
    const r = await runCli(["--sim", "repl"], { input: "x = 6\rprint(x * 7)\r" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/>>> print\(x \* 7\)\r?\n42\r?\n>>> /);
    expect(r.stderr).toMatch(/Ctrl-\] leaves/);
  });

  it("repl: piped input waits for a slow answer, and the banner appears once", async () => {
    const r = await runCli(["--sim", "repl"], { input: "import time\rtime.sleep(1)\rprint('late')\r" });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/>>> print\('late'\)\r?\nlate\r?\n>>> \n$/);
    expect(r.stdout.split("Type \"help()\"").length).toBe(2);
  });

  it("repl: input that arrives late is still answered; a never-ending answer runs until Ctrl-C (a busy board is not a silent one)", async () => {
    const late = startCli(["--sim", "repl"]);
    await new Promise((r) => setTimeout(r, 1200));
    late.child.stdin!.end("print(123 * 3)\r");
    expect((await late.done).stdout).toMatch(/\n369\r?\n>>> \n$/);
    const endless = startCli(["--sim", "--timeout", "1", "repl"], { input: "import time\rwhile True: print(1); time.sleep(0.05)\r\r" });
    await endless.waitFor(/(1\r?\n){30}/); // 1.5 s of output: past --timeout, still running
    endless.child.kill("SIGINT");
    expect((await endless.done).code).toBe(130);
  });

  it("repl: Ctrl-] leaves at once", async () => {
    // Were Ctrl-] ignored, the line after it would reach the board and print "after".
    const r = await runCli(["--sim", "repl"], { input: "\x1dprint('af' + 'ter')\r" });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("after");
  });

  it("repl: Ctrl-C stops a statement that never yields, and the REPL carries on", async () => {
    const run = startCli(["--sim", "repl"]);
    run.child.stdin!.write("while True: pass\r\r");
    await run.waitFor("... ");
    await new Promise((r) => setTimeout(r, 300));
    run.child.stdin!.write("\x03");
    await run.waitFor("KeyboardInterrupt");
    run.child.stdin!.write("print(6 * 7)\r");
    await run.waitFor(/print\(6 \* 7\)\r?\n42/);
    run.child.stdin!.end("\x1d");
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout.split("KeyboardInterrupt").length).toBe(2); // once, not again on the next output
  });

  it("a script that runs longer than the Ctrl-C grace period is not cut short", async () => {
    // Regression: the Ctrl-C that enters the raw REPL armed the stuck-loop watchdog.
    const r = await runCli(["--sim", "exec", "import time\nfor i in range(4):\n    print(i)\n    time.sleep(0.6)"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("0\n1\n2\n3\n");
  });

  it("output piped to a reader that leaves early (| head): the board is stopped, exit 0, no stack trace", async () => {
    const run = startCli(["--sim", "exec", "import time\ni = 0\nwhile True:\n    print('line', i)\n    i += 1\n    time.sleep(0.02)"]);
    await run.waitFor("line 3");
    run.child.stdout!.destroy();
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE|\n\s+at /);
  });

  it("reset: soft reset keeps the board usable", async () => {
    const r = await runCli(["--sim", "reset"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("soft reset done\n");
  });

  it("reset --hard and --reset pulse EN and the board comes back", async () => {
    expect((await runCli(["--sim", "reset", "--hard"])).stdout).toBe("reset pulse sent (EN held low for 100 ms through RTS)\n");
    const r = await runCli(["--sim", "--reset", "--json", "connect"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ implementation: "1.27.0" });
  });

  it("list: exits 0 and prints JSON rows with a path each", async () => {
    const r = await runCli(["--json", "list"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { path: string }[];
    for (const row of rows) expect(row.path).toMatch(/^\/dev\//);
  });

  it("--help lists every command", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["list", "connect", "exec", "run", "install", "repl", "reset", "sim"]) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
  });
});
