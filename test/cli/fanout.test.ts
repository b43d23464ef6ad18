// Several boards at once: one child per board, prefixed output, one summary
// row each, the worst exit code; a failing or disconnecting board never stops
// the others. Virtual boards (sim:NAME) stand in for a classroom.
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { sharedBoards } from "../helpers/state-dir.js";
import { boardLabel, fanoutPorts, perBoardFile, summary, worst, FANOUT_ENV } from "../../src/cli/fanout.js";
import { virtualBoard } from "../../src/cli/context.js";
import { UserError } from "../../src/errors.js";

/** The summary rows: board, exit code, result (time left out). */
function rows(stdout: string): [string, number, string][] {
  const at = stdout.lastIndexOf("\nboard ");
  expect(at).toBeGreaterThanOrEqual(0);
  return stdout
    .slice(at + 1)
    .split("\n")
    .slice(1)
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+)\s+(\d+)\s+[\d.]+ s\s+(.*)$/.exec(l);
      expect(m, l).not.toBeNull();
      return [m![1]!, Number(m![2]), m![3]!];
    });
}

describe("several boards at once", () => {
  it("runs on every board, prefixes each line with its board, then one summary row per board", async () => {
    const r = await runCli(["--sim", "--port", "a", "--port", "b", "exec", "for i in range(3): print('line', i)"]);
    expect(r.code).toBe(0);
    for (const b of ["a", "b"]) {
      // Each board's own lines keep their order.
      const mine = r.stdout.split("\n").filter((l) => l.startsWith(`[${b}] `));
      expect(mine).toEqual([0, 1, 2].map((i) => `[${b}] line ${i}`));
    }
    expect(rows(r.stdout)).toEqual([
      ["a", 0, "ok"],
      ["b", 0, "ok"],
    ]);
  });

  it("a board that cannot be opened fails alone; the exit code is the worst one", async () => {
    const r = await runCli(["--port", "sim:a", "--port", "/dev/synccli-no-such-port", "exec", "print(6*7)"]);
    expect(r.stdout).toMatch(/^\[sim:a {15}\] 42$/m);
    expect(r.stderr).toMatch(/\[synccli-no-such-port\] synccli: .*synccli-no-such-port/);
    const got = rows(r.stdout);
    expect(got[0]).toEqual(["sim:a", 0, "ok"]);
    expect(got[1]![0]).toBe("synccli-no-such-port");
    expect(got[1]![1]).toBe(3);
    expect(got[1]![2]).toMatch(/synccli-no-such-port/);
    expect(r.code).toBe(3);
  });

  it("a board that disconnects mid-run does not stop the others", async () => {
    const script = "import time\nfor i in range(40):\n    print('tick', i)\n    time.sleep(0.02)\n";
    const r = await runCli(["--port", "sim:a", "--port", "sim:b,disconnect-after=200", "exec", script]);
    expect(r.stdout).toContain("[sim:a] tick 39\n");
    expect(r.stdout).not.toContain("[sim:b] tick 39\n");
    const got = rows(r.stdout);
    expect(got[0]).toEqual(["sim:a", 0, "ok"]);
    expect(got[1]![0]).toBe("sim:b");
    expect(got[1]![1]).toBe(7);
    expect(r.code).toBe(7);
  });

  it("--json: one object with a row per board, each carrying that board's own JSON result", async () => {
    const r = await runCli(["--json", "--sim", "--port", "a", "--port", "b", "exec", "print(1/0)"]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!);
    expect(o.ok).toBe(false);
    expect(o.exitCode).toBe(1);
    expect(o.boards.map((b: { port: string; exitCode: number }) => [b.port, b.exitCode])).toEqual([
      ["a", 1],
      ["b", 1],
    ]);
    expect(o.boards[0].output.stderr).toContain("ZeroDivisionError");
    expect(o.boards[0].result).toContain("ZeroDivisionError");
  });

  it("Ctrl-C stops every board and reports each as interrupted", async () => {
    const run = startCli(["--sim", "--port", "a", "--port", "b", "exec", "import time\nwhile True:\n    print('busy')\n    time.sleep(0.05)\n"]);
    await run.waitFor("[a] busy");
    await run.waitFor("[b] busy");
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(rows(r.stdout)).toEqual([
      ["a", 130, "interrupted"],
      ["b", 130, "interrupted"],
    ]);
  });

  it("ended from outside (SIGTERM), it stops every board and ends their processes: the boards are free again", async () => {
    const env = sharedBoards();
    const run = startCli(["--sim", "--port", "a", "--port", "b", "exec", "import time\nwhile True:\n    print('busy')\n    time.sleep(0.05)\n"], { env });
    await run.waitFor("[a] busy");
    await run.waitFor("[b] busy");
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(rows(r.stdout).map((row) => row.slice(0, 2))).toEqual([
      ["a", 130],
      ["b", 130],
    ]);
    // Both virtual boards were let go: a next run on them starts at once (no "in use").
    const next = await runCli(["--sim", "--port", "a", "--port", "b", "exec", "print('free')"], { env });
    expect(next.code, next.stderr).toBe(0);
  });

  it("a reader that goes away (| head) stops every board; commands without a board run once", async () => {
    const run = startCli(["--sim", "--port", "a", "--port", "b", "exec", "import time\nwhile True:\n    print('busy')\n    time.sleep(0.05)\n"]);
    await run.waitFor("[a] busy");
    await run.waitFor("[b] busy");
    run.child.stdout!.destroy();
    const r = await run.done;
    expect(r.code).toBe(0);
    const host = await runCli(["--sim", "--port", "a", "--port", "b", "run", "lock-demo", "--host", "--speed", "8"]);
    expect(host.code).toBe(0);
    expect(host.stdout).not.toMatch(/^\[/m);
    expect(host.stdout.match(/final counter/g)).toHaveLength(1);
  });

  it("refuses commands that need one board, and a board named twice", async () => {
    const repl = await runCli(["--sim", "--port", "a", "--port", "b", "repl"]);
    expect(repl.code).toBe(2);
    expect(repl.stderr).toMatch(/`repl` works on one board at a time/);
    const twice = await runCli(["--sim", "--port", "a", "--port", "a", "exec", "1"]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/--port a names the same board as --port a/);
  });
});

describe("fan-out pieces", () => {
  it("--all takes every ESP-like port that list finds, and says so when there is none", async () => {
    const list = async () => [{ path: "/dev/ttyUSB0", esp: "CP210x" }, { path: "/dev/ttyS0" }, { path: "/dev/ttyACM0", esp: "Espressif USB" }];
    await expect(fanoutPorts([], true, {}, list)).resolves.toEqual(["/dev/ttyUSB0", "/dev/ttyACM0"]);
    await expect(fanoutPorts([], true, {}, async () => [{ path: "/dev/ttyS0" }])).rejects.toMatchObject({ exitCode: 3 });
    await expect(fanoutPorts([], true, { sim: true }, list)).rejects.toBeInstanceOf(UserError);
    await expect(fanoutPorts(["a"], false, {}, list)).resolves.toBeUndefined();
    await expect(fanoutPorts(["a", "b"], false, {}, list)).resolves.toEqual(["a", "b"]);
    // one board under two names, a bad name or option: refused before any board starts
    await expect(fanoutPorts(["u0", "/dev/ttyUSB0"], false, {})).rejects.toThrow("--port /dev/ttyUSB0 names the same board as --port u0");
    await expect(fanoutPorts(["sim:a", "a"], false, { sim: true })).rejects.toThrow("--port a names the same board as --port sim:a");
    await expect(fanoutPorts(["sim", "sim:board,drop=0.1"], false, {})).rejects.toMatchObject({ exitCode: 2 });
    await expect(fanoutPorts(["../x", "b"], false, { sim: true })).rejects.toThrow(/bad virtual board name/);
    await expect(fanoutPorts(["sim:a,bogus=1", "sim:b"], false, {})).rejects.toThrow(/unknown option "bogus"/);
  });

  it("a child never fans out again", async () => {
    process.env[FANOUT_ENV] = "a";
    try {
      await expect(fanoutPorts(["a", "b"], false, {})).resolves.toBeUndefined();
    } finally {
      delete process.env[FANOUT_ENV];
    }
  });

  it("labels, per-board file names, the worst exit code and the summary rows", () => {
    expect(boardLabel("/dev/ttyUSB0")).toBe("ttyUSB0");
    expect(boardLabel("COM3")).toBe("COM3");
    expect(boardLabel("sim")).toBe("sim:board");
    expect(boardLabel("sim:b,drop=0.1")).toBe("sim:b");
    expect(perBoardFile("run.html")).toBe("run.html");
    process.env[FANOUT_ENV] = "/dev/ttyUSB0";
    try {
      expect(perBoardFile("out/run.html")).toBe("out/run-ttyUSB0.html");
      expect(perBoardFile("trace")).toBe("trace-ttyUSB0");
      expect(perBoardFile("./dir.x/trace")).toBe("./dir.x/trace-ttyUSB0");
    } finally {
      delete process.env[FANOUT_ENV];
    }
    const outcomes = [
      { port: "a", exitCode: 0, seconds: 1.25, result: "ok" },
      { port: "b", exitCode: 7, seconds: 0.5, result: "the board disconnected" },
      { port: "c", exitCode: 1, seconds: 2, result: "ZeroDivisionError: divide by zero" },
    ];
    expect(worst(outcomes)).toBe(7);
    expect(summary(outcomes, ["a", "b", "c"]).split("\n")).toEqual([
      "",
      "board  exit     time  result",
      "a         0    1.3 s  ok",
      "b         7    0.5 s  the board disconnected",
      "c         1    2.0 s  ZeroDivisionError: divide by zero",
      "",
    ]);
  });

  it("a virtual board is --sim (its --port names it) or a port written sim[:NAME[,options]]", () => {
    expect(virtualBoard(undefined, {})).toBeUndefined();
    expect(virtualBoard("/dev/ttyUSB0", {})).toBeUndefined();
    expect(virtualBoard(undefined, { sim: true })).toEqual({ name: "board", spec: undefined });
    expect(virtualBoard("a", { sim: true })).toEqual({ name: "a", spec: undefined });
    expect(virtualBoard("sim:b,drop=0.1", { simOptions: "seed=1" })).toEqual({ name: "b", spec: "seed=1,drop=0.1" });
    expect(virtualBoard("sim", {})).toEqual({ name: "board", spec: undefined });
    expect(() => virtualBoard("/dev/ttyUSB0", { sim: true })).toThrow(/bad virtual board name/);
  });
});
