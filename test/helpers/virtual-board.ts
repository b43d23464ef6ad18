// A virtual board driven byte for byte (no host library, no simulated line):
// what it sent (latin1, with arrival times), waiting for a pattern in it, and
// raw mode entered for running code. Tests call stopBoards() after each test.
import { VirtualBoard, type VirtualBoardOptions } from "../../src/sim/virtual-board.js";

const started: VirtualBoard[] = [];

export async function stopBoards(): Promise<void> {
  for (const b of started.splice(0)) await b.stop();
}

/** A booted board in its friendly REPL, with a log of what it sent. */
export async function watchBoard(opts: VirtualBoardOptions = {}) {
  const board = new VirtualBoard(opts);
  started.push(board);
  let out = "";
  const stamps: { at: number; text: string }[] = [];
  board.onTransmit = (d) => {
    const text = Buffer.from(d).toString("latin1");
    out += text;
    stamps.push({ at: performance.now(), text });
  };
  await board.start();
  const send = (s: string) => board.receive(Buffer.from(s, "latin1"));
  /** Resolves with everything sent so far once it contains `pattern`. */
  const until = async (pattern: string | RegExp, ms = 5000) => {
    const t0 = performance.now();
    const hit = () => (typeof pattern === "string" ? out.includes(pattern) : pattern.test(out));
    while (!hit()) {
      if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${String(pattern)}; got ${JSON.stringify(out)}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return out;
  };
  const clear = () => {
    out = "";
    stamps.length = 0;
  };
  return { board, send, until, clear, stamps, get out() { return out; } };
}

/** A booted board in raw mode; `run` sends code and resolves with everything up to the final prompt. */
export async function rawBoard(opts: VirtualBoardOptions = {}) {
  const b = await watchBoard(opts);
  b.send("\r\x01");
  await b.until("raw REPL; CTRL-B to exit\r\n>");
  b.clear();
  const run = async (code: string, ms = 5000) => {
    b.clear();
    b.send(code + "\x04");
    return b.until(/\x04[^\x04]*\x04>$/, ms);
  };
  return Object.assign(b, { run });
}
