// `compare` fitted to the terminal, through the real launcher on the virtual
// board: into a pipe (the table at the end, aligned by event, as wide as
// COLUMNS, no cursor moves) and on a pseudo-terminal (rows filled in live,
// as wide as the terminal). --speed 4 keeps each run near 2 s.
import { afterAll, describe, expect, it } from "vitest";
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, runCli } from "../helpers/cli.js";
import { ownBoards } from "../helpers/state-dir.js";
import { EXIT } from "../../src/errors.js";
import { cellWidth, columnsFor } from "../../src/demos/columns.js";
import { EXPECTED } from "../demos/expected.js";
import { Screen } from "../demos/screen.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-compare-columns-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The table's lines (up to the blank line before the verdict) and the verdict as one line. */
function parts(stdout: string): { table: string[]; verdict: string } {
  const [table, rest] = stdout.split("\n\n");
  return { table: table!.split("\n"), verdict: rest!.trimEnd().split("\n").map((l) => l.trim()).join(" ") };
}

/**
 * One column's events, read back from a table of wide (>= 24 cells) columns:
 * a cell starts with "<ms> ms  ", its wrapped lines follow, indented.
 */
function column(rows: string[], side: 0 | 1, width: number): string[] {
  const cols = columnsFor(width);
  const cells: string[] = [];
  for (const line of rows) {
    const part = side === 0 ? line.slice(2, 2 + cols.left) : line.slice(2 + cols.left + 3);
    const start = /^ *-?\d+ ms {2}(.*)$/.exec(part);
    if (start) cells.push(start[1]!.trim());
    else if (part.trim() !== "") cells[cells.length - 1] += " " + part.trim();
  }
  return cells;
}

describe.concurrent("compare fits the terminal", () => {
  it("into a pipe with COLUMNS=60: the table at the end, no line wider, every event in order in both columns, paired", async () => {
    const r = await runCli(["compare", "lock-demo", "--sim", "--speed", "4"], { env: { COLUMNS: "60", ...ownBoards() } });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    expect(r.stdout).not.toContain("\x1b");
    for (const l of r.stdout.split("\n")) expect(cellWidth(l), l).toBeLessThanOrEqual(60);
    const { table, verdict } = parts(r.stdout);
    expect(table[0]).toBe(`  board${" ".repeat(22)} | host`);
    expect(table[1]).toBe(`  ${"-".repeat(27)} | ${"-".repeat(28)}`);
    const rows = table.slice(2);
    expect(column(rows, 0, 60)).toEqual(EXPECTED["lock-demo"]);
    expect(column(rows, 1, 60)).toEqual(EXPECTED["lock-demo"]);
    // Each event's two cells start on the same line (rows are lined up), none marked.
    const starts = (side: 0 | 1) => rows.flatMap((l, i) => (/^ *-?\d+ ms {2}/.test(side === 0 ? l.slice(2, 29) : l.slice(32)) ? [i] : []));
    expect(starts(0)).toEqual(starts(1));
    expect(rows.filter((l) => l.startsWith("!"))).toEqual([]);
    expect(verdict).toMatch(/^same order of events \(28 events\); largest timing difference: \d+ ms$/);
  }, 60_000);

  it("wide characters at 40 columns: CJK and emoji count two cells, no line wider than 40, nothing cut off", async () => {
    // Named like the Lock demo, so it is compared with that demo's host mirror (and differs at once).
    const script = join(dir, "lock_demo.py");
    writeFileSync(
      script,
      [
        "import time",
        "SPEED = 1",
        "T0 = time.ticks_ms()",
        "def log(name, text):",
        '    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))',
        'log("main", "3 tasks add 1 to a shared counter, 3 rounds each: read, work, write")',
        'log("task-1", "取得了锁 🔒 (第一轮), café ok 👍🏽 计数器 = 0")',
        'log("任务-2", "等待锁 waits for the lock")',
        "",
      ].join("\n"),
    );
    const r = await runCli(["compare", script, "--sim", "--speed", "4"], { env: { COLUMNS: "40", ...ownBoards() } });
    expect(r.code, r.stderr).toBe(EXIT.diverged);
    for (const l of r.stdout.split("\n")) expect(cellWidth(l), l).toBeLessThanOrEqual(40);
    const { table, verdict } = parts(r.stdout);
    // The board's column, all of it, once the wrapping is undone.
    const left = table
      .slice(2)
      .map((l) => l.slice(2).replace(/ \|( .*)?$/, ""))
      .join("")
      .replace(/ /g, "");
    expect(left).toContain("task-1取得了锁🔒(第一轮),caféok👍🏽计数器=0");
    expect(left).toContain("任务-2等待锁waitsforthelock");
    expect(verdict).toMatch(/^events diverge at line 2: board "task-1 取得了锁 🔒 \(第一轮\), café ok 👍🏽 计数器 = 0", host "task-1 Acquired lock in task 1 \(round 1\), reads counter = 0" largest timing difference: \d+ ms$/);
  }, 60_000);

  const python = spawnSync("python3", ["-c", "import pty"]).status === 0;

  it.skipIf(!python)("on a terminal (a pseudo-terminal, 70 x 30): rows appear while the demo runs, filled in live, then the verdict", async () => {
    // Runs the command on a pseudo-terminal of the given size; prints the output chunks with their times.
    const code = [
      "import os, pty, sys, struct, fcntl, termios, select, time, json, base64",
      "cols, rows = int(sys.argv[1]), int(sys.argv[2])",
      "pid, fd = pty.fork()",
      "if pid == 0:",
      "    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))",
      "    os.environ.pop('COLUMNS', None)",
      "    os.execvp(sys.argv[3], sys.argv[3:])",
      "t0 = time.monotonic(); chunks = []",
      "while True:",
      "    if not select.select([fd], [], [], 60)[0]: break",
      "    try: d = os.read(fd, 65536)",
      "    except OSError: break",
      "    if not d: break",
      "    chunks.append([round((time.monotonic() - t0) * 1000), base64.b64encode(d).decode()])",
      "_, status = os.waitpid(pid, 0)",
      "print(json.dumps({'code': os.waitstatus_to_exitcode(status), 'chunks': chunks}))",
    ].join("\n");
    const args = ["-c", code, "70", "30", process.execPath, BIN, "compare", "lock-demo", "--sim", "--speed", "4"];
    // NO_COLOR on a terminal: no colour (the verdict would be green), the cursor still moves.
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile("python3", args, { env: { ...process.env, NO_COLOR: "1", ...ownBoards() }, maxBuffer: 1 << 24 }, (err, out) => (err ? reject(err) : resolve(out))),
    );
    const run = JSON.parse(stdout) as { code: number; chunks: [number, string][] };
    expect(run.code).toBe(EXIT.ok);
    const chunks = run.chunks.map(([at, b64]) => ({ at, text: Buffer.from(b64, "base64").toString("utf8") }));
    const raw = chunks.map((c) => c.text).join("");
    // Rows were redrawn in place: the faster side showed first, the other filled in.
    expect(raw).toMatch(/\x1b\[\d+A\x1b\[J/);
    expect(raw.slice(raw.indexOf("  board"))).not.toMatch(/\x1b\[[0-9;]*m/);
    // Live: the first row was on the screen well before the last one.
    let sofar = "";
    const seen = chunks.map((c) => ({ at: c.at, text: (sofar += c.text) }));
    const at = (text: string) => seen.find((c) => c.text.includes(text))!.at;
    expect(at("final counter: 9") - at("3 tasks add 1")).toBeGreaterThan(500);
    const screen = new Screen();
    screen.write(raw.replace(/\r\n/g, "\n"));
    // The redrawn part stayed within the screen (30 lines).
    expect(Math.max(...screen.ups)).toBeLessThanOrEqual(28);
    const lines = screen.text();
    const head = lines.findIndex((l) => /^ {2}board +\| host$/.test(l));
    expect(head).toBeGreaterThanOrEqual(0);
    // From the table on (the demo's header on stderr before it is not compare's).
    for (const l of lines.slice(head)) expect(cellWidth(l), l).toBeLessThanOrEqual(70);
    const blank = lines.indexOf("", head);
    const rows = lines.slice(head + 2, blank);
    // Line N beside line N: both columns hold every event, in order, each pair starting on one line.
    expect(column(rows, 0, 70)).toEqual(EXPECTED["lock-demo"]);
    expect(column(rows, 1, 70)).toEqual(EXPECTED["lock-demo"]);
    expect(lines.slice(blank + 1).join(" ")).toMatch(/^same order of events \(28 events\); largest timing difference: \d+ ms$/);
  }, 60_000);
});
