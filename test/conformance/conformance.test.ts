// One scenario list (scenarios.ts), two runtimes: every scenario runs against
// firmware/sync in the MicroPython WASM interpreter (all in one program, one
// interpreter for this file) and against src/primitives; both must produce
// the expected trace.

import { beforeAll, describe, expect, it } from "vitest";
import { type BoardResult, runBoard } from "./python-runner.js";
import { QUERIES, type Scenario, WAITING_METHODS, scenarios } from "./scenarios.js";
import { runHost } from "./ts-runner.js";

const SYNC_METHODS = [
  "release",
  "get_nowait",
  "put_nowait",
  "task_done",
  "notify",
  "notify_all",
  "set",
  "clear",
  "reset",
  "abort",
];
const KINDS = ["Lock", "Event", "Semaphore", "BoundedSemaphore", "Queue", "Condition", "Barrier"];

/** Catches typos in the data: a misspelt step would otherwise fail in both runtimes alike. */
function checkWellFormed(s: Scenario): void {
  const methods = new Set<string>([...WAITING_METHODS, ...QUERIES, ...SYNC_METHODS]);
  for (const spec of Object.values(s.objects)) {
    expect(KINDS).toContain(typeof spec === "string" ? spec : spec[0]);
  }
  for (const step of s.steps) {
    const op = step[0] as string;
    if (op === "tick") continue;
    if (op === "cancel") {
      expect(s.actors).toContain(step[1]);
      continue;
    }
    if (op === "sleep") {
      expect(typeof step[1]).toBe("number");
      continue;
    }
    expect(s.actors).toContain(op);
    const rest = step[1] === "timeout" ? step.slice(3) : step.slice(1);
    if (step[1] === "timeout") expect(WAITING_METHODS).toContain(rest[0]);
    expect(methods).toContain(rest[0]);
    expect(Object.keys(s.objects)).toContain(rest[1]);
    if (rest[0] === "wait_for") expect(Object.keys(s.objects)).toContain(rest[2]);
  }
  if (s.expectBoard !== undefined || s.expectHost !== undefined) expect(s.why, "an override needs a reason").toBeTruthy();
}

describe("conformance scenarios", () => {
  it("are well formed, uniquely named, at least 30 of them", () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
    for (const s of scenarios) checkWellFormed(s);
  });
});

describe("conformance: firmware/sync on MicroPython (WASM)", () => {
  let board: BoardResult;
  beforeAll(async () => {
    board = await runBoard(scenarios);
  }, 20_000);

  it("prints nothing but scenario traces (no uncaught task errors, no tasks left)", () => {
    expect(board.stray).toEqual([]);
  });

  for (const s of scenarios) {
    it(s.name, () => {
      expect(board.traces.get(s.name)).toEqual(s.expectBoard ?? s.expect);
    });
  }
});

describe("conformance: src/primitives (TypeScript)", () => {
  for (const s of scenarios) {
    it(s.name, async () => {
      expect(await runHost(s)).toEqual(s.expectHost ?? s.expect);
    });
  }
});
