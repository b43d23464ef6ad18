// The demos as teaching material (src/demos/catalog.ts): what each is about,
// read from its header comment; its source with --broken and --speed
// applied; and `synccli demos`, which lists them.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { demoPath } from "../../src/board/scripts.js";
import { applyDemoOptions, checkSpeed, demoInfo, demoSource, listDemos, parseHeader, parseSpeed } from "../../src/demos/catalog.js";
import { EXIT, UserError } from "../../src/errors.js";
import { runCli } from "../helpers/cli.js";
import { EXPECTED } from "./expected.js";

const ORDER = Object.keys(EXPECTED); // lock, event, barrier, semaphore, queue, condition

/** The UserError `fn` throws. */
function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error("did not throw");
}

describe("listDemos / demoInfo", () => {
  it("lists the six demos in teaching order, each with its file, description, what to watch for and what --broken shows", () => {
    const demos = listDemos();
    expect(demos.map((d) => d.name)).toEqual(ORDER);
    for (const d of demos) {
      expect(Object.keys(d).sort()).toEqual(["broken", "description", "file", "name", "watchFor"]);
      expect(d.file).toBe(demoPath(d.name));
      expect(d.description).toMatch(/^[A-Z]\w+ demo: .+\.$/);
      expect(d.description).not.toContain("\n");
      expect(d.watchFor).not.toMatch(/^Watch for|\n|#/);
      expect(d.broken).not.toMatch(/^Broken|\n|#/);
    }
    const lock = demos[0]!;
    expect(lock.description).toBe("Lock demo: three tasks take turns with one Lock to update a shared counter.");
    expect(lock.watchFor).toMatch(/^each round reads the counter, .* "waits for the lock", .* the final counter is 9 as expected\.$/);
    expect(lock.broken).toMatch(/^the same tasks without the lock\. .*"final counter: 3, expected 9 \(6 updates lost\)"/);
  });

  it("demoInfo takes a name or a file name; an unknown name is a usage error listing the demos", () => {
    expect(demoInfo("barrier-demo").name).toBe("barrier-demo");
    expect(demoInfo("barrier_demo.py")).toEqual(demoInfo("barrier-demo"));
    const e = userError(() => demoInfo("no-such-demo"));
    expect(e.exitCode).toBe(EXIT.usage);
    expect(e.message).toBe("no such demo: no-such-demo");
    expect(e.hint).toMatch(/^demos: barrier-demo, condition-demo, event-demo, lock-demo, queue-demo, semaphore-demo/);
  });

  it("parseHeader: the first line, then the labelled paragraphs joined into one line each", () => {
    const src = [
      "# X demo: one line.",
      "#",
      "# Watch for: a",
      "# b.",
      "#",
      "# Broken (--broken): c",
      "#   d.",
      "import time",
      "# not header",
    ].join("\n");
    expect(parseHeader(src)).toEqual({ description: "X demo: one line.", watchFor: "a b.", broken: "c d." });
    expect(parseHeader("# X demo: one line.\n# Watch for: a\nimport time\n")).toBeNull();
    expect(parseHeader("import time\n")).toBeNull();
  });
});

describe("demoSource: --broken and --speed rewrite one line each", () => {
  const original = readFileSync(demoPath("lock-demo")!, "utf8");

  it("with no options (or speed 1) the source is the file as it is", () => {
    expect(demoSource("lock-demo")).toBe(original);
    expect(demoSource("lock-demo", { broken: false, speed: 1 })).toBe(original);
  });

  it("broken: BROKEN = False becomes BROKEN = True, nothing else changes", () => {
    const s = demoSource("lock-demo", { broken: true });
    expect(s).toBe(original.replace("\nBROKEN = False\n", "\nBROKEN = True\n"));
    expect(s.split("\n").length).toBe(original.split("\n").length);
  });

  it("speed: SPEED = 1 becomes SPEED = <F> (Python reads it as the same number); line numbers stay", () => {
    const eventLines = readFileSync(demoPath("event-demo")!, "utf8").split("\n").length;
    for (const [speed, text] of [
      [0.25, "0.25"],
      [4, "4"],
      [2.5, "2.5"],
      [100, "100"],
      [0.001, "0.001"],
    ] as const) {
      const s = demoSource("event-demo", { speed });
      const lines = s.split("\n");
      expect(lines.length).toBe(eventLines);
      expect(lines.filter((l) => l.startsWith("SPEED = "))).toEqual([`SPEED = ${text}`]);
    }
    const both = demoSource("queue-demo", { broken: true, speed: 0.5 });
    expect(both).toMatch(/^BROKEN = True$/m);
    expect(both).toMatch(/^SPEED = 0\.5$/m);
    expect(both).not.toMatch(/^BROKEN = False$|^SPEED = 1$/m);
  });

  it("every demo has both lines (every demo takes both options)", () => {
    for (const name of ORDER) {
      const s = demoSource(name, { broken: true, speed: 3 });
      expect(s).toMatch(/^BROKEN = True$/m);
      expect(s).toMatch(/^SPEED = 3$/m);
    }
  });

  it("a bad speed is a usage error with a hint: 0 < F <= 100", () => {
    for (const speed of [0, -0.5, 100.5, 1e9, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = userError(() => demoSource("lock-demo", { speed }));
      expect(e.exitCode).toBe(EXIT.usage);
      expect(e.message).toMatch(/^--speed must be a number greater than 0 and at most 100, got /);
      expect(e.hint).toMatch(/--speed 0\.25 for quarter speed/);
    }
    expect(checkSpeed(100)).toBe(100);
    expect(checkSpeed(0.01)).toBe(0.01);
  });

  it("parseSpeed reads --speed as typed", () => {
    expect(parseSpeed("0.25")).toBe(0.25);
    expect(parseSpeed("4")).toBe(4);
    expect(parseSpeed(".5")).toBe(0.5);
    expect(parseSpeed("1e-1")).toBe(0.1);
    for (const bad of ["", "fast", "0", "-2", "101", "1/4", "0x10", "Infinity", "NaN", "2x"]) {
      const e = userError(() => parseSpeed(bad));
      expect(e.exitCode).toBe(EXIT.usage);
      expect(e.message).toBe(`--speed must be a number greater than 0 and at most 100, got ${JSON.stringify(bad)}`);
    }
  });

  it("applyDemoOptions on a script without the lines: a usage error naming what is missing", () => {
    const script = "print('hi')\n";
    expect(applyDemoOptions(script)).toBe(script);
    const a = userError(() => applyDemoOptions(script, { broken: true }, "my.py"));
    expect(a.exitCode).toBe(EXIT.usage);
    expect(a.message).toBe("my.py has no top-level `BROKEN = False` line for --broken to rewrite");
    const b = userError(() => applyDemoOptions(script, { speed: 2 }, "my.py"));
    expect(b.message).toBe("my.py has no top-level `SPEED = 1` line for --speed to rewrite");
    // Indented (not top level) does not count; CRLF files keep their line ends.
    expect(() => applyDemoOptions("def f():\n    BROKEN = False\n", { broken: true })).toThrow(UserError);
    expect(applyDemoOptions("BROKEN = False\r\nSPEED = 1\r\n", { broken: true, speed: 2 })).toBe("BROKEN = True\r\nSPEED = 2\r\n");
  });

  it("an unknown demo is a usage error", () => {
    expect(userError(() => demoSource("nope")).exitCode).toBe(EXIT.usage);
  });
});

describe.concurrent("synccli demos", () => {
  it("lists the demos, one line each: name and description", async () => {
    const r = await runCli(["demos"]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toEqual(listDemos().map((d) => `${d.name.padEnd("semaphore-demo".length)}  ${d.description}`));
    expect(lines[0]).toBe("lock-demo       Lock demo: three tasks take turns with one Lock to update a shared counter.");
  });

  it("--json: an array of DemoInfo", async () => {
    const r = await runCli(["demos", "--json"]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toEqual(listDemos());
  });

  it("demos <name>: the description, what to watch for and what --broken shows", async () => {
    const r = await runCli(["demos", "semaphore-demo"]);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const info = demoInfo("semaphore-demo");
    expect(r.stdout).toMatch(/^semaphore-demo \(firmware\/demos\/semaphore_demo\.py\)\nSemaphore demo: /);
    const flat = r.stdout.replace(/\s+/g, " ");
    expect(flat).toContain(`Watch for: ${info.watchFor}`);
    expect(flat).toContain(`Broken (--broken): ${info.broken}`);
    for (const line of r.stdout.split("\n").slice(1, -2)) expect(line.length).toBeLessThanOrEqual(78);
    const j = await runCli(["demos", "semaphore-demo", "--json"]);
    expect(JSON.parse(j.stdout)).toEqual(info);
  });

  it("an unknown name: exit 2 with the list of demos", async () => {
    const r = await runCli(["demos", "nope"]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/^synccli: no such demo: nope\nhint: demos: barrier-demo, /);
  });
});
