// `synccli --help` start time next to a bare `node -e 0`, same machine, same run.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/synccli", import.meta.url));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(args, n) {
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: "ignore" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

export async function run() {
  const n = 15;
  time(["-e", "0"], 3); // warm the file cache
  time([BIN, "--help"], 3);
  const bare = time(["-e", "0"], n);
  const help = time([BIN, "--help"], n);
  return [
    { name: "node -e 0", value: `${bare.toFixed(0)} ms`, ratio: "1.00x", note: `median of ${n}` },
    { name: "synccli --help", value: `${help.toFixed(0)} ms`, ratio: `${(help / bare).toFixed(2)}x node`, note: `median of ${n}` },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
