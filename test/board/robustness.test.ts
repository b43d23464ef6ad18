// Issue 9, adversarial use of the board API: every failure is a UserError
// (one line, a hint, a defined exit code), and install never leaves a
// corrupted file behind a success.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simBoard } from "../helpers/sim.js";
import { ScriptedBinding } from "./scripted-binding.js";
import { lineOnlyBoard, lineText } from "./line-board.js";
import { EXIT, UserError } from "../../src/errors.js";
import { Board, BoardError } from "../../src/board/board.js";
import { installLibrary, libraryFiles } from "../../src/board/install.js";
import { sha256, statFiles } from "../../src/board/files.js";
import { demoPath, resolveScript } from "../../src/board/scripts.js";

const toClose: Board[] = [];
afterEach(async () => {
  for (const b of toClose.splice(0)) await b.close().catch(() => {});
});

async function userError(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe("errors from synccli's own code on the board", () => {
  it("a raw-paste the board aborts during probe is a UserError with exit 8, not an internal error", async () => {
    const { board } = await simBoard({ abortPasteAfter: 10 });
    const err = await userError(board.probe());
    expect(err).toBeInstanceOf(BoardError);
    expect(err.exitCode).toBe(EXIT.protocol);
    expect(err.message).toMatch(/stopped receiving synccli's own code/);
    expect(err.hint).toMatch(/retry/);
  });

  it("a traceback from our own code (a garbled byte) is a UserError with exit 8", async () => {
    const { board } = await simBoard();
    const err = await userError(board.eval("print(1"));
    expect(err.exitCode).toBe(EXIT.protocol);
    expect(err.message).toMatch(/^the board raised an error in synccli's own code: SyntaxError/);
  });
});

describe("read-only board code is sent again when it raised", () => {
  it("probe survives two garbled attempts", async () => {
    const { board } = await simBoard();
    const evalOrig = board.eval.bind(board);
    let garbled = 0;
    board.eval = (code: string) => (garbled < 2 ? (garbled++, evalOrig(code.replace("print", "pr\u00e9nt"))) : evalOrig(code));
    const info = await board.probe();
    expect(garbled).toBe(2);
    expect(info.platform).not.toBe("");
  });
});

// Install's own checks (statFiles) must cross the faulty line here: these
// boards keep no record of their files, as hardware does (see line-board.ts).
describe("install", () => {
  it("a directory where /lib/sync/lock.py should be: one clear error, exit 9", async () => {
    const { board } = await lineOnlyBoard();
    await board.eval("import os\nfor d in ('/lib', '/lib/sync', '/lib/sync/lock.py'):\n    try:\n        os.mkdir(d)\n    except OSError:\n        pass\n");
    const stats = await statFiles(board, ["/lib/sync/lock.py"]);
    expect(stats.get("/lib/sync/lock.py")).toMatchObject({ dir: true });
    const err = await userError(installLibrary(board));
    expect(err.exitCode).toBe(EXIT.noFilesystem);
    expect(err.message).toBe("/lib/sync/lock.py on the board is a directory, where synccli installs a file");
    expect(err.hint).toMatch(/os\.rmdir/);
  });

  it("a file corrupted on its way to the board is detected by its SHA-256 and written again", async () => {
    const { board } = await lineOnlyBoard();
    const files = libraryFiles().filter((f) => ["lock.py", "event.py"].includes(f.name));
    // The line flips a byte of lock.py's first write only.
    const evalOrig = board.eval.bind(board);
    let corrupted = 0;
    board.eval = (code: string) => {
      if (corrupted === 0 && code.includes("/lib/sync/lock.py") && code.includes("f.write(")) {
        corrupted++;
        code = code.replace("import", "imqort");
      }
      return evalOrig(code);
    };
    const r = await installLibrary(board, {}, files);
    expect(corrupted).toBe(1);
    expect(r.copied).toEqual(["event.py", "lock.py"]);
    const stats = await statFiles(board, files.map((f) => f.remote));
    for (const f of files) expect(stats.get(f.remote)?.hash).toBe(sha256(f.data));
  });

  it("a line that corrupts every write: install fails (exit 8) instead of reporting success", async () => {
    const { board } = await lineOnlyBoard();
    const files = libraryFiles().filter((f) => f.name === "lock.py");
    const evalOrig = board.eval.bind(board);
    board.eval = (code: string) => evalOrig(code.includes("f.write(") ? code.replace("import", "imqort") : code);
    const err = await userError(installLibrary(board, {}, files));
    expect(err.exitCode).toBe(EXIT.protocol);
    expect(err.message).toMatch(/^\/lib\/sync\/lock\.py on the board still differs from what was sent after 3 attempts/);
  });

  it("garbled bytes on the line (garble=0.002, seed=2): install fails cleanly or leaves every file intact", async () => {
    const { board, link } = await lineOnlyBoard({ garble: 0.002, seed: 2 });
    const files = libraryFiles();
    const r = await installLibrary(board, {}, files).then(
      () => "ok",
      (e: unknown) => e,
    );
    expect(link.stats.garbled).toBeGreaterThan(0);
    if (r !== "ok") {
      expect(r).toBeInstanceOf(UserError);
      return;
    }
    // Read back over a clean check: what the board holds is what was sent.
    const stats = await statFiles(board, files.map((f) => f.remote)).catch(() => undefined);
    if (stats) for (const f of files) expect(stats.get(f.remote)?.hash).toBe(sha256(f.data));
  }, 60_000);

  it("on a board with a record of its files, a byte flipped inside a file's bytes is seen there and the file written again", async () => {
    const { board, link } = await simBoard();
    const files = libraryFiles().filter((f) => f.name === "lock.py");
    const evalOrig = board.eval.bind(board);
    let corrupted = 0;
    board.eval = (code: string) => {
      // Still valid Python: the board stores the wrong bytes without a word.
      if (corrupted === 0 && code.includes("f.write(") && code.includes("class ")) {
        corrupted++;
        code = code.replace("class ", "clasz ");
      }
      return evalOrig(code);
    };
    const sent = lineText(link);
    expect((await installLibrary(board, {}, files)).copied).toEqual(["lock.py"]);
    expect(corrupted).toBe(1);
    expect(sent()).not.toContain("import hashlib"); // the checks read the record
    await board.exec("pass"); // from here the board itself is asked
    const stats = await statFiles(board, files.map((f) => f.remote));
    expect(sent()).toContain("import hashlib");
    expect(stats.get(files[0]!.remote)?.hash).toBe(sha256(files[0]!.data));
  });

  it("a directory or a broken symlink inside the library folder: a UserError naming it", () => {
    const dir = mkdtempSync(join(tmpdir(), "synccli-lib-"));
    writeFileSync(join(dir, "a.py"), "x = 1\n");
    mkdirSync(join(dir, "sub.py"));
    let err = (() => {
      try {
        libraryFiles(dir, []);
      } catch (e) {
        return e;
      }
    })() as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe(`library file ${join(dir, "sub.py")} is a directory`);
    expect(err.exitCode).toBe(EXIT.usage);

    const dir2 = mkdtempSync(join(tmpdir(), "synccli-lib-"));
    symlinkSync(join(dir2, "missing.py"), join(dir2, "link.py"));
    err = (() => {
      try {
        libraryFiles(dir2, []);
      } catch (e) {
        return e;
      }
    })() as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/link\.py is a broken link$/);

    // A symlink to a regular file is fine.
    const dir3 = mkdtempSync(join(tmpdir(), "synccli-lib-"));
    writeFileSync(join(dir3, "real.txt"), "y = 2\n");
    symlinkSync(join(dir3, "real.txt"), join(dir3, "b.py"));
    expect(libraryFiles(dir3, []).map((f) => f.name)).toEqual(["b.py"]);
  });
});

describe("scripts the raw REPL cannot carry", () => {
  for (const [byte, name] of [
    [0x00, "NUL"],
    [0x03, "Ctrl-C"],
    [0x04, "Ctrl-D"],
  ] as const) {
    it(`a ${name} byte in the script is refused before anything is sent (exit 2)`, async () => {
      const { board, link } = await simBoard();
      await board.enterRaw();
      const before = link.stats.toBoard;
      const err = await userError(board.exec(`print(1)\nx = '${String.fromCharCode(byte)}'\n`));
      expect(err.exitCode).toBe(EXIT.usage);
      expect(err.message).toMatch(new RegExp(`contains a ${name} byte \\(0x0${byte}\\) on line 2`));
      expect(link.stats.toBoard).toBe(before);
      expect((await board.eval("print('still fine')")).trim()).toBe("still fine");
    });
  }
});

describe("demo names", () => {
  it("cannot reach outside firmware/demos", () => {
    expect(demoPath("lock-demo")).toMatch(/firmware\/demos\/lock_demo\.py$/);
    expect(demoPath("../sync/lock")).toBeUndefined();
    expect(demoPath("../../package.json")).toBeUndefined();
    expect(demoPath("/etc/passwd")).toBeUndefined();
    expect(() => resolveScript("../sync/lock")).toThrow(/no such file or demo/);
  });
});

describe("a board that keeps printing and cannot be stopped (fake timers)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** enterRaw on `binding` with fake time moving until it settles; returns its error. */
  async function enterRawError(binding: ScriptedBinding, timeoutMs: number): Promise<UserError> {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
    const board = await Board.open({ path: "/dev/scripted", baudRate: 115200, timeoutMs, binding });
    const entering = userError(board.enterRaw());
    await vi.advanceTimersByTimeAsync(timeoutMs + 2000);
    const err = await entering;
    const closing = board.close().catch(() => {});
    await vi.advanceTimersByTimeAsync(timeoutMs + 1000);
    await closing;
    return err;
  }

  it("says the board is busy running code, not 'no answer ... baud rate'", async () => {
    let timer: NodeJS.Timeout | undefined;
    const binding = new ScriptedBinding({
      onOpen: (emit) => {
        let i = 0;
        timer = setInterval(() => emit(`tick ${i++}\r\n`), 20);
      },
    });
    try {
      const err = await enterRawError(binding, 600);
      expect(err.exitCode).toBe(EXIT.noAnswer);
      expect(err.message).toMatch(/^the board is busy running code and did not stop/);
      expect(err.hint).toMatch(/reset/);
      expect(`${err.message} ${err.hint}`).not.toMatch(/baud/);
    } finally {
      clearInterval(timer);
    }
  });

  it("a silent board is still 'no answer'", async () => {
    const err = await enterRawError(new ScriptedBinding({}), 300);
    expect(err.message).toMatch(/^no answer from the board within 0.3 s/);
  });
});
