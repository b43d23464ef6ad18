// Host mirror of firmware/demos/barrier_demo.py: three report() tasks count
// 0 to 4 and meet at a Barrier(3) after each number; its action logs
// "Synch". `broken`: no barrier, and the phases interleave.
import { Barrier } from "../primitives/index.js";
import { task } from "../primitives/trace.js";
import type { DemoOptions } from "./catalog.js";
import { DemoClock } from "./format.js";

const WORK_MS = [150, 900, 1050]; // per number, for report-1, report-2, report-3

export async function run(out: (line: string) => void, signal?: AbortSignal, opts: DemoOptions = {}): Promise<void> {
  const BROKEN = opts.broken === true;
  const d = new DemoClock(out, signal, opts.speed);
  const printed = [0, 0, 0]; // how many numbers report-1, -2, -3 have printed
  let ahead = 0; // numbers printed before another task had printed the one before

  // Named like the board's coroutine function (traces: report-1, report-2, report-3).
  async function report(k: number, barrier: Barrier | null): Promise<void> {
    const name = `report-${k}`;
    for (let i = 0; i < 5; i++) {
      await d.sleep(WORK_MS[k - 1]!);
      const behind = [0, 1, 2].filter((j) => printed[j]! < i).map((j) => `report-${j + 1}`);
      printed[k - 1]! += 1;
      if (behind.length > 0) {
        ahead += 1;
        d.log(name, `${i} (ahead of ${behind.join(", ")})`);
      } else {
        d.log(name, `${i}`);
      }
      if (barrier === null) continue;
      const arrived = barrier.nWaiting + 1;
      if (arrived < barrier.parties) {
        d.log(name, `waits at the barrier (${arrived} of ${barrier.parties} arrived)`);
        await barrier.wait({ signal });
        d.log(name, "passes the barrier");
      } else {
        d.log(name, `arrives last at the barrier (${arrived} of ${barrier.parties})`);
        await barrier.wait({ signal });
        d.log(name, "passes the barrier");
      }
    }
  }

  const barrier = BROKEN ? null : new Barrier(3, () => d.log("barrier", "Synch"));
  await d.gather(
    () => task(report, 1, barrier),
    () => task(report, 2, barrier),
    () => task(report, 3, barrier),
  );
  d.log("main", `all done; numbers printed ahead of their phase: ${ahead}`);
}
