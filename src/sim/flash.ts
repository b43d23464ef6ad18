// The virtual board's flash, kept on this computer between runs as a real
// board keeps its files: one image file per named board under the state
// folder, written atomically (temp file + rename), and a lock file holding
// the pid of the process that has the board, so two processes never drive
// (and overwrite) the same board at once.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { EXIT, UserError } from "../errors.js";
import type { FileSnapshot } from "./interpreter.js";

export interface PersistOptions {
  /** Which virtual board (default "board"): letters, digits, `-`, `_`, `.`. */
  name?: string;
  /** Start from a blank board and replace its saved flash. */
  fresh?: boolean;
}

export const DEFAULT_BOARD_NAME = "board";

/** Where synccli keeps state: $SYNCCLI_STATE_DIR, else $XDG_STATE_HOME/synccli, else ~/.local/state/synccli (Windows: %LOCALAPPDATA%\synccli). */
export function stateRoot(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.SYNCCLI_STATE_DIR) return env.SYNCCLI_STATE_DIR;
  if (platform === "win32") return join(env.LOCALAPPDATA || join(homedir(), "AppData", "Local"), "synccli");
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, "synccli");
  return join(homedir(), ".local", "state", "synccli");
}

/** The folder holding a named virtual board's flash and lock. */
export function boardDir(name: string, root = stateRoot()): string {
  return join(root, "virtual-boards", name);
}

/** A board name, or a usage error saying what is allowed. */
export function checkBoardName(name: string): string {
  if (/^[A-Za-z0-9._-]{1,64}$/.test(name) && !/^\.+$/.test(name)) return name;
  throw new UserError(
    `bad virtual board name "${name}"`,
    "use letters, digits, '-', '_' and '.' only (at most 64, not only dots), e.g. --sim --port bench-2",
    EXIT.usage,
  );
}

const MAGIC = "synccli virtual board flash 1\n";

/**
 * The image: a magic line, a JSON line listing [path, size] (folders end in
 * "/" and have size 0), then the files' bytes one after the other.
 */
export function encodeFlash(files: FileSnapshot): Uint8Array {
  const index = JSON.stringify(files.map(([p, d]) => [p, d.length]));
  const head = Buffer.from(MAGIC + index + "\n");
  return Buffer.concat([head, ...files.map(([, d]) => d)]);
}

export function decodeFlash(image: Uint8Array): FileSnapshot {
  const buf = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (buf.subarray(0, MAGIC.length).toString("latin1") !== MAGIC) throw new Error("not a flash image");
  const nl = buf.indexOf(10, MAGIC.length);
  if (nl < 0) throw new Error("no index");
  const index = JSON.parse(buf.subarray(MAGIC.length, nl).toString("utf8")) as unknown;
  if (!Array.isArray(index)) throw new Error("bad index");
  let at = nl + 1;
  const files: FileSnapshot = [];
  for (const entry of index) {
    const [path, size] = entry as [unknown, unknown];
    if (typeof path !== "string" || !path.startsWith("/") || !Number.isSafeInteger(size) || (size as number) < 0) throw new Error("bad entry");
    const end = at + (size as number);
    if (end > buf.length) throw new Error("truncated");
    files.push([path, new Uint8Array(buf.subarray(at, end))]);
    at = end;
  }
  if (at !== buf.length) throw new Error("trailing bytes");
  checkTree(files);
  return files;
}

/**
 * The board restores an image entry by entry (mkdir, write), each folder
 * before what it holds, as snapshot() lists them; an image that could not be
 * restored that way is refused here, before a board boots from it, so the
 * error can name the file instead of surfacing from the interpreter's thread.
 */
function checkTree(files: FileSnapshot): void {
  const dirs = new Set<string>(["/"]);
  const seen = new Set<string>();
  for (const [entry, data] of files) {
    const isDir = entry.endsWith("/");
    const path = isDir ? entry.slice(0, -1) : entry;
    const parts = path.split("/").slice(1);
    if (path === "" || parts.some((p) => p === "" || p === "." || p === ".." || p.includes("\0"))) throw new Error(`bad path ${JSON.stringify(entry)}`);
    // The runtime's own device and process folders: writing there is not writing a file.
    if (parts[0] === "dev" || parts[0] === "proc") throw new Error(`${JSON.stringify(entry)} is not a board file`);
    if (seen.has(path)) throw new Error(`${JSON.stringify(path)} twice`);
    seen.add(path);
    const parent = path.slice(0, path.lastIndexOf("/")) || "/";
    if (!dirs.has(parent)) throw new Error(`${JSON.stringify(entry)} before its folder`);
    if (isDir) {
      if (data.length) throw new Error(`folder ${JSON.stringify(entry)} has bytes`);
      dirs.add(path);
    }
  }
}

/** A saved flash the board cannot start from: the file is left as it is. */
export const flashUnusable = (name: string, image: string, detail: string) =>
  new UserError(
    `virtual board "${name}" cannot start from its saved flash ${image}: ${detail}`,
    `the file is left as it is (keep a copy to recover files from it); --sim-options fresh starts this board blank and replaces it, or use another board: --sim --port other-name`,
    EXIT.noFilesystem,
  );

function sameFiles(a: FileSnapshot, b: FileSnapshot): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [pa, da] = a[i]!;
    const [pb, db] = b[i]!;
    if (pa !== pb || !Buffer.from(da.buffer, da.byteOffset, da.byteLength).equals(db)) return false;
  }
  return true;
}

/**
 * mkdir -p. Not mkdirSync's `recursive`: in Node 20 it loops forever where
 * mkdir answers ENOENT under an existing folder (/proc/x).
 */
function makeDirs(dir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if (statSync(dir).isDirectory()) return;
      throw Object.assign(new Error(`${dir} is not a directory`), { code: "ENOTDIR" });
    }
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir) throw err;
  }
  makeDirs(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}

/** Whether a process with this pid runs (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Lock files this process holds, removed at exit whatever way it ends. */
const held = new Set<string>();
let exitHook = false;
function removeHeldLocks() {
  for (const lock of held) {
    try {
      unlinkSync(lock);
    } catch {
      /* already gone */
    }
  }
  held.clear();
}

export const boardBusy = (name: string, pid: number) =>
  new UserError(
    `virtual board "${name}" is in use by another synccli (pid ${pid}${pid === process.pid ? ", this process" : ""})`,
    `wait for it to end or stop it (a \`synccli sim\` server holds its board until Ctrl-C), or use another virtual board: --sim --port other-name`,
    EXIT.portBusy,
  );

/** A named board's saved flash, held (locked) by this process until release(). */
export class FlashStore {
  private lastSaved: FileSnapshot | undefined;
  private released = false;
  /** The saved image could not be used: it is kept as it is, never saved over. */
  private refused = false;

  private constructor(
    readonly name: string,
    readonly dir: string,
    private readonly lock: string,
    private readonly warn: (line: string) => void,
  ) {}

  /**
   * Takes the board's lock; undefined (after one warning) when the state
   * folder cannot be written: the board then lives in memory for this run.
   * Throws a UserError when another live process holds the board.
   */
  static open(name: string, opts: { fresh?: boolean; root?: string; warn?: (line: string) => void } = {}): FlashStore | undefined {
    const warn = opts.warn ?? ((line: string) => void process.stderr.write(`synccli: warning: ${line}\n`));
    const dir = boardDir(checkBoardName(name), opts.root);
    const lock = join(dir, "lock");
    const fallback = (err: unknown) => {
      const e = err as NodeJS.ErrnoException;
      warn(`cannot keep virtual board "${name}"'s files in ${dir} (${e.code ?? e.message}); this run's board starts blank and forgets its files at the end`);
      return undefined;
    };
    try {
      makeDirs(dir);
    } catch (err) {
      return fallback(err);
    }
    // The pid goes in a temp file first, linked into place: the lock never exists half-written.
    const tmp = join(dir, `lock.${process.pid}.${Math.random().toString(36).slice(2)}`);
    try {
      const fd = openSync(tmp, "w");
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      return fallback(err);
    }
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(tmp, lock);
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "EEXIST") return fallback(err);
        }
        let pid = NaN;
        try {
          pid = Number(readFileSync(lock, "utf8").trim());
        } catch {
          /* removed meanwhile: try again */
        }
        const ours = pid === process.pid && held.has(lock);
        if (ours || (alive(pid) && pid !== process.pid)) throw boardBusy(name, pid);
        if (attempt >= 3) throw boardBusy(name, pid);
        try {
          unlinkSync(lock); // stale: its process is gone
        } catch {
          /* someone else removed it */
        }
      }
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* gone */
      }
    }
    held.add(lock);
    if (!exitHook) {
      exitHook = true;
      process.on("exit", removeHeldLocks);
    }
    const store = new FlashStore(name, dir, lock, warn);
    if (opts.fresh) store.save([]);
    return store;
  }

  private get image() {
    return join(this.dir, "flash.bin");
  }

  /**
   * The saved files ([] for a board never used). An image that cannot be
   * read or restored is a UserError (flashUnusable): starting blank would
   * replace it with the next save, losing every file in it.
   */
  load(): FileSnapshot {
    let raw: Buffer;
    try {
      raw = readFileSync(this.image);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw this.unusable(`cannot read it (${code ?? (err as Error).message})`);
      this.lastSaved = [];
      return [];
    }
    try {
      this.lastSaved = decodeFlash(raw);
      return this.lastSaved;
    } catch (err) {
      throw this.unusable(`it is damaged (${(err as Error).message})`);
    }
  }

  /** The error for this board's saved flash being unusable; the image is never overwritten after it. */
  unusable(detail: string): UserError {
    this.refused = true;
    return flashUnusable(this.name, this.image, detail);
  }

  /** Writes the files unless they are what was saved last (temp file, then rename). */
  save(files: FileSnapshot): void {
    if (this.released || this.refused) return;
    if (this.lastSaved && sameFiles(this.lastSaved, files)) return;
    const tmp = `${this.image}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, "w");
      try {
        writeSync(fd, encodeFlash(files));
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.image);
      this.lastSaved = files;
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        /* never made */
      }
      // Once per run: a full disk must not print a line per command.
      if (!this.warnedSave) this.warn(`cannot save virtual board "${this.name}"'s files (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); they last until the end of this run`);
      this.warnedSave = true;
      this.lastSaved = undefined;
    }
  }
  private warnedSave = false;

  /** Gives the board up (the lock file goes). */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.lock);
    try {
      unlinkSync(this.lock);
    } catch {
      /* already gone */
    }
  }
}
