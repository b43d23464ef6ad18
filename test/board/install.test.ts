// Installing the library on the virtual board: real files in its filesystem,
// importable afterwards, and a second install copies only what changed.
import { describe, expect, it } from "vitest";
import { simBoard } from "../helpers/sim.js";
import { EXIT, UserError } from "../../src/errors.js";
import { installLibrary, libraryFiles } from "../../src/board/install.js";
import { lineText } from "./line-board.js";
import { pyBytesLiteral, statFiles, writeFile } from "../../src/board/files.js";

describe("pyBytesLiteral", () => {
  it("passes printable text and newlines through, escapes the rest", () => {
    const lit = pyBytesLiteral(new TextEncoder().encode("a'b\\c\nd\r\x00\xff"));
    expect(lit).toBe("b'''a\\'b\\\\c\nd\\x0d\\x00\\xc3\\xbf'''");
  });

  it("round-trips every byte value through the board", async () => {
    const { board } = await simBoard();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await writeFile(board, "/allbytes.bin", all);
    const out = await board.eval("print(list(open('/allbytes.bin','rb').read()) == list(range(256)))");
    expect(out.trim()).toBe("True");
  });
});

describe("installLibrary", () => {
  it("copies every file, then only what changed", async () => {
    const { board } = await simBoard();
    const files = libraryFiles();
    expect(files.map((f) => f.name)).toContain("__init__.py");

    const first = await installLibrary(board, {}, files);
    expect(first.copied).toEqual(files.map((f) => f.name));
    expect(first.hashed).toBe(true);

    const stats = await statFiles(board, files.map((f) => f.remote));
    for (const f of files) expect(stats.get(f.remote)?.size).toBe(f.data.length);

    const second = await installLibrary(board, {}, files);
    expect(second.copied).toEqual([]);
    expect(second.upToDate.length).toBe(files.length);

    const edited = files.map((f) => (f.name === "lock.py" ? { ...f, data: new TextEncoder().encode(new TextDecoder().decode(f.data) + "\n# edited\n") } : f));
    const third = await installLibrary(board, {}, edited);
    expect(third.copied).toEqual(["lock.py"]);
  });

  it("leaves an importable package on the board", async () => {
    const { board } = await simBoard();
    await installLibrary(board);
    const out = await board.eval(
      "from sync import Lock, Event, Semaphore, BoundedSemaphore, Barrier, BrokenBarrierError, Queue, QueueEmpty, QueueFull, Condition\nprint('ok')",
    );
    expect(out.trim()).toBe("ok");
  });

  it("a file where /lib should be: a clear error, not 'no filesystem'", async () => {
    const { board } = await simBoard();
    await board.eval("open('/lib', 'w').write('in the way')");
    const err = await installLibrary(board).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/^creating \/lib\/sync on the board failed: OSError/);
    expect((err as UserError).exitCode).toBe(EXIT.noFilesystem);
  });

  it("reports progress as bytes of payload", async () => {
    const { board } = await simBoard();
    let planned = 0;
    let reported = 0;
    await installLibrary(board, { plan: (_c, _u, total) => (planned = total), bytes: (n) => (reported += n) });
    expect(planned).toBe(libraryFiles().reduce((n, f) => n + f.data.length, 0));
    expect(reported).toBe(planned);
  });
});

describe("install on the virtual board (no hashing on the board while its record is current)", () => {
  it("reads the board's own record after synccli's own operations, which follows what they changed", async () => {
    const { board, sim, link } = await simBoard();
    const files = libraryFiles();
    await installLibrary(board, {}, files);
    // After the run that wrote them, the board's record is its files byte for byte.
    expect(sim.target.board.knownFiles()).toBeDefined();
    const sent = lineText(link);
    expect((await installLibrary(board, {}, files)).copied).toEqual([]);
    expect(sent()).not.toContain("import hashlib");
    // A file changed on the board: the record follows (reported at the end of that run), and install sees it.
    await board.eval("f = open('/lib/sync/lock.py', 'a')\nf.write('# changed on the board\\n')\nf.close()");
    expect((await installLibrary(board, {}, files)).copied).toEqual(["lock.py"]);
    // A folder where a file goes is told apart from a file.
    await board.eval("import os\nos.remove('/lib/asyn.py')\nos.mkdir('/lib/asyn.py')");
    expect((await statFiles(board, ["/lib/asyn.py", "/nothing"])).get("/lib/asyn.py")).toEqual({ dir: true, size: 0 });
    expect((await statFiles(board, ["/nothing"])).get("/nothing")).toBeUndefined();
    expect(sent()).not.toContain("import hashlib");
  });

  it("while code runs, the record is not trusted", async () => {
    const { board, sim } = await simBoard();
    let started!: () => void;
    const printed = new Promise<void>((r) => (started = r));
    const running = board.exec("import time\nopen('/x', 'w').write('1')\nprint('started')\ntime.sleep(0.5)", { onStdout: () => started() });
    await printed;
    expect(sim.target.board.knownFiles()).toBeUndefined();
    await running;
    expect(sim.target.board.knownFiles()?.map(([p]) => p)).toContain("/x");
  });
});
