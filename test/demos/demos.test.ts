// The firmware demos (firmware/demos/*.py), run the way a user runs them:
// `synccli run <demo> --sim` as a child process on the virtual board. Each
// must exit 0 and print exactly the expected events in order (expected.ts,
// shared with the host mirrors' test), in the one line format; so must its
// --broken variant (the source with `BROKEN = True`, as demoSource writes it).
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { parseOutput } from "../../src/demos/format.js";
import { demoNames, demoPath } from "../../src/board/scripts.js";
import { demoSource, parseHeader, type DemoOptions } from "../../src/demos/catalog.js";
import { EXPECTED, EXPECTED_BROKEN } from "./expected.js";

const NAMES = Object.keys(EXPECTED);

describe("firmware demo sources", () => {
  it("firmware/demos holds exactly the six demos", () => {
    expect(demoNames()).toEqual([...NAMES].sort());
    expect(Object.keys(EXPECTED_BROKEN)).toEqual(NAMES);
  });

  for (const name of NAMES) {
    it(`${name}: header (description, Watch for, Broken), sync + asyncio imports, the shared line format, ends with asyncio.run(main())`, () => {
      const src = readFileSync(demoPath(name)!, "utf8");
      const lines = src.trimEnd().split("\n");
      expect(lines[0]).toMatch(/^# [A-Z]\w+ demo: \S.*\.$/);
      const header = parseHeader(src)!;
      expect(header.description).toBe(lines[0]!.slice(2));
      expect(header.watchFor.length).toBeGreaterThan(40);
      expect(header.broken.length).toBeGreaterThan(40);
      expect(src).toMatch(/^from sync import \w+/m);
      expect(src).toContain("try:\n    import asyncio\nexcept ImportError:\n    import uasyncio as asyncio\n");
      expect(src).toContain('print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))');
      expect(lines.at(-1)).toBe("asyncio.run(main())");
      expect(src).not.toMatch(/killer|asyncio\.wait\(/);
    });

    it(`${name}: one top-level BROKEN = False and SPEED = 1 line, before any function; every sleep is int(MS / SPEED)`, () => {
      const src = readFileSync(demoPath(name)!, "utf8");
      expect(src.match(/^BROKEN = False$/gm)).toHaveLength(1);
      expect(src.match(/^SPEED = 1$/gm)).toHaveLength(1);
      const firstDef = src.search(/^(async )?def /m);
      expect(src.indexOf("\nBROKEN = False\n")).toBeLessThan(firstDef);
      expect(src.indexOf("\nSPEED = 1\n")).toBeLessThan(firstDef);
      expect(src).toMatch(/\bif BROKEN:|\bif not BROKEN:|if BROKEN else/);
      const sleeps = src.match(/asyncio\.sleep\w*\(.*$/gm) ?? [];
      expect(sleeps.length).toBeGreaterThan(0);
      for (const s of sleeps) expect(s).toMatch(/^asyncio\.sleep_ms\(int\([^()]*(\([^()]*\))?[^()]* \/ SPEED\)\)/);
    });
  }
});

const dir = mkdtempSync(join(tmpdir(), "synccli-demos-"));

/** The demo's source with `opts` applied, written as <dir>/<variant>/<name>_demo.py (a path `run` takes). */
function variantFile(name: string, variant: string, opts: DemoOptions): string {
  mkdirSync(join(dir, variant), { recursive: true });
  const file = join(dir, variant, name.replace(/-/g, "_") + ".py");
  writeFileSync(file, demoSource(name, opts));
  return file;
}

async function runOnBoard(script: string) {
  const r = await runCli(["run", script, "--sim"]);
  expect(r.code, r.stderr).toBe(0);
  const lines = parseOutput(r.stdout);
  // Every line is in the format (no traceback, no stray print).
  expect(lines.filter((l) => l.ms === null)).toEqual([]);
  const ms = lines.map((l) => l.ms!);
  expect(ms).toEqual([...ms].sort((a, b) => a - b));
  expect(ms[0]).toBeLessThan(1000);
  return { texts: lines.map((l) => l.text), lastMs: ms.at(-1)! };
}

describe.concurrent("firmware demos on the virtual board", () => {
  for (const name of NAMES) {
    it(`${name}: exit 0, events in the expected order`, async () => {
      const { texts, lastMs } = await runOnBoard(name);
      expect(texts).toEqual(EXPECTED[name]);
      expect(lastMs).toBeLessThan(10_000); // ends by itself, in about 10 s or less
    }, 60_000);
  }

  // lock-demo's broken variant runs on the board in compare.test.ts.
  for (const name of NAMES.filter((n) => n !== "lock-demo")) {
    it(`${name} --broken (BROKEN = True): exit 0, the failure the header promises, same events as the host mirror's`, async () => {
      const { texts } = await runOnBoard(variantFile(name, "broken", { broken: true }));
      expect(texts).toEqual(EXPECTED_BROKEN[name]);
    }, 60_000);
  }

  it("queue-demo at --speed 2 (SPEED = 2): the same events, in about half the time", async () => {
    const { texts, lastMs } = await runOnBoard(variantFile("queue-demo", "speed2", { speed: 2 }));
    expect(texts).toEqual(EXPECTED["queue-demo"]);
    // At speed 1 the last line comes at about 4700 ms.
    expect(lastMs).toBeGreaterThan(2300);
    expect(lastMs).toBeLessThan(3500);
  }, 60_000);
});
