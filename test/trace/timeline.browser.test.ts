// The timeline page in a real browser (headless Chromium via puppeteer-core),
// opened from a file:// URL as a teacher would: no errors, nothing fetched,
// the lanes, rows, legend and axis really there, and hovering shows the
// events. No Chromium is a failure (CI installs one), never a skip.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "puppeteer-core";
import type { TraceEvent } from "../../src/trace/events.js";
import { firstDivergence } from "../../src/trace/model.js";
import { renderTimeline, type TimelineOptions } from "../../src/trace/timeline.js";
import { findChromium, launchBrowser, type TestBrowser } from "../helpers/browser.js";

const L = (t: number, task: string, op: string, side: TraceEvent["side"] = "board"): TraceEvent => ({ t, side, task, type: "Lock", obj: "lock", op });

/** What lock-demo records: main starts three tasks that take one Lock in turns, three rounds each, 500 ms per turn. */
function lockDemo(side: TraceEvent["side"] = "board", skew = 0): TraceEvent[] {
  const out: TraceEvent[] = [L(1, "task-1", "acquire", side), L(1.3, "task-2", "wait", side), L(1.5, "task-3", "wait", side)];
  let t = 1;
  for (let k = 1; k < 9; k++) {
    t += 500 + skew;
    out.push(L(t, `task-${((k - 1) % 3) + 1}`, "release", side), L(t + 0.4, `task-${(k % 3) + 1}`, "acquire", side));
    if (k <= 6) out.push(L(t + 0.7, `task-${((k - 1) % 3) + 1}`, "wait", side));
  }
  out.push(L(t + 500, "task-3", "release", side));
  return out;
}

/** What lock-demo --broken prints: it uses no primitive, so there are no trace events, only these. */
const BROKEN_LOCK = [
  "    0 ms  main       3 tasks add 1 to a shared counter, 3 rounds each: read, work, write",
  ...[1, 2, 3].flatMap((round) =>
    [1, 2, 3].flatMap((i) => {
      const t = (round - 1) * 600 + (i - 1) * 200 + 3;
      return [...(round > 1 ? [`${String(t).padStart(5)} ms  task-${i}     writes counter = ${round - 1}`] : []), `${String(t + 1).padStart(5)} ms  task-${i}     reads counter = ${round - 1} (round ${round}, no lock)`];
    }),
  ),
  ...[1, 2, 3].map((i) => `${String(1800 + (i - 1) * 200 + 3).padStart(5)} ms  task-${i}     writes counter = 3`),
  " 2210 ms  main       final counter: 3, expected 9 (6 updates lost)",
];

/** 8 tasks take one Lock in turns, 20 rounds each, 100 ms a turn: 16 s, too dense for the page's width. Each says which round it is in. */
function denseRun(side: TraceEvent["side"] = "board", hold = 100): { events: TraceEvent[]; lines: string[] } {
  const tasks = Array.from({ length: 8 }, (_, i) => `task-${i + 1}`);
  const events: TraceEvent[] = [L(1, "task-1", "acquire", side), ...tasks.slice(1).map((t, i) => L(1 + (i + 1) * 0.1, t, "wait", side))];
  const lines: string[] = [`    1 ms  task-1     round 1`];
  let t = 1;
  for (let k = 1; k < 160; k++) {
    t += hold;
    const prev = tasks[(k - 1) % 8]!;
    events.push(L(t, prev, "release", side), L(t + 0.2, tasks[k % 8]!, "acquire", side));
    if (k <= 152) events.push(L(t + 0.4, prev, "wait", side));
    lines.push(`${String(Math.round(t)).padStart(5)} ms  ${tasks[k % 8]}     round ${Math.floor(k / 8) + 1}`);
  }
  events.push(L(t + hold, "task-8", "release", side));
  return { events, lines };
}

/** What barrier-demo records and prints: three tasks count 0 to 4 at their own speeds and meet at a Barrier(3) after each number. */
function barrierRun(side: TraceEvent["side"], skew = 0): { events: TraceEvent[]; lines: string[] } {
  const B = (t: number, task: string, op: string): TraceEvent => ({ t, side, task, type: "Barrier", obj: "barrier", op });
  const events: TraceEvent[] = [];
  const lines: string[] = [];
  const line = (t: number, task: string, text: string) => lines.push(`${String(Math.round(t)).padStart(5)} ms  ${task.padEnd(10)} ${text}`);
  for (let k = 0; k < 5; k++) {
    const t = k * (1050 + skew);
    [150, 900, 1050].forEach((d, i) => {
      line(t + d - 1, `report-${i + 1}`, `${k}`);
      if (i < 2) line(t + d, `report-${i + 1}`, `waits at the barrier (${i + 1} of 3 arrived)`);
    });
    events.push(B(t + 150, "report-1", "arrive"), B(t + 900, "report-2", "arrive"), B(t + 1050 + skew, "report-3", "arrive"));
    events.push(B(t + 1050 + skew, "report-3", "pass"), B(t + 1050 + skew, "report-1", "pass"), B(t + 1051 + skew, "report-2", "pass"));
    line(t + 1051 + skew, "report-2", "passes the barrier");
  }
  return { events, lines };
}

let tb: TestBrowser | undefined;
/** Why there is no browser: every test fails with it (a missing Chromium must not look like a skip). */
let launchError: Error | undefined;
const dir = mkdtempSync(join(tmpdir(), "synccli-timeline-"));

beforeAll(async () => {
  try {
    tb = await launchBrowser();
  } catch (err) {
    launchError = err as Error;
  }
});

afterAll(async () => {
  await tb?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the page to a file, opens it from file://, and collects everything that went wrong. */
async function open(name: string, opts: TimelineOptions, viewport = { width: 1600, height: 1000 }): Promise<{ page: Page; problems: string[] }> {
  if (!tb) throw launchError ?? new Error("no browser");
  const file = join(dir, `${name}.html`);
  writeFileSync(file, renderTimeline(opts));
  const url = pathToFileURL(file).href;
  const page = await tb.browser.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${(e as Error).message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    if (r.url() !== url) problems.push(`request: ${r.url()}`);
  });
  await page.setViewport(viewport);
  await page.goto(url, { waitUntil: "load" });
  return { page, problems };
}

/** The rendered font size in CSS px of each element matching `sel` in an SVG chart (the chart is scaled to the window). */
function sizes(page: Page, sel: string): Promise<number[]> {
  return page.$$eval(sel, (els) =>
    els.map((e) => {
      const s = e.closest("svg")!;
      return Number(e.getAttribute("font-size")) * (s.getBoundingClientRect().width / s.viewBox.baseVal.width);
    }),
  );
}

async function hoverTip(page: Page, selector: string): Promise<string> {
  const el = await page.$(selector);
  expect(el, selector).not.toBeNull();
  await el!.hover();
  await page.waitForSelector("#tip:not([hidden])", { timeout: 5_000 });
  return page.$eval("#tip", (e) => e.textContent ?? "");
}

describe("timeline in Chromium", () => {
  it("has a Chromium to run in", () => {
    expect(findChromium()).toBeTruthy();
  });

  it("lock-demo: one lane per task, the Lock's row, legend, axis; hover shows the events", async () => {
    const { page, problems } = await open("lock", {
      title: "lock-demo on the board",
      watchFor: "the turns going 1, 2, 3, 1, 2, 3",
      runs: [{ label: "board", events: lockDemo(), lines: ["    1 ms  task-1     Acquired lock in task 1 (round 1, holders: 1)", "  501 ms  task-1     Releasing lock"] }],
    });
    try {
      const lanes = await page.$$eval("g.lane", (els) =>
        els.map((e) => ({ task: e.getAttribute("data-task"), label: e.querySelector(".lane-label")?.textContent, bars: e.querySelectorAll("rect.bar").length })),
      );
      expect(lanes).toEqual([
        { task: "task-1", label: "task-1", bars: 5 },
        { task: "task-2", label: "task-2", bars: 6 },
        { task: "task-3", label: "task-3", bars: 6 },
      ]);
      expect(await page.$$eval("g.prim-row", (els) => els.map((e) => [e.getAttribute("data-obj"), e.querySelector(".prim-label")?.textContent]))).toEqual([["lock", "lock"]]);
      // The holder row names who holds the lock, turn by turn.
      expect(await page.$$eval("g.prim-row .holder-text", (els) => els.map((e) => e.textContent).slice(0, 4))).toEqual(["task-1", "task-2", "task-3", "task-1"]);
      expect(await page.$$eval("g.prim-row .state-text.halo", (els) => els.map((e) => e.textContent).slice(0, 3))).toEqual(["2, 3", "3, 1", "1, 2"]);
      const legend = await page.$eval(".legend", (e) => e.textContent ?? "");
      for (const w of ["holding", "waiting", "instant event", "lock"]) expect(legend).toContain(w);
      expect(await page.$$eval("g.axis .tick-label", (els) => els.map((e) => e.textContent))).toEqual(["0", "1000", "2000", "3000", "4000"].map((s) => `${s} ms`));
      expect(await page.$eval("h1", (e) => e.textContent)).toBe("lock-demo on the board");
      expect(await page.$$eval("g.wake", (els) => els.length)).toBe(8);
      // Visible and big enough to read: lane labels render at 20 px or more on a 1600 px wide screen.
      const box = await page.$eval("g.lane .lane-label", (e) => (e as SVGGraphicsElement).getBoundingClientRect().height);
      expect(box).toBeGreaterThanOrEqual(20);

      const wait = await hoverTip(page, 'g.lane[data-task="task-2"] rect.bar.waiting');
      expect(wait).toContain("task-2 waits for lock (Lock)");
      expect(wait).toContain("from 1.3 ms (wait)");
      expect(wait).toContain("to 501.4 ms (acquire)");
      const hold = await hoverTip(page, 'g.lane[data-task="task-1"] rect.bar.holding');
      expect(hold).toContain("task-1 holds lock (Lock)");
      expect(hold).toContain("to 501 ms (release)");
      const row = await hoverTip(page, "g.prim-row rect.state-hit");
      expect(row).toContain("held by: task-1");
      // The time cursor follows the pointer across the chart...
      expect(await page.$eval("svg.chart .cursor", (e) => e.getAttribute("visibility"))).toBe("visible");
      // ...and a printed line shows its moment on the chart.
      await page.hover('.out-line[data-t="501"]');
      expect(await page.$eval("svg.chart .cursor text", (e) => e.textContent)).toBe("501 ms");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("board and host on one axis, the first divergence marked on both", async () => {
    const board = lockDemo("board");
    const host = lockDemo("host", 2);
    // The host hands the lock to task-3 instead of task-2 at the first release.
    host[4] = { ...host[4]!, task: "task-3" };
    const divergence = firstDivergence(board, host);
    expect(divergence?.index).toBe(4);
    const { page, problems } = await open("compare", { title: "lock-demo: board vs host", runs: [{ label: "board", events: board }, { label: "host", events: host }], divergence });
    try {
      expect(await page.$$eval("section.run", (els) => els.map((e) => e.getAttribute("data-label")))).toEqual(["board", "host"]);
      const marks = await page.$$eval("g.divergence", (els) => els.map((e) => e.textContent?.trim()));
      expect(marks).toEqual(["first difference (event 5): task-2 acquire lock", "first difference (event 5): task-3 acquire lock"]);
      // Same time scale: the same tick labels in the same places in both runs.
      const ticks = await page.$$eval("svg.chart", (svgs) => svgs.map((s) => [...s.querySelectorAll(".tick-label")].map((t) => `${t.getAttribute("x")}:${t.textContent}`).join(" ")));
      expect(ticks[0]).toBe(ticks[1]);
      expect(await page.$$eval("svg.chart g.lane", (els) => els.length)).toBe(6);
      const tip = await hoverTip(page, 'section.run[data-label="host"] g.divergence rect');
      expect(tip).toContain("task-3 acquire lock");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("no events: a clear message, no errors", async () => {
    const { page, problems } = await open("empty", { title: "lock-demo", runs: [{ label: "board", events: [] }] });
    try {
      expect(await page.$eval(".empty", (e) => e.textContent)).toContain("No events recorded");
      expect(await page.$$("svg.chart")).toHaveLength(0);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("hostile names stay text: nothing runs, nothing is fetched", async () => {
    const names = [`<script>window.__pwned = 1</script>`, `"><img src=x onerror="window.__pwned = 2">`, `' onmouseover='window.__pwned = 3`, `任务 🚀 &amp;`];
    const events: TraceEvent[] = names.flatMap((n, i) => [
      { t: i * 10, side: "board" as const, task: n, type: "Lock", obj: names[(i + 1) % names.length]!, op: "acquire" },
      { t: i * 10 + 25, side: "board" as const, task: n, type: "Lock", obj: names[(i + 1) % names.length]!, op: "release" },
    ]);
    const { page, problems } = await open("hostile", {
      title: names[0]!,
      watchFor: names[1],
      runs: [{ label: names[2]!, events, lines: [`  5 ms  ${names[0]}`] }],
    });
    try {
      expect(await page.$$eval("g.lane", (els) => els.map((e) => e.getAttribute("data-task")))).toEqual(names);
      expect(await page.$$eval("g.prim-row", (els) => els.map((e) => e.getAttribute("data-obj")))).toEqual([names[1], names[2], names[3], names[0]]);
      expect(await page.$eval("h1", (e) => e.textContent)).toBe(names[0]);
      expect(await page.$eval(".run-name", (e) => e.textContent)).toBe(names[2]);
      const tip = await hoverTip(page, "g.lane rect.bar.holding");
      expect(tip).toContain(`${names[0]} holds ${names[1]} (Lock)`);
      await page.mouse.move(5, 5);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.$$("img")).toHaveLength(0);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("on a 1024x768 projector: big enough type, the Barrier's pass drawn, the file's date, and it prints", async () => {
    const B = (t: number, task: string, op: string): TraceEvent => ({ t, side: "board", task, type: "Barrier", obj: "barrier", op });
    const events: TraceEvent[] = [];
    for (let k = 0; k < 5; k++) {
      const t = k * 1050;
      events.push(B(t + 150, "report-1", "arrive"), B(t + 900, "report-2", "arrive"), B(t + 1050, "report-3", "arrive"));
      events.push(B(t + 1050, "report-3", "pass"), B(t + 1050, "report-1", "pass"), B(t + 1051, "report-2", "pass"));
    }
    const { page, problems } = await open("projector", { title: "barrier-demo on the board", runs: [{ label: "board", events }, { label: "host", events: lockDemo("host") }] }, { width: 1024, height: 768 });
    try {
      // Rendered sizes in CSS px: the SVG is scaled to the window, so what counts is font-size times the scale.
      const sizes = await page.$$eval("svg.chart", (svgs) =>
        svgs.map((s) => {
          const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
          const px = (sel: string) => Math.min(...[...s.querySelectorAll(sel)].map((e) => Number(e.getAttribute("font-size")) * k));
          return { lane: px(".lane-label"), bar: px(".bar-text"), tick: px(".tick-label"), caption: px(".track-caption") };
        }),
      );
      for (const z of sizes) {
        expect(z.lane).toBeGreaterThanOrEqual(18);
        expect(z.bar).toBeGreaterThanOrEqual(12);
        expect(z.tick).toBeGreaterThanOrEqual(15);
        expect(z.caption).toBeGreaterThanOrEqual(12);
      }
      // Nothing sticks out sideways: no horizontal scrolling.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      // Five passes, each a visible gate through all three lanes.
      const gates = await page.$$eval("g.barrier-pass line.gate", (els) => els.map((e) => (e as SVGGraphicsElement).getBoundingClientRect().height));
      expect(gates).toHaveLength(5);
      for (const h of gates) expect(h).toBeGreaterThan(60);
      expect(await hoverTip(page, "g.barrier-pass circle")).toContain("3 tasks pass together at 1050 ms");
      // Opened from disk, the page says when its file was written.
      const when = await page.$eval(".when", (e) => e.textContent ?? "");
      expect(when).toMatch(/file written .*\d/);
      expect(when).toContain(String(new Date().getFullYear()));
      await page.emulateMediaType("print");
      expect(await page.$eval(".legend", (e) => getComputedStyle(e).position)).toBe("static");
      expect(await page.$eval("#tip", (e) => getComputedStyle(e).display)).toBe("none");
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
  it("compare lock-demo --broken at 1024x768: the broken run's tasks get lanes from what they printed, every label readable and clear of the others", async () => {
    const fixed = lockDemo();
    // The fixed run prints a line at every acquire and release, as lock-demo does.
    const fixedLines = fixed.filter((e) => e.op !== "wait").map((e) => `${String(Math.round(e.t)).padStart(5)} ms  ${e.task}     ${e.op === "acquire" ? "Acquired lock, reads counter" : "writes counter, Releasing lock"}`);
    const { page, problems } = await open(
      "broken",
      { title: "lock-demo: fixed and broken", runs: [{ label: "fixed", events: fixed, lines: fixedLines }, { label: "broken", events: [], lines: BROKEN_LOCK }], divergence: firstDivergence(fixed, []) },
      { width: 1024, height: 768 },
    );
    try {
      expect(await page.$$(".empty")).toHaveLength(0);
      const broken = 'section.run[data-label="broken"]';
      expect(await page.$$eval(`${broken} g.lane`, (els) => els.map((e) => [e.getAttribute("data-task"), e.querySelectorAll("g.printed").length]))).toEqual([
        ["task-1", 4],
        ["task-2", 4],
        ["task-3", 4],
      ]);
      expect(await page.$eval(".legend", (e) => e.textContent ?? "")).toContain("printed line");
      // Readable on the projector: every printed line's text at 12 px or more, though the broken run
      // takes 2.2 s of the fixed run's 4.5 s axis; and every one of its 12 moments has its text.
      const brokenSizes = await sizes(page, `${broken} .print-text`);
      expect(await page.$$eval(`${broken} g.printed`, (gs) => gs.filter((g) => g.querySelector(".print-text")).length)).toBe(12);
      for (const z of [...brokenSizes, ...(await sizes(page, 'section.run[data-label="fixed"] .print-text'))]) expect(z).toBeGreaterThanOrEqual(12);
      // As the browser lays them out: no printed line's text on another label, or on a bar, in its lane.
      const clashes = await page.$$eval("g.lane", (lanes) =>
        lanes.flatMap((lane) => {
          const box = (e: Element) => e.getBoundingClientRect();
          const texts = [...lane.querySelectorAll(".print-text")].map((e) => ({ what: e.textContent, r: box(e) }));
          const others = [...lane.querySelectorAll(".bar-text, .marker-text, rect.bar")].map((e) => ({ what: e.textContent || e.getAttribute("class"), r: box(e) }));
          const hit = (a: DOMRect, b: DOMRect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
          const out: string[] = [];
          texts.forEach((a, i) => {
            for (const b of [...texts.slice(i + 1), ...others]) if (hit(a.r, b.r)) out.push(`${lane.getAttribute("data-task")}: "${a.what}" on "${b.what}"`);
          });
          return out;
        }),
      );
      expect(clashes).toEqual([]);
      // The full line on hover.
      const tip = await hoverTip(page, `${broken} g.lane[data-task="task-2"] g.printed rect.print-hit`);
      expect(tip).toContain("task-2 printed:");
      expect(tip).toContain("reads counter = 0 (round 1, no lock)");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
    // run lock-demo --broken: the broken run alone has the whole axis, and its text is bigger, one size throughout.
    const alone = await open("broken-alone", { title: "lock-demo (broken) on the board", runs: [{ label: "board", events: [], lines: BROKEN_LOCK }] }, { width: 1024, height: 768 });
    try {
      const z = await sizes(alone.page, ".print-text");
      expect(z).toHaveLength(18);
      expect(new Set(z).size).toBe(1);
      expect(z[0]).toBeGreaterThanOrEqual(13.5);
      expect(await alone.page.$$eval("g.lane .print-text", (els) => els.map((e) => e.textContent).filter((t) => t!.startsWith("reads counter = 0")))).toHaveLength(3);
      expect(alone.problems).toEqual([]);
    } finally {
      await alone.page.close();
    }
  });

  it("compare barrier-demo at 1024x768: both runs, from the first heading to the second time axis, fit under the legend at once", async () => {
    const board = barrierRun("board");
    const host = barrierRun("host", 3);
    // On the host the barrier lets report-1 through first in the third round: the runs differ, as they may.
    const at = host.events.findIndex((e, i) => i > 20 && e.op === "pass");
    [host.events[at], host.events[at + 1]] = [{ ...host.events[at + 1]!, t: host.events[at]!.t }, { ...host.events[at]!, t: host.events[at + 1]!.t }];
    const { page, problems } = await open(
      "both",
      { title: "barrier-demo: board and host", watchFor: "all three pass together", runs: [{ label: "board", ...board }, { label: "host", ...host }], divergence: firstDivergence(board.events, host.events) },
      { width: 1024, height: 768 },
    );
    try {
      const both = await page.evaluate(() => {
        const charts = [...document.querySelectorAll("svg.chart")].map((s) => s.getBoundingClientRect());
        return { runs: charts[charts.length - 1]!.bottom - document.querySelector("section.run")!.getBoundingClientRect().top, legend: document.querySelector(".legend")!.getBoundingClientRect().height, charts: charts.length };
      });
      expect(both.charts).toBe(2);
      expect(await page.$$("g.divergence")).toHaveLength(2);
      expect(both.runs).toBeLessThanOrEqual(768 - both.legend);
      // Less air, the same type: the lane names as big as in one run alone.
      expect(Math.min(...(await sizes(page, ".lane-label")))).toBeGreaterThanOrEqual(18);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("a long dense run (8 tasks, 16 s) at 1024x768: wider, scrolls under its lane names, zooms with keys and buttons, labels clear of each other, prints the fit", async () => {
    const board = denseRun();
    const host = denseRun("host", 101);
    const { page, problems } = await open("dense", { title: "8 tasks, 16 s", runs: [{ label: "board", ...board }, { label: "host", ...host }] }, { width: 1024, height: 768 });
    /** Per run: the level shown, its scroll, how wide it is and shows. */
    const state = () =>
      page.$$eval(".chart-wrap.zoomable", (ws) =>
        ws.map((w) => {
          const lv = w.querySelector<HTMLElement>(".zoom-level:not([hidden])")!;
          return { k: Number(lv.dataset.zoom), shown: [...w.querySelectorAll(".zoom-level")].filter((e) => getComputedStyle(e).display !== "none").length, left: lv.scrollLeft, scrollW: lv.scrollWidth, clientW: lv.clientWidth };
        }),
      );
    /** The moment in the middle of the plot the first run shows beside its names column, in ms. */
    const middle = () =>
      page.$eval(".chart-wrap.zoomable .zoom-level:not([hidden])", (lv) => {
        const s = lv.querySelector<SVGSVGElement>("svg.chart")!;
        const names = lv.querySelector("svg.names");
        const nw = names ? names.getBoundingClientRect().width : 0;
        const r = lv.getBoundingClientRect();
        const m = s.getScreenCTM()!;
        const x = (r.left + nw + (lv.clientWidth - nw) / 2 - m.e) / m.a;
        const d = s.dataset;
        return { t: Number(d.start) + ((x - Number(d.x0)) / (Number(d.x1) - Number(d.x0))) * Number(d.span), visible: ((lv.clientWidth - nw) / m.a / (Number(d.x1) - Number(d.x0))) * Number(d.span) };
      });
    const now = () => page.$eval(".zoom-now", (e) => e.textContent);
    try {
      // Opens wider than the window, at the same width for both runs; the page itself never scrolls sideways.
      let st = await state();
      expect(st.map((s) => s.k)).toEqual([4, 4]);
      expect(st.map((s) => s.shown)).toEqual([1, 1]);
      expect(st[0]!.scrollW).toBeGreaterThan(3 * st[0]!.clientW);
      expect(await now()).toBe("×4");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);

      // Scrolled right: the other run follows, and every lane's name is still there, on top, at the left.
      await page.$eval(".chart-wrap.zoomable .zoom-level:not([hidden])", (lv) => {
        lv.scrollIntoView({ block: "center" });
        lv.scrollLeft = 2000;
      });
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".zoom-level:not([hidden])")].every((lv) => lv.scrollLeft === 2000), { timeout: 5_000 });
      const names = await page.$eval(".chart-wrap.zoomable .zoom-level:not([hidden])", (lv) => {
        const box = lv.getBoundingClientRect();
        const chart = lv.querySelector("svg.chart")!.getBoundingClientRect();
        return {
          chartMoved: box.left - chart.left,
          labels: [...lv.querySelectorAll("svg.names .name-label")].map((e) => {
            const r = e.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return { name: e.textContent, left: r.left - box.left, onTop: !!hit && !!hit.closest("svg.names"), inView: r.top >= 0 && r.bottom <= innerHeight };
          }),
        };
      });
      expect(names.chartMoved).toBeGreaterThan(1900);
      expect(names.labels.map((l) => l.name)).toEqual(Array.from({ length: 8 }, (_, i) => `task-${i + 1}`));
      for (const l of names.labels.filter((l) => l.inView)) {
        expect(l.left).toBeGreaterThanOrEqual(0);
        expect(l.left).toBeLessThan(40);
        expect(l.onTop, l.name!).toBe(true);
      }
      expect(names.labels.filter((l) => l.inView).length).toBeGreaterThan(3);

      // The arrow keys page through it (a presenter's remote sends them), both runs together.
      await page.keyboard.press("ArrowLeft");
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".zoom-level:not([hidden])")].every((lv) => lv.scrollLeft < 1600), { timeout: 5_000 });
      await page.keyboard.press("ArrowRight");
      await page.waitForFunction(() => [...document.querySelectorAll<HTMLElement>(".zoom-level:not([hidden])")].every((lv) => Math.abs(lv.scrollLeft - 2000) < 2), { timeout: 5_000 });

      // "+" lays it out twice as wide, keeping the moment in the middle where it was.
      const before = await middle();
      await page.keyboard.press("+");
      st = await state();
      expect(st.map((s) => s.k)).toEqual([8, 8]);
      expect(st[1]!.left).toBe(st[0]!.left);
      expect(await now()).toBe("×8");
      const after = await middle();
      expect(Math.abs(after.t - before.t)).toBeLessThan(after.visible / 10);

      // "0": the whole run in the window; nothing left to scroll, and no narrower level.
      await page.keyboard.press("0");
      st = await state();
      expect(st.map((s) => s.k)).toEqual([1, 1]);
      expect(st[0]!.scrollW).toBeLessThanOrEqual(st[0]!.clientW + 1);
      expect(await now()).toBe("fit");
      expect(await page.$eval('[data-zoom-step="-1"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
      await page.keyboard.press("-");
      expect((await state()).map((s) => s.k)).toEqual([1, 1]);
      // The buttons do what the keys do.
      await page.click('[data-zoom-step="1"]');
      expect((await state()).map((s) => s.k)).toEqual([2, 2]);
      await page.click('[data-zoom-step="0"]');
      expect((await state()).map((s) => s.k)).toEqual([1, 1]);

      // The widest level: no label on another, in any lane or row, as the browser lays them out.
      while (!(await page.$eval('[data-zoom-step="1"]', (b) => (b as HTMLButtonElement).disabled))) await page.click('[data-zoom-step="1"]');
      expect((await state())[0]!.k).toBeGreaterThanOrEqual(16);
      const clashes = await page.$$eval(".zoom-level:not([hidden]) svg.chart", (svgs) =>
        svgs.flatMap((svg) =>
          [...svg.querySelectorAll("g.lane, g.prim-row")].flatMap((g) => {
            const texts = [...g.querySelectorAll(".bar-text, .marker-text, .print-text, .state-text")].map((e) => ({ what: e.textContent, r: e.getBoundingClientRect(), y: e.getAttribute("y") }));
            const hit = (a: DOMRect, b: DOMRect) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
            const out: string[] = [];
            texts.forEach((a, i) => {
              for (const b of texts.slice(i + 1)) if (hit(a.r, b.r)) out.push(`${g.getAttribute("data-task") ?? g.getAttribute("data-obj")}: "${a.what}" on "${b.what}"`);
            });
            return out;
          }),
        ),
      );
      expect(clashes).toEqual([]);
      // ...and there the holds and holders are named, as they are not at the page's width.
      const named = await page.$eval(".zoom-level:not([hidden]) svg.chart", (s) => ({ holds: s.querySelectorAll("rect.bar.holding").length, labels: s.querySelectorAll("g.lane .bar-text").length, holders: s.querySelectorAll(".holder-text").length }));
      expect(named.labels).toBeGreaterThanOrEqual(named.holds);
      expect(named.holders).toBe(160);

      // A click on a printed line brings its moment to the middle of the view.
      const line = await page.$$eval('.out-line[data-t]', (ls) => Number((ls[100] as HTMLElement).dataset.t));
      await page.$$eval('.out-line[data-t]', (ls) => (ls[100] as HTMLElement).click());
      const there = await middle();
      expect(Math.abs(there.t - line)).toBeLessThan(there.visible / 10);

      // Printed: the picture that fits the page, once per run, and no buttons.
      await page.emulateMediaType("print");
      const printed = await page.$$eval(".zoom-level", (ls) => ls.filter((l) => getComputedStyle(l).display !== "none").map((l) => (l as HTMLElement).dataset.zoom));
      expect(printed).toEqual(["1", "1"]);
      expect(await page.$eval(".zoom", (e) => getComputedStyle(e).display)).toBe("none");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
