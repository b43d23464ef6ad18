// Traces end to end, as a user gets them: `run --trace/--lanes/--timeline` on
// the virtual board and on the host, and `compare --trace`, through the real
// launcher. The records travel inside the script's output over the simulated
// serial line and must leave that output untouched.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { parseOutput } from "../../src/demos/format.js";
import { EXIT } from "../../src/errors.js";
import type { TraceEvent } from "../../src/trace/events.js";
import { checkFaithful } from "../../src/trace/model.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-trace-"));
const readTrace = (file: string): TraceEvent[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as TraceEvent);
const key = (e: TraceEvent) => [e.task, e.obj, e.op, e.size ?? null].join(" ");

/** A faithful trace: one Lock holder at a time, every blocked task waited first, nothing left held. */
function checkLock(events: TraceEvent[]) {
  expect(checkFaithful(events)).toEqual([]);
  const acquires = events.filter((e) => e.op === "acquire").length;
  expect(events.filter((e) => e.op === "release")).toHaveLength(acquires);
}

describe.concurrent("traces", () => {
  it("run lock-demo --sim --trace --lanes: demo output untouched, a faithful board trace, lanes after", async () => {
    const file = join(dir, "board.jsonl");
    const r = await runCli(["run", "lock-demo", "--sim", "--trace", file, "--lanes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("\x1e");
    const [demoPart] = r.stdout.split("\n\n");
    const lines = parseOutput(demoPart!);
    expect(lines.filter((l) => l.ms === null)).toEqual([]);
    expect(lines.at(-1)!.text).toBe("main final counter: 9, expected 9 (0 updates lost)");
    const events = readTrace(file);
    for (const e of events) {
      expect(e.side).toBe("board");
      expect(typeof e.t).toBe("number");
      expect(e.type).toBe("Lock");
      expect(e.obj).toBe("Lock");
    }
    expect(new Set(events.map((e) => e.task))).toEqual(new Set(["task-1", "task-2", "task-3"]));
    expect(events.filter((e) => e.op === "acquire")).toHaveLength(9);
    expect(events.filter((e) => e.op === "wait").length).toBeGreaterThan(0);
    checkLock(events);
    const ts = events.map((e) => e.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // The lanes: one row per task, after the demo's own lines.
    for (const t of ["task-1", "task-2", "task-3"]) expect(r.stdout.slice(demoPart!.length)).toContain(t);
    expect(r.stderr).toContain(`trace: ${events.length} events written to ${file}`);
  }, 60_000);

  it("run lock-demo --sim --broken --lanes: no primitive, yet a lane per task with its printed lines, all reads before any write", async () => {
    const r = await runCli(["run", "lock-demo", "--sim", "--broken", "--lanes"], { env: { COLUMNS: "80" } });
    expect(r.code, r.stderr).toBe(0);
    const [demoPart, lanes] = r.stdout.split("\n\n");
    expect(parseOutput(demoPart!).at(-1)!.text).toMatch(/^main final counter: \d, expected 9/);
    const rows = lanes!.split("\n");
    expect(rows[0]).toMatch(/^board {2}\(no primitive used: 18 printed lines, \d+ ms\)$/);
    expect(rows.slice(1, 4).map((l) => l.split(" ")[0])).toEqual(["task-1", "task-2", "task-3"]);
    expect(lanes).not.toContain("no events recorded");
    expect(lanes).not.toMatch(/^main/m);
    expect(lanes).toContain("▾ printed a line");
    for (const l of rows) expect(l.length).toBeLessThanOrEqual(80);
    // Each task printed a read and a write per round: 6 lines, in 3 to 6
    // marks (a write and the next read share one). The first mark of each is
    // its read of 0; all three come before any task's second mark, a write:
    // the lost update.
    const marks = rows.slice(1, 4).map((l) => [...l.slice(l.indexOf("│") + 1)].flatMap((ch, i) => (ch === "▾" ? [i] : [])));
    for (const m of marks) expect(m.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...marks.map((m) => m[0]!))).toBeLessThan(Math.min(...marks.map((m) => m[1]!)));
  }, 60_000);

  it("run lock-demo --host --trace: the same events in the same order as on the board", async () => {
    const hostFile = join(dir, "host.jsonl");
    const boardFile = join(dir, "board-2.jsonl");
    const [h, b] = await Promise.all([
      runCli(["run", "lock-demo", "--host", "--trace", hostFile]),
      runCli(["run", "lock-demo", "--sim", "--trace", boardFile]),
    ]);
    expect(h.code, h.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const host = readTrace(hostFile);
    expect(host.every((e) => e.side === "host")).toBe(true);
    checkLock(host);
    expect(host.map(key)).toEqual(readTrace(boardFile).map(key));
  }, 60_000);

  it("compare --trace --timeline: both sides in one file, the picture written", async () => {
    const file = join(dir, "compare.jsonl");
    const html = join(dir, "compare.html");
    const r = await runCli(["compare", "barrier-demo", "--sim", "--trace", file, "--timeline", html]);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.ok);
    const events = readTrace(file);
    const board = events.filter((e) => e.side === "board");
    const host = events.filter((e) => e.side === "host");
    expect(board.length).toBeGreaterThan(0);
    expect(host.map(key)).toEqual(board.map(key));
    // Barrier(3): every phase is three arrivals, then three passes.
    expect(board.filter((e) => e.op === "arrive")).toHaveLength(15);
    expect(board.filter((e) => e.op === "pass")).toHaveLength(15);
    const page = readFileSync(html, "utf8");
    expect(page).toMatch(/^<!DOCTYPE html>/i);
    expect(page).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']?https?:/i);
  }, 60_000);

  it("a traceback under --trace points at the user's own line", async () => {
    const script = join(dir, "boom.py");
    writeFileSync(script, "x = 1\ny = 0\nprint(x / y)\n");
    const r = await runCli(["run", script, "--sim", "--trace", join(dir, "boom.jsonl")]);
    expect(r.code).toBe(EXIT.boardError);
    expect(r.stderr).toContain('File "<stdin>", line 3, in <module>');
    expect(r.stderr).toContain("boom.py:3: print(x / y)");
  }, 60_000);

  it("records between partial lines leave the script's text as printed", async () => {
    const script = join(dir, "partial.py");
    writeFileSync(
      script,
      [
        "import asyncio",
        "from sync import Lock",
        "async def main():",
        "    lock = Lock()",
        "    for i in range(3):",
        "        print('[', end='')",
        "        async with lock:",
        "            print(i, end='')",
        "        print(']', end='')",
        "    print()",
        "asyncio.run(main())",
        "",
      ].join("\n"),
    );
    const file = join(dir, "partial.jsonl");
    const r = await runCli(["run", script, "--sim", "--trace", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("[0][1][2]\n");
    expect(readTrace(file).map((e) => e.op)).toEqual(["acquire", "release", "acquire", "release", "acquire", "release"]);
  }, 60_000);

  it("a busy script at 115200 baud: every record arrives, every printed line too, in order", async () => {
    const script = join(dir, "busy.py");
    writeFileSync(
      script,
      [
        "import asyncio",
        "from sync import Lock, Queue",
        "async def worker(lock, q, n):",
        "    for i in range(100):",
        "        async with lock:",
        "            await q.put(i)",
        "            print('w%d %d' % (n, i))",
        "        await asyncio.sleep(0)",
        "async def main():",
        "    lock, q = Lock(), Queue()",
        "    await asyncio.gather(*[worker(lock, q, n) for n in range(3)])",
        "    print('items', q.qsize())",
        "asyncio.run(main())",
        "",
      ].join("\n"),
    );
    const file = join(dir, "busy.jsonl");
    const r = await runCli(["run", script, "--sim-options", "baud=115200", "--trace", file]);
    expect(r.code, r.stderr).toBe(0);
    const printed = r.stdout.trimEnd().split("\n");
    expect(printed).toHaveLength(301);
    expect(printed.at(-1)).toBe("items 300");
    const events = readTrace(file);
    expect(events.filter((e) => e.type === "Queue" && e.op === "put").map((e) => e.size)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(events.filter((e) => e.op === "acquire")).toHaveLength(300);
    expect(events.filter((e) => e.op === "release")).toHaveLength(300);
    expect(checkFaithful(events)).toEqual([]);
  }, 60_000);

  it("records are taken out of the output even without --trace (a script that starts tracing itself)", async () => {
    const script = join(dir, "self-traced.py");
    writeFileSync(script, "from sync import trace, Event\ntrace.start()\ne = Event()\nprint('a', end='')\ne.set()\ne.clear()\nprint('b')\n");
    const r = await runCli(["run", script, "--sim"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("ab\n");
  }, 60_000);

  it("an output file that cannot be written: exit 2 before anything runs", async () => {
    const r = await runCli(["run", "lock-demo", "--sim", "--timeline", join(dir, "no/such/folder/t.html")]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/cannot write --timeline .*does not exist\nhint: /);
    expect(r.stdout).toBe("");
  }, 60_000);
});
