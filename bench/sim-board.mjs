// A fresh virtual board at 115200 baud in its raw REPL, for one measurement:
// `fn` gets the board and the link (whose byte counters show what crossed).
import { createSim } from "../dist/sim/index.js";
import { Board } from "../dist/board/board.js";

export const BAUD = 115200;
/** 8N1: ten bits on the wire per byte. */
export const LINE_RATE = BAUD / 10;

export async function withSimBoard(options, fn) {
  // A board of its own, blank each time: never the user's default virtual board (nor its lock).
  const sim = createSim({ baud: BAUD, name: "bench", fresh: true, ...options });
  const board = await Board.open({ path: sim.path, baudRate: BAUD, timeoutMs: 10_000, binding: sim.binding });
  try {
    await board.enterRaw();
    return await fn(board, sim.target.link);
  } finally {
    await board.close();
    await sim.target.close();
  }
}
