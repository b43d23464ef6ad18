// The timeline page as a string: what is in it, what never is. What a
// browser makes of it is in timeline.browser.test.ts.
import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../src/trace/events.js";
import { firstDivergence } from "../../src/trace/model.js";
import { escapeHtml, renderTimeline, zoomLevels } from "../../src/trace/timeline.js";
import { startedAt } from "../../src/cli/visuals.js";

const L = (t: number, task: string, op: string, side: TraceEvent["side"] = "board"): TraceEvent => ({ t, side, task, type: "Lock", obj: "lock", op });

/** n tasks take one Lock in turns, `rounds` each, holding it `hold` ms (FIFO hand-offs, like lock-demo). */
function lockTurns(n: number, rounds: number, hold: number, side: TraceEvent["side"] = "board"): TraceEvent[] {
  const out: TraceEvent[] = [];
  const tasks = Array.from({ length: n }, (_, i) => `task-${i + 1}`);
  let t = 1;
  out.push(L(t, tasks[0]!, "acquire", side));
  for (let i = 1; i < n; i++) out.push(L(t + i * 0.1, tasks[i]!, "wait", side));
  for (let k = 1; k < n * rounds; k++) {
    t += hold;
    const prev = tasks[(k - 1) % n]!;
    out.push(L(t, prev, "release", side));
    out.push(L(t + 0.2, tasks[k % n]!, "acquire", side));
    if (k <= n * rounds - n) out.push(L(t + 0.4, prev, "wait", side));
  }
  out.push(L(t + hold, tasks[(n * rounds - 1) % n]!, "release", side));
  return out;
}

/** What lock-demo --broken prints (from a run on the virtual board): no primitive, so no trace events. */
const BROKEN_LOCK = [
  "    0 ms  main       3 tasks add 1 to a shared counter, 3 rounds each: read, work, write",
  "    3 ms  task-1     reads counter = 0 (round 1, no lock)",
  "  204 ms  task-2     reads counter = 0 (round 1, no lock)",
  "  404 ms  task-3     reads counter = 0 (round 1, no lock)",
  "  606 ms  task-1     writes counter = 1",
  "  606 ms  task-1     reads counter = 1 (round 2, no lock)",
  "  804 ms  task-2     writes counter = 1",
  "  805 ms  task-2     reads counter = 1 (round 2, no lock)",
  " 1007 ms  task-3     writes counter = 1",
  " 1008 ms  task-3     reads counter = 1 (round 2, no lock)",
  " 1208 ms  task-1     writes counter = 2",
  " 1208 ms  task-1     reads counter = 2 (round 3, no lock)",
  " 1406 ms  task-2     writes counter = 2",
  " 1407 ms  task-2     reads counter = 2 (round 3, no lock)",
  " 1609 ms  task-3     writes counter = 2",
  " 1609 ms  task-3     reads counter = 2 (round 3, no lock)",
  " 1809 ms  task-1     writes counter = 3",
  " 2009 ms  task-2     writes counter = 3",
  " 2210 ms  task-3     writes counter = 3",
  " 2211 ms  main       final counter: 3, expected 9 (6 updates lost)",
];

/** The lanes of the first chart in `html`, each with its printed marks: [time, the lines its tooltip lists]. */
function printedLanes(html: string): { task: string; marks: { t: number; lines: string[] }[]; texts: string[] }[] {
  const chart = /<svg class="chart"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
  return [...chart.matchAll(/<g class="lane" data-task="([^"]*)">([\s\S]*?)(?=<g class="lane" |<g class="wake"|<g class="barrier-pass"|<line x1="0"|<g class="grid-over")/g)].map((m) => ({
    task: m[1]!,
    marks: [...m[2]!.matchAll(/<g class="printed" data-task="[^"]*" data-t="([^"]*)" data-lines="\d+"><title>([^<]*)<\/title>/g)].map((g) => ({ t: Number(g[1]), lines: g[2]!.split("\n").slice(1) })),
    texts: [...m[2]!.matchAll(/<text class="print-text[^"]*"[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!),
  }));
}

describe("renderTimeline", () => {
  it("is one self-contained page: nothing fetched, one inline script, a strict CSP", () => {
    const html = renderTimeline({ title: "lock-demo", runs: [{ label: "board", events: lockTurns(3, 3, 500) }] });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<link|@import|@font-face|\ssrc=|\shref=|xlink:href/);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")).not.toMatch(/https?:|\/\//);
  });

  it("same input, same page", () => {
    const opts = { title: "t", runs: [{ label: "board", events: lockTurns(3, 2, 100) }] };
    expect(renderTimeline(opts)).toBe(renderTimeline(opts));
  });

  it("has a lane per task, a row per primitive, a legend, an axis and the title", () => {
    const html = renderTimeline({ title: "lock-demo on the board", watchFor: "turns going 1, 2, 3", runs: [{ label: "board", events: lockTurns(3, 3, 500) }] });
    expect(html.match(/<g class="lane" /g)).toHaveLength(3);
    for (const t of ["task-1", "task-2", "task-3"]) expect(html).toContain(`data-task="${t}"`);
    expect(html.match(/<g class="prim-row" data-obj="lock" data-type="Lock">/g)).toHaveLength(1);
    expect(html).toContain(`<div class="legend"`);
    expect(html).toContain(`<h1>lock-demo on the board</h1>`);
    expect(html).toContain("turns going 1, 2, 3");
    expect(html).toContain(">0 ms</text>");
    expect(html).toContain(">4000 ms</text>");
    // Hand-offs drawn as "who woke whom" arrows.
    expect(html.match(/<g class="wake" /g)).toHaveLength(8);
  });

  it("escapes every name, label, title and line", () => {
    const evil = `<script>alert(1)</script>`;
    const events: TraceEvent[] = [
      { t: 0, side: "board", task: evil, type: "Lock", obj: `"><img src=x onerror=alert(2)>`, op: "acquire" },
      { t: 5, side: "board", task: evil, type: `<b>T</b>`, obj: `a'b&c`, op: `<i>op</i>` },
    ];
    const html = renderTimeline({
      title: `</title>${evil}`,
      watchFor: evil,
      runs: [{ label: `<b>board</b>`, events, lines: [`  3 ms  ${evil}`, { ms: 4, text: `</div>${evil}` }] }],
      lines: [evil],
    });
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>T</b>");
    expect(html).not.toContain("<b>board</b>");
    expect(html).not.toContain("<i>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain(`data-obj="&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"`);
    expect(escapeHtml(`a'b"c&<>\u0000\u202E`)).toBe("a&#39;b&quot;c&amp;&lt;&gt;\uFFFD\uFFFD");
  });

  it("no events: says so clearly, draws no chart", () => {
    for (const runs of [[], [{ label: "board", events: [] }], [{ label: "board", events: [] }, { label: "host", events: [] }]]) {
      const html = renderTimeline({ title: "lock-demo", runs });
      expect(html).toContain("No events recorded");
      expect(html).not.toContain(`<svg class="chart"`);
    }
  });

  it("one empty run beside a full one: the empty one says so", () => {
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events: lockTurns(2, 1, 10) }, { label: "host", events: [] }] });
    expect(html.match(/<svg class="chart"/g)).toHaveLength(1);
    expect(html).toContain("No events recorded in host");
  });

  it("one event", () => {
    const html = renderTimeline({ title: "x", runs: [{ label: "host", events: [{ t: 0, side: "host", task: "main", type: "Event", obj: "go", op: "set" }] }] });
    expect(html.match(/<g class="lane" /g)).toHaveLength(1);
    expect(html.match(/<path class="marker"/g)).toHaveLength(1);
  });

  it("marks the first divergence on both runs", () => {
    const board = lockTurns(3, 2, 100);
    const host = lockTurns(3, 2, 100, "host");
    [host[5], host[6]] = [{ ...host[6]!, t: host[5]!.t }, { ...host[5]!, t: host[6]!.t }];
    const divergence = firstDivergence(board, host)!;
    const html = renderTimeline({ title: "compare", runs: [{ label: "board", events: board }, { label: "host", events: host }], divergence });
    expect(html.match(/<g class="divergence"/g)).toHaveLength(2);
    expect(html).toContain(`first difference (event ${divergence.index + 1}): ${board[divergence.index]!.task} ${board[divergence.index]!.op} lock`);
    expect(html).toContain(`first difference (event ${divergence.index + 1}): ${host[divergence.index]!.task} ${host[divergence.index]!.op} lock`);
    const shorter = renderTimeline({ title: "c", runs: [{ label: "board", events: board }, { label: "host", events: board.slice(0, 4) }], divergence: firstDivergence(board, board.slice(0, 4)) });
    expect(shorter).toContain("this run has no more events");
  });

  it("lists what a correct primitive would never do", () => {
    const html = renderTimeline({ title: "broken", runs: [{ label: "broken", events: [L(0, "a", "acquire"), L(1, "b", "acquire")] }] });
    expect(html).toContain("Not what a correct primitive does");
    expect(html).toContain("b acquires lock while a still holds it: two holders");
  });

  it("shows the printed lines with their ms", () => {
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events: lockTurns(2, 1, 10), lines: ["  501 ms  task-1     Releasing lock", { ms: null, text: "Traceback" }] }] });
    expect(html).toContain(`<div class="out-line" data-t="501"><span class="out-ms">501 ms</span><span class="out-text">task-1     Releasing lock</span></div>`);
    expect(html).toContain(`<span class="out-text">Traceback</span>`);
  });

  it("thousands of events: a reasonable file", () => {
    const runs = [
      { label: "board", events: lockTurns(8, 300, 3) },
      { label: "host", events: lockTurns(8, 300, 3.1, "host") },
    ];
    expect(runs[0]!.events.length + runs[1]!.events.length).toBeGreaterThan(14_000);
    const html = renderTimeline({ title: "big", runs });
    // The picture as it fits the page stays small; the wider layouts a run this
    // dense also gets stop at a budget, the widest ones left out.
    const fit = [...html.matchAll(/<div class="zoom-level" data-zoom="1"[^>]*>([\s\S]*?)<\/div>/g)].map((m) => m[1]!.length);
    expect(fit).toHaveLength(2);
    expect(fit[0]! + fit[1]!).toBeLessThan(1_000_000);
    expect(html.length).toBeLessThan(5_000_000);
    const levels = [...new Set([...html.matchAll(/data-zoom="(\d+)"/g)].map((m) => Number(m[1])))];
    expect(levels[0]).toBe(1);
    expect(levels.length).toBeGreaterThan(1);
    expect(levels.length).toBeLessThan(6);
    expect(html.match(/<g class="lane" /g)).toHaveLength(16 * levels.length);
  });

  it("long runs count in seconds", () => {
    const html = renderTimeline({ title: "long", runs: [{ label: "board", events: lockTurns(3, 4, 60_000) }] });
    expect(html).toContain(">0 s</text>");
    expect(html).toContain(">600 s</text>");
  });

  it("a board's whole-ms clock overlapping a wait and a release by one tick keeps them on one track", () => {
    const ev = (t: number, type: string, obj: string, op: string): TraceEvent => ({ t, side: "board", task: "consumer", type, obj, op });
    const events = [ev(1, "Lock", "c.lock", "acquire"), ev(1, "Condition", "c", "wait"), ev(2, "Lock", "c.lock", "release"), ev(900, "Condition", "c", "wake"), ev(900, "Lock", "c.lock", "acquire"), ev(1000, "Lock", "c.lock", "release")];
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events }] });
    const bars = [...html.matchAll(/<rect class="bar (?:holding|waiting)[^"]*" x="[^"]*" y="([^"]*)"/g)].map((m) => Number(m[1]));
    expect(bars).toHaveLength(3);
    expect(Math.max(...bars) - Math.min(...bars)).toBeLessThan(2);
    // A real overlap (holding a Semaphore while waiting for a Lock) goes on a second track.
    const both = renderTimeline({ title: "y", runs: [{ label: "board", events: [{ ...ev(0, "Semaphore", "s", "acquire") }, L(100, "other", "acquire"), { ...L(200, "consumer", "wait") }, L(300, "other", "release"), L(300.2, "consumer", "acquire"), ev(500, "Semaphore", "s", "release"), L(600, "consumer", "release")] }] });
    const lane = /<g class="lane" data-task="consumer">\s*<rect class="lane-bg" x="0" y="[^"]*" width="1280" height="([^"]*)"/.exec(both);
    expect(Number(lane![1])).toBeGreaterThan(100);
  });

  it("survives junk input", () => {
    const junk = [null, 1, { t: "soon", task: {}, op: 3 }, { t: 2, task: "a", type: "Lock", obj: "l", op: "release" }] as unknown as TraceEvent[];
    const html = renderTimeline({ title: "junk", runs: [{ label: "board", events: junk }], divergence: null });
    expect(html.match(/<g class="lane" /g)).toHaveLength(2);
  });

  it("names the holder once per turn, however often the line of waiters changes during it", () => {
    // lock-demo: task-1 holds from 0 to 600 ms while task-2 (200 ms) and task-3 (400 ms) line up.
    const events = [L(0, "task-1", "acquire"), L(200, "task-2", "wait"), L(400, "task-3", "wait"), L(600, "task-1", "release"), L(600, "task-2", "acquire"), L(1200, "task-2", "release"), L(1200, "task-3", "acquire"), L(1800, "task-3", "release")];
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events }] });
    expect([...html.matchAll(/<text class="state-text holder-text"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])).toEqual(["task-1", "task-2", "task-3"]);
    expect([...html.matchAll(/<rect class="state holder"[^>]*data-holders="([^"]*)"/g)].map((m) => m[1])).toEqual(["task-1", "task-2", "task-3"]);
    // Still one tooltip per change: hovering 200..400 ms says who waits then.
    for (const from of ["0", "200", "400", "600"]) expect(html).toContain(`data-from="${from}"`);
  });

  it("keeps the waiters' order readable when their names do not fit: the shared start goes", () => {
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events: lockTurns(3, 6, 500) }] });
    const waiting = [...html.matchAll(/<text class="state-text halo"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(waiting).toContain("2, 3");
    expect(waiting).toContain("3, 1");
    expect(waiting).toContain("1, 2");
  });

  it("a Barrier's pass: one gate through the lanes of all who pass, and how many in its row", () => {
    const B = (t: number, task: string, op: string): TraceEvent => ({ t, side: "board", task, type: "Barrier", obj: "barrier", op });
    const events = [B(0, "report-1", "arrive"), B(300, "report-2", "arrive"), B(900, "report-3", "arrive"), B(900, "report-3", "pass"), B(900, "report-1", "pass"), B(901, "report-2", "pass"), B(1000, "report-1", "arrive"), B(1500, "report-2", "arrive"), B(1800, "report-3", "arrive"), B(1800, "report-3", "pass"), B(1800, "report-1", "pass"), B(1800, "report-2", "pass")];
    const html = renderTimeline({ title: "barrier-demo", runs: [{ label: "board", events }] });
    const gates = [...html.matchAll(/<g class="barrier-pass" data-obj="barrier" data-t="([^"]*)" data-tasks="([^"]*)">([\s\S]*?)<\/g>/g)];
    expect(gates.map((g) => [g[1], g[2]])).toEqual([
      ["900", "report-3, report-1, report-2"],
      ["1800", "report-3, report-1, report-2"],
    ]);
    for (const g of gates) expect(g[3]!.match(/<circle /g)).toHaveLength(3);
    // The gate replaces the bunch of "who woke whom" arrows at one moment.
    expect(html).not.toContain(`<g class="wake"`);
    expect(html.match(/<rect class="pass-mark"/g)).toHaveLength(2);
    expect(html).toContain(`>3 pass</text>`);
    expect(html).toContain(`data-legend="pass"`);
    // Waiting at the Barrier is counted as arrivals, of as many as its pass lets through.
    expect(html).toContain(`>arrived</text>`);
    expect(html).toContain(`>1/3: report-1</text>`);
    expect(html).toContain(`>2/3: report-1, report-2</text>`);
    expect(renderTimeline({ title: "x", runs: [{ label: "board", events: lockTurns(2, 1, 10) }] })).not.toContain(`data-legend="pass"`);
  });

  it("a long primitive name is shown whole in smaller type before it is cut", () => {
    const ev = (t: number, type: string, obj: string, op: string): TraceEvent => ({ t, side: "board", task: "consumer", type, obj, op });
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events: [ev(0, "Lock", "Condition.lock", "acquire"), ev(10, "Lock", "Condition.lock", "release"), ev(20, "Lock", "a lock with a name far too long to fit", "acquire")] }] });
    const names = [...html.matchAll(/<text class="prim-label"[^>]*font-size="(\d+)"[^>]*>([^<]*)</g)].map((m) => [m[1], m[2]]);
    expect(names[0]).toEqual(["17", "Condition.lock"]);
    expect(names[1]![1]).toMatch(/^a lock with.*…$/);
  });

  it("labels an instant event at the right edge on its left instead of dropping the label", () => {
    const E = (t: number, task: string, op: string): TraceEvent => ({ t, side: "board", task, type: "Event", obj: "go", op });
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events: [E(0, "waiter", "wait"), E(1500, "setter", "set"), E(1500, "waiter", "wake"), E(2500, "main", "clear")] }] });
    const clear = /<path class="marker" d="M([\d.]+),[^"]*"[^>]*data-task="main"[\s\S]*?<text class="marker-text halo" x="([\d.]+)"[^>]*>clear<\/text>/.exec(html);
    expect(clear).not.toBeNull();
    expect(Number(clear![2])).toBeLessThan(Number(clear![1]));
  });

  it("says when: given, or left for the page to fill in from its file's date", () => {
    const events = lockTurns(2, 1, 10);
    expect(renderTimeline({ title: "x", when: "2026-12-02 05:49", runs: [{ label: "board", events }] })).toContain(`<span class="when"> · made 2026-12-02 05:49</span>`);
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events }] });
    expect(html).toContain(`<span class="when"></span>`);
    expect(html).toContain("document.lastModified");
    // What run and compare pass: when synccli started, to the minute, in local time.
    const started = new Date(2026, 11, 2, 5, 49, 30).getTime();
    expect(startedAt(started + 75_000, 75)).toBe("2026-12-02 05:49");
    expect(startedAt(new Date(2027, 0, 1, 0, 0, 5).getTime(), 10)).toBe("2026-12-31 23:59");
  });

  it("prints: landscape, colours kept, no sticky legend, no tooltip or cursor", () => {
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events: lockTurns(2, 1, 10) }] });
    const print = /@media print\{([\s\S]*?)\n\}/.exec(html)?.[1] ?? "";
    expect(html).toContain("@page{size:landscape");
    expect(print).toContain("print-color-adjust:exact");
    expect(print).toContain(".legend{position:static}");
    expect(print).toContain("#tip,svg.chart .cursor{display:none}");
  });

  it("waiting does not fade with the colour: every hatching's stripes and every waiting outline stay dark against white", () => {
    // Contrast against white as WCAG counts it.
    const contrast = (hex: string) => {
      const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : Math.pow((c / 255 + 0.055) / 1.055, 2.4));
      const v = parseInt(hex.slice(1), 16);
      const l = 0.2126 * lin((v >> 16) & 255) + 0.7152 * lin((v >> 8) & 255) + 0.0722 * lin(v & 255);
      return 1.05 / (l + 0.05);
    };
    // Eight primitives, one of each colour, each with a task waiting on it.
    const events: TraceEvent[] = [];
    for (let i = 0; i < 8; i++) events.push({ t: i, side: "board", task: `w${i}`, type: "Lock", obj: `l${i}`, op: "acquire" }, { t: i + 1, side: "board", task: `x${i}`, type: "Lock", obj: `l${i}`, op: "wait" });
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events }] });
    const stripes = [...html.matchAll(/<pattern id="hatch-\d"[^>]*><rect [^>]*\/><rect width="5" height="12" fill="(#[0-9a-f]{6})"/gi)].map((m) => m[1]!);
    expect(stripes).toHaveLength(8);
    for (const c of stripes) expect(contrast(c), c).toBeGreaterThanOrEqual(4);
    const edges = [...html.matchAll(/<rect class="(?:bar waiting|state waiters)[^"]*"[^>]*stroke="(#[0-9a-f]{6})"/gi)].map((m) => m[1]!);
    expect(edges.length).toBeGreaterThanOrEqual(16);
    for (const c of edges) expect(contrast(c), c).toBeGreaterThanOrEqual(7);
  });

  it("a long wait says how long it lasted; a short one just what it waits for", () => {
    const E = (t: number, task: string, op: string): TraceEvent => ({ t, side: "board", task, type: "Event", obj: "go", op });
    const html = renderTimeline({ title: "x", runs: [{ label: "board", events: [E(0, "waiter", "wait"), E(1510, "setter", "set"), E(1510, "waiter", "wake"), E(1400, "late", "wait"), E(1700, "setter", "set"), E(1700, "late", "wake"), E(2500, "main", "clear")] }] });
    const labels = [...html.matchAll(/<text class="bar-text halo"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(["waits for go (1510 ms)", "waits"]);
  });

  it("an instant event's label never lands on a bar's label in its lane", () => {
    // compare condition-demo --broken: each consumer is woken (set), clears the Event and at once waits again.
    const E = (t: number, task: string, op: string): TraceEvent => ({ t, side: "board", task, type: "Event", obj: "ready", op });
    const events = [E(0, "c", "wait"), E(600, "p", "set"), E(600, "c", "wake"), E(601, "c", "clear"), E(602, "c", "wait"), E(1200, "p", "set"), E(1200, "c", "wake"), E(1201, "c", "clear"), E(1202, "c", "wait"), E(1800, "p", "set"), E(1800, "c", "wake")];
    const html = renderTimeline({ title: "x", runs: [{ label: "broken", events }] });
    const lane = /<g class="lane" data-task="c">([\s\S]*?)<\/g>/.exec(html)![1]!;
    const spans = (re: RegExp) => [...lane.matchAll(re)].map((m) => ({ x: Number(m[1]), size: Number(m[2]), text: m[3]! }));
    const bars = spans(/<text class="bar-text[^"]*" x="([\d.]+)"[^>]*font-size="(\d+)"[^>]*>([^<]*)</g);
    const marks = spans(/<text class="marker-text[^"]*" x="([\d.]+)"[^>]*font-size="(\d+)"[^>]*>([^<]*)</g);
    expect(bars.length).toBeGreaterThanOrEqual(2);
    // Bold sans letters average well over half an em: a fair measure of where each label ends.
    const end = (l: { x: number; size: number; text: string }) => l.x + 0.6 * l.text.length * l.size;
    for (const m of marks) for (const b of bars) expect(end(m) <= b.x || m.x >= end(b), `${m.text} at ${m.x} on ${b.text} at ${b.x}`).toBe(true);
  });
  it("a broken run (no primitive) still gets its lanes: its tasks' printed lines, and the lost update shows", () => {
    const html = renderTimeline({ title: "lock-demo (broken)", runs: [{ label: "broken", events: [], lines: BROKEN_LOCK }] });
    expect(html).not.toContain("No events recorded");
    expect(html.match(/<svg class="chart"/g)).toHaveLength(1);
    const lanes = printedLanes(html);
    // main's introduction and verdict are about the whole run: no lane.
    expect(lanes.map((l) => l.task)).toEqual(["task-1", "task-2", "task-3"]);
    // Lines at the same moment (a write, then the next read) share one mark, in printed order.
    expect(lanes[0]!.marks.map((m) => m.t)).toEqual([3, 606, 1208, 1809]);
    expect(lanes[0]!.marks[1]!.lines).toEqual(["606 ms  writes counter = 1", "606 ms  reads counter = 1 (round 2, no lock)"]);
    const all = lanes.flatMap((l) => l.marks.flatMap((m) => m.lines.map((line) => ({ task: l.task, t: Number(line.split(" ")[0]), text: line.replace(/^\S+ ms {2}/, "") }))));
    expect(all).toHaveLength(18);
    // The race: every task reads 0 before any writes 1 back.
    const reads0 = all.filter((a) => a.text.startsWith("reads counter = 0"));
    const writes1 = all.filter((a) => a.text === "writes counter = 1");
    expect(reads0.map((a) => a.task)).toEqual(["task-1", "task-2", "task-3"]);
    expect(writes1.map((a) => a.task)).toEqual(["task-1", "task-2", "task-3"]);
    expect(Math.max(...reads0.map((a) => a.t))).toBeLessThan(Math.min(...writes1.map((a) => a.t)));
    // And it can be read without hovering: each lane says what it read first, and what it wrote last.
    for (const l of lanes) {
      expect(l.texts[0]).toMatch(/^reads (counter = |… )0$/);
      expect(l.texts.at(-1)).toMatch(/^writes (counter = |… )3$/);
    }
    expect(html).toContain(`data-legend="printed"`);
    // No trace, so no legend for what only a trace draws.
    expect(html).not.toContain(`data-legend="holding"`);
    expect(html).toContain("broken: 0 events, 3 tasks");
  });

  it("parsed lines ({ms, text}) give the same marks as the printed strings", () => {
    const parsed = BROKEN_LOCK.map((l) => {
      const m = /^\s*(\d+) ms {2}(\S+) +(.*)$/.exec(l)!;
      return { ms: Number(m[1]), text: `${m[2]} ${m[3]}` };
    });
    const marks = (lines: readonly (string | { ms: number; text: string })[]) => printedLanes(renderTimeline({ title: "x", runs: [{ label: "broken", events: [], lines }] }));
    expect(marks(parsed)).toEqual(marks(BROKEN_LOCK));
  });

  it("which lines are a task's: with a trace its tasks; without, tasks traced beside it or names on two lines or more, never main's", () => {
    const traced = [L(0, "task-1", "acquire"), L(500, "task-1", "release"), L(500, "task-2", "acquire"), L(900, "task-2", "release")];
    const lines = ["  10 ms  task-2  hello", "  20 ms  stray  once", "  30 ms  total: 5", "  40 ms  total: 6", "  50 ms  main  starts", "  60 ms  main  ends", "  70 ms  task-1  once", "  80 ms  zed  a", "  90 ms  zed  b", "no ms here task-1"];
    // Traced: only the trace's own tasks, however often another name prints.
    const one = printedLanes(renderTimeline({ title: "x", runs: [{ label: "fixed", events: traced, lines }] }));
    expect(one.map((l) => [l.task, l.marks.map((m) => m.t)])).toEqual([
      ["task-1", [70]],
      ["task-2", [10]],
    ]);
    // Not traced: lanes in the order they first printed; task-1 from the other run even once; zed on two lines; not stray, total:, main.
    const html = renderTimeline({ title: "x", runs: [{ label: "fixed", events: traced }, { label: "broken", events: [], lines }] });
    const second = /<section class="run" data-label="broken">[\s\S]*?<\/section>/.exec(html)![0];
    expect(printedLanes(second).map((l) => [l.task, l.marks.map((m) => m.t)])).toEqual([
      ["task-2", [10]],
      ["task-1", [70]],
      ["zed", [80, 90]],
    ]);
  });

  it("'No events recorded' stays when there is no event and no task's printed line", () => {
    const lines = ["    0 ms  main       starts", "  100 ms  main       done", "  50 ms  once  only", "Traceback (most recent call last):"];
    const html = renderTimeline({ title: "x", runs: [{ label: "broken", events: [], lines }] });
    expect(html).toContain("No events recorded");
    expect(html).not.toContain(`<svg class="chart"`);
    expect(html).not.toContain(`class="printed"`);
    // Beside a traced run, the empty one still says so.
    const two = renderTimeline({ title: "x", runs: [{ label: "fixed", events: lockTurns(2, 1, 10) }, { label: "broken", events: [], lines }] });
    expect(two).toContain("No events recorded in broken");
  });

  it("on a traced run, printed lines are small pins whose text keeps off the bars and every other label", () => {
    const events = lockTurns(3, 2, 500);
    // What lock-demo prints, a line at each acquire and release, and a few where a lane is empty.
    const lines = events.filter((e) => e.op !== "wait").map((e) => `${Math.round(e.t)} ms  ${e.task}  ${e.op === "acquire" ? "Acquired lock, reads counter" : "writes counter, Releasing lock"}`);
    const html = renderTimeline({ title: "x", runs: [{ label: "fixed", events, lines }] });
    expect(html).toContain(`data-legend="printed"`);
    const lanes = printedLanes(html);
    expect(lanes.map((l) => l.task)).toEqual(["task-1", "task-2", "task-3"]);
    for (const l of lanes) expect(l.marks.length).toBeGreaterThanOrEqual(3);
    const end = (x: number, size: number, text: string) => x + 0.6 * [...text].length * size;
    let shown = 0;
    for (const lane of html.match(/<g class="lane" data-task="[^"]*">[\s\S]*?(?=<g class="lane" |<g class="wake"|<line x1="0")/g)!) {
      const firstTrack = Number(/<rect class="bar [^"]*" x="[^"]*" y="([^"]*)"/.exec(lane)![1]);
      const bars = [...lane.matchAll(/<rect class="bar [^"]*" x="([^"]*)" y="([^"]*)" width="([^"]*)"/g)].filter((m) => Number(m[2]) === firstTrack).map((m) => [Number(m[1]), Number(m[1]) + Number(m[3])]);
      const labels = [...lane.matchAll(/<text class="(?:bar-text|marker-text)[^"]*" x="([\d.]+)"[^>]*font-size="(\d+)"[^>]*>([^<]*)</g)].map((m) => [Number(m[1]), end(Number(m[1]), Number(m[2]), m[3]!)]);
      const texts = [...lane.matchAll(/<text class="print-text[^"]*" x="([\d.]+)"[^>]*font-size="(\d+)"[^>]*>([^<]*)</g)];
      for (const t of texts) {
        const [a, b] = [Number(t[1]), end(Number(t[1]), Number(t[2]), t[3]!)];
        // Smaller than the bars' text, so the primitives stay what the eye goes to.
        expect(Number(t[2])).toBeLessThan(20);
        for (const [c, d] of [...bars, ...labels]) expect(b <= c! || a >= d!, `${t[3]} at ${a} on ${c}..${d}`).toBe(true);
        shown++;
      }
      // The pins stay above the bars: they reach no lower than the bar's top edge plus a little.
      for (const tick of lane.matchAll(/<line class="print-tick" [^>]*y1="([\d.]+)" y2="([\d.]+)"/g)) expect(Number(tick[2]) - Number(tick[1])).toBeLessThan(20);
    }
    // Where a lane has room after its last bar, the text is there, whole (task-1's last turn ends at 2001 ms of 3001).
    expect(shown).toBeGreaterThanOrEqual(1);
    expect(printedLanes(html)[0]!.texts).toEqual(["writes counter, Releasing lock"]);
  });
});

describe("long and dense runs", () => {
  /** 8 tasks over 16 s: at the page's width a hold is 6 px, too thin for any label. */
  const dense = (side: TraceEvent["side"] = "board", hold = 100) => lockTurns(8, 20, hold, side);
  /** The zoom levels of the page, in order, the one it opens at not hidden. */
  const levelsOf = (html: string) => [...html.matchAll(/<div class="zoom-level" data-zoom="(\d+)"( hidden)?>/g)].map((m) => ({ k: Number(m[1]), open: !m[2] }));
  /** What one level of the n-th run holds (a level has no div inside it). */
  const level = (html: string, k: number, n = 0) => [...html.matchAll(new RegExp(`<div class="zoom-level" data-zoom="${k}"[^>]*>([\\s\\S]*?)</div>`, "g"))][n]?.[1] ?? "";
  const count = (s: string, re: RegExp) => s.match(re)?.length ?? 0;
  const viewWidth = (svg: string) => Number(/<svg class="chart"[^>]* viewBox="0 0 ([\d.]+) /.exec(svg)?.[1]);

  it("is laid out at 1, 2, 4 … times the page's width, and opens where its bars read as bars", () => {
    const html = renderTimeline({ title: "dense", runs: [{ label: "board", events: dense() }] });
    expect(levelsOf(html)).toEqual([1, 2, 4, 8, 16].map((k) => ({ k, open: k === 4 })));
    // Laid out again, not stretched: the plot is k times as wide, the names beside it as wide as ever.
    for (const k of [1, 2, 4, 8, 16]) expect(viewWidth(level(html, k))).toBe(1280 + 952 * (k - 1));
    expect(html).toContain(`<span class="zoom-now" aria-live="polite">×4</span>`);
    expect(html).toContain(`data-zoom-step="1"`);
  });

  it("the wider it is laid out, the more labels: at the widest every hold and every holder is named", () => {
    const html = renderTimeline({ title: "dense", runs: [{ label: "board", events: dense() }] });
    const fit = level(html, 1);
    const widest = level(html, 16);
    const holds = count(widest, /<rect class="bar holding/g);
    expect(holds).toBe(160);
    expect(count(fit, /<rect class="bar holding/g)).toBe(160);
    expect(count(fit, />holds lock<|>lock<\/text>/g)).toBe(0);
    expect(count(widest, /<text class="bar-text"[^>]*>(holds )?lock</g)).toBe(holds);
    expect(count(widest, /<text class="bar-text halo"[^>]*>waits for lock \(/g)).toBeGreaterThan(150);
    // The lock's row names its holder, turn by turn: nowhere at the page's width, every turn at the widest.
    expect(count(fit, /class="state-text holder-text"/g)).toBe(0);
    const holders = [...widest.matchAll(/class="state-text holder-text"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(holders).toHaveLength(160);
    expect(holders.slice(0, 9)).toEqual(["task-1", "task-2", "task-3", "task-4", "task-5", "task-6", "task-7", "task-8", "task-1"]);
  });

  it("a wider level has a names column to stay in view while the plot scrolls, and the time along its top too", () => {
    const html = renderTimeline({ title: "dense", runs: [{ label: "board", events: dense() }] });
    expect(level(html, 1)).not.toContain(`<svg class="names"`);
    expect(level(html, 1)).not.toContain("top-tick");
    for (const k of [2, 16]) {
      const names = /<svg class="names"[\s\S]*?<\/svg>/.exec(level(html, k))?.[0] ?? "";
      expect([...names.matchAll(/class="name-label"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(Array.from({ length: 8 }, (_, i) => `task-${i + 1}`));
      expect(names).toContain(`class="prim-label"`);
      expect(names).toContain(">held by</text>");
      expect(count(level(html, k), /class="tick-label top-tick/g)).toBe(count(level(html, k), /class="tick-label"/g));
    }
  });

  it("short runs stay as they were: one picture at the page's width, no zoom", () => {
    for (const events of [
      lockTurns(3, 3, 500),
      // A hold within one tick is a sliver at any width: no reason to zoom a run that is not crowded.
      [L(0, "a", "acquire"), L(0.3, "a", "release"), L(1, "b", "acquire"), L(2500, "b", "release"), L(2600, "a", "acquire"), L(5000, "a", "release")],
    ]) {
      const html = renderTimeline({ title: "short", runs: [{ label: "board", events }] });
      expect(html).not.toContain(`class="zoom-level"`);
      expect(html).not.toContain('data-zoom-step="');
      expect(html).not.toContain(`<svg class="names"`);
      expect(html.match(/<svg class="chart"/g)).toHaveLength(1);
      expect(viewWidth(html)).toBe(1280);
    }
  });

  it("compare: both runs at the same widths, on one axis each, with less air so both fit a projector", () => {
    const one = renderTimeline({ title: "one", runs: [{ label: "board", events: dense() }] });
    const html = renderTimeline({ title: "two", runs: [{ label: "board", events: dense() }, { label: "host", events: dense("host", 101) }] });
    const ks = levelsOf(html).map((l) => l.k);
    expect(ks.slice(0, ks.length / 2)).toEqual(ks.slice(ks.length / 2));
    for (const k of ks.slice(0, ks.length / 2)) {
      expect(viewWidth(level(html, k, 0))).toBe(viewWidth(level(html, k, 1)));
      const ticks = (svg: string) => [...svg.matchAll(/class="tick-label"[^>]*x="([^"]*)"[^>]*>([^<]*)</g)].map((m) => `${m[1]}:${m[2]}`).join(" ");
      expect(ticks(level(html, k, 0))).toBe(ticks(level(html, k, 1)));
    }
    const laneH = (s: string) => Number(/<rect class="lane-bg" x="0" y="[^"]*" width="[^"]*" height="([^"]*)"/.exec(s)?.[1]);
    expect(laneH(html)).toBeLessThan(laneH(one) * 0.8);
    expect(laneH(html)).toBeGreaterThanOrEqual(40);
  });

  it("never wider than 32 times the page, however short the bars", () => {
    expect(zoomLevels({ perBar: 10, short: 0.5 }, 3_600_000).levels).toEqual([1, 2, 4, 8, 16, 32]);
    expect(zoomLevels({ perBar: 10, short: 0.5 }, 3_600_000).open).toBe(32);
    expect(zoomLevels({ perBar: null, short: null }, 1000).levels).toEqual([1]);
  });

  it("prints the picture that fits the page, without the zoom buttons", () => {
    const html = renderTimeline({ title: "dense", runs: [{ label: "board", events: dense() }] });
    const print = /@media print\{([\s\S]*?)\n\}/.exec(html)?.[1] ?? "";
    expect(print).toContain(`.zoom-level{display:none !important}`);
    expect(print).toContain(`.zoom-level[data-zoom="1"]{display:block !important`);
    expect(print).toContain(`.zoom{display:none}`);
  });
});
