// `synccli install` over the simulated 115200 link: payload bytes of the sync
// library per second, from a fresh board (hashing, mkdir, every chunk's exec
// round trip included), as a share of the line rate.
import { createSim } from "../dist/sim/index.js";
import { Board } from "../dist/board/board.js";
import { installLibrary, libraryFiles } from "../dist/board/install.js";

const BAUD = 115200;
const LINE_RATE = BAUD / 10;

async function once(files) {
  const sim = createSim({ baud: BAUD });
  const board = await Board.open({ path: sim.path, baudRate: BAUD, timeoutMs: 10_000, binding: sim.binding });
  await board.enterRaw();
  const wire0 = sim.target.link.stats.toBoard;
  const t0 = performance.now();
  const r = await installLibrary(board, {}, files);
  const ms = performance.now() - t0;
  const t1 = performance.now();
  const again = await installLibrary(board, {}, files);
  const checkMs = performance.now() - t1;
  const wire = sim.target.link.stats.toBoard - wire0;
  await board.close();
  await sim.target.close();
  return { ms, bytes: r.bytes, wire, checkMs, skipped: again.upToDate.length };
}

export async function run() {
  const lib = libraryFiles();
  // The real library, and the same files repeated to 40 KB so per-file overhead shows less.
  const big = Array.from({ length: 4 }, (_, i) => lib.map((f) => ({ ...f, remote: f.remote.replace(".py", `_${i}.py`) }))).flat();
  const rows = [];
  for (const [label, files] of [["sync library", lib], ["4x library", big]]) {
    const r = await once(files);
    const rate = (r.bytes / r.ms) * 1000;
    rows.push({
      name: `install ${label} (${files.length} files, ${r.bytes} B)`,
      value: `${Math.round(rate)} B/s`,
      ratio: `${((rate / LINE_RATE) * 100).toFixed(1)} % of line rate`,
      note: `${(r.ms / 1000).toFixed(2)} s; ${r.wire} B on the wire; re-check with nothing to copy ${(r.checkMs / 1000).toFixed(2)} s`,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
