// The virtual board's record of its files stands in for hashing them over the
// line (statFiles, and so install, fs cp and run --with), only while synccli
// knows nothing else has run: otherwise the board is asked.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { simBoard } from "../helpers/sim.js";
import { lineOnlyBoard, lineText } from "./line-board.js";
import { sha256, statFiles, statsFromRecord } from "../../src/board/files.js";
import { hashFiles, mkdir, putFile } from "../../src/board/fs.js";
import { copy } from "../../src/cli/fs.js";

/** The marker of statScript: only hashing code imports hashlib. */
const HASHING = "import hashlib";
const count = (text: string, what: string) => text.split(what).length - 1;

function localFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "synccli-known-")), name);
  writeFileSync(path, text);
  return path;
}

describe("fs cp to a virtual board whose record is current", () => {
  it("an unchanged file: no hashing code crosses the line, and it is not copied", async () => {
    const { board, link } = await simBoard();
    const src = localFile("helpers.py", "def f():\n    return 42\n");
    expect((await copy(board, [src], ":/helpers.py", { bar: false })).copied.map((c) => c.to)).toEqual([":/helpers.py"]);
    const sent = lineText(link);
    const again = await copy(board, [src], ":/helpers.py", { bar: false });
    expect(again.copied).toEqual([]);
    expect(again.unchanged).toEqual([{ from: src, to: ":/helpers.py" }]);
    expect(count(sent(), HASHING)).toBe(0);
    expect(sent()).not.toContain("f.write(");
  });

  it("after user code has run, the board is asked (over the line) and a file it changed is copied again", async () => {
    const { board, link } = await simBoard();
    const src = localFile("helpers.py", "X = 1\n");
    await copy(board, [src], ":/helpers.py", { bar: false });
    // Same size, other bytes: only the hash tells them apart.
    const r = await board.exec("f = open('/helpers.py', 'w')\nf.write('X = 2\\n')\nf.close()");
    expect(r.ok).toBe(true);
    expect(board.knownFiles()).toBeUndefined();
    const sent = lineText(link);
    const again = await copy(board, [src], ":/helpers.py", { bar: false });
    expect(count(sent(), HASHING)).toBe(1);
    expect(again.copied.map((c) => c.to)).toEqual([":/helpers.py"]);
    expect((await board.eval("print(open('/helpers.py').read())")).trim()).toBe("X = 1");
  });

  it("user code that changes nothing still makes the board be asked, until a soft reset leaves none of it", async () => {
    const { board, link } = await simBoard();
    const src = localFile("m.py", "Y = 3\n");
    await copy(board, [src], ":/m.py", { bar: false });
    await board.exec("pass");
    const sent = lineText(link);
    expect((await copy(board, [src], ":/m.py", { bar: false })).unchanged.length).toBe(1);
    expect(count(sent(), HASHING)).toBe(1);
    await board.softReset();
    expect((await copy(board, [src], ":/m.py", { bar: false })).unchanged.length).toBe(1);
    expect(count(sent(), HASHING)).toBe(1);
  });

  it("after synccli gave up on its own code (no answer in time), the record is not trusted even once the board is idle", async () => {
    const { board, sim } = await simBoard();
    await board.eval("pass"); // at the raw prompt, the record current
    expect(board.knownFiles()).toBeDefined();
    board.options.timeoutMs = 300;
    const err = await board.exec("import time\ntime.sleep(1)", { ownCode: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringMatching(/^no answer from the board within 0.3 s while running code/) });
    await vi.waitFor(() => expect(sim.target.board.knownFiles()).toBeDefined(), { timeout: 10_000 });
    expect(board.knownFiles()).toBeUndefined();
  });
});

describe("statFiles from the record", () => {
  it("answers as the board does: files, folders, missing paths, paths under a file", async () => {
    const { board, link } = await simBoard();
    await mkdir(board, "/d/e", true);
    await putFile(board, "/d/f.bin", Uint8Array.of(0, 1, 2, 255));
    await putFile(board, "/top.py", Buffer.from("print(1)\n"));
    const paths = ["/top.py", "/d", "/d/e", "/d/f.bin", "/nope", "/top.py/x", "/d/e/nope"];
    const sent = lineText(link);
    const fromRecord = await statFiles(board, paths);
    expect(count(sent(), HASHING)).toBe(0);
    await board.exec("pass"); // the record is no longer trusted: the board hashes
    const fromBoard = await statFiles(board, paths);
    expect(count(sent(), HASHING)).toBe(1);
    expect(fromRecord).toEqual(fromBoard);
    expect(fromBoard.get("/d/f.bin")).toEqual({ size: 4, hash: sha256(Uint8Array.of(0, 1, 2, 255)) });
  });

  it("leaves to the board the paths the record cannot answer for as the board would", () => {
    const files: [string, Uint8Array][] = [["/a", Buffer.from("x")], ["/d/", new Uint8Array(0)]];
    for (const p of ["/", "/d/", "/d/../a", "/./a", "//a", "a"]) expect(statsFromRecord(files, [p]), p).toBeUndefined();
    expect(statsFromRecord(files, ["/a", "/d", "/..a"])).toEqual(
      new Map([
        ["/a", { size: 1, hash: sha256(Buffer.from("x")) }],
        ["/d", { dir: true, size: 0 }],
        ["/..a", undefined],
      ]),
    );
  });

  it("a board without a record is always asked", async () => {
    const { board, link } = await lineOnlyBoard();
    expect(board.knownFiles()).toBeUndefined();
    const sent = lineText(link);
    expect((await statFiles(board, ["/nope"])).get("/nope")).toBeUndefined();
    expect(count(sent(), HASHING)).toBe(1);
  });
});
