// The simulated 115200 link: nothing lost or reordered, nothing faster than
// the line allows, and a bounded board FIFO that punishes hosts which ignore
// raw-paste flow control.
import { describe, expect, it } from "vitest";
import { SerialLink } from "../../src/sim/link.js";
import { simBoard } from "../helpers/sim.js";

describe("simulated serial link", () => {
  it("carries 10,000 lines at 115200 baud: none lost, none reordered, never faster than the line", async () => {
    const { board, link } = await simBoard({ baud: 115200 });
    await board.enterRaw();
    const before = link.stats.toHost;
    const chunks: Buffer[] = [];
    const t0 = performance.now();
    const r = await board.exec("for i in range(10000):\n    print(i)\n", { onStdout: (d) => chunks.push(Buffer.from(d)) });
    const ms = performance.now() - t0;
    expect(r.ok).toBe(true);
    // A board's output is cooked: lines end CR LF.
    const lines = Buffer.concat(chunks).toString().split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines.length).toBe(10_000);
    lines.forEach((l, i) => expect(l).toBe(String(i)));
    const sent = link.stats.toHost - before;
    expect(sent).toBeGreaterThan(48_000);
    // 8N1 at 115200 baud moves at most 11,520 bytes per second.
    expect(ms).toBeGreaterThanOrEqual((sent / 11_520) * 1000 * 0.98);
  }, 60_000);

  it("a host that ignores flow control overruns a slow board's 256-byte FIFO", async () => {
    const link = new SerialLink({ baud: 115200, boardReadRate: 2000, rxBuffer: 256 });
    const got: number[] = [];
    link.connectBoard((d) => got.push(...d));
    link.hostWrite(new Uint8Array(2000).fill(0x41));
    await new Promise((r) => setTimeout(r, 400));
    link.close();
    expect(link.stats.overflowed).toBeGreaterThan(0);
    expect(got.length + link.stats.overflowed).toBeLessThanOrEqual(2000);
  });

  it("raw-paste flow control keeps a slow board's FIFO from overflowing", async () => {
    const { board, link } = await simBoard({ baud: 115200, boardReadRate: 3000, rxBuffer: 300 });
    const code = "x = 0\n" + "x += 1\n".repeat(400) + "print(x)\n";
    const out: Buffer[] = [];
    const r = await board.exec(code, { onStdout: (d) => out.push(Buffer.from(d)) });
    expect(r.mode).toBe("raw-paste");
    expect(Buffer.concat(out).toString()).toBe("400\r\n");
    expect(link.stats.overflowed).toBe(0);
  }, 30_000);

  it("injected drops and garbling are counted and reproducible by seed", async () => {
    const run = () => {
      const link = new SerialLink({ drop: 0.1, garble: 0.1, seed: 7 });
      const got: number[] = [];
      link.connectHost((d) => got.push(...d));
      link.boardWrite(new Uint8Array(1000).fill(0x55));
      return new Promise<{ got: number[]; stats: typeof link.stats }>((r) => setTimeout(() => r({ got, stats: link.stats }), 20));
    };
    const a = await run();
    const b = await run();
    expect(a.got).toEqual(b.got);
    expect(a.stats.dropped).toBeGreaterThan(50);
    expect(a.stats.garbled).toBeGreaterThan(50);
    expect(a.got.length).toBe(1000 - a.stats.dropped);
  });
});
