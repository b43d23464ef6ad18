// Vitest setup file. Virtual boards keep their flash between runs (in the
// state folder, src/sim/flash.ts) and a board is locked by the process using
// it; tests expect a blank board unless they say otherwise, and many run CLI
// processes side by side (describe.concurrent, Promise.all). So:
// - every test file, and every test in it, gets a fresh SYNCCLI_STATE_DIR
//   (in-process boards: createSim, simBoard);
// - every CLI process a test spawns that would inherit that folder gets a
//   fresh folder of its own instead: a blank, unshared board, as before
//   boards kept their files. A test that wants runs to share a board passes
//   the folder itself (`{ env: { SYNCCLI_STATE_DIR: dir } }` with
//   `freshStateDir()`), which is left alone.
import childProcess, { type SpawnOptions } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach } from "vitest";

const made: string[] = [];

/** A new empty state folder (removed after the test file). */
export function freshStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "synccli-state-"));
  made.push(dir);
  return dir;
}

/** Env for CLI runs that share their boards (each other's files, and the lock). */
export function sharedBoards(dir = freshStateDir()): { SYNCCLI_STATE_DIR: string } {
  return { SYNCCLI_STATE_DIR: dir };
}

/** Env for a CLI run with boards of its own (a fresh folder; what a run gets anyway unless a test passes one). */
export function ownBoards(): { SYNCCLI_STATE_DIR: string } {
  return { SYNCCLI_STATE_DIR: freshStateDir() };
}

process.env.SYNCCLI_STATE_DIR = freshStateDir();
beforeEach(() => {
  process.env.SYNCCLI_STATE_DIR = freshStateDir();
});

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

// spawn(command, args?, options?): a child that would inherit this test's
// folder gets its own. Named imports of spawn (test/helpers/cli.ts) see
// this through syncBuiltinESMExports.
const spawn = childProcess.spawn;
function spawnOwnState(this: unknown, command: string, ...rest: unknown[]) {
  const args = Array.isArray(rest[0]) ? rest[0] : undefined;
  const options = ((args ? rest[1] : rest[0]) ?? {}) as SpawnOptions;
  const env = options.env ?? process.env;
  if (env.SYNCCLI_STATE_DIR === process.env.SYNCCLI_STATE_DIR) {
    const own = { ...options, env: { ...env, SYNCCLI_STATE_DIR: freshStateDir() } };
    return args ? spawn.call(this, command, args, own) : spawn.call(this, command, own);
  }
  return spawn.call(this, command, ...(rest as [string[], SpawnOptions]));
}
childProcess.spawn = spawnOwnState as typeof childProcess.spawn;
syncBuiltinESMExports();
