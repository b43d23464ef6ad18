// The host mirrors (src/demos/) print the same events, in the same order, as
// the firmware demos on the board (expected.ts is shared with demos.test.ts),
// with the same options: `broken` (the variant without the primitive) and
// `speed` (every sleep lasts int(ms / speed)).
import { describe, expect, it } from "vitest";
import { hostDemo, hostDemos } from "../../src/demos/index.js";
import { formatLine, parseLine, parseOutput } from "../../src/demos/format.js";
import { EXIT, UserError } from "../../src/errors.js";
import { EXPECTED, EXPECTED_BROKEN } from "./expected.js";

describe("line format", () => {
  it("formats like Python's \"%5d ms  %-10s %s\"", () => {
    expect(formatLine(512, "task-1", "Acquired lock")).toBe("  512 ms  task-1     Acquired lock");
    expect(formatLine(123456, "consumer-12", "x")).toBe("123456 ms  consumer-12 x");
  });

  it("parses the ms and the event, single-spaced; other lines keep their text with ms null", () => {
    expect(parseLine("  512 ms  task-1     Acquired lock  ")).toEqual({ ms: 512, text: "task-1 Acquired lock" });
    expect(parseLine("    0 ms  main       max holders at once: 1")).toEqual({ ms: 0, text: "main max holders at once: 1" });
    expect(parseLine("Traceback (most recent call last):")).toEqual({ ms: null, text: "Traceback (most recent call last):" });
    expect(parseOutput("    1 ms  a          x\r\n\n   20 ms  b          y\n")).toEqual([
      { ms: 1, text: "a x" },
      { ms: 20, text: "b y" },
    ]);
  });
});

describe("registry", () => {
  it("has one host mirror per firmware demo", () => {
    expect(hostDemos.map((d) => d.name)).toEqual(Object.keys(EXPECTED));
  });

  it("finds a demo by name, firmware file name or path", () => {
    expect(hostDemo("lock-demo")?.name).toBe("lock-demo");
    expect(hostDemo("queue_demo.py")?.name).toBe("queue-demo");
    expect(hostDemo("/tmp/x/condition_demo.py")?.name).toBe("condition-demo");
    expect(hostDemo("nope")).toBeUndefined();
  });
});

/** Runs a host demo, returning its events (texts) and the ms of its last line; every line in the format, ms ascending. */
async function runHost(name: string, opts?: { broken?: boolean; speed?: number }) {
  const lines: string[] = [];
  await hostDemo(name)!.run((l) => lines.push(l), undefined, opts);
  const parsed = lines.map(parseLine);
  expect(parsed.filter((l) => l.ms === null)).toEqual([]);
  const ms = parsed.map((l) => l.ms!);
  expect(ms).toEqual([...ms].sort((a, b) => a - b));
  return { texts: parsed.map((l) => l.text), lastMs: ms.at(-1)! };
}

/** When each demo's last line comes at speed 1 (ms), from its sleeps. */
const DURATION: Record<string, number> = {
  "lock-demo": 5400,
  "event-demo": 2500,
  "barrier-demo": 5250,
  "semaphore-demo": 6000,
  "queue-demo": 4700,
  "condition-demo": 3000,
};

describe.concurrent("host mirrors", () => {
  for (const demo of hostDemos) {
    it(`${demo.name}: the same events as on the board`, async () => {
      const { texts, lastMs } = await runHost(demo.name);
      expect(texts).toEqual(EXPECTED[demo.name]);
      expect(lastMs).toBeGreaterThanOrEqual(DURATION[demo.name]!);
      expect(lastMs).toBeLessThan(10_000);
    });

    it(`${demo.name}, speed 4: the same events, in a quarter of the time`, async () => {
      const { texts, lastMs } = await runHost(demo.name, { speed: 4 });
      expect(texts).toEqual(EXPECTED[demo.name]);
      expect(lastMs).toBeGreaterThanOrEqual(DURATION[demo.name]! / 4 - 5);
      expect(lastMs).toBeLessThan(DURATION[demo.name]! / 4 + 400);
    });

    it(`${demo.name}, broken (speed 2): the failure, same events as the board's broken variant`, async () => {
      const { texts } = await runHost(demo.name, { broken: true, speed: 2 });
      expect(texts).toEqual(EXPECTED_BROKEN[demo.name]);
    });
  }

  it("broken variants show what goes wrong without the primitive", async () => {
    const last = (name: string) => EXPECTED_BROKEN[name]!.at(-1);
    expect(last("lock-demo")).toBe("main final counter: 3, expected 9 (6 updates lost)");
    expect(EXPECTED["lock-demo"]!.at(-1)).toBe("main final counter: 9, expected 9 (0 updates lost)");
    // A task prints a number of the next phase before another has printed the one before.
    const b = EXPECTED_BROKEN["barrier-demo"]!;
    expect(b.indexOf("report-1 1 (ahead of report-2, report-3)")).toBeLessThan(b.indexOf("report-3 0"));
    expect(last("barrier-demo")).toBe("main all done; numbers printed ahead of their phase: 4");
    expect(EXPECTED["barrier-demo"]!.at(-1)).toBe("main all done; numbers printed ahead of their phase: 0");
    expect(last("semaphore-demo")).toBe("main max holders at once: 3 (limit 2)");
    expect(EXPECTED["semaphore-demo"]!.at(-1)).toBe("main max holders at once: 2 (limit 2)");
    expect(last("queue-demo")).toBe("main never processed: 4 items, the list holds [1, 2, 3, 4, None]");
    expect(EXPECTED_BROKEN["event-demo"]).toContain("main waiters 1-3 resumed together: False");
    expect(EXPECTED["event-demo"]).toContain("main waiters 1-3 resumed together: True");
    expect(last("condition-demo")).toBe("main all consumers done; woken for nothing: 4");
    expect(EXPECTED["condition-demo"]!.at(-1)).toBe("main all consumers done; woken for nothing: 0");
  });

  it("a bad speed is a usage error before anything is printed", async () => {
    for (const speed of [0, -1, 101, Number.NaN, Number.POSITIVE_INFINITY]) {
      const lines: string[] = [];
      const err = await hostDemo("lock-demo")!
        .run((l) => lines.push(l), undefined, { speed })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).exitCode).toBe(EXIT.usage);
      expect(lines).toEqual([]);
    }
  });

  it("an abort stops a demo: it rejects with the signal's reason and prints nothing more", async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    const running = hostDemo("lock-demo")!.run((l) => lines.push(l), ac.signal);
    await new Promise((r) => setTimeout(r, 900)); // task-2 holds the lock, task-1 and task-3 wait
    const reason = new Error("stop");
    const t0 = performance.now();
    ac.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(performance.now() - t0).toBeLessThan(1000);
    const printed = lines.map((l) => parseLine(l).text);
    expect(printed).toEqual(EXPECTED["lock-demo"]!.slice(0, 7));
    await new Promise((r) => setTimeout(r, 700));
    expect(lines.length).toBe(7);
  });

  it("an abort stops the queue demo too (producer, consumer and join all waiting)", async () => {
    const ac = new AbortController();
    const lines: string[] = [];
    const running = hostDemo("queue-demo")!.run((l) => lines.push(l), ac.signal);
    await new Promise((r) => setTimeout(r, 1300)); // producer blocked in put(4), consumer busy
    ac.abort(new Error("stop"));
    await expect(running).rejects.toThrow("stop");
    expect(lines.map((l) => parseLine(l).text)).toEqual(EXPECTED["queue-demo"]!.slice(0, 7));
  });
});
