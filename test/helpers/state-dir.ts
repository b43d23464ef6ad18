// Vitest setup file: virtual boards keep their flash between runs (in the
// state folder, src/sim/flash.ts), but tests expect a blank board unless they
// say otherwise. Every test file, and every test in it, gets its own fresh
// SYNCCLI_STATE_DIR; CLI processes a test spawns inherit it, so the runs of
// one test share their boards (as a user's runs do) and no test sees another's.
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

/** Env for a CLI run that must have boards of its own (runs at the same time would otherwise find theirs busy). */
export function ownBoards(): { SYNCCLI_STATE_DIR: string } {
  return { SYNCCLI_STATE_DIR: freshStateDir() };
}

// For beforeAll hooks (a `synccli sim` server started once per file).
process.env.SYNCCLI_STATE_DIR = freshStateDir();

beforeEach(() => {
  process.env.SYNCCLI_STATE_DIR = freshStateDir();
});

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});
