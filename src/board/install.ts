// Keeping the board's copy of the sync library current: compare hashes
// computed on the board, copy only what differs.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Board } from "./board.js";
import { makeDirs, sha256, statFiles, writeFile } from "./files.js";
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
    .map((name) => ({ name, remote: `${REMOTE_LIBRARY}/${name}`, data: readFileSync(join(dir, name)) }));
  const single = modules
    .filter((path) => existsSync(path))
    .map((path) => ({ name: basename(path), remote: `${REMOTE_LIB}/${basename(path)}`, data: readFileSync(path) }));
  return [...pkg, ...single];
}

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
  for (const f of toCopy) await writeFile(board, f.remote, f.data, (n) => progress.bytes?.(n, f));
  return { copied: toCopy.map((f) => f.name), upToDate: upToDate.map((f) => f.name), bytes: total, hashed };
}
