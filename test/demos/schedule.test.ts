// The host mirrors print the same events in the same order however late the
// host's event loop gets to them (a busy machine, compare's board link on the
// same thread): the order comes from the demo's schedule, as on the board,
// not from which wall-clock timer happens to fire first. Fake timers stand in
// for the busy machine: one event-loop turn or one timer comes late, scripted.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hostDemo, hostDemos } from "../../src/demos/index.js";
import { parseLine } from "../../src/demos/format.js";
import { EXPECTED, EXPECTED_BROKEN } from "./expected.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "performance"] });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Runs a mirror to its end on fake time; the events (texts) and their ms. */
async function run(name: string, opts: { broken?: boolean; speed?: number } = {}) {
  const lines: string[] = [];
  const done = hostDemo(name)!.run((l) => lines.push(l), undefined, opts);
  let failed: unknown;
  done.catch((e: unknown) => (failed = e));
  await vi.runAllTimersAsync();
  await done;
  expect(failed).toBeUndefined();
  const parsed = lines.map(parseLine);
  return { texts: parsed.map((l) => l.text), ms: parsed.map((l) => l.ms!) };
}

/**
 * Everything the host is asked to run at once (a setImmediate, or a timer due
 * now) while fake time is before `until` ms runs `lateMs` late: a slow start,
 * whichever way the mirror starts its tasks. Counts what it delayed, so a
 * test can check it really slowed something.
 */
function slowStart(until: number, lateMs: number) {
  const delayed = { count: 0 };
  const [realImmediate, realTimeout] = [globalThis.setImmediate, globalThis.setTimeout];
  vi.spyOn(globalThis, "setImmediate").mockImplementation(((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    if (performance.now() >= until) return realImmediate(fn, ...args);
    delayed.count++;
    return realTimeout(() => fn(...args), lateMs) as unknown as NodeJS.Immediate;
  }) as typeof setImmediate);
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: (...a: unknown[]) => void, delay = 0, ...args: unknown[]) => {
    if (performance.now() + delay >= until) return realTimeout(fn, delay, ...args);
    delayed.count++;
    return realTimeout(fn, delay + lateMs, ...args);
  }) as typeof setTimeout);
  return delayed;
}

/** Timers due (by fake performance.now() + delay) in [from, to) fire `lateMs` late, as when the process was not scheduled. */
function lateTimers(from: number, to: number, lateMs: number) {
  const real = globalThis.setTimeout;
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: (...a: unknown[]) => void, delay = 0, ...args: unknown[]) => {
    const due = performance.now() + delay;
    return real(fn, due >= from && due < to ? delay + lateMs : delay, ...args);
  }) as typeof setTimeout);
}

describe("host mirrors follow the demo's schedule, not the host's timing", () => {
  it("lock-demo: the host's start running 250 ms late still has task-3 arrive while task-1 holds the lock", async () => {
    // The board starts task-1, task-2, task-3 in one go. When gather started
    // them one event-loop turn apart, slow turns made task-3 arrive after
    // task-1's release at 600 ms.
    const delayed = slowStart(1, 250);
    const { texts } = await run("lock-demo");
    expect(texts).toEqual(EXPECTED["lock-demo"]);
    expect(delayed.count).toBeGreaterThanOrEqual(3); // the three starts at least
  });

  it("lock-demo broken: a slow start does not change who reads the counter when", async () => {
    const delayed = slowStart(1, 250);
    const { texts } = await run("lock-demo", { broken: true });
    expect(texts).toEqual(EXPECTED_BROKEN["lock-demo"]);
    expect(delayed.count).toBeGreaterThanOrEqual(3);
  });

  it("event-demo broken: waiter-1's second poll firing 260 ms late still comes before the setter", async () => {
    // Due at 1300 ms; late, it used to run after the setter (1500 ms) and see
    // the flag at poll 2 instead of 3.
    lateTimers(1290, 1310, 260);
    const { texts, ms } = await run("event-demo", { broken: true });
    expect(texts).toEqual(EXPECTED_BROKEN["event-demo"]);
    expect(ms).toEqual([...ms].sort((a, b) => a - b)); // the lines' ms still go up: what is printed is when it happened
  });

  for (const demo of hostDemos) {
    for (const broken of [false, true]) {
      it(`${demo.name}${broken ? " broken" : ""}: every timer 150 ms late from 500 ms to 1000 ms, the same events`, async () => {
        lateTimers(500, 1000, 150);
        const { texts } = await run(demo.name, { broken });
        expect(texts).toEqual((broken ? EXPECTED_BROKEN : EXPECTED)[demo.name]);
      });
    }
  }
});
