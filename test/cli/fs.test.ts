// `fs` and `uninstall` and `eval`: copying both ways (in-process, one virtual board),
// then the commands as a user runs them (each CLI run is a fresh virtual board).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { simBoard } from "../helpers/sim.js";
import { runCli } from "../helpers/cli.js";
import { sharedBoards } from "../helpers/state-dir.js";
import { copy } from "../../src/cli/fs.js";
import { putFile, readFile, stat, walk } from "../../src/board/fs.js";
import { evalProgram, splitEvalOutput, VALUE_MARK } from "../../src/cli/eval.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-fs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const local = (p: string) => join(dir, p);

mkdirSync(local("proj/helpers"), { recursive: true });
mkdirSync(local("proj/empty"));
writeFileSync(local("proj/main.py"), "import helpers.util\nprint('main')\n");
writeFileSync(local("proj/helpers/util.py"), "X = 1\n");
writeFileSync(local("proj/helpers/__init__.py"), "");
const big = Buffer.alloc(20_000, "abcdefghij\n");
writeFileSync(local("big.txt"), big);

/** The exit code, with stderr in the message when it is not the expected one. */
function exits(r: { code: number | null; stderr: string }, code: number) {
  if (r.code !== code) expect.fail(`exit ${r.code}, expected ${code}; stderr: ${r.stderr}`);
}

const fails = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as { exitCode: number; message: string });

describe("fs cp", () => {
  it("up (file, folder with -r, into a folder), unchanged files skipped, down again, board to board", async () => {
    const { board } = await simBoard();
    let r = await copy(board, [local("proj/main.py")], ":main.py", { bar: false });
    expect(r.copied).toEqual([{ from: local("proj/main.py"), to: ":/main.py", bytes: readFileSync(local("proj/main.py")).length }]);
    r = await copy(board, [local("proj")], ":", { recursive: true, bar: false });
    expect(r.copied.map((c) => c.to)).toEqual([":/proj/helpers/__init__.py", ":/proj/helpers/util.py", ":/proj/main.py"]);
    expect(await stat(board, "/proj/empty")).toEqual({ type: "dir", size: 0 });
    // again, one file changed: only that one goes
    writeFileSync(local("proj/helpers/util.py"), "X = 2\n");
    r = await copy(board, [local("proj")], ":", { recursive: true, bar: false });
    expect(r.copied.map((c) => c.to)).toEqual([":/proj/helpers/util.py"]);
    expect(r.unchanged.map((c) => c.to)).toEqual([":/proj/helpers/__init__.py", ":/proj/main.py"]);
    // several sources into a folder; a large file
    r = await copy(board, [local("big.txt"), local("proj/main.py")], ":proj/", { bar: false });
    expect(r.copied.map((c) => c.to)).toEqual([":/proj/big.txt"]);
    expect(r.unchanged.map((c) => c.to)).toEqual([":/proj/main.py"]);

    // down: a file into a folder, a folder with -r
    mkdirSync(local("back"));
    r = await copy(board, [":proj/big.txt"], local("back"), { bar: false });
    expect(readFileSync(local("back/big.txt")).equals(big)).toBe(true);
    r = await copy(board, [":/proj"], local("back/copy"), { recursive: true, bar: false });
    expect(readFileSync(local("back/copy/helpers/util.py"), "utf8")).toBe("X = 2\n");
    expect(readFileSync(local("back/copy/main.py"), "utf8")).toContain("import helpers.util");
    // down again: what is already here is not read off the board again; a changed local copy is replaced
    r = await copy(board, [":proj/big.txt"], local("back"), { bar: false });
    expect([r.copied.length, r.unchanged.map((c) => c.to)]).toEqual([0, [local("back/big.txt")]]);
    r = await copy(board, [":/proj"], local("back"), { recursive: true, bar: false });
    expect(r.copied).toHaveLength(4);
    writeFileSync(local("back/proj/helpers/util.py"), "X = 3\n"); // same size, other bytes
    r = await copy(board, [":/proj"], local("back"), { recursive: true, bar: false });
    expect(r.copied.map((c) => c.to)).toEqual([local("back/proj/helpers/util.py")]);
    expect(r.unchanged.map((c) => c.from)).toEqual([":/proj/big.txt", ":/proj/helpers/__init__.py", ":/proj/main.py"]);
    expect(readFileSync(local("back/proj/helpers/util.py"), "utf8")).toBe("X = 2\n");

    // board to board
    r = await copy(board, [":main.py"], ":boot.py", { bar: false });
    expect(Buffer.from(await readFile(board, "/boot.py")).toString()).toContain("print('main')");

    // board to board onto itself (a folder that holds it, the path spelled another way): current, nothing lost
    const mainPy = readFileSync(local("proj/main.py"));
    for (const [src, dest] of [[":main.py", ":main.py"], [":main.py", ":/"], [":./main.py", ":/main.py"], [":/proj/helpers/util.py", ":proj/helpers"]]) {
      r = await copy(board, [src], dest, { bar: false });
      expect(r.copied).toEqual([]);
      expect(r.unchanged).toHaveLength(1);
      expect(r.unchanged[0]!.from).toBe(r.unchanged[0]!.to);
    }
    expect(Buffer.from(await readFile(board, "/main.py")).equals(mainPy)).toBe(true);
    expect(Buffer.from(await readFile(board, "/proj/helpers/util.py")).toString()).toBe("X = 2\n");
    // another file with the same bytes is current as well; other bytes are copied
    r = await copy(board, [":main.py"], ":boot.py", { bar: false });
    expect([r.copied, r.unchanged]).toEqual([[], [{ from: ":/main.py", to: ":/boot.py" }]]);
    r = await copy(board, [":proj/helpers/util.py"], ":boot.py", { bar: false });
    expect(r.copied).toEqual([{ from: ":/proj/helpers/util.py", to: ":/boot.py", bytes: 6 }]);

    // errors
    expect(await fails(copy(board, [local("proj")], ":"))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/is a folder/) });
    expect(await fails(copy(board, [":/proj"], local("x")))).toMatchObject({ exitCode: 12 });
    expect(await fails(copy(board, [local("nope.py")], ":"))).toMatchObject({ exitCode: 11, message: expect.stringContaining("on this computer") });
    expect(await fails(copy(board, [":nope.py"], dir))).toMatchObject({ exitCode: 11, message: expect.stringContaining("/nope.py") });
    expect(await fails(copy(board, [local("big.txt")], ":nodir/big.txt"))).toMatchObject({ exitCode: 11, message: expect.stringContaining("/nodir") });
    expect(await fails(copy(board, [local("big.txt")], local("y")))).toMatchObject({ exitCode: 2 });
    expect((await walk(board, "/")).some((e) => e.name === "nodir")).toBe(false);
    // this computer's side in the way: a local folder where the file goes is the user's setup (exit 2)
    mkdirSync(local("in-the-way/main.py"), { recursive: true });
    expect(await fails(copy(board, [":main.py"], local("in-the-way")))).toMatchObject({ exitCode: 2, message: expect.stringMatching(/it is a directory/) });
    // a local file where a folder goes: named, in words (it was a bare EEXIST / "cannot read")
    const inTheWay = (path: string, file: string) => ({ exitCode: 2, message: `fs cp: cannot write ${path}: the file ${file} is in the way of a folder`, hint: "remove or rename that file, or copy to another destination" });
    expect(await fails(copy(board, [":/proj"], local("big.txt"), { recursive: true, bar: false }))).toMatchObject(inTheWay(local("big.txt"), local("big.txt")));
    expect(await fails(copy(board, [":/proj"], local("big.txt/sub"), { recursive: true, bar: false }))).toMatchObject(inTheWay(local("big.txt/sub"), local("big.txt")));
    expect(await fails(copy(board, [":main.py"], local("big.txt/main.py"), { bar: false }))).toMatchObject(inTheWay(local("big.txt/main.py"), local("big.txt")));
    expect(readFileSync(local("big.txt")).equals(big)).toBe(true);
  }, 60_000);
});

describe("fs cp from board to board", () => {
  it("asks about each path once: a file copied over the line's round trips is 3 or 4 of them, not 6 or 7", async () => {
    const { board } = await simBoard();
    await putFile(board, "/a.txt", Buffer.from("the source\n"));
    await putFile(board, "/old.txt", Buffer.from("x"));
    await board.eval("import os\nos.mkdir('/d')\n");
    const exec = vi.spyOn(board, "exec");
    const execs = async (dest: string) => {
      exec.mockClear();
      const r = await copy(board, [":a.txt"], dest, { bar: false });
      expect(r.copied).toHaveLength(1);
      return exec.mock.calls.length;
    };
    // A new file: the destination, the source, the folder it goes in, the copy.
    expect(await execs(":new.txt")).toBe(4);
    // Over a file (another size): its folder is there, so not asked about.
    expect(await execs(":old.txt")).toBe(3);
    // Into a folder: the folder, the source, the file in it, the copy.
    expect(await execs(":d")).toBe(4);
    for (const p of ["/new.txt", "/old.txt", "/d/a.txt"]) expect(Buffer.from(await readFile(board, p)).toString()).toBe("the source\n");
  });
});

describe("eval framing", () => {
  it("the value is what follows the last marker, whatever the expression printed", () => {
    expect(evalProgram("1+1")).not.toContain(VALUE_MARK); // the source spells it escaped
    expect(splitEvalOutput(`hello\n${VALUE_MARK}[1, 2]`)).toEqual({ output: "hello\n", value: "[1, 2]" });
    expect(splitEvalOutput("no marker")).toBeUndefined();
  });
});

describe("the commands", () => {
  it("fs, uninstall and eval through the CLI, with exit codes and --json", async () => {
    const sim = (...args: string[]) => runCli(["--sim", ...args]);
    const [cpr, ls, cat, dircp, df, un, ev, evj, everr, mk] = await Promise.all([
      sim("fs", "cp", "-r", local("proj"), local("proj/main.py"), ":"),
      sim("--json", "fs", "ls", ":/"),
      sim("fs", "cat", ":nope.txt"),
      sim("fs", "cp", local("proj"), ":"),
      sim("--json", "fs", "df"),
      sim("--json", "uninstall"),
      sim("eval", "print('side effect') or [1, 'two', None]"),
      sim("--json", "eval", "'a' * 3"),
      sim("eval", "1/0"),
      sim("--json", "fs", "mkdir", "--parents", ":a/b"),
    ]);
    exits(cpr, 0);
    expect(cpr.stdout).toContain(`${local("proj/helpers/util.py")} -> :/proj/helpers/util.py`);
    expect(cpr.stdout).toContain(`${local("proj/main.py")} -> :/main.py`);
    expect(cpr.stderr).toContain("main.py runs when the board starts");
    exits(ls, 0);
    expect(JSON.parse(ls.stdout)).toMatchObject({ path: "/", entries: expect.any(Array) });
    exits(cat, 11);
    expect(cat.stderr).toContain("no such file or directory on the board: /nope.txt");
    expect(cat.stderr).toContain("hint:");
    exits(dircp, 2); // a local folder without -r: the command line, not the board
    expect(dircp.stderr).toContain("fs cp -r");
    exits(df, 0);
    expect(JSON.parse(df.stdout)).toMatchObject({ path: "/", total: expect.any(Number), free: expect.any(Number) });
    exits(un, 0);
    expect(JSON.parse(un.stdout)).toEqual({ removed: [], absent: ["/lib/sync", "/lib/asyn.py"] });
    exits(ev, 0);
    expect(ev.stdout).toBe("[1, 'two', None]\n");
    expect(ev.stderr).toContain("side effect");
    expect(JSON.parse(evj.stdout)).toEqual({ value: "'aaa'", output: "" });
    exits(everr, 1);
    expect(everr.stderr).toMatch(/line 1[\s\S]*ZeroDivisionError/);
    expect(everr.stdout).toBe("");
    exits(mk, 0);
    expect(JSON.parse(mk.stdout)).toEqual({ ok: true, created: ["/a/b"] });
  }, 60_000);

  it("fs cp of a board file onto itself says it is current and keeps it (exit 0)", async () => {
    const env = sharedBoards();
    const board = ["--port", "sim:self"];
    exits(await runCli([...board, "fs", "cp", local("proj/main.py"), ":x.txt"], { env }), 0);
    for (const dest of [":x.txt", ":/", ":./x.txt"]) {
      const r = await runCli([...board, "fs", "cp", ":x.txt", dest], { env });
      exits(r, 0);
      expect(r.stdout).toBe(":/x.txt = :/x.txt (unchanged)\n");
    }
    const cat = await runCli([...board, "fs", "cat", ":x.txt"], { env });
    expect(cat.stdout).toBe(readFileSync(local("proj/main.py"), "utf8"));
    // a missing destination folder is named, not the source that is there
    const nodir = await runCli([...board, "fs", "cp", ":x.txt", ":nodir/y.txt"], { env });
    exits(nodir, 11);
    expect(nodir.stderr).toContain("synccli: no such file or directory on the board: /nodir\n");
    expect(nodir.stderr).not.toContain("x.txt");
  }, 60_000);

  it("fs cat: binary bytes as they are, and losslessly in --json (base64 when not UTF-8)", async () => {
    const env = sharedBoards();
    const board = ["--port", "sim:cat"];
    const bin = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41, 0x0a, 0xc3, 0x28]);
    const text = "héllo ✓\n";
    writeFileSync(local("s.bin"), bin);
    writeFileSync(local("t.txt"), text);
    exits(await runCli([...board, "fs", "cp", local("s.bin"), local("t.txt"), ":"], { env }), 0);
    const j = await runCli([...board, "--json", "fs", "cat", ":s.bin", ":t.txt"], { env });
    exits(j, 0);
    expect(JSON.parse(j.stdout)).toEqual({
      files: [
        { path: "/s.bin", content: null, contentBase64: bin.toString("base64") },
        { path: "/t.txt", content: text },
      ],
    });
    // raw bytes on stdout: read without the helper's text decoding
    const { spawnSync } = await import("node:child_process");
    const { BIN } = await import("../helpers/cli.js");
    const raw = spawnSync(process.execPath, [BIN, ...board, "fs", "cat", ":s.bin"], { env: { ...process.env, ...env } });
    expect(raw.status).toBe(0);
    expect(raw.stdout.equals(bin)).toBe(true);
  }, 60_000);

  it("fs cp -r of a folder onto a board file of its name: the file in the way is named (exit 12)", async () => {
    const env = sharedBoards();
    const board = ["--port", "sim:way"];
    exits(await runCli([...board, "fs", "cp", local("proj/main.py"), ":proj"], { env }), 0);
    const r = await runCli([...board, "fs", "cp", "-r", local("proj"), ":"], { env });
    exits(r, 12);
    expect(r.stderr).toBe("synccli: mkdir /proj on the board: the file /proj is in the way\nhint: remove it (`synccli fs rm :/proj`) or choose another place\n");
  }, 60_000);

  it("fs mkdir -p :x/y: -p stays --port, and the error says to use --parents (exit 2)", async () => {
    const [short, after, none] = await Promise.all([
      runCli(["--sim", "fs", "mkdir", "-p", ":x/y"]),
      runCli(["fs", "mkdir", ":a", "-p", ":x/y"]),
      runCli(["--sim", "fs", "mkdir"]),
    ]);
    const said = "synccli: fs mkdir: -p :x/y gave a port (-p is --port), not a folder to make\nhint: use --parents: `synccli fs mkdir --parents :x/y`\n";
    exits(short, 2);
    expect(short.stderr).toBe(said); // was "missing required argument 'paths'"
    exits(after, 2);
    expect(after.stderr).toBe(said); // was "serial port :x/y does not exist" (exit 3)
    exits(none, 2);
    expect(none.stderr).toBe("synccli: fs mkdir needs a folder to make\nhint: e.g. `synccli fs mkdir :lib` (`--parents` also makes the folders above)\n");
  }, 60_000);

  it("fs cp onto a full filesystem: exit 12 (not 9, 'no filesystem'), said to be full, with a hint", async () => {
    writeFileSync(local("20k.bin"), Buffer.alloc(20_000, 7));
    const r = await runCli(["--sim", "--sim-options", "fs-size=16K", "fs", "cp", local("20k.bin"), ":"]);
    exits(r, 12);
    expect(r.stderr).toBe(
      "synccli: the board's filesystem is full: /20k.bin did not fit (the part written is removed)\n" +
        "hint: `synccli fs df` shows the space left; `synccli fs rm` frees some\n",
    );
  }, 60_000);

  it("install then uninstall on one board session removes the library", async () => {
    const { board } = await simBoard();
    const { installLibrary } = await import("../../src/board/install.js");
    await installLibrary(board);
    expect(await stat(board, "/lib/sync")).toMatchObject({ type: "dir" });
    const { uninstallLibrary } = await import("../../src/board/fs.js");
    expect(await uninstallLibrary(board)).toEqual({ removed: ["/lib/sync", "/lib/asyn.py"], absent: [] });
    expect(await stat(board, "/lib/sync")).toBeUndefined();
    expect(await stat(board, "/lib/asyn.py")).toBeUndefined();
    expect(await uninstallLibrary(board)).toEqual({ removed: [], absent: ["/lib/sync", "/lib/asyn.py"] });
  });
});
