// The host machines of src/transport/protocol.ts replayed against byte
// transcripts recorded from the virtual board (test/transport/transcripts/,
// made by record-transcripts.mjs). Each device->host stream is fed in one
// chunk, split at every byte boundary, one byte at a time and in random
// chunkings; the writes, output, noise and result must be exactly the expected
// ones every time. Expectations are written out here, not taken from the
// recording of what the host did.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EnterRawRepl, Exec, SoftReset, type Action, type OpResult, type Operation } from "../../src/transport/protocol.js";
import { mulberry32 } from "../helpers/random.js";

const here = dirname(fileURLToPath(import.meta.url));

type Step = { write: string } | { pause: number };

interface Fixture {
  name: string;
  op: "enter-raw" | "exec" | "soft-reset";
  sim: { window?: number; rawPaste?: string; abortPasteAfter?: number; garbageOnOpen?: number };
  code?: string;
  execOptions?: { rawPaste?: boolean };
  device: string;
  host: Step[];
  received: string;
}

function load(name: string): Fixture {
  return JSON.parse(readFileSync(join(here, "transcripts", `${name}.json`), "utf8")) as Fixture;
}

const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));
const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");
const text = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const str = (u: Uint8Array) => Buffer.from(u).toString("latin1");

function makeOp(f: Fixture): Operation {
  if (f.op === "enter-raw") return new EnterRawRepl();
  if (f.op === "soft-reset") return new SoftReset();
  return new Exec(f.code!, f.execOptions ?? {});
}

interface Summary {
  steps: Step[];
  stdout: string;
  stderr: string;
  noise: string;
  results: OpResult[];
}

function summarize(actions: Action[]): Summary {
  const s: Summary = { steps: [], stdout: "", stderr: "", noise: "", results: [] };
  for (const a of actions) {
    if (a.type === "write") s.steps.push({ write: hex(a.data) });
    else if (a.type === "pause") s.steps.push({ pause: a.ms });
    else if (a.type === "stdout") s.stdout += str(a.data);
    else if (a.type === "stderr") s.stderr += str(a.data);
    else if (a.type === "noise") s.noise += str(a.data);
    else s.results.push(a.result);
  }
  return s;
}

/** Feeds `chunks` to a fresh operation; returns all actions (start's first) and the ones per chunk. */
function replay(f: Fixture, chunks: Uint8Array[]) {
  const op = makeOp(f);
  const all: Action[] = [...op.start()];
  const per: Action[][] = [];
  for (const c of chunks) {
    const acts = op.receive(c);
    per.push(acts);
    all.push(...acts);
  }
  return { op, all, per };
}

const oneByOne = (d: Uint8Array) => Array.from(d, (b) => Uint8Array.of(b));

function randomChunks(d: Uint8Array, rnd: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < d.length) {
    const n = 1 + Math.floor(rnd() * Math.min(24, d.length - i));
    out.push(d.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Index of the chunk that completes the stream (trailing chunks are empty). */
function completing(chunks: Uint8Array[]): number {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let fed = 0;
  for (let c = 0; c < chunks.length; c++) if ((fed += chunks[c].length) === total) return c;
  throw new Error("unreachable");
}

/** The operation finished with the last byte, in that chunk, and said nothing after. */
function expectDoneAtEnd(label: string, chunks: Uint8Array[], per: Action[][], result: OpResult) {
  const at = completing(chunks);
  per.forEach((acts, c) => {
    if (c === at) expect(acts[acts.length - 1], label).toEqual({ type: "done", result });
    else expect(acts.some((a) => a.type === "done"), label).toBe(false);
    if (c > at) expect(acts, label).toEqual([]);
  });
}

const EVERY_CHUNKING = "in one chunk, split at every byte, byte by byte, 50 random chunkings";

/** Every way of feeding the stream this suite checks. */
function chunkings(d: Uint8Array): { label: string; chunks: Uint8Array[] }[] {
  const ways: { label: string; chunks: Uint8Array[] }[] = [
    { label: "one chunk", chunks: [d.slice()] },
    { label: "one byte at a time", chunks: oneByOne(d) },
  ];
  for (let p = 0; p <= d.length; p++) ways.push({ label: `split at ${p}`, chunks: [d.slice(0, p), d.slice(p)] });
  const rnd = mulberry32(d.length * 7919 + 1);
  for (let k = 0; k < 50; k++) ways.push({ label: `random chunking #${k}`, chunks: randomChunks(d, rnd) });
  return ways;
}

// --- expectations, written out -------------------------------------------

const RAW_PROMPT = "raw REPL; CTRL-B to exit\r\n>";
const PASTE_REQUEST: Step = { write: "054101" };
const EOT: Step = { write: "04" };

/** Raw-paste: the window as soon as it is known, one window per credit, then Ctrl-D. */
function pasteSteps(code: string, window: number): Step[] {
  const steps: Step[] = [PASTE_REQUEST];
  for (let i = 0; i < code.length; i += window) steps.push({ write: hex(text(code.slice(i, i + window))) });
  steps.push(EOT);
  return steps;
}

/** Plain raw mode: 256-byte chunks 10 ms apart, then Ctrl-D. */
function rawSteps(code: string): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < code.length; i += 256) {
    if (i > 0) steps.push({ pause: 10 });
    steps.push({ write: hex(text(code.slice(i, i + 256))) });
  }
  steps.push(EOT);
  return steps;
}

interface ExecExpect {
  steps: Step[];
  stdout: string;
  stderr: string;
  mode: "raw-paste" | "raw";
  pasteAborted: boolean;
  /** Raw-paste window in bytes, when the code went by raw-paste. */
  window?: number;
}

const TRACEBACK_BOOM = 'Traceback (most recent call last):\r\n  File "<stdin>", line 2, in <module>\r\nValueError: boom\r\n';
const TRACEBACK_ABORT = "Traceback (most recent call last):\r\nKeyboardInterrupt: raw-paste aborted by the board\r\n";

const execCases: Record<string, (code: string) => ExecExpect> = {
  "exec-paste": (code) => ({
    steps: pasteSteps(code, 128),
    stdout: "line 0\nline 1\nline 2\nend\n",
    stderr: "",
    mode: "raw-paste",
    pasteAborted: false,
    window: 128,
  }),
  "exec-paste-small-window": (code) => ({
    steps: pasteSteps(code, 16),
    stdout: "small window\n",
    stderr: "",
    mode: "raw-paste",
    pasteAborted: false,
    window: 16,
  }),
  "exec-raise": (code) => ({
    steps: pasteSteps(code, 128),
    stdout: "before\n",
    stderr: TRACEBACK_BOOM,
    mode: "raw-paste",
    pasteAborted: false,
    window: 128,
  }),
  "exec-raw-fallback": (code) => ({
    steps: [PASTE_REQUEST, ...rawSteps(code)],
    stdout: "fallback\n",
    stderr: "",
    mode: "raw",
    pasteAborted: false,
  }),
  "exec-raw-forced": (code) => ({ steps: rawSteps(code), stdout: "forced raw\n", stderr: "", mode: "raw", pasteAborted: false }),
  "exec-legacy": (code) => ({
    steps: [PASTE_REQUEST, ...rawSteps(code)],
    stdout: "legacy\n",
    stderr: "",
    mode: "raw",
    pasteAborted: false,
  }),
  "exec-paste-abort": (code) => ({
    // Two windows (the window plus the board's initial credit) were out when
    // the board cut the transfer; the host acknowledges with Ctrl-D.
    steps: [PASTE_REQUEST, { write: hex(text(code.slice(0, 128))) }, { write: hex(text(code.slice(128, 256))) }, EOT],
    stdout: "",
    stderr: TRACEBACK_ABORT,
    mode: "raw-paste",
    pasteAborted: true,
    window: 128,
  }),
};

function concatSteps(steps: Step[]): string {
  return steps.map((s) => ("write" in s ? s.write : "")).join("");
}

describe("recorded transcripts are what the scenarios say", () => {
  it("exec fixtures carry the code sizes the scenarios use", () => {
    expect(load("exec-paste").code).toHaveLength(600);
    expect(load("exec-paste-small-window").code).toHaveLength(100);
    expect(load("exec-raw-fallback").code).toHaveLength(600);
    expect(load("exec-legacy").code).toHaveLength(300);
    expect(load("exec-paste-abort").code).toHaveLength(300);
    expect(load("exec-raise").code).toBe("print('before')\nraise ValueError('boom')\n");
  });

  it("the board's answers have the documented shape", () => {
    const dev = (n: string) => str(fromHex(load(n).device));
    expect(dev("enter-raw")).toBe("\r\n>>> ".repeat(4) + "\r\n" + RAW_PROMPT);
    expect(dev("exec-raw-forced")).toBe("OKforced raw\n\x04\x04>");
    expect(dev("exec-raw-fallback")).toBe("R\x00OKfallback\n\x04\x04>");
    expect(dev("exec-legacy")).toBe(RAW_PROMPT + "OKlegacy\n\x04\x04>");
    // window 128 = 80 00, then the initial credit and one per 128 bytes received
    expect(dev("exec-paste")).toBe("R\x01\x80\x00" + "\x01".repeat(5) + "\x04line 0\nline 1\nline 2\nend\n\x04\x04>");
    expect(dev("exec-paste-small-window")).toBe("R\x01\x10\x00" + "\x01".repeat(7) + "\x04small window\n\x04\x04>");
    expect(dev("exec-raise")).toBe("R\x01\x80\x00\x01\x04before\n\x04" + TRACEBACK_BOOM + "\x04>");
    expect(dev("exec-paste-abort")).toBe("R\x01\x80\x00\x01\x04\x04" + TRACEBACK_ABORT + "\x04>");
    expect(dev("soft-reset")).toBe("OK\r\nMPY: soft reboot\r\n" + RAW_PROMPT);
    const garbage = fromHex(load("enter-raw-garbage").device);
    expect(garbage.length).toBe(64 + fromHex(load("enter-raw").device).length);
    expect(Array.from(garbage.subarray(0, 64)).every((b) => b >= 0x80)).toBe(true);
    expect(str(garbage.subarray(64))).toBe(dev("enter-raw"));
  });
});

describe.each(["enter-raw", "enter-raw-garbage"])("EnterRawRepl on transcript %s", (name) => {
  const f = load(name);
  const device = fromHex(f.device);
  const expectedNoise = str(device.subarray(0, device.length - RAW_PROMPT.length));
  const steps: Step[] = [{ write: "0d0303" }, { pause: 100 }, { write: "0d01" }];

  it("writes \\r^C^C, drains, writes \\r^A (as recorded on the wire)", () => {
    expect(summarize(new EnterRawRepl().start()).steps).toEqual(steps);
    expect(f.host).toEqual(steps);
    expect(f.received).toBe(concatSteps(steps));
  });

  it(`${EVERY_CHUNKING}: everything before the raw prompt is noise, then done`, () => {
    for (const { label, chunks } of chunkings(device)) {
      const { op, all, per } = replay(f, chunks);
      expect(summarize(all), label).toEqual({ steps, stdout: "", stderr: "", noise: expectedNoise, results: [{}] });
      expect(op.finished, label).toBe(true);
      expect(op.awaitingReply(), label).toBe(false);
      // done comes with the chunk holding the prompt's last byte, and last
      expectDoneAtEnd(label, chunks, per, {});
    }
  });

  it("is awaiting a reply until the very last byte", () => {
    const op = new EnterRawRepl();
    op.start();
    for (let k = 0; k < device.length; k++) {
      expect(op.awaitingReply()).toBe(true);
      expect(op.finished).toBe(false);
      op.receive(device.subarray(k, k + 1));
    }
    expect(op.finished).toBe(true);
    expect(op.awaitingReply()).toBe(false);
  });

  it("later bytes are noise and do not finish it again", () => {
    const { op } = replay(f, [device]);
    expect(op.receive(text("\r\n>>> x"))).toEqual([{ type: "noise", data: text("\r\n>>> x") }]);
    expect(op.receive(text(RAW_PROMPT))).toEqual([{ type: "noise", data: text(RAW_PROMPT) }]);
    expect(op.finished).toBe(true);
  });
});

describe("SoftReset on transcript soft-reset", () => {
  const f = load("soft-reset");
  const device = fromHex(f.device);
  const steps: Step[] = [EOT];

  it("writes one Ctrl-D (as recorded on the wire)", () => {
    expect(summarize(new SoftReset().start()).steps).toEqual(steps);
    expect(f.host).toEqual(steps);
    expect(f.received).toBe("04");
  });

  it(`${EVERY_CHUNKING}: OK and the MPY: prefix are noise, done after the prompt`, () => {
    for (const { label, chunks } of chunkings(device)) {
      const { op, all, per } = replay(f, chunks);
      expect(summarize(all), label).toEqual({ steps, stdout: "", stderr: "", noise: "OK\r\nMPY: ", results: [{}] });
      expect(op.finished, label).toBe(true);
      expectDoneAtEnd(label, chunks, per, {});
    }
  });

  it("a raw prompt before 'soft reboot' does not finish it", () => {
    const op = new SoftReset();
    op.start();
    expect(summarize(op.receive(text(RAW_PROMPT))).results).toEqual([]);
    expect(op.finished).toBe(false);
    op.receive(device);
    expect(op.finished).toBe(true);
  });
});

describe.each(Object.keys(execCases))("Exec on transcript %s", (name) => {
  const f = load(name);
  const device = fromHex(f.device);
  const want = execCases[name](f.code!);
  const result: OpResult = { stderr: text(want.stderr), mode: want.mode, pasteAborted: want.pasteAborted };
  // The tail of every exec reply: stdout ^D stderr ^D >
  const stdoutStart = device.length - 3 - want.stderr.length - want.stdout.length;
  const promptAt = device.length - 1;

  it("the recording matches the expected wire bytes", () => {
    expect(str(device.subarray(stdoutStart))).toBe(`${want.stdout}\x04${want.stderr}\x04>`);
    expect(f.host).toEqual(want.steps);
    expect(f.received).toBe(concatSteps(want.steps));
  });

  it(`${EVERY_CHUNKING}: exact writes, output and result; output streams chunk by chunk`, () => {
    for (const { label, chunks } of chunkings(device)) {
      const { op, all, per } = replay(f, chunks);
      expect(summarize(all), label).toEqual({ steps: want.steps, stdout: want.stdout, stderr: want.stderr, noise: "", results: [result] });
      expect(op.finished, label).toBe(true);
      expect(op.awaitingReply(), label).toBe(false);
      // Streaming: after each chunk, exactly the output it completed has been
      // delivered. The exception is held until the prompt confirms it (the
      // \x04 before it might have been the program's own output), then given whole.
      let fed = 0;
      let out = "";
      let err = "";
      const at = completing(chunks);
      for (let c = 0; c < chunks.length; c++) {
        fed += chunks[c].length;
        const s = summarize(per[c]);
        out += s.stdout;
        err += s.stderr;
        expect(out, `${label}, after ${fed} bytes`).toBe(want.stdout.slice(0, Math.max(0, fed - stdoutStart)));
        expect(err, `${label}, after ${fed} bytes`).toBe(c >= at ? want.stderr : "");
      }
      // done is the last action of the chunk with the prompt, after all output
      expectDoneAtEnd(label, chunks, per, result);
    }
  });

  it("byte by byte: output streams before done; not awaiting a reply while the code prints (stdout)", () => {
    const op = makeOp(f);
    op.start();
    let out = "";
    for (let k = 0; k <= device.length; k++) {
      // k bytes consumed so far
      expect(op.awaitingReply(), `after ${k} bytes`).toBe(k < stdoutStart || (k > stdoutStart + want.stdout.length && k <= promptAt));
      expect(op.finished).toBe(k === device.length);
      if (k === device.length) break;
      const s = summarize(op.receive(device.subarray(k, k + 1)));
      out += s.stdout;
      expect(out).toBe(want.stdout.slice(0, Math.max(0, k + 1 - stdoutStart)));
      if (k >= stdoutStart && k < stdoutStart + want.stdout.length) expect(s.stdout).toBe(want.stdout[k - stdoutStart]);
    }
  });

  if (want.window !== undefined)
  it("raw-paste: never more code out than the window plus granted credits, and no less", () => {
    const window = want.window!;
    const code = text(f.code!);
    const op = makeOp(f);
    op.start();
    // bytes 0..3 are R \x01 and the window; then credits until the board's \x04
    expect(str(device.subarray(0, 2))).toBe("R\x01");
    expect(device[2] | (device[3] << 8)).toBe(window);
    let credits = 0;
    let written = 0;
    let ended = false;
    for (let k = 0; k < device.length; k++) {
      const b = device[k];
      const inPaste = k >= 4 && !ended;
      if (inPaste && b === 0x01) credits++;
      for (const a of op.receive(device.subarray(k, k + 1))) {
        if (a.type !== "write") continue;
        if (a.data.length === 1 && a.data[0] === 0x04) continue;
        written += a.data.length;
        // exactly the next bytes of the code
        expect(hex(a.data)).toBe(hex(code.subarray(written - a.data.length, written)));
      }
      if (k >= 3 && !ended) {
        expect(written, `after byte ${k}`).toBeLessThanOrEqual(window * (1 + credits));
        if (!want.pasteAborted) expect(written, `after byte ${k}`).toBe(Math.min(code.length, window * (1 + credits)));
      } else if (k < 3) expect(written).toBe(0);
      if (inPaste && b === 0x04) ended = true;
    }
    expect(ended).toBe(true);
  });
});

describe("Exec on transcripts: the paste abort is acknowledged exactly once", () => {
  it("one Ctrl-D after the board's \\x04, nothing else afterwards", () => {
    const f = load("exec-paste-abort");
    const device = fromHex(f.device);
    const op = makeOp(f);
    op.start();
    const writesAt: number[] = [];
    for (let k = 0; k < device.length; k++)
      for (const a of op.receive(device.subarray(k, k + 1))) if (a.type === "write") writesAt.push(k);
    // window bytes complete at 3 (first window), credit at 4 (second), board's abort at 5
    expect(writesAt).toEqual([3, 4, 5]);
  });
});
