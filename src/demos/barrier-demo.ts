// Host mirror of firmware/demos/barrier_demo.py: three report() tasks count
// 0 to 4 and meet at a Barrier(3) after each number; its action logs "Synch".
import { Barrier } from "../primitives/index.js";
import { DemoClock } from "./format.js";

const WORK_MS = 200;

export async function run(out: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const d = new DemoClock(out, signal);
  const barrier = new Barrier(3, () => d.log("barrier", "Synch"));

  async function report(k: number): Promise<void> {
    const name = `report-${k}`;
    for (let i = 0; i < 5; i++) {
      await d.sleep(WORK_MS * k);
      d.log(name, `${i}`);
      await barrier.wait({ signal });
    }
  }

  await Promise.all([report(1), report(2), report(3)]);
  d.log("main", "all 5 phases done");
}
