// File operations expressed as Python run on the board through exec: no
// extra protocol, so they work on any MicroPython with a filesystem.
import { createHash } from "node:crypto";
import { Board, BoardError } from "./board.js";
import { EXIT, UserError } from "../errors.js";
import type { FileSnapshot } from "../sim/interpreter.js";

/** Payload bytes per exec: small enough for a board's heap to compile comfortably. */
export const CHUNK = 4096;

/**
 * Encodes bytes as the body of a Python `b'''...'''` literal. Source files are
 * almost all printable ASCII, which passes through as itself; only quotes,
 * backslashes, CR and non-printables are escaped (unlike repr, which escapes
 * every newline), so the wire carries little more than the file.
 */
export function pyBytesLiteral(data: Uint8Array): string {
  let out = "";
  for (const b of data) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x27) out += "\\'";
    else if (b === 0x0a || (b >= 0x20 && b < 0x7f)) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return `b'''${out}'''`;
}

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Exit codes of file operations (README's table); fs.ts passes them on. */
export const FS_EXIT = {
  /** No such file or directory (on the board, or on this computer). */
  notFound: 11,
  /** The filesystem refused: exists, not empty, is / is not a directory, full, read-only. */
  refused: 12,
} as const;

/** An OSError saying the filesystem is full: ENOSPC, which MicroPython's ports (and the virtual board) number 28. */
export const isNoSpace = (detail: string) => /OSError: (?:\[Errno 28\]|28\b|.*ENOSPC)/.test(detail);

export function filesystemFull(path: string): UserError {
  return new UserError(
    `the board's filesystem is full: ${path} did not fit (the part written is removed)`,
    "`synccli fs df` shows the space left; `synccli fs rm` frees some",
    FS_EXIT.refused,
  );
}

/**
 * After a write that did not fit: a cut-off file is worth less than none
 * (an import of it fails oddly, its size misleads), so it goes. Best effort:
 * the error that brought us here is the one to report.
 */
export async function removePartial(board: Board, path: string): Promise<void> {
  try {
    await board.eval(`import os\ntry:\n    os.remove(${q(path)})\nexcept OSError:\n    pass\n`);
  } catch {
    // reported as the full filesystem it is
  }
}

/** A path as a Python str literal: a JSON string is one. */
export const q = (s: string) => JSON.stringify(s);

function noFilesystem(detail: string) {
  return new UserError(
    `the board has no usable filesystem (${detail})`,
    "this firmware build cannot store files: flash a MicroPython build with one (scripts that do not import sync still run, with `run --no-install`)",
    EXIT.noFilesystem,
  );
}

/** What a path on the board holds: a file (size, SHA-256 unless hashlib is missing) or a directory. */
export type RemoteStat = { size: number; hash?: string; dir?: false } | { dir: true; size: 0; hash?: undefined };

/** Code that prints, per path, "- path" (missing), "d path" (a folder) or "size sha256|- path". */
export function statScript(paths: string[]): string {
  return `import os
try:
    import hashlib, binascii
except ImportError:
    hashlib = None
for p in ${"[" + paths.map(q).join(", ") + "]"}:
    try:
        st = os.stat(p)
    except OSError:
        print('-', p)
        continue
    if st[0] & 0x4000:
        print('d', p)
        continue
    n = st[6]
    h = '-'
    if hashlib:
        d = hashlib.sha256()
        with open(p, 'rb') as f:
            while True:
                b = f.read(512)
                if not b:
                    break
                d.update(b)
        h = binascii.hexlify(d.digest()).decode()
    print(n, h, p)
`;
}

/** The answer to `statScript`, path by path. */
export function parseStats(out: string): Map<string, RemoteStat | undefined> {
  const result = new Map<string, RemoteStat | undefined>();
  for (const line of out.split(/\r?\n/)) {
    // Paths may hold spaces: a missing path or folder has no hash field.
    const gone = /^([-d]) (.+)$/.exec(line);
    if (gone) {
      result.set(gone[2]!, gone[1] === "d" ? { dir: true, size: 0 } : undefined);
      continue;
    }
    const m = /^(\d+) (\S+) (.+)$/.exec(line);
    if (m) result.set(m[3]!, { size: Number(m[1]), hash: m[2] === "-" ? undefined : m[2] });
  }
  return result;
}

/**
 * The answer statScript would give, read from the board's own record of its
 * files (see Board.knownFiles); undefined when a path is not one the record
 * answers for as the board would (the root, `.`, `..`, `//`, a trailing `/`).
 */
export function statsFromRecord(files: FileSnapshot, paths: string[]): Map<string, RemoteStat | undefined> | undefined {
  if (!paths.every((p) => /^(\/[^/]+)+$/.test(p) && !/\/\.\.?(\/|$)/.test(p))) return undefined;
  const byPath = new Map(files);
  return new Map(
    paths.map((p): [string, RemoteStat | undefined] => {
      if (byPath.has(p + "/")) return [p, { dir: true, size: 0 }];
      const data = byPath.get(p);
      return [p, data && { size: data.length, hash: sha256(data) }];
    }),
  );
}

/**
 * What the board holds at each path: size and SHA-256 (undefined hash when
 * hashlib is missing). A board that keeps a current record of its files
 * (a virtual board) is not asked: hashing them over the serial line is
 * most of what re-running `install`, `fs cp` or `run --with` on unchanged
 * files costs.
 */
export async function statFiles(board: Board, paths: string[]): Promise<Map<string, RemoteStat | undefined>> {
  const known = board.knownFiles();
  const recorded = known && statsFromRecord(known, paths);
  if (recorded) return recorded;
  let out: string;
  try {
    out = await board.evalIdempotent(statScript(paths));
  } catch (err) {
    if (err instanceof BoardError && /no module named 'os'|has no attribute 'stat'/.test(err.traceback)) throw noFilesystem(err.detail);
    throw err;
  }
  return parseStats(out);
}

/** Code that makes `dir` and the folders above it; what is in the way and not a folder raises mkdir's OSError. */
export function makeDirsScript(dir: string): string {
  const parts = dir.split("/").filter(Boolean);
  return `import os
p = ''
for d in ${"[" + parts.map(q).join(", ") + "]"}:
    p += '/' + d
    try:
        os.mkdir(p)
    except OSError:
        if not (os.stat(p)[0] & 0x4000):
            raise
`;
}

/**
 * mkdir -p, tolerant of existing directories (whatever errno the port reports).
 * Safe to send again, so it is when a byte garbled on the way made it raise.
 */
export async function makeDirs(board: Board, dir: string): Promise<void> {
  try {
    await board.evalIdempotent(makeDirsScript(dir));
  } catch (err) {
    if (!(err instanceof BoardError)) throw err;
    if (err.pasteAborted || !/OSError/.test(err.detail)) throw err; // garbled on the line, not the filesystem
    if (/ENODEV|EROFS|EPERM/.test(err.detail)) throw noFilesystem(err.detail);
    throw new UserError(
      `creating ${dir} on the board failed: ${err.detail}`,
      `look at what is in the way: synccli exec "import os; print(os.listdir('/'))"`,
      EXIT.noFilesystem,
    );
  }
}

/** Writes a file in chunks; `onBytes` reports payload bytes as each chunk lands. */
export async function writeFile(board: Board, path: string, data: Uint8Array, onBytes?: (n: number) => void): Promise<void> {
  for (let off = 0; off < data.length || off === 0; off += CHUNK) {
    const chunk = data.subarray(off, off + CHUNK);
    const code = `f = open(${q(path)}, ${q(off === 0 ? "wb" : "ab")})\nf.write(${pyBytesLiteral(chunk)})\nf.close()\n`;
    try {
      await board.eval(code);
    } catch (err) {
      if (err instanceof BoardError && !err.pasteAborted && isNoSpace(err.detail)) {
        await removePartial(board, path);
        throw filesystemFull(path);
      }
      if (err instanceof BoardError && !err.pasteAborted && /OSError/.test(err.detail)) throw new UserError(`writing ${path} on the board failed: ${err.detail}`, "the board may be out of flash space; check with `synccli exec \"import os; print(os.statvfs('/'))\"`", EXIT.noFilesystem);
      throw err;
    }
    onBytes?.(chunk.length);
    if (data.length === 0) break;
  }
}
