// A virtual board boots from its saved flash whatever it holds, as a board
// boots from its flash: full, over the capacity asked for this run, or with
// files where the runtime keeps its own folders. A flash it cannot boot from
// is one clear error naming the board and the file, which is left as it was.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { sharedBoards } from "../helpers/state-dir.js";
import { EXIT, UserError } from "../../src/errors.js";
import { boardDir, decodeFlash, encodeFlash, flashUnusable, type FlashStore } from "../../src/sim/flash.js";
import { createSim } from "../../src/sim/index.js";
import { VirtualBoard } from "../../src/sim/virtual-board.js";
import type { FileSnapshot } from "../../src/sim/interpreter.js";
import { Board } from "../../src/board/board.js";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Runs `code` on the named virtual board (its flash in the current state folder) and powers it off; what it printed. */
async function onBoard(name: string, fsSize: number | undefined, code: string): Promise<string> {
  const sim = createSim({ name, fsSize });
  const board = await Board.open({ path: sim.path, baudRate: 115200, timeoutMs: 10_000, binding: sim.binding });
  try {
    return (await board.eval(code)).replace(/\r\n/g, "\n"); // the board's lines end CR LF
  } finally {
    await board.close();
    await sim.target.close();
  }
}

describe("a full flash", () => {
  it("boots with its files as saved, reports itself full, and works again once a file is removed", async () => {
    const fill = [
      "import os",
      "f = open('/big', 'wb')",
      "try:",
      "    for i in range(100):",
      "        f.write(bytes([i]) * 1000)",
      "except OSError as e:",
      "    print('full', e.errno)",
      "f.close()",
      "print(os.stat('/big')[6], os.statvfs('/')[3])",
    ].join("\n");
    expect(await onBoard("full", 64 * 1024, fill)).toBe("full 28\n65000 0\n");
    // Power cycled: the same files, byte for byte, and still no room.
    const check = [
      "import os",
      "d = open('/big', 'rb').read()",
      "print(len(d), all(d[k] == k // 1000 for k in range(0, len(d), 997)), os.statvfs('/')[3])",
      "try:",
      "    open('/more', 'w').write('x')",
      "except OSError as e:",
      "    print('still full', e.errno)",
      "os.remove('/big')",
      "open('/more', 'w').write('x' * 5000)",
      "print(os.listdir('/'), os.statvfs('/')[3])",
    ].join("\n");
    expect(await onBoard("full", 64 * 1024, check)).toBe("65000 True 0\nstill full 28\n['more'] 14\n");
    expect(await onBoard("full", 64 * 1024, "print(len(open('/more').read()))")).toBe("5000\n");
  }, 60_000);

  it("the CLI: a run that fills the flash, then `fs ls` in the next run lists the file", async () => {
    const env = sharedBoards();
    const port = "sim:fill,fs-size=64K";
    let r = await runCli(["--port", port, "exec", "f = open('big.bin', 'wb')\ntry:\n    while True:\n        f.write(bytes(1000))\nexcept OSError as e:\n    print(e.errno)"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("28\n");
    r = await runCli(["--port", port, "fs", "ls"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/\b65000 +big\.bin\n/);
  }, 60_000);

  it("a flash holding more than this run's fs-size boots too, full", async () => {
    expect(await onBoard("shrunk", undefined, "open('/a', 'wb').write(bytes(100_000))\nimport os\nos.mkdir('/lib')")).toBe("");
    expect(await onBoard("shrunk", 64 * 1024, "import os\nprint(os.stat('/a')[6], os.listdir('/'), os.statvfs('/')[3])")).toBe("100000 ['a', 'lib'] 0\n");
  }, 60_000);

  it("files named /tmp and /home, and a folder where the board keeps its boot modules, come back as saved", async () => {
    const saved: FileSnapshot = [
      ["/home", bytes("h")],
      ["/tmp/", new Uint8Array(0)],
      ["/tmp/__sim_boot/", new Uint8Array(0)],
      ["/tmp/__sim_boot/machine.py", bytes("X = 1\n")],
    ];
    const dir = boardDir("odd", process.env.SYNCCLI_STATE_DIR);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "flash.bin"), encodeFlash(saved));
    const code = "import os, machine\nprint(sorted(os.listdir('/')), os.listdir('/tmp/__sim_boot'), open('/home').read(), len(machine.unique_id()))";
    expect(await onBoard("odd", undefined, code)).toBe("['home', 'tmp'] ['machine.py'] h 6\n");
    // And a file named /tmp where the boot modules' folder would go.
    writeFileSync(join(dir, "flash.bin"), encodeFlash([["/tmp", bytes("t")]]));
    expect(await onBoard("odd", undefined, "import machine\nprint(open('/tmp').read(), len(machine.unique_id()))")).toBe("t 6\n");
    expect(decodeFlash(readFileSync(join(dir, "flash.bin")))).toEqual([["/tmp", bytes("t")]]);
  }, 60_000);
});

describe("a saved flash that cannot be used", () => {
  it("images a board could not restore entry by entry are refused, saying why", () => {
    const bad: [FileSnapshot, RegExp][] = [
      [[["/a/b", bytes("x")]], /before its folder/],
      [[["/a", bytes("x")], ["/a/", new Uint8Array(0)]], /twice/],
      [[["/a/../b", bytes("x")]], /bad path/],
      [[["//b", bytes("x")]], /bad path/],
      [[["/dev/", new Uint8Array(0)]], /not a board file/],
      [[["/d/", bytes("x")]], /folder .* has bytes/],
    ];
    for (const [files, why] of bad) expect(() => decodeFlash(encodeFlash(files)), JSON.stringify(files.map(([p]) => p))).toThrow(why);
  });

  it("a damaged flash.bin: one error naming the board and the file, exit 9, the file untouched; fresh starts blank", async () => {
    const env = sharedBoards();
    const dir = boardDir("dmg", env.SYNCCLI_STATE_DIR);
    let r = await runCli(["--port", "sim:dmg", "exec", "open('keep.txt', 'w').write('mine')"], { env });
    expect(r.code, r.stderr).toBe(0);
    const image = join(dir, "flash.bin");
    const whole = readFileSync(image);
    const damaged = whole.subarray(0, whole.length - 2);
    writeFileSync(image, damaged);
    for (const args of [["fs", "ls"], ["exec", "print(1)"]]) {
      r = await runCli(["--port", "sim:dmg", ...args], { env });
      expect(r.code, r.stderr).toBe(EXIT.noFilesystem);
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(2);
      expect(lines[0]).toBe(`synccli: virtual board "dmg" cannot start from its saved flash ${image}: it is damaged (truncated)`);
      expect(lines[1]).toMatch(/^hint: the file is left as it is.*--sim-options fresh starts this board blank/);
      expect(r.stdout).toBe("");
      expect(readFileSync(image).equals(damaged)).toBe(true);
    }
    // The lock went with the failed run: the board is free for the fresh start.
    r = await runCli(["--port", "sim:dmg", "--sim-options", "fresh", "exec", "import os\nprint(os.listdir('/'))"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("[]\n");
  }, 60_000);

  it("createSim throws the error and gives the board up", () => {
    const dir = boardDir("bad", process.env.SYNCCLI_STATE_DIR);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "flash.bin"), "synccli virtual board flash 1\n[]\nx");
    let err: unknown;
    try {
      createSim({ name: "bad" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ exitCode: EXIT.noFilesystem, message: expect.stringContaining(`${join(dir, "flash.bin")}: it is damaged (trailing bytes)`) });
    expect(existsSync(join(dir, "lock"))).toBe(false);
    // Not held by the failed attempt: the same error again, not "in use".
    expect(() => createSim({ name: "bad" })).toThrow(/it is damaged/);
  });

  it("what the interpreter itself cannot restore ends the boot with the same error, unplugs the board, saves nothing", async () => {
    // Images decodeFlash accepts restore; this one (a folder, then a file of
    // the same name) is handed over as loaded to reach the interpreter's check.
    const files: FileSnapshot = [
      ["/a/", new Uint8Array(0)],
      ["/a", bytes("x")],
    ];
    const saved: FileSnapshot[] = [];
    const store = {
      load: () => files,
      save: (f: FileSnapshot) => saved.push(f),
      unusable: (detail: string) => flashUnusable("odd", "/state/odd/flash.bin", detail),
      release: () => {},
    } as unknown as FlashStore;
    const board = new VirtualBoard({}, store);
    const dead: UserError[] = [];
    board.onDead = (e) => dead.push(e);
    const sent: Uint8Array[] = [];
    board.onTransmit = (d) => sent.push(d);
    const err = await board.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^virtual board "odd" cannot start from its saved flash \/state\/odd\/flash\.bin: restoring \/a: .*EISDIR/);
    expect(dead).toEqual([err]);
    board.receive(bytes("\r\x01print(1)\x04"));
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).toEqual([]);
    await board.stop();
    expect(saved.every((f) => f === files)).toBe(true);
  });
});
