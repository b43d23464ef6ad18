// mpremote's file commands (fs cp/cat/ls/rm/mkdir/rmdir/touch/sha256sum/tree)
// against the virtual board, board side only: mpremote cannot be installed
// here, so this sends the very Python statements mpremote sends over the raw
// REPL and reads the answers the way mpremote parses them.
//
// Source read: micropython/micropython tools/mpremote/mpremote/
//   transport.py        @ 031613c78cdaa7be753256944bb0d8c27e06d97f (Transport.fs_*, _convert_filesystem_error)
//   transport_serial.py @ 022409b8c5cfaa28bed5d2d196c56d09a3631871 (exec: a non-empty error part raises; eval: print(repr(..)), strip, ast.literal_eval)
//   commands.py         @ 022409b8c5cfaa28bed5d2d196c56d09a3631871 (ls line format, tree, rm -r, cp -r, error message)
//   mp_errno.py         @ 05342b013d251b3e2ae84432aa541a2588e39925 (MP_ERRNO_TABLE for a bare "OSError: <n>")
// The board-side reference is extmod/vfs_lfsx.c (littlefs2, the filesystem of
// an ESP32's vfs partition): ilistdir yields (name, type, 0, size); stat is
// (S_IFREG|S_IFDIR, 0, 0, 0, 0, 0, size, mtime, mtime, mtime); errors are
// OSError(errno), printed "[Errno n] NAME" for the names in MicroPython's
// errno.errorcode and as a bare "n" for the others (ENOTDIR 20, ENOTEMPTY 39).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Board } from "../../src/board/board.js";
import { createSim } from "../../src/sim/index.js";

// ---------------------------------------------------------------- the board

let board: Board;
let closeSim: () => Promise<void>;

beforeAll(async () => {
  const sim = createSim({ fresh: true });
  board = await Board.open({ path: sim.path, baudRate: 115200, timeoutMs: 10_000, binding: sim.binding });
  closeSim = () => sim.target.close();
}, 30_000);

afterAll(async () => {
  await board?.close();
  await closeSim?.();
});

// ------------------------------------------- Python literals, as mpremote has them

/** repr(str) for the paths mpremote quotes with _quote_path (CPython's rules). */
function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === q) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + q;
}

/** repr(bytes) as CPython writes it: what fs_writefile puts in `w(...)`. */
function pyBytes(b: Uint8Array): string {
  const has = (c: number) => b.includes(c);
  const q = has(0x27) && !has(0x22) ? 0x22 : 0x27;
  let out = "b" + String.fromCharCode(q);
  for (const c of b) {
    if (c === 0x5c || c === q) out += "\\" + String.fromCharCode(c);
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + c.toString(16).padStart(2, "0");
    else out += String.fromCharCode(c);
  }
  return out + String.fromCharCode(q);
}

type Py = number | string | Uint8Array | boolean | null | Py[];

/** ast.literal_eval for what the board prints here: ints, str, bytes, tuples, lists, True/False/None. */
function literalEval(src: string): Py {
  let i = 0;
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`literal_eval: ${what} at ${i} in ${JSON.stringify(src)}`);
  };
  const quoted = (bytes: boolean): Py => {
    const q = src[i++];
    const out: number[] = [];
    let text = "";
    const push = (code: number) => (bytes ? out.push(code) : (text += String.fromCodePoint(code)));
    for (;;) {
      if (i >= src.length) fail("unterminated string");
      const ch = src[i]!;
      if (ch === q) {
        i++;
        break;
      }
      if (ch !== "\\") {
        const cp = src.codePointAt(i)!;
        if (bytes && cp > 0x7f) fail("non-ASCII byte literal");
        push(cp);
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      const e = src[i + 1];
      i += 2;
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, "\\": 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, "0": 0 };
      if (e === "x") {
        push(parseInt(src.slice(i, i + 2), 16));
        i += 2;
      } else if (!bytes && (e === "u" || e === "U")) {
        const n = e === "u" ? 4 : 8;
        push(parseInt(src.slice(i, i + n), 16));
        i += n;
      } else if (e !== undefined && e in simple) push(simple[e]!);
      else fail(`escape \\${e}`);
    }
    return bytes ? Uint8Array.from(out) : text;
  };
  const value = (): Py => {
    ws();
    const ch = src[i];
    if (ch === "(" || ch === "[") {
      const close = ch === "(" ? ")" : "]";
      i++;
      const items: Py[] = [];
      for (;;) {
        ws();
        if (src[i] === close) {
          i++;
          return items;
        }
        items.push(value());
        ws();
        if (src[i] === ",") i++;
        else if (src[i] !== close) fail("expected , or " + close);
      }
    }
    if (ch === "'" || ch === '"') return quoted(false);
    if (ch === "b" && (src[i + 1] === "'" || src[i + 1] === '"')) {
      i++;
      return quoted(true);
    }
    for (const [word, v] of [["True", true], ["False", false], ["None", null]] as const) {
      if (src.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?\d+/.exec(src.slice(i));
    if (m) {
      i += m[0].length;
      return Number(m[0]);
    }
    return fail("unexpected input");
  };
  const v = value();
  ws();
  if (i !== src.length) fail("trailing input");
  return v;
}

// ---------------------------------------- mpremote's error mapping (transport.py)

// CPython's errno.errorcode on Linux (3.11), in its iteration order: the first
// name found anywhere in the traceback wins, as in _convert_filesystem_error,
// which appends (EOPNOTSUPP, "EOPNOTSUPP") after them (Linux names 95 ENOTSUP).
const HOST_ERRORCODE: [number, string][] = (
  "19:ENODEV 50:ENOCSI 113:EHOSTUNREACH 42:ENOMSG 117:EUCLEAN 45:EL2NSYNC 51:EL2HLT 61:ENODATA 15:ENOTBLK 38:ENOSYS 32:EPIPE 22:EINVAL 75:EOVERFLOW " +
  "68:EADV 4:EINTR 87:EUSERS 39:ENOTEMPTY 105:ENOBUFS 71:EPROTO 66:EREMOTE 119:ENAVAIL 10:ECHILD 40:ELOOP 18:EXDEV 7:E2BIG 3:ESRCH 90:EMSGSIZE " +
  "97:EAFNOSUPPORT 53:EBADR 112:EHOSTDOWN 96:EPFNOSUPPORT 92:ENOPROTOOPT 16:EBUSY 11:EAGAIN 77:EBADFD 73:EDOTDOT 106:EISCONN 55:ENOANO 108:ESHUTDOWN " +
  "44:ECHRNG 80:ELIBBAD 64:ENONET 52:EBADE 9:EBADF 72:EMULTIHOP 5:EIO 49:EUNATCH 91:EPROTOTYPE 28:ENOSPC 8:ENOEXEC 114:EALREADY 100:ENETDOWN 118:ENOTNAM " +
  "13:EACCES 48:ELNRNG 84:EILSEQ 20:ENOTDIR 76:ENOTUNIQ 1:EPERM 33:EDOM 54:EXFULL 111:ECONNREFUSED 21:EISDIR 93:EPROTONOSUPPORT 30:EROFS 99:EADDRNOTAVAIL " +
  "43:EIDRM 70:ECOMM 69:ESRMNT 121:EREMOTEIO 47:EL3RST 74:EBADMSG 23:ENFILE 82:ELIBMAX 29:ESPIPE 67:ENOLINK 102:ENETRESET 110:ETIMEDOUT 2:ENOENT " +
  "17:EEXIST 122:EDQUOT 60:ENOSTR 57:EBADSLT 56:EBADRQC 79:ELIBACC 14:EFAULT 27:EFBIG 35:EDEADLOCK 107:ENOTCONN 89:EDESTADDRREQ 81:ELIBSCN 37:ENOLCK " +
  "120:EISNAM 103:ECONNABORTED 101:ENETUNREACH 116:ESTALE 63:ENOSR 12:ENOMEM 88:ENOTSOCK 86:ESTRPIPE 31:EMLINK 34:ERANGE 83:ELIBEXEC 46:EL3HLT " +
  "104:ECONNRESET 98:EADDRINUSE 95:ENOTSUP 78:EREMCHG 36:ENAMETOOLONG 25:ENOTTY 85:ERESTART 94:ESOCKTNOSUPPORT 62:ETIME 59:EBFONT 109:ETOOMANYREFS " +
  "24:EMFILE 26:ETXTBSY 115:EINPROGRESS 6:ENXIO 65:ENOPKG 123:ENOMEDIUM 124:EMEDIUMTYPE 125:ECANCELED 126:ENOKEY 127:EKEYEXPIRED 128:EKEYREVOKED " +
  "129:EKEYREJECTED 130:EOWNERDEAD 131:ENOTRECOVERABLE 132:ERFKILL 95:EOPNOTSUPP"
)
  .split(" ")
  .map((p) => {
    const [n, name] = p.split(":");
    return [Number(n), name!];
  });

// mp_errno.py's MP_ERRNO_TABLE (MicroPython number -> Linux number), for a bare "OSError: <n>".
const MP_ERRNO_TABLE: Record<number, number> = {
  ...Object.fromEntries(Array.from({ length: 34 }, (_, k) => [k + 1, k + 1])),
  95: 95, 97: 97, 98: 98, 103: 103, 104: 104, 105: 105, 106: 106, 107: 107, 110: 110, 111: 111, 113: 113, 114: 114, 115: 115, 125: 125,
};

const E = { EPERM: 1, ENOENT: 2, ENOTDIR: 20, EISDIR: 21, EEXIST: 17, EINVAL: 22, EMLINK: 31 } as const;

/** _convert_filesystem_error: the host errno mpremote raises, or undefined (it keeps the TransportExecError). */
function convertFilesystemError(errorOutput: string): number | undefined {
  if (!errorOutput.includes("OSError")) return undefined;
  for (const [code, name] of HOST_ERRORCODE) if (errorOutput.includes(name)) return code;
  const lines = errorOutput.split(/\r\n|\r|\n/).filter((l, k, a) => k < a.length - 1 || l !== "");
  const m = /^OSError: (\d+)$/.exec(lines[lines.length - 1] ?? "");
  if (m) return MP_ERRNO_TABLE[Number(m[1])];
  return undefined;
}

/** The traceback's last line, the part a user sees. */
const lastLine = (stderr: string) => stderr.trimEnd().split(/\r?\n/).pop();

// --------------------------------------------- mpremote's Transport, in TypeScript

class TransportExecError extends Error {
  constructor(readonly errorOutput: string) {
    super(errorOutput);
  }
}
class FsError extends Error {
  constructor(
    readonly errno: number | undefined,
    readonly errorOutput: string,
  ) {
    super(`errno ${errno}: ${errorOutput}`);
  }
}

const sent: string[] = [];

/** transport_serial.exec: stdout as bytes; anything in the error part raises. */
async function exec(code: string): Promise<Buffer> {
  sent.push(code);
  const parts: Uint8Array[] = [];
  const r = await board.exec(code, { onStdout: (d) => parts.push(d) });
  expect(r.interrupted || r.pasteAborted).toBe(false);
  if (r.stderr) throw new TransportExecError(r.stderr);
  return Buffer.concat(parts);
}

/** transport_serial.eval: print(repr(expr)), strip, ast.literal_eval. */
async function evalPy(expr: string): Promise<Py> {
  const out = await exec(`print(repr(${expr}))`);
  return literalEval(out.toString("utf8").trim());
}

/** Runs an fs_* body; a TransportExecError becomes what _convert_filesystem_error makes of it. */
async function fs<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof TransportExecError) throw new FsError(convertFilesystemError(e.errorOutput), e.errorOutput);
    throw e;
  }
}

interface DirResult {
  name: string;
  st_mode: number;
  st_ino: number;
  st_size: number;
}

// Transport.fs_listdir
const fs_listdir = (src = "") =>
  fs(async () => {
    const out = await exec(`import os\nfor f in os.ilistdir(${src ? pyStr(src) : ""}):\n print(repr(f), end=',')`);
    const list = literalEval("[" + out.toString("utf8").replace(/\x04/g, "") + "]") as Py[][];
    // mpremote takes 4-tuples as they are and pads 3-tuples with st_size 0.
    return list.map((f) => {
      const t = f.length === 4 ? f : [...f, 0];
      return { name: t[0] as string, st_mode: t[1] as number, st_ino: t[2] as number, st_size: t[3] as number } satisfies DirResult;
    });
  });

// Transport.fs_stat (os.stat_result of the tuple)
const fs_stat = (src: string) =>
  fs(async () => {
    await exec("import os");
    return (await evalPy(`os.stat(${pyStr(src)})`)) as number[];
  });

// Transport.fs_isdir
async function fs_isdir(src: string): Promise<boolean> {
  try {
    return ((await fs_stat(src))[0]! & 0x4000) !== 0;
  } catch (e) {
    if (e instanceof FsError && e.errno !== undefined) return false; // an OSError
    throw e;
  }
}

// Transport.fs_printfile (`mpremote fs cat`): the board's stdout, as mpremote writes it out
const fs_printfile = (src: string, chunkSize = 256) =>
  fs(() => exec(`with open(${pyStr(src)}) as f:\n while 1:\n  b=f.read(${chunkSize})\n  if not b:break\n  print(b,end='')`));

// Transport.fs_readfile
const fs_readfile = (src: string, chunkSize = 256) =>
  fs(async () => {
    const chunks: Uint8Array[] = [];
    await exec(`f=open(${pyStr(src)},'rb')\nr=f.read`);
    for (;;) {
      const chunk = (await evalPy(`r(${chunkSize})`)) as Uint8Array;
      if (!chunk.length) break;
      chunks.push(chunk);
    }
    await exec("f.close()");
    return Buffer.concat(chunks);
  });

// Transport.fs_writefile
const fs_writefile = (dest: string, data: Uint8Array, chunkSize = 256) =>
  fs(async () => {
    await exec(`f=open(${pyStr(dest)},'wb')\nw=f.write`);
    for (let at = 0; at < data.length; at += chunkSize) await exec("w(" + pyBytes(data.subarray(at, at + chunkSize)) + ")");
    await exec("f.close()");
  });

// Transport.fs_mkdir / fs_rmdir / fs_rmfile / fs_touchfile
const fs_mkdir = (path: string) => fs(() => exec(`import os\nos.mkdir(${pyStr(path)})`));
const fs_rmdir = (path: string) => fs(() => exec(`import os\nos.rmdir(${pyStr(path)})`));
const fs_rmfile = (path: string) => fs(() => exec(`import os\nos.remove(${pyStr(path)})`));
const fs_touchfile = (path: string) => fs(() => exec(`f=open(${pyStr(path)},'a')\nf.close()`));

// Transport.fs_hashfile (`mpremote fs sha256sum`); undefined when hashlib.<algo> is
// missing on the board (mpremote then hashes a fs_readfile copy itself).
const fs_hashfile = (path: string, algo: string, chunkSize = 256) =>
  fs(async () => {
    try {
      await exec(`import hashlib\nh = hashlib.${algo}()`);
    } catch (e) {
      if (e instanceof TransportExecError) return undefined;
      throw e;
    }
    await exec(
      `buf = memoryview(bytearray(${chunkSize}))\nwith open(${pyStr(path)}, 'rb') as f:\n while True:\n  n = f.readinto(buf)\n  if n == 0:\n   break\n  h.update(buf if n == ${chunkSize} else buf[:n])\n`,
    );
    return (await evalPy("h.digest()")) as Uint8Array;
  });

// commands.py helpers
function remoteJoin(a: string, ...b: string[]): string {
  let result = (a || "./").replace(/\/+$/, "");
  for (const x of b) result += "/" + x.replace(/^\/+|\/+$/g, "");
  return result;
}

/** `mpremote fs ls`: one "{:12} {}{}" line per entry. */
async function ls(path = ""): Promise<string[]> {
  return (await fs_listdir(path)).map((r) => `${String(r.st_size).padStart(12)} ${r.name}${r.st_mode & 0x4000 ? "/" : ""}`);
}

/** `mpremote fs tree` (no --size/--human): the lines after ":<path>". */
async function tree(path: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (p: string, prefix: string) => {
    const entries = (await fs_listdir(p)).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    for (const [k, e] of entries.entries()) {
      const last = k === entries.length - 1;
      lines.push(`${prefix}${last ? "└── " : "├── "}${e.name}`);
      if (e.st_mode & 0x4000) await walk(remoteJoin(p, e.name), prefix + (last ? "    " : "│   "));
    }
  };
  if (!(await fs_isdir(path))) throw new Error(`tree: '${path}' is not a directory`);
  await walk(path, "");
  return lines;
}

/** `mpremote fs rm -r` (do_filesystem_recursive_rm, not mounted). */
async function rmRecursive(path: string): Promise<void> {
  if (await fs_isdir(path)) {
    for (const entry of await fs_listdir(path)) await rmRecursive(remoteJoin(path, entry.name));
    if (path) await fs_rmdir(path);
  } else await fs_rmfile(path);
}

const fsError = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("expected an error"),
    (e: unknown) => {
      if (!(e instanceof FsError)) throw e;
      return e;
    },
  );

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest();

// ------------------------------------------------------------------- the tests

// Every byte value, several times, so chunks of 256 split escapes everywhere.
const BINARY = Buffer.alloc(1500);
for (let k = 0; k < BINARY.length; k++) BINARY[k] = (k * 131 + (k >> 8)) & 0xff;
const TEXT = "first line\nsecond 'quoted' \"line\"\n" + "é€😀 ".repeat(100) + "\nend\n";

describe("mpremote's file commands, board side, on the virtual board", () => {
  it("mkdir, cp (fs_writefile) text and binary, cp back (fs_readfile), cat (fs_printfile)", async () => {
    await fs_mkdir("/mp");
    await fs_mkdir("/mp/sub");
    await fs_writefile("/mp/blob.bin", BINARY);
    await fs_writefile("/mp/text.txt", Buffer.from(TEXT, "utf8"));
    await fs_writefile("/mp/empty", new Uint8Array());
    await fs_writefile("/mp/sub/q'uote d.py", Buffer.from("print('hi')\n"));

    expect((await fs_readfile("/mp/blob.bin")).equals(BINARY)).toBe(true);
    expect((await fs_readfile("/mp/text.txt")).toString("utf8")).toBe(TEXT);
    expect((await fs_readfile("/mp/empty")).length).toBe(0);
    expect((await fs_readfile("/mp/sub/q'uote d.py")).toString()).toBe("print('hi')\n");
    // Other chunk sizes (mpremote's default is 256): reads split multi-byte characters.
    expect((await fs_readfile("/mp/text.txt", 7)).toString("utf8")).toBe(TEXT);

    // cat: text mode reads 256 characters at a time; the board's stdout is cooked (LF -> CR LF), as on a board.
    expect((await fs_printfile("/mp/text.txt")).toString("utf8")).toBe(TEXT.replace(/\n/g, "\r\n"));
  });

  it("ls (fs_listdir): names, types and sizes; stat (fs_stat/fs_isdir)", async () => {
    const entries = await fs_listdir("/mp");
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    expect(Object.keys(byName).sort()).toEqual(["blob.bin", "empty", "sub", "text.txt"]);
    expect(byName["sub"]!.st_mode & 0xf000).toBe(0x4000); // S_IFDIR
    for (const f of ["blob.bin", "empty", "text.txt"]) expect(byName[f]!.st_mode & 0xf000).toBe(0x8000); // S_IFREG
    expect((await fs_listdir("/mp/sub")).map((e) => e.name)).toEqual(["q'uote d.py"]);
    // ilistdir() with no argument (`mpremote ls` with no path) lists the cwd, the root.
    expect((await fs_listdir()).map((e) => e.name)).toContain("mp");
    expect((await exec("import os;print(os.getcwd())")).toString().trim()).toBe("/");

    const st = await fs_stat("/mp/blob.bin");
    expect(st).toHaveLength(10);
    expect(st[0]! & 0xf000).toBe(0x8000);
    expect(st[6]).toBe(BINARY.length); // st_size, what cp's progress bar uses
    expect(typeof st[8]).toBe("number"); // st_mtime
    expect((await fs_stat("/mp/sub"))[0]! & 0xf000).toBe(0x4000);
    expect(await fs_isdir("/mp")).toBe(true);
    expect(await fs_isdir("/mp/")).toBe(true);
    expect(await fs_isdir("/mp/blob.bin")).toBe(false);
    expect(await fs_isdir("/nowhere")).toBe(false); // the OSError is swallowed: ENOENT
    expect(await fs_isdir("/")).toBe(true);
  });

  it("tree walks the directories", async () => {
    expect(await tree("/mp")).toEqual(["├── blob.bin", "├── empty", "├── sub", "│   └── q'uote d.py", "└── text.txt"]);
  });

  it("touch (fs_touchfile) makes an empty file and keeps an existing one as it is", async () => {
    await fs_touchfile("/mp/new.txt");
    expect((await fs_stat("/mp/new.txt"))[6]).toBe(0);
    await fs_touchfile("/mp/text.txt");
    expect((await fs_readfile("/mp/text.txt")).toString("utf8")).toBe(TEXT);
  });

  it("sha256sum (fs_hashfile) hashes on the board, equal to Node's sha256", async () => {
    for (const [path, data] of [
      ["/mp/blob.bin", BINARY],
      ["/mp/text.txt", Buffer.from(TEXT)],
      ["/mp/empty", Buffer.alloc(0)],
    ] as const) {
      const digest = await fs_hashfile(path, "sha256");
      expect(digest, path).toBeDefined();
      expect(Buffer.from(digest!).toString("hex"), path).toBe(sha256(data).toString("hex"));
    }
    // A chunk size that is not a divisor of the length: the h.update(buf[:n]) branch.
    expect(Buffer.from((await fs_hashfile("/mp/blob.bin", "sha256", 100))!).equals(sha256(BINARY))).toBe(true);
    // cp's up-to-date check hashes the destination first: a missing one is an OSError (ENOENT), not a transport error.
    expect((await fsError(fs_hashfile("/mp/nope.bin", "sha256"))).errno).toBe(E.ENOENT);
  });

  it("errors are OSErrors with MicroPython's numbers, mapped by mpremote to the right errno", async () => {
    const cases: [string, () => Promise<unknown>, number, string][] = [
      // [what, operation, host errno mpremote raises, last traceback line as a board prints it]
      ["cat of a missing file", () => fs_printfile("/mp/missing.txt"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["cp : of a missing file", () => fs_readfile("/mp/missing.txt"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["stat of a missing file", () => fs_stat("/mp/missing.txt"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["ls of a missing dir", () => fs_listdir("/nowhere"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["rm of a missing file", () => fs_rmfile("/mp/missing.txt"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["rmdir of a missing dir", () => fs_rmdir("/mp/missing"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["cp into a missing dir", () => fs_writefile("/nowhere/x.py", Buffer.from("1")), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["mkdir in a missing dir", () => fs_mkdir("/nowhere/x"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["touch in a missing dir", () => fs_touchfile("/nowhere/x"), E.ENOENT, "OSError: [Errno 2] ENOENT"],
      ["mkdir of an existing dir", () => fs_mkdir("/mp"), E.EEXIST, "OSError: [Errno 17] EEXIST"],
      ["mkdir of an existing file", () => fs_mkdir("/mp/blob.bin"), E.EEXIST, "OSError: [Errno 17] EEXIST"],
      ["mkdir of the root", () => fs_mkdir("/"), E.EEXIST, "OSError: [Errno 17] EEXIST"],
      ["cp onto a dir's name", () => fs_writefile("/mp/sub", Buffer.from("1")), E.EISDIR, "OSError: [Errno 21] EISDIR"],
      ["touch of a dir", () => fs_touchfile("/mp/sub"), E.EISDIR, "OSError: [Errno 21] EISDIR"],
      ["ls of a path through a file", () => fs_listdir("/mp/blob.bin/x"), E.ENOTDIR, "OSError: 20"],
      ["mkdir under a file", () => fs_mkdir("/mp/blob.bin/x"), E.ENOTDIR, "OSError: 20"],
      ["rmdir of the root", () => fs_rmdir("/"), E.EPERM, "OSError: [Errno 1] EPERM"],
    ];
    for (const [what, op, errno, line] of cases) {
      const e = await fsError(op());
      expect({ what, errno: e.errno, line: lastLine(e.errorOutput) }).toEqual({ what, errno, line });
      expect(e.errorOutput, what).toMatch(/^Traceback \(most recent call last\):\r\n {2}File "<stdin>", line \d+, in <module>\r\n/);
    }
  });

  it("rmdir of a non-empty dir: OSError 39 (littlefs's ENOTEMPTY), which mpremote leaves as a transport error", async () => {
    const e = await fsError(fs_rmdir("/mp"));
    expect(lastLine(e.errorOutput)).toBe("OSError: 39");
    expect(e.errno).toBeUndefined(); // 39 is not in MP_ERRNO_TABLE: "Error with transport:" and the traceback
    expect(await fs_isdir("/mp")).toBe(true);
  });

  it("rm of a dir and rmdir of a file refuse (EISDIR, ENOTDIR: as FatFs boards; littlefs would remove them)", async () => {
    const rm = await fsError(fs_rmfile("/mp/sub"));
    expect([rm.errno, lastLine(rm.errorOutput)]).toEqual([E.EISDIR, "OSError: [Errno 21] EISDIR"]);
    const rmdir = await fsError(fs_rmdir("/mp/empty"));
    expect([rmdir.errno, lastLine(rmdir.errorOutput)]).toEqual([E.ENOTDIR, "OSError: 20"]);
  });

  it("cp -r onto existing dirs (mkdir: EEXIST is skipped), then rm -r removes the tree", async () => {
    // do_filesystem_recursive_cp's _mkdir catches FileExistsError: the errno must be EEXIST.
    for (const d of ["/mp", "/mp/sub"]) expect((await fsError(fs_mkdir(d))).errno).toBe(E.EEXIST);
    await fs_writefile("/mp/sub/deeper.bin", BINARY.subarray(0, 300));
    await rmRecursive("/mp");
    expect(await fs_isdir("/mp")).toBe(false);
    expect((await fsError(fs_stat("/mp"))).errno).toBe(E.ENOENT);
    expect((await fs_listdir("/")).map((e) => e.name)).not.toContain("mp");
  });

  it("the statements sent are mpremote's own (spot check)", () => {
    expect(sent).toContain("import os\nfor f in os.ilistdir('/mp'):\n print(repr(f), end=',')");
    expect(sent).toContain("import os\nfor f in os.ilistdir():\n print(repr(f), end=',')");
    expect(sent).toContain("f=open('/mp/blob.bin','rb')\nr=f.read");
    expect(sent).toContain("print(repr(r(256)))");
    expect(sent).toContain("f=open(\"/mp/sub/q'uote d.py\",'wb')\nw=f.write");
    expect(sent).toContain("with open('/mp/text.txt') as f:\n while 1:\n  b=f.read(256)\n  if not b:break\n  print(b,end='')");
    expect(sent).toContain("import hashlib\nh = hashlib.sha256()");
    expect(sent).toContain("print(repr(h.digest()))");
    expect(sent).toContain("f=open('/mp/new.txt','a')\nf.close()");
  });
});

// Where the virtual board once answered otherwise than a board (the WebAssembly
// build's own listing and open), now as a board does.
describe("listing sizes and opening a folder, as on a board", () => {
  it("ilistdir yields 4-tuples (name, type, 0, size): `mpremote fs ls` and `tree --size` show file sizes", async () => {
    await fs_writefile("/sizes.bin", BINARY.subarray(0, 700));
    try {
      const out = await exec("import os\nfor f in os.ilistdir('/'):\n print(repr(f), end=',')");
      const raw = literalEval("[" + out.toString("utf8") + "]") as Py[][];
      const entry = raw.find((f) => f[0] === "sizes.bin")!;
      expect(entry).toEqual(["sizes.bin", 0x8000, 0, 700]);
      expect(await ls("/")).toContain(`${"700".padStart(12)} sizes.bin`);
    } finally {
      await fs_rmfile("/sizes.bin");
    }
  });

  it("open() of a directory raises EISDIR: `cp :dir x` says '-r not specified', cat/sha256sum say 'Is a directory'", async () => {
    await fs_mkdir("/adir");
    try {
      // littlefs: lfs_file_open on a dir is LFS_ERR_ISDIR -> "OSError: [Errno 21] EISDIR" at the open.
      // The WebAssembly build opens it and fails only at f.read, with its own number (31, EMLINK to mpremote).
      for (const op of [() => fs_readfile("/adir"), () => fs_printfile("/adir"), () => fs_hashfile("/adir", "sha256")]) {
        const e = await fsError(op());
        expect([e.errno, lastLine(e.errorOutput)]).toEqual([E.EISDIR, "OSError: [Errno 21] EISDIR"]);
      }
    } finally {
      await exec("try:\n f.close()\nexcept Exception:\n pass");
      await fs_rmdir("/adir");
    }
  });
});
