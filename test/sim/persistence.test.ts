// The virtual board keeps its flash between runs, as a real board does: per
// named board under the state folder (SYNCCLI_STATE_DIR, fresh per test, see
// test/helpers/state-dir.ts), locked by the process using it.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { freshStateDir, sharedBoards } from "../helpers/state-dir.js";
import { EXIT, UserError } from "../../src/errors.js";
import { boardDir, checkBoardName, decodeFlash, encodeFlash, stateRoot, FlashStore } from "../../src/sim/flash.js";
import { createSim } from "../../src/sim/index.js";
import { Board } from "../../src/board/board.js";

function exits(r: { code: number | null; stderr: string }, code: number) {
  if (r.code !== code) expect.fail(`exit ${r.code}, expected ${code}; stderr: ${r.stderr}`);
}

/** One error line and one hint line, nothing else on stderr. */
function userError(r: { stderr: string }, message: RegExp, hint: RegExp) {
  const lines = r.stderr.trim().split("\n");
  expect(lines.length, r.stderr).toBe(2);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^hint: /);
  expect(lines[1]).toMatch(hint);
}

const deadPid = () => {
  // A pid no process has: past the kernel's limit.
  const max = existsSync("/proc/sys/kernel/pid_max") ? Number(readFileSync("/proc/sys/kernel/pid_max", "utf8")) : 4194304;
  return max + 1;
};

describe("the flash image and the state folder", () => {
  it("round-trips files and folders, and refuses a damaged image", () => {
    const files: [string, Uint8Array][] = [
      ["/lib/", new Uint8Array(0)],
      ["/lib/a.py", new TextEncoder().encode("print('a')\n")],
      ["/bin.dat", Uint8Array.from({ length: 256 }, (_, i) => i)],
      ["/name with spaces é.txt", new Uint8Array(0)],
    ];
    const image = encodeFlash(files);
    expect(decodeFlash(image)).toEqual(files);
    expect(() => decodeFlash(image.subarray(0, image.length - 1))).toThrow(/truncated/);
    expect(() => decodeFlash(new TextEncoder().encode("hello"))).toThrow(/not a flash image/);
  });

  it("the state root: SYNCCLI_STATE_DIR, else XDG_STATE_HOME/synccli, else ~/.local/state/synccli; LOCALAPPDATA on Windows", () => {
    expect(stateRoot({ SYNCCLI_STATE_DIR: "/s", XDG_STATE_HOME: "/x" }, "linux")).toBe("/s");
    expect(stateRoot({ XDG_STATE_HOME: "/x" }, "linux")).toBe(join("/x", "synccli"));
    expect(stateRoot({}, "linux")).toMatch(/\.local[/\\]state[/\\]synccli$/);
    expect(stateRoot({ LOCALAPPDATA: "C:\\Users\\me\\AppData\\Local", XDG_STATE_HOME: "/x" }, "win32")).toMatch(/AppData.Local.synccli$/);
    expect(boardDir("a", "/s")).toBe(join("/s", "virtual-boards", "a"));
  });

  it("board names: letters, digits, - _ . only", () => {
    for (const ok of ["board", "a", "bench-2", "x_y.z"]) expect(checkBoardName(ok)).toBe(ok);
    for (const bad of ["", ".", "..", "a/b", "../x", "a b", "é", "x".repeat(65)]) {
      expect(() => checkBoardName(bad)).toThrow(UserError);
      try {
        checkBoardName(bad);
      } catch (e) {
        expect((e as UserError).exitCode).toBe(EXIT.usage);
      }
    }
  });

  it("a lock left by a process that is gone is taken over; one held by a live process is not", () => {
    const root = freshStateDir();
    mkdirSync(boardDir("s", root), { recursive: true });
    writeFileSync(join(boardDir("s", root), "lock"), `${deadPid()}\n`);
    const store = FlashStore.open("s", { root, warn: (l) => expect.fail(l) })!;
    expect(readFileSync(join(boardDir("s", root), "lock"), "utf8")).toBe(`${process.pid}\n`);
    // This very process holds it now: a second open is refused, naming the pid.
    expect(() => FlashStore.open("s", { root })).toThrow(/virtual board "s" is in use by another synccli \(pid \d+, this process\)/);
    store.release();
    expect(existsSync(join(boardDir("s", root), "lock"))).toBe(false);
    // The parent of this test process is alive: its lock stands.
    writeFileSync(join(boardDir("s", root), "lock"), `${process.ppid}\n`);
    expect(() => FlashStore.open("s", { root })).toThrow(new RegExp(`in use by another synccli \\(pid ${process.ppid}\\)`));
  });

  it("a damaged image: a UserError naming the board and the file, which no later save replaces", () => {
    const root = freshStateDir();
    mkdirSync(boardDir("d", root), { recursive: true });
    const image = join(boardDir("d", root), "flash.bin");
    writeFileSync(image, "garbage");
    const store = FlashStore.open("d", { root, warn: (l) => expect.fail(l) })!;
    let err: unknown;
    try {
      store.load();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({
      message: `virtual board "d" cannot start from its saved flash ${image}: it is damaged (not a flash image)`,
      hint: expect.stringContaining("--sim-options fresh starts this board blank"),
      exitCode: EXIT.noFilesystem,
    });
    store.save([["/x", Uint8Array.of(1)]]);
    expect(readFileSync(image, "utf8")).toBe("garbage");
    store.release();
    // fresh replaces it.
    const again = FlashStore.open("d", { root, fresh: true })!;
    expect(again.load()).toEqual([]);
    again.release();
  });
});

describe("virtual boards in one process", () => {
  it("boards with different names run side by side, each with its own files; the same name twice is busy", async () => {
    const a = createSim({ name: "a" });
    const b = createSim({ name: "b" });
    expect(a.path).toBe("sim://a");
    expect(() => createSim({ name: "a" })).toThrow(/virtual board "a" is in use/);
    const ba = await Board.open({ path: a.path, baudRate: 115200, timeoutMs: 10_000, binding: a.binding });
    const bb = await Board.open({ path: b.path, baudRate: 115200, timeoutMs: 10_000, binding: b.binding });
    try {
      await Promise.all([ba.eval("open('who', 'w').write('a')"), bb.eval("open('who', 'w').write('b')")]);
      expect((await ba.eval("print(open('who').read())")).trim()).toBe("a");
      expect((await bb.eval("print(open('who').read())")).trim()).toBe("b");
    } finally {
      await ba.close();
      await bb.close();
      await a.target.close();
      await b.target.close();
    }
    // Closed: the names are free again, the files kept.
    const again = createSim({ name: "b" });
    const board = await Board.open({ path: again.path, baudRate: 115200, timeoutMs: 10_000, binding: again.binding });
    try {
      expect((await board.eval("print(open('who').read())")).trim()).toBe("b");
    } finally {
      await board.close();
      await again.target.close();
    }
  });
});

describe("across CLI runs", () => {
  // The runs of each test share one state folder (a CLI run gets a folder of
  // its own otherwise: test/helpers/state-dir.ts).
  let env: Record<string, string>;
  beforeEach(() => {
    env = sharedBoards();
  });
  const cli = (args: string[]) => runCli(args, { env });
  const start = (args: string[]) => startCli(args, { env });

  it("files written in one run are there in the next; `fresh` empties the board and its saved flash", async () => {
    exits(await cli(["--sim", "exec", "import os\nos.mkdir('data')\nopen('data/log.txt', 'w').write('run 1')"]), 0);
    let r = await cli(["--sim", "exec", "print(open('data/log.txt').read())"]);
    exits(r, 0);
    expect(r.stdout).toBe("run 1\n");
    r = await cli(["--sim", "fs", "ls", ":/data"]);
    exits(r, 0);
    expect(r.stdout).toContain("log.txt");
    // Another name is another board.
    r = await cli(["--sim", "--port", "other", "exec", "import os\nprint(os.listdir('/'))"]);
    exits(r, 0);
    expect(r.stdout).toBe("[]\n");
    r = await cli(["--sim-options", "fresh", "exec", "import os\nprint(os.listdir('/'))"]);
    exits(r, 0);
    expect(r.stdout).toBe("[]\n");
    r = await cli(["--sim", "exec", "import os\nprint(os.listdir('/'))"]);
    expect(r.stdout).toBe("[]\n");
  }, 60_000);

  it("a second process on the same board: exit 5 naming the board and the pid, with a hint", async () => {
    const holder = start(["--sim", "exec", "import time\nprint('holding')\ntime.sleep(2)"]);
    await holder.waitFor("holding");
    const r = await cli(["--sim", "exec", "print(1)"]);
    exits(r, EXIT.portBusy);
    userError(r, new RegExp(`^synccli: virtual board "board" is in use by another synccli \\(pid ${holder.child.pid}\\)$`), /wait for it to end.*--sim --port other-name/);
    // A board of another name is free meanwhile.
    exits(await cli(["--port", "sim:spare", "exec", "print(1)"]), 0);
    exits(await holder.done, 0);
    exits(await cli(["--sim", "exec", "print(1)"]), 0);
  }, 60_000);

  it("a run killed outright leaves the files of its finished steps and a stale lock the next run takes over", async () => {
    const dir = freshStateDir();
    const script = join(dir, "forever.py");
    writeFileSync(script, "import sync, time\nprint('started')\nwhile True:\n    time.sleep(1)\n");
    const run = start(["--sim", "run", script]);
    await run.waitFor("started"); // the library was installed before it started
    run.child.kill("SIGKILL");
    await run.done;
    const r = await cli(["--sim", "--json", "install"]);
    exits(r, 0);
    expect(JSON.parse(r.stdout)).toMatchObject({ copied: [], hashed: true });
  }, 60_000);

  it("`run lock-demo` a second time does not copy the library again", async () => {
    const first = await cli(["--sim", "run", "lock-demo", "--speed", "8"]);
    exits(first, 0);
    expect(first.stderr).toMatch(/sync library on the board: copied .*lock\.py/);
    const second = await cli(["--sim", "run", "lock-demo", "--speed", "8"]);
    exits(second, 0);
    expect(second.stderr).not.toMatch(/sync library on the board/);
    expect(second.stdout).toMatch(/task/);
    const check = await cli(["--sim", "--json", "install"]);
    expect(JSON.parse(check.stdout)).toMatchObject({ copied: [], upToDate: expect.arrayContaining(["lock.py", "asyn.py"]) });
  }, 90_000);

  it("`synccli sim` serves the same board, keeps what its clients wrote, and holds it while it runs", async () => {
    const server = start(["--json", "--port", "served", "sim"]);
    await server.waitFor(/\}\n/);
    const pty = JSON.parse(server.output()).path as string;
    exits(await cli(["--port", pty, "exec", "open('from_pty.txt', 'w').write('kept')"]), 0);
    const busy = await cli(["--port", "sim:served", "exec", "print(1)"]);
    exits(busy, EXIT.portBusy);
    expect(busy.stderr).toContain(`virtual board "served" is in use by another synccli (pid ${server.child.pid})`);
    server.child.kill("SIGINT");
    exits(await server.done, 0);
    const r = await cli(["--port", "sim:served", "exec", "print(open('from_pty.txt').read())"]);
    exits(r, 0);
    expect(r.stdout).toBe("kept\n");
  }, 60_000);

  it("CLI runs that would inherit the test's folder get one each (test/helpers/state-dir.ts): side by side, blank", async () => {
    const runs = await Promise.all([1, 2, 3].map((n) => runCli(["--sim", "exec", `import os\nprint(os.listdir('/'))\nopen('/run${n}', 'w').write('')`])));
    for (const r of runs) {
      exits(r, 0);
      expect(r.stdout).toBe("[]\n");
    }
  });

  it("an unwritable state folder: one warning line, an in-memory board, the command works", async () => {
    const r = await runCli(["--sim", "exec", "print(6 * 7)"], { env: { SYNCCLI_STATE_DIR: "/dev/null/state" } });
    exits(r, 0);
    expect(r.stdout).toBe("42\n");
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^synccli: warning: cannot keep virtual board "board"'s files in .*\(ENOTDIR\)/)]);
  });

  it("no-filesystem: nothing to keep, no warning, nothing written", async () => {
    const root = freshStateDir();
    const r = await runCli(["--sim-options", "no-filesystem", "--json", "connect"], { env: { SYNCCLI_STATE_DIR: root } });
    exits(r, 0);
    expect(r.stderr).toBe("");
    expect(existsSync(join(root, "virtual-boards"))).toBe(false);
  });
});
