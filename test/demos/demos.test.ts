// The firmware demos (firmware/demos/*.py), run the way a user runs them:
// `synccli run <demo> --sim` as a child process on the virtual board. Each
// must exit 0 and print exactly the expected events in order (expected.ts,
// shared with the host mirrors' test), in the one line format.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { runCli } from "../helpers/cli.js";
import { parseOutput } from "../../src/demos/format.js";
import { demoNames, demoPath } from "../../src/board/scripts.js";
import { EXPECTED } from "./expected.js";

const NAMES = Object.keys(EXPECTED);

describe("firmware demo sources", () => {
  it("firmware/demos holds exactly the six demos", () => {
    expect(demoNames()).toEqual([...NAMES].sort());
  });

  for (const name of NAMES) {
    it(`${name}: comment first, sync + asyncio imports, the shared line format, ends with asyncio.run(main())`, () => {
      const src = readFileSync(demoPath(name)!, "utf8");
      const lines = src.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^# \S/);
      expect(src).toMatch(/^from sync import \w+/m);
      expect(src).toContain("try:\n    import asyncio\nexcept ImportError:\n    import uasyncio as asyncio\n");
      expect(src).toContain('print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))');
      expect(lines.at(-1)).toBe("asyncio.run(main())");
      expect(src).not.toMatch(/killer|asyncio\.wait\(/);
    });
  }
});

describe.concurrent("firmware demos on the virtual board", () => {
  for (const name of NAMES) {
    it(`${name}: exit 0, events in the expected order`, async () => {
      const r = await runCli(["run", name, "--sim"]);
      expect(r.code, r.stderr).toBe(0);
      const lines = parseOutput(r.stdout);
      // Every line is in the format (no traceback, no stray print).
      expect(lines.filter((l) => l.ms === null)).toEqual([]);
      expect(lines.map((l) => l.text)).toEqual(EXPECTED[name]);
      const ms = lines.map((l) => l.ms!);
      expect(ms).toEqual([...ms].sort((a, b) => a - b));
      expect(ms[0]).toBeLessThan(1000);
      expect(ms.at(-1)).toBeLessThan(10_000); // ends by itself, in about 10 s or less
    }, 60_000);
  }
});
