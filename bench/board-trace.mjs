// What tracing costs on the board: the sync library in the real MicroPython
// interpreter (WebAssembly, the virtual board's), Lock acquire/release
// uncontended with tracing off and on (records go to the interpreter's
// stdout, counted and dropped: no serial line), and the bare cost of the
// `if _t.on:` tests an untraced op pays, all measured in the same run. (A
// Queue put/get loop ran faster traced than untraced in this interpreter,
// run after run, for reasons of its own: not a measure of tracing.)
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SYNC = fileURLToPath(new URL("../firmware/sync/", import.meta.url));
const N = 20_000;

const BODY = `
import asyncio, time
from sync import Lock, trace

async def lock_ops(n):
    lock = Lock()
    t = time.ticks_us()
    for _ in range(n):
        await lock.acquire()
        lock.release()
    return time.ticks_diff(time.ticks_us(), t)

def flag_tests(n):
    # What an untraced acquire + release pays for tracing: two flag tests.
    t = time.ticks_us()
    for _ in range(n):
        if trace.on:
            pass
        if trace.on:
            pass
    empty = time.ticks_us()
    for _ in range(n):
        pass
    end = time.ticks_us()
    return time.ticks_diff(empty, t) - time.ticks_diff(end, empty)

async def main():
    out = {}
    for name, fn in (("lock", lock_ops),):
        await fn(1000)  # warm up
        # Alternated, so heap growth and the machine's noise fall on both.
        off = on = 1 << 60
        for _ in range(3):
            off = min(off, await fn(${N}))
            trace.start()
            on = min(on, await fn(${N}))
            trace.stop()
        out[name + "_off"] = off
        out[name + "_on"] = on
    out["flags"] = min([flag_tests(${N}) for _ in range(3)])
    print("RESULT", out)

await asyncio.create_task(main())
`;

export async function run() {
  const { loadMicroPython } = await import("@micropython/micropython-webassembly-pyscript");
  let printed = "";
  let records = 0;
  const stdout = (s) => {
    if (s.startsWith("\x1e")) records++;
    else printed += s + "\n";
  };
  const mp = await loadMicroPython({ stdout, linebuffer: true, pystack: 16384 });
  mp.FS.mkdirTree("/lib/sync");
  for (const f of readdirSync(SYNC).filter((f) => f.endsWith(".py"))) mp.FS.writeFile(`/lib/sync/${f}`, readFileSync(SYNC + f));
  await mp.runPythonAsync(BODY);
  const line = printed.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no result: ${printed}`);
  const r = JSON.parse(line.slice(7).replace(/'/g, '"'));
  const rate = (us) => `${Math.round((N / us) * 1e6).toLocaleString("en-US")} ops/s`;
  // 2 records per op, 3 timed rounds.
  const expected = 2 * 3 * N;
  return [
    { name: "board Lock acquire/release, tracing off", value: rate(r.lock_off), ratio: "1.00x" },
    { name: "board Lock acquire/release, tracing on", value: rate(r.lock_on), ratio: `${(r.lock_on / r.lock_off).toFixed(2)}x the time`, note: "2 records per op, to the interpreter's stdout (no serial line)" },
    {
      name: "board: the flag tests an untraced acquire/release pays",
      value: `${((r.flags / N) * 1000).toFixed(0)} ns per op`,
      ratio: `${((r.flags / r.lock_off) * 100).toFixed(1)} % of an acquire/release`,
      note: records === expected ? `${records.toLocaleString("en-US")} records while on, none while off` : `WARNING: ${records} records, expected ${expected}`,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await run());
