// The host machine (Exec, src/transport/protocol.ts) wired to the board
// machine (DeviceProtocol, src/transport/device.ts), pure and synchronous: a
// seeded scheduler moves random-sized pieces of the two byte queues, so the
// host runs ahead of the board's credits as far as the protocol lets it. The
// board's "run" writes a line of stdout and finishes at once.
import { describe, expect, it } from "vitest";
import { DeviceProtocol, type DeviceOptions } from "../../src/transport/device.js";
import { Exec, type Action, type OpResult } from "../../src/transport/protocol.js";
import { mulberry32 } from "../helpers/random.js";

/** Printable code (no control bytes) of exactly `size` bytes, varied by size. */
function makeCode(size: number): Uint8Array {
  const code = new Uint8Array(size);
  for (let i = 0; i < size; i++) code[i] = i % 61 === 60 ? 0x0a : 0x20 + ((i * 7 + size) % 95);
  return code;
}

/** A byte queue read from the front. */
class Queue {
  private buf: number[] = [];
  private head = 0;
  push(d: Uint8Array) {
    for (const b of d) this.buf.push(b);
  }
  get size() {
    return this.buf.length - this.head;
  }
  take(n: number): Uint8Array {
    const out = Uint8Array.from(this.buf.slice(this.head, this.head + n));
    this.head += out.length;
    return out;
  }
}

interface Link {
  result: OpResult | undefined;
  stdout: string;
  /** Code the board executed (one entry per exec). */
  executed: Uint8Array[];
  /** What the host wrote, in order. */
  writes: Uint8Array[];
  pauses: number[];
  toDevice: number;
  /** Most code bytes the host had written beyond what credits allowed (<= 0 is fine). */
  hostOverrun: number;
  /** Most code bytes the board had received beyond what its credits allowed. */
  deviceOverrun: number;
  /** Credits the board granted (the initial one included). */
  credits: number;
}

interface LinkOptions {
  device: DeviceOptions;
  rawPaste?: boolean;
  seed: number;
  /** Largest piece moved at once in either direction. */
  maxPiece: number;
  /** What the fake run prints before it finishes. */
  print?: (code: Uint8Array) => string;
}

/**
 * Runs one Exec to completion against a DeviceProtocol already at the raw
 * prompt, tracking the raw-paste flow control from both ends.
 */
function link(code: Uint8Array, o: LinkOptions): Link {
  const rnd = mulberry32(o.seed);
  const device = new DeviceProtocol(o.device);
  device.receive(Uint8Array.of(0x01)); // friendly -> raw prompt; the banner is not part of the exchange
  const host = new Exec(code, { rawPaste: o.rawPaste });
  const toDevice = new Queue();
  const toHost = new Queue();
  const window = o.device.window ?? 128;
  const r: Link = {
    result: undefined,
    stdout: "",
    executed: [],
    writes: [],
    pauses: [],
    toDevice: 0,
    hostOverrun: -Infinity,
    deviceOverrun: -Infinity,
    credits: 0,
  };

  // Flow control as seen in a byte stream from the board: "R\x01", the window
  // (2 bytes), then one \x01 per credit until the \x04 that ends the paste.
  const creditCounter = () => {
    const seen: number[] = [];
    let credits = 0;
    let ended = false;
    return {
      push(b: number) {
        const i = seen.push(b) - 1;
        if (i >= 4 && !ended && seen[0] === 0x52 && seen[1] === 0x01) {
          if (b === 0x01) credits++;
          else if (b === 0x04) ended = true;
        }
      },
      get paste() {
        return seen.length >= 4 && seen[0] === 0x52 && seen[1] === 0x01;
      },
      get credits() {
        return credits;
      },
    };
  };

  // Host side: code bytes written (not the request, not Ctrl-D) against credits it has seen.
  const hostSeen = creditCounter();
  let hostCode = 0;
  const onHost = (actions: Action[]) => {
    for (const a of actions) {
      if (a.type === "write") {
        r.writes.push(a.data.slice());
        toDevice.push(a.data);
        const isRequest = a.data.length === 3 && a.data[0] === 0x05 && a.data[1] === 0x41 && a.data[2] === 0x01;
        const isEot = a.data.length === 1 && a.data[0] === 0x04;
        if (isRequest || isEot) continue;
        hostCode += a.data.length;
        if (hostSeen.paste) r.hostOverrun = Math.max(r.hostOverrun, hostCode - window * (1 + hostSeen.credits));
      } else if (a.type === "pause") r.pauses.push(a.ms);
      else if (a.type === "stdout") r.stdout += Buffer.from(a.data).toString("latin1");
      else if (a.type === "done") r.result = a.result;
    }
  };

  // Board side: code bytes it took during the paste against credits it sent.
  const devSent = creditCounter();
  const onDevice = (actions: ReturnType<DeviceProtocol["receive"]>) => {
    for (const a of actions) {
      if (a.type === "write") {
        toHost.push(a.data);
        for (const b of a.data) devSent.push(b);
        r.credits = devSent.credits;
      } else if (a.type === "exec") {
        r.executed.push(a.code);
        onDevice([{ type: "write", data: Buffer.from(o.print?.(a.code) ?? "") }]);
        onDevice(device.finishRun(""));
      }
    }
  };

  onHost(host.start());
  for (let steps = 0; !host.finished; steps++) {
    if (steps > 1_000_000) throw new Error("no progress");
    const canDown = toDevice.size > 0;
    const canUp = toHost.size > 0;
    if (!canDown && !canUp) throw new Error(`deadlock: host in ${host.phase}, board in ${device.mode}`);
    if (canDown && (!canUp || rnd() < 0.5)) {
      const piece = toDevice.take(1 + Math.floor(rnd() * o.maxPiece));
      // Everything in this piece was sent on credits the board had granted
      // before it arrived: count its code against those.
      const creditsBefore = devSent.credits;
      r.toDevice += piece.length;
      onDevice(device.receive(piece));
      if (devSent.paste) {
        const codeArrived = Math.min(r.toDevice - 3, hostCode); // after the request, without the final Ctrl-D
        r.deviceOverrun = Math.max(r.deviceOverrun, codeArrived - window * (1 + creditsBefore));
      }
    } else {
      const piece = toHost.take(1 + Math.floor(rnd() * o.maxPiece));
      for (const b of piece) {
        hostSeen.push(b);
        onHost(host.receive(Uint8Array.of(b)));
      }
    }
  }
  if (toDevice.size > 0) throw new Error(`host finished with ${toDevice.size} bytes still on the way to the board`);
  return r;
}

const hexOf = (u: Uint8Array) => Buffer.from(u).toString("hex");
const printed = (code: Uint8Array) => `ran ${code.length}\n`;
const ok = (mode: "raw-paste" | "raw"): OpResult => ({ stderr: new Uint8Array(0), mode, pasteAborted: false });

describe("Exec against DeviceProtocol, raw-paste", () => {
  for (const window of [1, 2, 128]) {
    it(`window ${window}: code sizes 0..1000 arrive exactly, the window is never overrun`, () => {
      const failures: string[] = [];
      for (let size = 0; size <= 1000; size++) {
        const code = makeCode(size);
        const r = link(code, { device: { window }, seed: size * 131 + window, maxPiece: 1 + (size % 300), print: printed });
        // Plain checks, one report per size: expect() per write is too slow here.
        const bad: string[] = [];
        const check = (cond: boolean, what: string) => cond || bad.push(what);
        check(r.executed.length === 1 && hexOf(r.executed[0]) === hexOf(code), "the board executed exactly the code");
        check(r.result?.mode === "raw-paste" && r.result.pasteAborted === false && r.result.stderr?.length === 0, "raw-paste, no error");
        check(r.stdout === `ran ${size}\n`, "stdout delivered");
        // request, the code in pieces of at most one window, Ctrl-D
        check(r.toDevice === 3 + size + 1, "bytes to the board: request + code + Ctrl-D");
        check(hexOf(r.writes[0]) === "054101" && hexOf(r.writes[r.writes.length - 1]) === "04", "request first, Ctrl-D last");
        check(r.writes.slice(1, -1).every((w) => w.length > 0 && w.length <= window), "code writes of 1..window bytes");
        check(r.pauses.length === 0, "no pauses in raw-paste");
        // Board: window x (1 + credits sent) bounds what it received; host: the same with credits seen.
        check(r.deviceOverrun <= 0, `board received ${r.deviceOverrun} bytes beyond its credits`);
        check(r.hostOverrun <= 0, `host wrote ${r.hostOverrun} bytes beyond the credits it saw`);
        // ... and it is greedy: its first write fills the window (or takes all the code)
        check(size === 0 || r.hostOverrun === Math.min(size, window) - window, `host left window unused: ${r.hostOverrun}`);
        // one credit up front, one per full window received
        check(r.credits === 1 + Math.floor(size / window), `credits: ${r.credits}`);
        if (bad.length) failures.push(`size ${size}: ${bad.join("; ")}`);
      }
      expect(failures).toEqual([]);
    });
  }

  it("lock-step delivery (one byte at a time) keeps at most two windows outstanding", () => {
    for (const window of [1, 2, 3, 128]) {
      for (const size of [1, window, window + 1, 2 * window, 2 * window + 1, 777]) {
        const code = makeCode(size);
        const r = link(code, { device: { window }, seed: 1, maxPiece: 1 });
        expect(r.executed.map(hexOf)).toEqual([hexOf(code)]);
        expect(r.hostOverrun).toBeLessThanOrEqual(0);
        expect(r.deviceOverrun).toBeLessThanOrEqual(0);
      }
    }
  });
});

describe("Exec against DeviceProtocol, plain raw mode", () => {
  const sizes = [1, 2, 255, 256, 257, 511, 512, 513, 1000];
  for (const [label, device, rawPaste] of [
    ["board answers R\\x00", { rawPaste: "no" }, undefined],
    ["legacy firmware", { rawPaste: "legacy" }, undefined],
    ["host forces raw", {}, false],
  ] as const) {
    it(`${label}: the code arrives exactly, in 256-byte writes 10 ms apart`, () => {
      for (const size of sizes) {
        const code = makeCode(size);
        const r = link(code, { device, rawPaste, seed: size, maxPiece: 64, print: printed });
        expect(r.executed.map(hexOf)).toEqual([hexOf(code)]);
        expect(r.result).toEqual(ok("raw"));
        expect(r.stdout).toBe(`ran ${size}\n`);
        const chunks: string[] = [];
        for (let i = 0; i < size; i += 256) chunks.push(hexOf(code.subarray(i, i + 256)));
        const request = rawPaste === false ? [] : ["054101"];
        expect(r.writes.map(hexOf)).toEqual([...request, ...chunks, "04"]);
        expect(r.pauses).toEqual(chunks.slice(1).map(() => 10));
      }
    });
  }
});

describe("Exec against DeviceProtocol, the board aborts the paste", () => {
  it("every abort point: no exec, the traceback on stderr, the prompt reached", () => {
    const traceback = "Traceback (most recent call last):\r\nKeyboardInterrupt: raw-paste aborted by the board\r\n";
    for (const window of [2, 16, 128]) {
      for (const size of [1, 17, 200]) {
        for (let after = 1; after <= size; after++) {
          const code = makeCode(size);
          const r = link(code, { device: { window, abortPasteAfter: after }, seed: after, maxPiece: 1 + (after % 40) });
          const where = `window ${window}, size ${size}, abort after ${after}`;
          expect(r.executed, where).toEqual([]);
          expect(r.result?.mode, where).toBe("raw-paste");
          expect(Buffer.from(r.result!.stderr!).toString("latin1"), where).toBe(traceback);
          expect(r.stdout, where).toBe("");
          // The host sends Ctrl-D exactly once: as its own end marker or as the acknowledgement.
          expect(r.writes.filter((w) => w.length === 1 && w[0] === 0x04), where).toHaveLength(1);
          // It reports the abort only when it saw it before finishing the transfer itself.
          const hostWroteAll = r.writes.reduce((n, w) => n + w.length, 0) === 3 + size + 1;
          if (!r.result!.pasteAborted) expect(hostWroteAll, where).toBe(true);
          expect(r.hostOverrun, where).toBeLessThanOrEqual(0);
        }
      }
    }
  });
});
