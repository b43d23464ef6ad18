// Pushing a 20 KB script to the virtual board over the simulated 115200 link:
// raw-paste (flow-controlled windows) against the plain raw-mode fallback,
// as a share of the line rate (8N1: 11,520 bytes/s).
import { LINE_RATE, withSimBoard } from "./sim-board.mjs";

function script(size) {
  const line = "x = 1  # padding to make the script about 20 KB long\n";
  return "x = 0\n" + line.repeat(Math.ceil(size / line.length)).slice(0, size - 20) + "\nprint('ok')\n";
}

async function pushOnce(code, rawPaste) {
  return withSimBoard({ rawPaste: rawPaste ? "yes" : "no" }, async (board, link) => {
    const start = link.stats.toBoard;
    const t0 = performance.now();
    const r = await board.exec(code, { rawPaste });
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(r.stderr);
    return { ms, bytes: link.stats.toBoard - start, mode: r.mode };
  });
}

export async function run() {
  const code = script(20 * 1024);
  const rows = [];
  for (const rawPaste of [true, false]) {
    const r = await pushOnce(code, rawPaste);
    const rate = (code.length / r.ms) * 1000;
    rows.push({
      name: `20 KB script via ${r.mode}`,
      value: `${Math.round(rate)} B/s`,
      ratio: `${((rate / LINE_RATE) * 100).toFixed(1)} % of line rate`,
      note: `${(r.ms / 1000).toFixed(2)} s, ${r.bytes} bytes on the wire`,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
