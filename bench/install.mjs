// `synccli install` over the simulated 115200 link: payload bytes of the sync
// library per second, from a fresh board (hashing, mkdir, every chunk's exec
// round trip included), as a share of the line rate.
import { installLibrary, libraryFiles } from "../dist/board/install.js";
import { LINE_RATE, withSimBoard } from "./sim-board.mjs";

async function once(files) {
  return withSimBoard({}, async (board, link) => {
    const wire0 = link.stats.toBoard;
    const t0 = performance.now();
    const r = await installLibrary(board, {}, files);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    const again = await installLibrary(board, {}, files);
    const checkMs = performance.now() - t1;
    return { ms, bytes: r.bytes, wire: link.stats.toBoard - wire0, checkMs, skipped: again.upToDate.length };
  });
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
