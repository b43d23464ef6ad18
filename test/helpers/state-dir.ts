// Vitest setup file. Virtual boards keep their flash between runs (in the
// state folder, src/sim/flash.ts) and a board is locked by the process using
// it; tests expect a blank board unless they say otherwise, and many run CLI
// processes side by side (describe.concurrent, Promise.all). So:
// - every test file, and every test in it, gets a fresh SYNCCLI_STATE_DIR
//   (in-process boards: createSim, simBoard);
// - every CLI run through test/helpers/cli.ts gets a fresh folder of its
//   own (a blank, unshared board) unless the test passes one: runs that
//   share a board say so with `{ env: sharedBoards() }`.
import { mkdtempSync, rmSync } from "node:fs";
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
