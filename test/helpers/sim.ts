// An in-process virtual board with the real Board API on top, closed after each test.
import { afterEach } from "vitest";
import { Board } from "../../src/board/board.js";
import { createSim, type SimOptions } from "../../src/sim/index.js";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

export async function simBoard(options: SimOptions = {}) {
  const sim = createSim(options);
  const board = await Board.open({ path: sim.path, baudRate: options.baud ?? 115200, timeoutMs: 10_000, binding: sim.binding });
  open.push(async () => {
    await board.close();
    await sim.target.close();
  });
  return { board, sim, link: sim.target.link };
}
