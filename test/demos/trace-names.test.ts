// The host mirrors start their tasks with task(fn, ...) named like the
// board's coroutine functions, so a trace names them as the board does:
// "task" x3 -> task-1..3, a single "consumer" stays "consumer", code outside
// any task (the board's main()) is "main". One trace at a time: not concurrent.
import { describe, expect, it } from "vitest";
import { hostDemo } from "../../src/demos/index.js";
import { startTrace } from "../../src/primitives/trace.js";
import { normalizeNames } from "../../src/trace/events.js";

/** The task names the board's trace of each demo shows (sync.trace), in order of first appearance. */
const TASKS: Record<string, string[]> = {
  "lock-demo": ["task-1", "task-2", "task-3"],
  "event-demo": ["waiter-1", "waiter-2", "waiter-3", "setter", "main"],
  "barrier-demo": ["report-1", "report-2", "report-3"],
  "semaphore-demo": ["worker-1", "worker-2", "worker-3"],
  "queue-demo": ["consumer", "main"],
  "condition-demo": ["consumer-1", "consumer-2", "producer"],
};

describe("host mirror traces name tasks as the board does", () => {
  for (const [name, tasks] of Object.entries(TASKS)) {
    it(name, async () => {
      const recorder = startTrace();
      try {
        await hostDemo(name)!.run(() => {}, undefined, { speed: 4 });
      } finally {
        recorder.stop();
      }
      const seen = [...new Set(normalizeNames(recorder.events).map((e) => e.task))];
      expect(seen).toEqual(tasks);
    });
  }
});
