// The demos as a teacher runs them, through the real launcher: the header
// before the run, --speed and --broken on the host and the board, and
// `compare --broken` (the demo and its broken variant on the same board).
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { parseOutput } from "../../src/demos/format.js";
import { EXIT } from "../../src/errors.js";
import { EXPECTED, EXPECTED_BROKEN } from "../demos/expected.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-teach-"));

describe.concurrent("teaching", () => {
  it("run <demo>: what to watch for first (stderr), then the demo; --speed 4 runs it four times as fast", async () => {
    const r = await runCli(["run", "lock-demo", "--host", "--speed", "4"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Lock demo: .*\(speed 4: every sleep x0\.25\)\nWatch for: /);
    const lines = parseOutput(r.stdout);
    expect(lines.map((l) => l.text)).toEqual(EXPECTED["lock-demo"]);
    // At speed 1 the demo takes about 5.4 s.
    expect(lines.at(-1)!.ms!).toBeLessThan(2000);
  });

  it("--json: no header, only the one JSON object", async () => {
    const r = await runCli(["run", "lock-demo", "--host", "--speed", "8", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });

  it("run <demo> --broken on the board: explained first, and the lost updates show", async () => {
    const r = await runCli(["run", "lock-demo", "--sim", "--broken", "--speed", "4"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Broken \(--broken\): the same tasks without the lock/);
    expect(parseOutput(r.stdout).map((l) => l.text)).toEqual(EXPECTED_BROKEN["lock-demo"]);
  }, 60_000);

  it("compare --broken: the demo, then its broken variant, side by side on the same board; exit 1 with the first divergence", async () => {
    // Wide enough that no line wraps: the checks below read whole lines.
    const r = await runCli(["compare", "barrier-demo", "--sim", "--broken", "--speed", "4"], { env: { COLUMNS: "200" } });
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.diverged);
    const [head, rule] = r.stdout.split("\n");
    expect(head).toMatch(/^ {2}fixed +\| broken$/);
    expect(rule).toMatch(/^ {2}-+ \| -+$/);
    expect(r.stdout).toMatch(/events diverge at line \d+: fixed ".*", broken ".*"/);
    expect(r.stdout).toContain("numbers printed ahead of their phase: 0");
    expect(r.stdout).toMatch(/numbers printed ahead of their phase: [1-9]/);
  }, 60_000);

  it("compare --broken --json: the columns are named", async () => {
    const r = await runCli(["compare", "semaphore-demo", "--sim", "--broken", "--speed", "4", "--json"]);
    expect(r.code, r.stderr).toBe(EXIT.diverged);
    const j = JSON.parse(r.stdout);
    expect(j.sides).toEqual(["fixed", "broken"]);
    expect(j.equivalent).toBe(false);
    expect(j.rows.some((row: { board: unknown; host: unknown }) => row.board === null || row.host === null)).toBe(true);
  }, 60_000);

  it("bad --speed, or --broken on a script without the BROKEN line: exit 2 before anything runs", async () => {
    const speed = await runCli(["run", "lock-demo", "--sim", "--speed", "0"]);
    expect(speed.code).toBe(EXIT.usage);
    expect(speed.stderr).toMatch(/--speed must be a number greater than 0.*\nhint: /);
    const script = join(dir, "plain.py");
    writeFileSync(script, "print(1)\n");
    const broken = await runCli(["run", script, "--sim", "--broken"]);
    expect(broken.code).toBe(EXIT.usage);
    expect(broken.stderr).toMatch(/plain\.py has no top-level `BROKEN = False` line for --broken to rewrite\nhint: /);
    expect(broken.stdout).toBe("");
  }, 60_000);
});
