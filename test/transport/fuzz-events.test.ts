// Fuzzing Exec with the host's own events mixed into the board's bytes:
// Ctrl-C from the user (interrupt), the timers it asked for firing (in time or
// late), the driver reporting a stopped upload. Whatever the order, it may
// only throw ProtocolError, ends at most once (done or fail), stays ended, and
// only ever writes the paste request, the code in order, Ctrl-D, Ctrl-C and
// the line-clearing Ctrl-C newline Ctrl-D.
import { describe, expect, it } from "vitest";
import { Exec, ProtocolError, type Action, type TimerId } from "../../src/transport/protocol.js";
import { mulberry32 } from "../helpers/random.js";

const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

const FRAGMENTS = [
  "R\x01\x80\x00",
  "R\x01\x04\x00",
  "R\x00",
  "raw REPL; CTRL-B to exit\r\n>",
  "\x01",
  "\x04",
  "OK",
  ">",
  "out\r\n",
  "\x04\x04>",
  "Traceback (most recent call last):\r\n",
  "ValueError: x\r\n",
  "KeyboardInterrupt: \r\n",
  "MPY: soft reboot\r\n",
  "ets Jun  8 2016 00:22:57\r\n\r\nrst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n",
  "configsip: 0, SPIWP:0xee\r\n",
  ">>> ",
  "\x00\xff",
];

type Step = { bytes: Uint8Array } | { interrupt: true } | { timer: TimerId } | { uploadStopped: boolean };

describe("Exec with interrupts, timers and stopped uploads mixed into random streams", () => {
  it("only ProtocolError, one end at most, ended stays ended, only allowed writes", () => {
    const rnd = mulberry32(2718);
    const int = (n: number) => Math.floor(rnd() * n);
    let ends = 0;
    let interruptedEnds = 0;
    let fails = 0;
    for (let n = 0; n < 1500; n++) {
      const code = latin1("x = 1\n".repeat(int(40)) + "print('end')\n");
      const rawPaste = rnd() < 0.7;
      const op = new Exec(code, { rawPaste });
      const steps: Step[] = [];
      // Most runs get a board that takes the code, so the later phases are reached.
      if (rnd() < 0.7) steps.push({ bytes: latin1(rawPaste ? "R\x01\x80\x00\x01\x01\x01\x04" : "OK") });
      for (let k = int(25); k > 0; k--) {
        const r = rnd();
        if (r < 0.6) steps.push({ bytes: latin1(FRAGMENTS[int(FRAGMENTS.length)]) });
        else if (r < 0.7) steps.push({ bytes: Uint8Array.from({ length: 1 + int(6) }, () => int(256)) });
        else if (r < 0.8) steps.push({ interrupt: true });
        else if (r < 0.95) steps.push({ timer: (["interrupt", "reset", "quiet"] as const)[int(3)] });
        else steps.push({ uploadStopped: rnd() < 0.5 });
      }
      let ended = 0;
      let written = "";
      const take = (actions: Action[]) => {
        for (const a of actions) {
          if (ended && a.type !== "noise") throw new Error(`${a.type} after the end`);
          if (a.type === "write") written += Buffer.from(a.data).toString("latin1");
          if (a.type === "done") {
            ended++;
            if (a.result.interrupted) interruptedEnds++;
          }
          if (a.type === "fail") {
            ended++;
            fails++;
          }
        }
      };
      take(op.start());
      for (const s of steps) {
        try {
          if ("bytes" in s) take(op.receive(s.bytes));
          else if ("interrupt" in s) take(op.interrupt());
          else if ("timer" in s) take(op.timer(s.timer));
          else take(op.uploadStopped(s.uploadStopped));
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          break;
        }
        expect(op.finished).toBe(ended > 0);
      }
      if (ended) ends++;
      // Writes: [request] code-prefix [Ctrl-D], with Ctrl-C and the line clearing anywhere after the request.
      let rest = written.replace(/\x03\n\x04|\x03/g, "");
      const request = "\x05A\x01";
      if (rawPaste) {
        expect(rest.startsWith(request)).toBe(true);
        rest = rest.slice(request.length);
      }
      rest = rest.replace(/\x04$/, "");
      const c = Buffer.from(code).toString("latin1");
      // Interrupted early, less of the code (or none) goes out: a prefix either way.
      expect(c.startsWith(rest), JSON.stringify(written.slice(0, 80))).toBe(true);
    }
    // the generator reaches the interesting ends
    expect(ends).toBeGreaterThan(100);
    expect(interruptedEnds).toBeGreaterThan(20);
    expect(fails).toBeGreaterThan(20);
  });
});
