// Fuzzing the raw-REPL machines with seeded random input: random byte streams
// (built from protocol fragments and plain random bytes) and mutated recorded
// transcripts, each fed in several random chunkings. The host machines may only
// ever throw ProtocolError, must give the same answer however the stream is
// cut, must stay finished once finished, and must only ever write the request,
// the code in order and Ctrl-D. The board machine must never throw.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DeviceProtocol, type DeviceAction } from "../../src/transport/device.js";
import { EnterRawRepl, Exec, ProtocolError, SoftReset, type Action, type OpResult, type Operation } from "../../src/transport/protocol.js";
import { mulberry32 } from "../helpers/random.js";

const here = dirname(fileURLToPath(import.meta.url));

type Rnd = () => number;
const int = (rnd: Rnd, n: number) => Math.floor(rnd() * n);

const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));
const str = (u: Uint8Array) => Buffer.from(u).toString("latin1");
const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");

const RAW_PROMPT = "raw REPL; CTRL-B to exit\r\n>";
const SOFT_REBOOT = "soft reboot\r\n";

/** Pieces of what boards really say, so random streams get deep into the machines. */
const FRAGMENTS = [
  "R\x01",
  "R\x00",
  "\x80\x00",
  "\x01\x00",
  "\x02\x00",
  "\x00\x00",
  "\x01",
  "\x01\x01\x01",
  "\x04",
  "\x04\x04>",
  ">",
  "OK",
  "ra",
  "w REPL; CTRL-B to exit\r\n>",
  RAW_PROMPT,
  "raw REPL; CTRL",
  "soft reboot\r\n",
  "MPY: soft reboot\r\n",
  "soft reb",
  "hello\n",
  "Traceback (most recent call last):\r\n",
  "\r\n>>> ",
];

function randomStream(rnd: Rnd): Uint8Array {
  const parts: number[] = [];
  const n = int(rnd, 16);
  for (let k = 0; k < n; k++) {
    const r = rnd();
    if (r < 0.6) for (const b of latin1(FRAGMENTS[int(rnd, FRAGMENTS.length)])) parts.push(b);
    else if (r < 0.8) parts.push(int(rnd, 256));
    else for (let j = int(rnd, 20); j > 0; j--) parts.push(int(rnd, 256));
  }
  return Uint8Array.from(parts);
}

function randomChunks(d: Uint8Array, rnd: Rnd): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < d.length) {
    const n = rnd() < 0.1 ? 0 : 1 + int(rnd, Math.min(12, d.length - i));
    out.push(d.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Printable code with newlines: no control bytes, so the writes can be parsed back. */
function randomCode(rnd: Rnd): Uint8Array {
  const n = rnd() < 0.1 ? 0 : int(rnd, rnd() < 0.8 ? 300 : 1200);
  const code = new Uint8Array(n);
  for (let i = 0; i < n; i++) code[i] = rnd() < 0.05 ? 0x0a : 0x20 + int(rnd, 95);
  return code;
}

/** A well-formed answer from a board to an Exec of `code`, in one of the ways boards answer. */
function plausibleReply(rnd: Rnd, code: Uint8Array, rawPaste: boolean): Uint8Array {
  const out = `hello ${int(rnd, 1000)}\n`.repeat(int(rnd, 3));
  const err = rnd() < 0.3 ? "Traceback (most recent call last):\r\nValueError: x\r\n" : "";
  const tail = `${out}\x04${err}\x04>`;
  if (!rawPaste) return latin1("OK" + tail);
  const r = rnd();
  if (r < 0.15) return latin1("R\x00OK" + tail);
  if (r < 0.25) return latin1("ra" + "w REPL; CTRL-B to exit\r\n>" + "OK" + tail);
  const w = 1 + int(rnd, rnd() < 0.5 ? 4 : 300);
  const windows = Math.ceil(code.length / w);
  const abort = r < 0.4 && windows > 1;
  const credits = abort ? int(rnd, windows - 1) : Math.max(0, windows - 1) + int(rnd, 3);
  return Uint8Array.from([...latin1("R\x01"), w & 0xff, w >> 8, ...latin1("\x01".repeat(credits) + "\x04" + tail)]);
}

type Kind = "enter-raw" | "soft-reset" | "exec-paste" | "exec-raw";

interface Outcome {
  writes: string;
  pauses: number[];
  stdout: string;
  stderr: string;
  noise: string;
  result: OpResult | undefined;
  finished: boolean;
  error: string | undefined;
}

/**
 * Feeds the chunks, checking on every call what must hold whatever the
 * input; returns what came out. Stops at the first ProtocolError (the board
 * driver abandons the operation then).
 */
function feed(op: Operation, chunks: Uint8Array[], codeLength: number): Outcome {
  const o: Outcome = { writes: "", pauses: [], stdout: "", stderr: "", noise: "", result: undefined, finished: false, error: undefined };
  const take = (actions: Action[]) => {
    for (const a of actions) {
      if (a.type === "write") {
        must(a.data.length > 0, "an empty write");
        o.writes += hex(a.data);
      } else if (a.type === "pause") o.pauses.push(a.ms);
      else if (a.type === "stdout") o.stdout += str(a.data);
      else if (a.type === "stderr") o.stderr += str(a.data);
      else if (a.type === "noise") o.noise += str(a.data);
      else {
        must(o.result === undefined, "a second done");
        o.result = a.result;
      }
    }
  };
  take(op.start());
  must(!op.finished, "finished before any input");
  for (const chunk of chunks) {
    const was = op.finished;
    let actions: Action[];
    try {
      actions = op.receive(chunk);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      must(!was, "threw after finishing");
      o.error = err.message;
      break;
    }
    // Bounded work per call: a few actions per byte, plus sending all the code at once.
    must(actions.length <= 3 * chunk.length + 2 * Math.ceil(codeLength / 256) + 4, `${actions.length} actions for ${chunk.length} bytes`);
    if (was) {
      // Finished stays finished, and whatever comes later is noise, all of it.
      const asNoise = actions.length === 1 && actions[0].type === "noise" && str(actions[0].data) === str(chunk);
      must(chunk.length ? asNoise : actions.length === 0, "after finishing, input must come back as noise");
    }
    take(actions);
    must(op.finished === (o.result !== undefined), "finished exactly when done was reported");
    if (op.finished) must(!op.awaitingReply(), "awaiting a reply when finished");
  }
  o.finished = op.finished;
  return o;
}

/** A cheap assertion for the hot loops (expect() per call would dominate the run time). */
function must(cond: boolean, what: string): asserts cond {
  if (!cond) throw new Error(what);
}

function makeOp(kind: Kind, code: Uint8Array): Operation {
  switch (kind) {
    case "enter-raw":
      return new EnterRawRepl();
    case "soft-reset":
      return new SoftReset();
    case "exec-paste":
      return new Exec(code);
    case "exec-raw":
      return new Exec(code, { rawPaste: false });
  }
}

/** Removes the first occurrence of `needle` at or after `from`; undefined when absent. */
function cut(hay: string, needle: string, from = 0): [string, number] | undefined {
  const at = hay.indexOf(needle, from);
  return at < 0 ? undefined : [hay.slice(0, at) + hay.slice(at + needle.length), at];
}

/** What must hold for one kind of operation, given the whole stream it was fed. */
function checkSemantics(kind: Kind, stream: Uint8Array, code: Uint8Array, o: Outcome) {
  const s = str(stream);
  if (kind === "enter-raw") {
    expect(o.writes).toBe("0d0303" + "0d01");
    expect(o.error).toBeUndefined();
    const c = cut(s, RAW_PROMPT);
    if (c) {
      expect(o.finished).toBe(true);
      expect(o.noise).toBe(c[0]);
    } else {
      expect(o.finished).toBe(false);
      // Only a possible start of the prompt is held back.
      expect(s.startsWith(o.noise)).toBe(true);
      expect(s.length - o.noise.length).toBeLessThan(RAW_PROMPT.length);
      expect(RAW_PROMPT.startsWith(s.slice(o.noise.length))).toBe(true);
    }
    return;
  }
  if (kind === "soft-reset") {
    expect(o.writes).toBe("04");
    expect(o.error).toBeUndefined();
    const a = cut(s, SOFT_REBOOT);
    const b = a && cut(a[0], RAW_PROMPT, a[1]);
    if (b) {
      expect(o.finished).toBe(true);
      expect(o.noise).toBe(b[0]);
    } else {
      expect(o.finished).toBe(false);
      // before the marker everything but a possible start of it; after it, the same for the prompt
      expect((a ? a[0] : s).startsWith(o.noise)).toBe(true);
    }
    return;
  }
  // Exec: the host only ever writes [request] code-prefix [Ctrl-D].
  const request = kind === "exec-paste" ? "054101" : "";
  expect(o.writes.startsWith(request)).toBe(true);
  let rest = o.writes.slice(request.length);
  // The code has no control bytes, so a final 04 can only be Ctrl-D.
  const eot = rest.slice(-2) === "04";
  if (eot) rest = rest.slice(0, -2);
  // Plain raw mode sends empty code as a newline: a lone Ctrl-D would soft-reset.
  if (code.length === 0 && rest === "0a") rest = "";
  expect(hex(code).startsWith(rest), "writes are the code, in order").toBe(true);
  const sent = rest.length / 2;
  if (o.result) {
    expect(eot).toBe(true);
    expect(o.result.mode === "raw" || o.result.mode === "raw-paste").toBe(true);
    expect(str(o.result.stderr!)).toBe(o.stderr);
    if (!o.result.pasteAborted) expect(sent).toBe(code.length);
    if (o.result.mode === "raw") expect(o.result.pasteAborted).toBe(false);
  }
  if (kind === "exec-raw") {
    expect(sent).toBe(code.length);
    expect(eot).toBe(true);
  }
  // Raw-paste flow control, from the stream: window, then credits until anything else.
  if (kind === "exec-paste" && s.startsWith("R\x01") && s.length >= 4) {
    const window = stream[2] | (stream[3] << 8);
    if (window > 0) {
      let credits = 0;
      for (let i = 4; i < stream.length && stream[i] === 0x01; i++) credits++;
      expect(sent).toBeLessThanOrEqual(window * (1 + credits));
      if (o.error === undefined && !o.result?.pasteAborted) expect(sent).toBe(Math.min(code.length, window * (1 + credits)));
    }
  }
  if (kind === "exec-paste" && !s.startsWith("R\x01") && !s.startsWith("R\x00") && !s.startsWith("ra") && s.length >= 2) {
    // An error, or bytes held as the possible start of a reset's ROM banner: then nothing sent or ended.
    if (o.error === undefined) expect([o.result, sent, o.finished], "an unknown answer to the paste request").toEqual([undefined, 0, false]);
  }
  // stdout, stderr and noise are bytes of the stream, in order, never invented.
  expect(isSubsequence(o.stdout, s) && isSubsequence(o.stderr, s) && isSubsequence(o.noise, s)).toBe(true);
}

function isSubsequence(a: string, b: string): boolean {
  let j = 0;
  for (let i = 0; i < b.length && j < a.length; i++) if (a[j] === b[i]) j++;
  return j === a.length;
}

/** One case: the same stream in one chunk, byte by byte, and two random chunkings must agree. */
function runCase(kind: Kind, stream: Uint8Array, code: Uint8Array, rnd: Rnd) {
  const ways = [[stream.slice()], randomChunks(stream, rnd), randomChunks(stream, rnd)];
  if (stream.length <= 64) ways.push(Array.from(stream, (b) => Uint8Array.of(b)));
  const outcomes = ways.map((chunks) => feed(makeOp(kind, code), chunks, code.length));
  const [first, ...others] = outcomes;
  checkSemantics(kind, stream, code, first);
  for (const o of others) {
    expect(!!o.error).toBe(!!first.error);
    if (first.error) expect(o.error).toBe(first.error);
    else expect(o).toEqual(first);
  }
  return first;
}

const KINDS: Kind[] = ["enter-raw", "soft-reset", "exec-paste", "exec-raw"];

describe("host machines on random streams", () => {
  for (const kind of KINDS) {
    it(`${kind}: only ProtocolError, same answer for every chunking, finished stays finished`, () => {
      const rnd = mulberry32(KINDS.indexOf(kind) + 1);
      let finished = 0;
      let errors = 0;
      for (let n = 0; n < 600; n++) {
        const code = randomCode(rnd);
        // For exec, most streams are a board's well-formed answer, mutated or followed by random bytes.
        let stream = randomStream(rnd);
        if (kind.startsWith("exec") && rnd() < 0.7) {
          const reply = plausibleReply(rnd, code, kind === "exec-paste");
          const r = rnd();
          stream = r < 0.3 ? reply : r < 0.7 ? mutate(reply, rnd) : Uint8Array.from([...reply, ...stream]);
        }
        const o = runCase(kind, stream, code, rnd);
        if (o.finished) finished++;
        if (o.error) errors++;
      }
      // The generator must reach both ends, or the test proves little.
      expect(finished).toBeGreaterThan(20);
      if (kind.startsWith("exec")) expect(errors).toBeGreaterThan(20);
    });
  }

  it("uniformly random bytes", () => {
    const rnd = mulberry32(99);
    for (let n = 0; n < 400; n++) {
      const stream = new Uint8Array(int(rnd, 200));
      for (let i = 0; i < stream.length; i++) stream[i] = int(rnd, 256);
      for (const kind of KINDS) runCase(kind, stream, randomCode(rnd), rnd);
    }
  });
});

interface Fixture {
  name: string;
  op: "enter-raw" | "exec" | "soft-reset";
  code?: string;
  execOptions?: { rawPaste?: boolean };
  device: string;
}

const fixtures: Fixture[] = readdirSync(join(here, "transcripts"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(join(here, "transcripts", f), "utf8")) as Fixture)
  .sort((a, b) => (a.name < b.name ? -1 : 1));

function mutate(d: Uint8Array, rnd: Rnd): Uint8Array {
  const b = Array.from(d);
  for (let k = 1 + int(rnd, 3); k > 0; k--) {
    const at = int(rnd, b.length + 1);
    switch (int(rnd, 5)) {
      case 0: // flip a bit
        if (at < b.length) b[at] ^= 1 << int(rnd, 8);
        break;
      case 1: // drop a byte
        b.splice(at, 1);
        break;
      case 2: // insert a byte, often a control byte
        b.splice(at, 0, rnd() < 0.5 ? [0x00, 0x01, 0x03, 0x04, 0x3e, 0x52][int(rnd, 6)] : int(rnd, 256));
        break;
      case 3: // repeat a slice
        b.splice(at, 0, ...b.slice(at, at + 1 + int(rnd, 8)));
        break;
      case 4: // cut the stream short
        b.length = Math.min(b.length, at);
        break;
    }
  }
  return Uint8Array.from(b);
}

describe("host machines on mutated transcripts", () => {
  it("has the fixtures", () => {
    expect(fixtures.map((f) => f.name)).toEqual([
      "enter-raw",
      "enter-raw-garbage",
      "exec-legacy",
      "exec-paste",
      "exec-paste-abort",
      "exec-paste-small-window",
      "exec-raise",
      "exec-raw-fallback",
      "exec-raw-forced",
      "soft-reset",
    ]);
  });

  for (const f of fixtures) {
    it(`${f.name}: 150 mutations, each in several chunkings`, () => {
      const kind: Kind = f.op === "exec" ? (f.execOptions?.rawPaste === false ? "exec-raw" : "exec-paste") : f.op;
      const code = latin1(f.code ?? "");
      const device = Uint8Array.from(Buffer.from(f.device, "hex"));
      // unmutated, it finishes cleanly
      expect(runCase(kind, device, code, mulberry32(0)).finished).toBe(true);
      const rnd = mulberry32(f.name.length * 1000 + device.length);
      for (let n = 0; n < 150; n++) runCase(kind, mutate(device, rnd), code, rnd);
    });
  }
});

describe("DeviceProtocol on random input", () => {
  const MODES = ["friendly", "raw", "paste", "paste-aborted", "running"];

  it("never throws; exec only when it starts running; writes are never empty", () => {
    const rnd = mulberry32(4242);
    let execs = 0;
    let pastes = 0;
    for (let n = 0; n < 500; n++) {
      const device = new DeviceProtocol({
        rawPaste: (["yes", "no", "legacy"] as const)[int(rnd, 3)],
        window: 1 + int(rnd, rnd() < 0.5 ? 4 : 300),
        abortPasteAfter: rnd() < 0.3 ? int(rnd, 40) : undefined,
      });
      const check = (actions: DeviceAction[]) => {
        const ex = actions.filter((a) => a.type === "exec");
        must(ex.length <= 1, "two execs from one chunk");
        if (ex.length) {
          must(device.mode === "running", `exec, then mode ${device.mode}`);
          execs++;
        }
        for (const a of actions) {
          if (a.type === "write") must(a.data.length > 0, "an empty write");
          if (a.type === "write" && a.data[0] === 0x52 && a.data[1] === 0x01) pastes++;
        }
        must(MODES.includes(device.mode), `unknown mode ${device.mode}`);
      };
      for (let k = int(rnd, 40); k > 0; k--) {
        const r = rnd();
        if (r < 0.08) check(device.finishRun(rnd() < 0.5 ? "" : "Traceback\nboom\n"));
        else if (r < 0.1) check(device.afterSoftReset(rnd() < 0.5));
        else {
          // bias towards control bytes and the paste request
          const chunk: number[] = [];
          for (let j = int(rnd, 12); j >= 0; j--) {
            const p = rnd();
            if (p < 0.3) chunk.push(int(rnd, 6));
            else if (p < 0.4) chunk.push(0x05, 0x41, 0x01);
            else if (p < 0.5) chunk.push(0x41);
            else chunk.push(int(rnd, 256));
          }
          check(device.receive(Uint8Array.from(chunk)));
        }
      }
    }
    expect(execs).toBeGreaterThan(50);
    expect(pastes).toBeGreaterThan(50);
  });

  it("finishRun outside a run does nothing", () => {
    const device = new DeviceProtocol();
    expect(device.finishRun("x")).toEqual([]);
    device.receive(Uint8Array.of(0x01));
    expect(device.finishRun("x")).toEqual([]);
    expect(device.mode).toBe("raw");
  });
});
