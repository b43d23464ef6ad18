// The virtual board as synccli sees hardware: through a binding that does not
// pass on the board's record of its files (SimBinding.knownFiles), so every
// file check crosses the simulated serial line and meets its faults.
import { afterEach } from "vitest";
import { Board } from "../../src/board/board.js";
import { createSim, type SimOptions } from "../../src/sim/index.js";
import type { OpenOptions } from "../../src/transport/binding-types.js";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

export async function lineOnlyBoard(options: SimOptions = {}) {
  const sim = createSim(options);
  const binding = { list: () => sim.binding.list(), open: (o: OpenOptions) => sim.binding.open(o) };
  const board = await Board.open({ path: sim.path, baudRate: options.baud ?? 115200, timeoutMs: 10_000, binding });
  open.push(async () => {
    await board.close();
    await sim.target.close();
  });
  return { board, sim, link: sim.target.link };
}

/** Everything the host sends on the board's line from now on, as text. */
export function lineText(link: { hostWrite(data: Uint8Array): void }): () => string {
  const sent: Uint8Array[] = [];
  const write = link.hostWrite.bind(link);
  link.hostWrite = (data) => {
    sent.push(Uint8Array.from(data));
    write(data);
  };
  return () => Buffer.concat(sent).toString("latin1");
}
