// The board's filesystem for `synccli fs`: every operation is a short Python
// program run through exec (as mpremote's transport does), its answer printed
// in a line format parsed here. Writing files and hashing reuse files.ts.
import { Board, BoardError } from "./board.js";
import { CHUNK, FS_EXIT, filesystemFull, isNoSpace, makeDirsScript, q, removePartial, statFiles, writeFile, type RemoteStat } from "./files.js";
import { EXIT, UserError } from "../errors.js";

export { FS_EXIT };

export interface FsEntry {
  /** Name (ls) or path relative to the listed folder (tree). */
  name: string;
  type: "file" | "dir";
  size: number;
}

export const notFound = (path: string, where = "on the board") =>
  new UserError(`no such file or directory ${where}: ${path}`, where === "on the board" ? "see what is there with `synccli fs ls :/` (board paths start with `:`)" : "check the path on this computer", FS_EXIT.notFound);

/** A board path as given (`:lib/x.py`, `lib/x.py`, `:`) made absolute: `/lib/x.py`, `/`. */
export function boardPath(p: string): string {
  let s = p.startsWith(":") ? p.slice(1) : p;
  if (!s.startsWith("/")) s = "/" + s;
  const parts: string[] = [];
  for (const part of s.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return "/" + parts.join("/");
}

export function joinBoard(dir: string, name: string): string {
  return boardPath(`${dir}/${name}`);
}

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [FS_EXIT.notFound, "no such file or directory"],
  EEXIST: [FS_EXIT.refused, "already exists"],
  ENOTDIR: [FS_EXIT.refused, "not a directory"],
  EISDIR: [FS_EXIT.refused, "is a directory"],
  ENOTEMPTY: [FS_EXIT.refused, "directory not empty"],
  EACCES: [FS_EXIT.refused, "permission denied"],
  EPERM: [FS_EXIT.refused, "operation not permitted"],
  EROFS: [FS_EXIT.refused, "read-only filesystem"],
  ENOSPC: [FS_EXIT.refused, "the board's filesystem is full"],
  EINVAL: [FS_EXIT.refused, "invalid argument"],
  ENODEV: [EXIT.noFilesystem, "no filesystem"],
};
const ERRNO_NUM: Record<number, string> = { 1: "EPERM", 2: "ENOENT", 13: "EACCES", 17: "EEXIST", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 28: "ENOSPC", 30: "EROFS", 39: "ENOTEMPTY" };

/** The board raised: an OSError becomes a UserError naming the path; anything else is passed on. */
export function fsError(err: unknown, path: string, op: string): unknown {
  if (!(err instanceof BoardError)) return err;
  const last = err.traceback.trim().split("\n").pop()?.trim() ?? "";
  if (/no module named 'os'|has no attribute '(stat|listdir|ilistdir)'/.test(err.traceback))
    return new UserError(`the board has no usable filesystem (${last})`, "flash a MicroPython build with a filesystem", EXIT.noFilesystem);
  const m = /OSError: (?:\[Errno (\d+)\] ?)?([A-Z]+)?/.exec(last) ?? /OSError: (\d+)/.exec(last);
  if (m) {
    const name = m[2] && ERRNO[m[2]] ? m[2] : ERRNO_NUM[Number(m[1])];
    if (name === "ENOENT") return notFound(path);
    if (name) {
      const [code, text] = ERRNO[name];
      return new UserError(`${op} ${path} on the board: ${text}`, hintFor(name, op), code);
    }
  }
  return new UserError(`${op} ${path} on the board failed: ${last}`, "the board's traceback ends with the line above", EXIT.boardError);
}

function hintFor(errno: string, op: string): string {
  switch (errno) {
    case "EISDIR":
      return op === "rm" ? "a folder: `fs rm -r` removes it with what it holds, `fs rmdir` an empty one" : "a folder: give a file's path (`synccli fs tree` lists what it holds)";
    case "ENOTEMPTY":
      return "remove what it holds first, or use `fs rm -r`";
    case "EEXIST":
      return "it is there already (`fs ls` shows it)";
    case "ENOSPC":
      return "`synccli fs df` shows the space left; `synccli fs rm` frees some";
    default:
      return "see what is there with `synccli fs ls :/`";
  }
}

/** An OSError whose errno is a bare number: ports number them differently (the WebAssembly build uses emscripten's). */
const bareErrno = (err: unknown) => err instanceof BoardError && /OSError: (?:\[Errno )?\d+\]?\s*$/.test(err.traceback.trim());

async function run(board: Board, code: string, path: string, op: string): Promise<string> {
  try {
    return await board.eval(code);
  } catch (err) {
    if (bareErrno(err)) throw await classify(board, err as BoardError, path, op);
    throw fsError(err, path, op);
  }
}

/** Names an unnamed OSError by looking at the path: missing, there already, a folder, not empty. */
async function classify(board: Board, err: BoardError, path: string, op: string): Promise<unknown> {
  const refused = (text: string, errno: string) => new UserError(`${op} ${path} on the board: ${text}`, hintFor(errno, op), FS_EXIT.refused);
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(board, path);
  } catch {
    return fsError(err, path, op);
  }
  if (!s) {
    if (op === "mkdir" || op === "touch" || op === "write") return notFound(path.slice(0, path.lastIndexOf("/")) || "/");
    return notFound(path);
  }
  if (op === "mkdir") return refused("already exists", "EEXIST");
  if (op === "rmdir") return s.type === "dir" ? refused("directory not empty", "ENOTEMPTY") : refused("not a directory", "ENOTDIR");
  if (s.type === "dir") return refused("is a directory", "EISDIR");
  return fsError(err, path, op);
}

const lines = (out: string) => out.split(/\r?\n/).filter((l) => l.length > 0);

function parseEntries(out: string): FsEntry[] {
  const entries: FsEntry[] = [];
  for (const line of lines(out)) {
    const m = /^([df]) (\d+) (.*)$/.exec(line);
    if (m) entries.push({ type: m[1] === "d" ? "dir" : "file", size: Number(m[2]), name: m[3] });
  }
  return entries;
}

export type PathStat = { type: "file" | "dir"; size: number } | undefined;

/** Type and size of a path on the board; undefined when there is nothing there. */
export async function stat(board: Board, path: string): Promise<PathStat> {
  const out = await run(board, `import os\ntry:\n    s = os.stat(${q(path)})\n    print('d', 0, '.') if s[0] & 0x4000 else print('f', s[6], '.')\nexcept OSError:\n    print('-')\n`, path, "stat");
  const e = parseEntries(out)[0];
  return e ? { type: e.type, size: e.size } : undefined;
}

/**
 * What one operation has learnt of paths on the board (absolute, as boardPath
 * gives them; undefined: nothing there), so that it asks about each path once:
 * every question is a round trip over the serial line.
 */
export type KnownStats = Map<string, PathStat>;

/** stat, answered from `known` when the path was asked about already (and remembered there). */
export async function statOnce(board: Board, path: string, known?: KnownStats): Promise<PathStat> {
  if (known?.has(path)) return known.get(path);
  const s = await stat(board, path);
  known?.set(path, s);
  return s;
}

/** A folder's entries, folders first then files, each by name; a file lists as itself. */
export async function listDir(board: Board, path: string): Promise<FsEntry[]> {
  const code = `import os
p = ${q(path)}
s = os.stat(p)
if s[0] & 0x4000:
    for n in sorted(os.listdir(p)):
        t = os.stat(p.rstrip('/') + '/' + n)
        print('d' if t[0] & 0x4000 else 'f', 0 if t[0] & 0x4000 else t[6], n)
else:
    print('f', s[6], p.split('/')[-1])
`;
  const entries = parseEntries(await run(board, code, path, "ls"));
  return entries.sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : 1) : a.type === "dir" ? -1 : 1));
}

/** Everything under a folder (depth first, by name), paths relative to it. A file walks as itself. */
export async function walk(board: Board, path: string): Promise<FsEntry[]> {
  const code = `import os
def _w(p, r):
    try:
        ns = sorted(os.listdir(p))
    except OSError:
        return
    for n in ns:
        c = p.rstrip('/') + '/' + n
        try:
            t = os.stat(c)
        except OSError:
            continue
        if t[0] & 0x4000:
            print('d', 0, r + n)
            _w(c, r + n + '/')
        else:
            print('f', t[6], r + n)
s = os.stat(${q(path)})
if s[0] & 0x4000:
    _w(${q(path)}, '')
else:
    print('f', s[6], '')
del _w
`;
  return parseEntries(await run(board, code, path, "tree"));
}

/** A file's bytes, streamed as base64 lines; `onBytes` reports progress as they arrive. */
export async function readFile(board: Board, path: string, onBytes?: (n: number) => void): Promise<Uint8Array> {
  const code = `import binascii
with open(${q(path)}, 'rb') as f:
    while True:
        b = f.read(${CHUNK / 8})
        if not b:
            break
        print(binascii.b2a_base64(b).decode().strip())
`;
  const parts: Buffer[] = [];
  let pending = "";
  const take = (text: string) => {
    const all = pending + text;
    const cut = all.lastIndexOf("\n");
    if (cut < 0) return void (pending = all);
    pending = all.slice(cut + 1);
    for (const line of all.slice(0, cut).split("\n")) {
      const b64 = line.trim();
      if (!b64) continue;
      const data = Buffer.from(b64, "base64");
      parts.push(data);
      onBytes?.(data.length);
    }
  };
  const decoder = new TextDecoder();
  let r;
  try {
    r = await board.exec(code, { onStdout: (d) => take(decoder.decode(d, { stream: true })), ownCode: true });
  } catch (err) {
    throw fsError(err, path, "read");
  }
  if (!r.ok) {
    const err = new BoardError(r.stderr);
    throw bareErrno(err) ? await classify(board, err, path, "read") : fsError(err, path, "read");
  }
  take(decoder.decode() + "\n");
  return Buffer.concat(parts);
}

/** Writes a file (chunked, see files.ts) with errors named for the path. */
export async function putFile(board: Board, path: string, data: Uint8Array, onBytes?: (n: number) => void): Promise<void> {
  await checkWritable(board, path);
  await writeFile(board, path, data, onBytes);
}

/**
 * Throws, naming the path, when a file cannot be written there: its folder is
 * missing or a file, or a folder has its name. Asked before writing, since the
 * board's OSError alone (a bare number on some ports) does not say which.
 */
async function checkWritable(board: Board, path: string, known?: KnownStats): Promise<void> {
  const parent = path.slice(0, path.lastIndexOf("/")) || "/";
  // Something already at the path means its folder is there: that folder need not be asked about.
  if (!known?.get(path)) {
    const s = await statOnce(board, parent, known);
    if (!s) throw notFound(parent);
    if (s.type !== "dir") throw new UserError(`write ${path} on the board: ${parent} is not a directory`, "see what is there with `synccli fs ls :/`", FS_EXIT.refused);
  }
  const there = await statOnce(board, path, known);
  if (there?.type === "dir") throw new UserError(`write ${path} on the board: is a directory`, "give the file a name inside it: `:folder/name.py` or `:folder/`", FS_EXIT.refused);
}

/** SHA-256 and size of files (undefined when missing; `dir` for folders); hash undefined without hashlib. */
export async function hashFiles(board: Board, paths: string[]): Promise<Map<string, RemoteStat | undefined>> {
  try {
    return await statFiles(board, paths);
  } catch (err) {
    throw fsError(err, paths[0] ?? "/", "sha256sum");
  }
}

/** Removes a file; a folder needs `recursive`. */
export async function remove(board: Board, path: string, recursive = false): Promise<void> {
  if (path === "/") throw new UserError("refusing to remove the board's root folder", "remove what it holds by name, e.g. `synccli fs rm -r :lib`", EXIT.usage);
  const code = `import os
def _rm(p):
    if os.stat(p)[0] & 0x4000:
        if not ${recursive ? "True" : "False"}:
            raise OSError(21)
        for n in os.listdir(p):
            _rm(p + '/' + n)
        os.rmdir(p)
    else:
        os.remove(p)
_rm(${q(path)})
del _rm
`;
  await run(board, code, path, "rm");
}

/** mkdir; `parents`: also the folders above it, and no error when it exists. */
export async function mkdir(board: Board, path: string, parents = false): Promise<void> {
  if (!parents) {
    await run(board, `import os\nos.mkdir(${q(path)})\n`, path, "mkdir");
    return;
  }
  try {
    await run(board, makeDirsScript(path), path, "mkdir");
  } catch (err) {
    // Only the filesystem's refusal can mean a file in the way. A lost line, no
    // answer or Ctrl-C is reported as it is, without more round trips to the board.
    if (!(err instanceof UserError && (err.exitCode === FS_EXIT.refused || err.exitCode === FS_EXIT.notFound))) throw err;
    let file: string | undefined;
    try {
      file = await fileInTheWay(board, path);
    } catch {
      throw err; // the mkdir's own error is the one to show, not the look that followed it
    }
    // "already exists" would describe a folder that is there; the trouble is a file with its name.
    if (file) throw new UserError(`mkdir ${path} on the board: the file ${file} is in the way`, `remove it (\`synccli fs rm :${file}\`) or choose another place`, FS_EXIT.refused);
    throw err;
  }
}

/** The first file among `path` and the folders above it, if one is there. */
async function fileInTheWay(board: Board, path: string): Promise<string | undefined> {
  const parts = path.split("/").filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const p = "/" + parts.slice(0, i).join("/");
    const s = await stat(board, p);
    if (!s) return undefined;
    if (s.type === "file") return p;
  }
  return undefined;
}

export async function rmdir(board: Board, path: string): Promise<void> {
  await run(board, `import os\nos.rmdir(${q(path)})\n`, path, "rmdir");
}

/** Creates an empty file if there is none; an existing file is left as it is. */
export async function touch(board: Board, path: string): Promise<void> {
  await run(board, `open(${q(path)}, 'ab').close()\n`, path, "touch");
}

export interface DiskUsage {
  path: string;
  total: number;
  used: number;
  free: number;
}

/** Size and free space of the filesystem holding `path` (os.statvfs). */
export async function diskUsage(board: Board, path: string): Promise<DiskUsage> {
  const out = await run(board, `import os\ns = os.statvfs(${q(path)})\nprint(s[0] * s[2], s[0] * s[3])\n`, path, "df");
  const m = /(\d+) (\d+)/.exec(out);
  if (!m) throw new UserError(`df ${path}: unexpected answer ${JSON.stringify(out)}`, "retry; the line may be noisy", EXIT.protocol);
  const total = Number(m[1]);
  const free = Number(m[2]);
  return { path, total, used: total - free, free };
}

/**
 * Copies a file to another place on the board, without the bytes crossing the
 * line; the bytes copied. A file copied onto itself is left as it is (its size
 * is returned): opening the destination for writing would empty the source.
 */
export async function copyOnBoard(board: Board, from: string, to: string, known?: KnownStats): Promise<number> {
  const s = await statOnce(board, from, known);
  if (!s) throw notFound(from);
  if (s.type === "dir") throw new UserError(`cp ${from} on the board: is a directory`, hintFor("EISDIR", "cp"), FS_EXIT.refused);
  if (boardPath(from) === boardPath(to)) return s.size;
  // The source is there: what fails from here on is the destination's.
  await checkWritable(board, to, known);
  const code = `n = 0
with open(${q(from)}, 'rb') as s:
    with open(${q(to)}, 'wb') as d:
        while True:
            b = s.read(512)
            if not b:
                break
            n += d.write(b)
print(n)
`;
  let out: string;
  try {
    out = await board.eval(code);
  } catch (err) {
    if (err instanceof BoardError && !err.pasteAborted && isNoSpace(err.detail)) {
      await removePartial(board, to);
      throw filesystemFull(to);
    }
    throw bareErrno(err) ? await classify(board, err as BoardError, to, "write") : fsError(err, to, "write");
  }
  const n = Number(/\d+/.exec(out)?.[0] ?? 0);
  known?.set(to, { type: "file", size: n });
  return n;
}

/** Removes the sync library (/lib/sync) and /lib/asyn.py: what was removed, what was not there. */
export async function uninstallLibrary(board: Board): Promise<{ removed: string[]; absent: string[] }> {
  const removed: string[] = [];
  const absent: string[] = [];
  for (const p of ["/lib/sync", "/lib/asyn.py"]) {
    if (await stat(board, p)) {
      await remove(board, p, true);
      removed.push(p);
    } else absent.push(p);
  }
  return { removed, absent };
}
