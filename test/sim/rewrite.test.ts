import { describe, expect, it } from "vitest";
import { rewriteTopLevelRuns } from "../../src/sim/rewrite.js";

describe("rewriteTopLevelRuns", () => {
  it("awaits top-level asyncio.run and run_until_complete, keeping line numbers", () => {
    const src = [
      "import asyncio",
      "async def main():",
      "    asyncio.run(other())  # inside a function: left alone",
      "    return 1",
      "asyncio.run(main())",
      "result = asyncio.run(main())",
      "loop = asyncio.get_event_loop()",
      "loop.run_until_complete(main())",
      "if __name__ == '__main__':",
      "    asyncio.run(main())",
      "class C:",
      "    def f(self):",
      "        asyncio.run(x())",
    ].join("\n");
    const out = rewriteTopLevelRuns(src).split("\n");
    expect(out).toHaveLength(13);
    expect(out[2]).toBe("    asyncio.run(other())  # inside a function: left alone");
    expect(out[4]).toBe("await asyncio.run(main())");
    expect(out[5]).toBe("result = await asyncio.run(main())");
    expect(out[7]).toBe("await loop.run_until_complete(main())");
    expect(out[9]).toBe("    await asyncio.run(main())");
    expect(out[12]).toBe("        asyncio.run(x())");
  });

  it("leaves other code untouched", () => {
    const src = "print('asyncio.run(main())')\nx = 1\n";
    expect(rewriteTopLevelRuns(src)).toBe(src);
  });
});
