// Pushing a 20 KB script to the virtual board over the simulated 115200 link:
// raw-paste (flow-controlled windows) against the plain raw-mode fallback,
// as a share of the line rate (8N1: 11,520 bytes/s). Then the other way: how
// fast the host's Exec machine alone turns a long output into stdout.
import { LINE_RATE, withSimBoard } from "./sim-board.mjs";

// Another build of protocol.js (an older commit's, say) for the host-machine row: before against after.
const PROTOCOL = process.env.SYNCCLI_BENCH_PROTOCOL ?? "../dist/transport/protocol.js";

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

/**
 * 1 MB of log lines as the board sends them: half plain, then a printed
 * chr(4), after which every "INFO: ..." line could be the start of an
 * exception and is held until the end marker shows it was output.
 */
function printedMegabyte() {
  const lines = [];
  for (let n = 0, size = 0; size < 1 << 20; n++) {
    const line = `INFO: ${n * 7} ms task-${n % 5} lock acquired, queue at ${n % 13}\r\n`;
    lines.push(line);
    size += line.length;
  }
  const half = lines.length >> 1;
  return lines.slice(0, half).join("") + "\x04" + lines.slice(half).join("");
}

/** Best of a few runs: the host machine fed `reply` in reads of `size` bytes. */
function feedRate(Exec, reply, expected, size) {
  let best = Infinity;
  for (let k = 0; k < 5; k++) {
    const op = new Exec("x", { rawPaste: false });
    op.start();
    let out = 0;
    const t0 = performance.now();
    for (let i = 0; i < reply.length; i += size) {
      for (const a of op.receive(reply.subarray(i, i + size))) if (a.type === "stdout") out += a.data.length;
    }
    best = Math.min(best, performance.now() - t0);
    if (out !== expected || !op.finished) throw new Error(`host machine delivered ${out} of ${expected} bytes`);
  }
  return (expected / best) * 1000;
}

export async function hostOutputRow() {
  const { Exec } = await import(PROTOCOL);
  const printed = printedMegabyte();
  const reply = Buffer.from(`OK${printed}\x04\x04>`, "latin1");
  const mb = (rate) => `${(rate / 1e6).toFixed(1)} MB/s`;
  const small = feedRate(Exec, reply, printed.length, 64);
  const large = feedRate(Exec, reply, printed.length, 4096);
  return {
    name: "1 MB of output through the host's Exec machine",
    value: `${mb(small)} in 64 B reads`,
    ratio: `${Math.round(small / LINE_RATE)}x line rate`,
    note: `${mb(large)} in 4 KB reads; the second half held after a printed chr(4)`,
  };
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
  rows.push(await hostOutputRow());
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
