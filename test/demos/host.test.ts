// The host mirrors (src/demos/) print the same events, in the same order, as
// the firmware demos on the board (expected.ts is shared with demos.test.ts).
import { describe, expect, it } from "vitest";
import { hostDemo, hostDemos } from "../../src/demos/index.js";
import { formatLine, parseLine, parseOutput } from "../../src/demos/format.js";
import { EXPECTED } from "./expected.js";

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

describe.concurrent("host mirrors", () => {
  for (const demo of hostDemos) {
    it(`${demo.name}: the same events as on the board`, async () => {
      const lines: string[] = [];
      await demo.run((l) => lines.push(l));
      const parsed = lines.map(parseLine);
      expect(parsed.filter((l) => l.ms === null)).toEqual([]);
      expect(parsed.map((l) => l.text)).toEqual(EXPECTED[demo.name]);
      const ms = parsed.map((l) => l.ms!);
      expect(ms).toEqual([...ms].sort((a, b) => a - b));
      expect(ms.at(-1)).toBeLessThan(10_000);
    });
  }

  it("an abort stops a demo: it rejects with the signal's reason and prints nothing more", async () => {
    const lines: string[] = [];
    const ac = new AbortController();
    const running = hostDemo("lock-demo")!.run((l) => lines.push(l), ac.signal);
    await new Promise((r) => setTimeout(r, 750));
    const reason = new Error("stop");
    const t0 = performance.now();
    ac.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(performance.now() - t0).toBeLessThan(1000);
    const printed = lines.map((l) => parseLine(l).text);
    expect(printed).toEqual(EXPECTED["lock-demo"]!.slice(0, 4));
    await new Promise((r) => setTimeout(r, 600));
    expect(lines.length).toBe(4);
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
