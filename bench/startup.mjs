// Start-up next to a bare `node -e 0`, same machine, same run: `synccli --help`,
// and the time from spawn to the first line a demo prints on the virtual board.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/synccli", import.meta.url));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * `a` and `b` run alternately, so a change in the machine's load touches both
 * alike; the ratio is the median of the pairs' ratios.
 */
function paired(a, b, n) {
  const ta = [];
  const tb = [];
  const ratios = [];
  for (let i = 0; i < n; i++) {
    ta.push(time(a, 1));
    tb.push(time(b, 1));
    ratios.push(tb.at(-1) / ta.at(-1));
  }
  return { a: median(ta), b: median(tb), ratio: median(ratios) };
}

function time(args, n, env = process.env) {
  const ts = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: "ignore", env });
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}`);
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

/** ms from spawn to the first stdout line of `args`, which is then stopped with Ctrl-C (SIGINT). */
function firstLine(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "";
    let err = "";
    let at;
    child.stdout.on("data", (d) => {
      out += d;
      if (at === undefined && out.includes("\n")) {
        at = performance.now() - t0;
        child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (at === undefined ? reject(new Error(`${args.join(" ")} exited ${code} before a line: ${err}`)) : resolve(at)));
  });
}

export async function run() {
  const n = 21;
  time(["-e", "0"], 3); // warm the file cache
  time([BIN, "--help"], 3);
  const { a: bare, b: help, ratio: helpRatio } = paired(["-e", "0"], [BIN, "--help"], n);

  // The library already on the virtual board (its flash is kept between runs): run once first.
  const state = mkdtempSync(join(tmpdir(), "synccli-bench-state-"));
  const env = { ...process.env, SYNCCLI_STATE_DIR: state, FORCE_COLOR: "0" };
  const demo = [BIN, "run", "lock-demo", "--sim"];
  const runs = 9;
  let first;
  let bareAgain;
  try {
    time([BIN, "--sim", "install"], 1, env);
    await firstLine(demo, env); // warm
    const ts = [];
    for (let i = 0; i < runs; i++) ts.push(await firstLine(demo, env));
    first = median(ts);
    bareAgain = time(["-e", "0"], n); // the machine's load may have changed meanwhile
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
  return [
    { name: "node -e 0", value: `${bare.toFixed(0)} ms`, ratio: "1.00x", note: `median of ${n}, alternating with the next row` },
    { name: "synccli --help", value: `${help.toFixed(0)} ms`, ratio: `${helpRatio.toFixed(2)}x node`, note: `median of ${n} (goal ≤ 1.25x); ratio: median of the alternating pairs' ratios` },
    {
      name: "`run lock-demo --sim`: spawn to first stdout line, library already on the board",
      value: `${first.toFixed(0)} ms`,
      ratio: `${(first / bareAgain).toFixed(2)}x node`,
      note: `median of ${runs} (goal < 1000 ms); node -e 0 right after: ${bareAgain.toFixed(0)} ms`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
