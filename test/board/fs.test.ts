// File operations on the virtual board, through the board API (one board, many operations).
import { describe, expect, it, vi } from "vitest";
import { simBoard } from "../helpers/sim.js";
import { boardPath, copyOnBoard, diskUsage, hashFiles, listDir, mkdir, putFile, readFile, remove, rmdir, stat, touch, walk, FS_EXIT } from "../../src/board/fs.js";
import { sha256 } from "../../src/board/files.js";
import { EXIT, type UserError } from "../../src/errors.js";

const fails = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as UserError);

describe("board paths", () => {
  it("the : prefix is optional, paths are from the root, . and .. resolve", () => {
    expect(boardPath(":")).toBe("/");
    expect(boardPath(":main.py")).toBe("/main.py");
    expect(boardPath("lib/sync/")).toBe("/lib/sync");
    expect(boardPath(":/lib/./x/../y.py")).toBe("/lib/y.py");
  });
});

describe("file operations on the board", () => {
  it("write, read back (binary safe), list, walk, hash, copy, touch, remove", async () => {
    const { board } = await simBoard();
    const data = Buffer.alloc(10_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
    await mkdir(board, "/data/deep", true);
    await mkdir(board, "/data/deep", true); // -p: no error when there
    await putFile(board, "/data/blob.bin", data);
    await putFile(board, "/main.py", Buffer.from("print('hi')\n"));
    let got = 0;
    expect(Buffer.from(await readFile(board, "/data/blob.bin", (n) => (got += n))).equals(data)).toBe(true);
    expect(got).toBe(data.length);
    expect(Buffer.from(await readFile(board, "/main.py")).toString()).toBe("print('hi')\n");
    await putFile(board, "/empty.txt", new Uint8Array());
    expect((await readFile(board, "/empty.txt")).length).toBe(0);

    expect(await listDir(board, "/data")).toEqual([
      { type: "dir", size: 0, name: "deep" },
      { type: "file", size: 10_000, name: "blob.bin" },
    ]);
    expect(await listDir(board, "/main.py")).toEqual([{ type: "file", size: 12, name: "main.py" }]);
    await touch(board, "/data/deep/t.txt");
    await touch(board, "/main.py"); // kept as it is
    expect(await stat(board, "/main.py")).toEqual({ type: "file", size: 12 });
    expect(await walk(board, "/data")).toEqual([
      { type: "file", size: 10_000, name: "blob.bin" },
      { type: "dir", size: 0, name: "deep" },
      { type: "file", size: 0, name: "deep/t.txt" },
    ]);
    const hashes = await hashFiles(board, ["/main.py", "/nope", "/data"]);
    expect(hashes.get("/main.py")).toEqual({ size: 12, hash: sha256(Buffer.from("print('hi')\n")) });
    expect(hashes.get("/nope")).toBeUndefined();
    expect(hashes.get("/data")).toMatchObject({ dir: true });

    expect(await copyOnBoard(board, "/main.py", "/boot.py")).toBe(12);
    // onto itself, however the path is spelled: the file keeps its bytes (it was emptied)
    for (const to of ["/main.py", "/./main.py", "main.py"]) {
      expect(await copyOnBoard(board, "/main.py", to)).toBe(12);
      expect(Buffer.from(await readFile(board, "/main.py")).toString()).toBe("print('hi')\n");
    }
    expect(await stat(board, "/boot.py")).toEqual({ type: "file", size: 12 });
    const df = await diskUsage(board, "/");
    expect(df.total).toBeGreaterThan(0);
    expect(df.used + df.free).toBe(df.total);

    // errors name the path, with the fs exit codes
    expect(await fails(readFile(board, "/missing.txt"))).toMatchObject({ exitCode: FS_EXIT.notFound, message: expect.stringContaining("/missing.txt") });
    expect(await fails(listDir(board, "/nowhere"))).toMatchObject({ exitCode: FS_EXIT.notFound });
    expect(await fails(remove(board, "/data"))).toMatchObject({ exitCode: FS_EXIT.refused, message: expect.stringMatching(/is a directory/) });
    expect(await fails(rmdir(board, "/data"))).toMatchObject({ exitCode: FS_EXIT.refused });
    expect(await fails(mkdir(board, "/data"))).toMatchObject({ exitCode: FS_EXIT.refused, message: expect.stringMatching(/exists/) });
    // --parents through a file: the file is named as what is in the way (it said the folder "already exists")
    expect(await fails(mkdir(board, "/main.py", true))).toMatchObject({ exitCode: FS_EXIT.refused, message: "mkdir /main.py on the board: the file /main.py is in the way", hint: "remove it (`synccli fs rm :/main.py`) or choose another place" });
    expect(await fails(mkdir(board, "/main.py/a/b", true))).toMatchObject({ exitCode: FS_EXIT.refused, message: "mkdir /main.py/a/b on the board: the file /main.py is in the way" });
    expect(await fails(putFile(board, "/no/dir/x.py", Buffer.from("1")))).toMatchObject({ exitCode: FS_EXIT.notFound, message: expect.stringContaining("/no/dir") });
    expect(await fails(putFile(board, "/data", Buffer.from("1")))).toMatchObject({ exitCode: FS_EXIT.refused });
    // copying on the board: the missing side is the one named (the source was blamed for a missing destination folder)
    expect(await fails(copyOnBoard(board, "/main.py", "/nodir/x.py"))).toMatchObject({ exitCode: FS_EXIT.notFound, message: "no such file or directory on the board: /nodir" });
    expect(await fails(copyOnBoard(board, "/gone.py", "/x.py"))).toMatchObject({ exitCode: FS_EXIT.notFound, message: "no such file or directory on the board: /gone.py" });
    expect(await fails(copyOnBoard(board, "/main.py", "/main.py/x.py"))).toMatchObject({ exitCode: FS_EXIT.refused, message: "write /main.py/x.py on the board: /main.py is not a directory" });
    expect(await fails(copyOnBoard(board, "/main.py", "/data"))).toMatchObject({ exitCode: FS_EXIT.refused, message: "write /data on the board: is a directory" });
    expect(await fails(remove(board, "/", true))).toMatchObject({ exitCode: 2 });
    expect(await fails(touch(board, "/data"))).toMatchObject({ exitCode: FS_EXIT.refused, message: expect.stringMatching(/is a directory/) });
    expect(await fails(readFile(board, "/data"))).toMatchObject({ exitCode: FS_EXIT.refused, message: expect.stringMatching(/is a directory/) });
    expect(await fails(rmdir(board, "/main.py"))).toMatchObject({ exitCode: FS_EXIT.refused, message: expect.stringMatching(/not a directory/) });

    await remove(board, "/data", true);
    await remove(board, "/boot.py");
    expect(await stat(board, "/data")).toBeUndefined();
    await mkdir(board, "/e");
    await rmdir(board, "/e");
    expect((await listDir(board, "/")).map((e) => e.name)).not.toContain("boot.py");
  });
});

describe("a full filesystem", () => {
  it("a write or on-board copy that does not fit is refused (12) as full, and what was written of it removed", async () => {
    // small, so that filling it is quick over the simulated serial line
    const { board } = await simBoard({ fsSize: 16 * 1024 });
    const free = (await diskUsage(board, "/")).free;
    const full = {
      exitCode: FS_EXIT.refused,
      message: "the board's filesystem is full: /20k.bin did not fit (the part written is removed)",
      hint: "`synccli fs df` shows the space left; `synccli fs rm` frees some",
    };
    expect(await fails(putFile(board, "/20k.bin", Buffer.alloc(20_000, 1)))).toMatchObject(full);
    expect(await stat(board, "/20k.bin")).toBeUndefined();
    expect((await diskUsage(board, "/")).free).toBe(free);

    await putFile(board, "/10k.bin", Buffer.alloc(10_000, 2));
    expect(await fails(copyOnBoard(board, "/10k.bin", "/copy.bin"))).toMatchObject({ ...full, message: "the board's filesystem is full: /copy.bin did not fit (the part written is removed)" });
    expect(await stat(board, "/copy.bin")).toBeUndefined();
    expect(Buffer.from(await readFile(board, "/10k.bin")).equals(Buffer.alloc(10_000, 2))).toBe(true);
  });
});

describe("mkdir --parents when the board goes away", () => {
  it("the lost line is the error reported, and no stat follows it to look for a file in the way", async () => {
    const { board, link } = await simBoard();
    await putFile(board, "/main.py", Buffer.from("x = 1\n"));
    // The cable is pulled as the mkdir's code goes out: the board never answers it.
    const write = link.hostWrite.bind(link);
    link.hostWrite = (data) => {
      if (Buffer.from(data).toString("latin1").includes("os.mkdir(p)")) link.unplug();
      else write(data);
    };
    const exec = vi.spyOn(board, "exec");
    const err = await fails(mkdir(board, "/main.py/sub", true));
    expect(exec).toHaveBeenCalledTimes(1);
    const first = await exec.mock.results[0]!.value.then(() => undefined, (e: unknown) => e);
    expect(err).toBe(first);
    expect(err).toMatchObject({ exitCode: EXIT.disconnected });
  });

  it("a refused mkdir whose look for a file in the way is cut off reports the refusal, not the lost line", async () => {
    const { board, link } = await simBoard();
    await putFile(board, "/main.py", Buffer.from("x = 1\n"));
    let mkdirSent = false;
    const write = link.hostWrite.bind(link);
    link.hostWrite = (data) => {
      const text = Buffer.from(data).toString("latin1");
      if (text.includes("os.mkdir(p)")) mkdirSent = true;
      // The first look after the refused mkdir never gets an answer.
      if (mkdirSent && text.includes("print('-')")) link.unplug();
      else write(data);
    };
    const err = await fails(mkdir(board, "/main.py/sub", true));
    expect(mkdirSent).toBe(true);
    expect([FS_EXIT.refused, FS_EXIT.notFound]).toContain(err?.exitCode);
    expect(err?.message).toMatch(/^(mkdir \/main\.py\/sub on the board|no such file or directory on the board)/);
  });
});
