// Keeping the board's copy of the sync library current: compare the hashes of
// what the board holds (see statFiles), copy only what differs.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Board } from "./board.js";
import { BoardError } from "./board.js";
import { makeDirs, sha256, statFiles, writeFile, type RemoteStat } from "./files.js";
import { EXIT, UserError } from "../errors.js";
import { LIBRARY_DIR, LIBRARY_MODULES } from "./scripts.js";

export const REMOTE_LIBRARY = "/lib/sync";
/** Where single-file modules (asyn.py) go: on sys.path of every MicroPython port. */
export const REMOTE_LIB = "/lib";

export interface LibraryFile {
  name: string;
  remote: string;
  data: Uint8Array;
}

/** The sync package (to /lib/sync/) followed by the modules beside it (asyn.py, to /lib/). */
export function libraryFiles(dir = LIBRARY_DIR, modules = LIBRARY_MODULES): LibraryFile[] {
  const pkg = readdirSync(dir)
    .filter((f) => f.endsWith(".py"))
    .sort()
    .map((name) => ({ name, remote: `${REMOTE_LIBRARY}/${name}`, data: readLocal(join(dir, name)) }));
  const single = modules
    .filter((path) => existsSync(path))
    .map((path) => ({ name: basename(path), remote: `${REMOTE_LIB}/${basename(path)}`, data: readLocal(path) }));
  return [...pkg, ...single];
}

/** A library file on this computer: only regular files (or links to one) are copied. */
function readLocal(path: string): Uint8Array {
  const hint = "the library folder holds only .py files (synccli copies no subfolders): remove or replace it, or reinstall synccli";
  let kind: string;
  try {
    const st = statSync(path); // follows symlinks
    if (st.isFile()) return readFileSync(path);
    kind = st.isDirectory() ? "is a directory" : "is not a regular file";
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    kind = code === "ENOENT" ? "is a broken link" : code === "EACCES" ? "cannot be read (permission denied)" : `cannot be read (${code ?? (err as Error).message})`;
  }
  throw new UserError(`library file ${path} ${kind}`, hint, EXIT.usage);
}

/** Rounds of writing and checking a file's SHA-256 on the board before giving up. */
export const WRITE_ATTEMPTS = 3;

export interface InstallProgress {
  /** Called once the plan is known: files and payload bytes to copy. */
  plan?(toCopy: LibraryFile[], upToDate: LibraryFile[], totalBytes: number): void;
  bytes?(n: number, file: LibraryFile): void;
}

export interface InstallResult {
  copied: string[];
  upToDate: string[];
  bytes: number;
  /** False when the board has no hashlib, so every file was copied. */
  hashed: boolean;
}

export async function installLibrary(board: Board, progress: InstallProgress = {}, files = libraryFiles()): Promise<InstallResult> {
  const onBoard = await statFiles(board, files.map((f) => f.remote));
  for (const f of files) {
    if (onBoard.get(f.remote)?.dir)
      throw new UserError(
        `${f.remote} on the board is a directory, where synccli installs a file`,
        `remove it, e.g. synccli exec "import os; os.rmdir('${f.remote}')" (empty it first if it holds files)`,
        EXIT.noFilesystem,
      );
  }
  const hashed = ![...onBoard.values()].some((s) => s !== undefined && s.hash === undefined);
  const same = (f: LibraryFile) => {
    const s = onBoard.get(f.remote);
    return s !== undefined && s.hash !== undefined && s.size === f.data.length && s.hash === sha256(f.data);
  };
  const toCopy = files.filter((f) => !same(f));
  const upToDate = files.filter(same);
  const total = toCopy.reduce((n, f) => n + f.data.length, 0);
  progress.plan?.(toCopy, upToDate, total);
  if (toCopy.length) await makeDirs(board, REMOTE_LIBRARY);
  await writeVerified(board, toCopy, hashed, (n, f) => progress.bytes?.(n, f));
  return { copied: toCopy.map((f) => f.name), upToDate: upToDate.map((f) => f.name), bytes: total, hashed };
}

/**
 * Writes the files, then reads back each one's SHA-256 (its size when the
 * board has no hashlib) and rewrites those that differ: a byte garbled on the
 * line must never leave a corrupted library behind a success message.
 */
async function writeVerified(board: Board, files: LibraryFile[], hashed: boolean, onBytes: (n: number, f: LibraryFile) => void): Promise<void> {
  let pending = files;
  let lastError: BoardError | undefined;
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS && pending.length; attempt++) {
    const failed = new Set<LibraryFile>();
    for (const f of pending) {
      try {
        await writeFile(board, f.remote, f.data, attempt === 1 ? (n) => onBytes(n, f) : undefined);
      } catch (err) {
        // Our own code garbled on the way (a SyntaxError): write it again.
        if (!(err instanceof BoardError)) throw err;
        lastError = err;
        failed.add(f);
      }
    }
    const check = pending.filter((f) => !failed.has(f));
    let now = new Map<string, RemoteStat | undefined>();
    try {
      if (check.length) now = await statFiles(board, check.map((f) => f.remote));
    } catch (err) {
      if (!(err instanceof BoardError)) throw err;
      lastError = err; // the check itself garbled: every file counts as unchecked
    }
    const good = (f: LibraryFile) => {
      const s = now.get(f.remote);
      return s !== undefined && !s.dir && s.size === f.data.length && (!hashed || s.hash === sha256(f.data));
    };
    pending = pending.filter((f) => failed.has(f) || !good(f));
  }
  if (pending.length)
    throw new UserError(
      `${pending.map((f) => f.remote).join(", ")} on the board still differ${pending.length === 1 ? "s" : ""} from what was sent after ${WRITE_ATTEMPTS} attempts (SHA-256 check)${lastError ? `; last error: ${lastError.detail}` : ""}`,
      "the serial line corrupts bytes: try another USB cable or port, or a lower --baud, then run `synccli install` again",
      EXIT.protocol,
    );
}
