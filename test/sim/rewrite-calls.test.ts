// The blocking run calls inside expressions, run_forever, and what must stay
// untouched (strings, comments, lambdas, code that already awaits).
import { describe, expect, it } from "vitest";
import { rewriteTopLevelRuns } from "../../src/sim/rewrite.js";

describe("rewriteTopLevelRuns: calls anywhere on a top-level line", () => {
  it("awaits run calls inside expressions and loop.run_forever()", () => {
    const src = [
      "print(loop.run_until_complete(f(21)))",
      "x = 1 + asyncio.run(f()); y = uasyncio.run(g())",
      "loop.run_forever()",
      "if True:",
      "    print(asyncio.get_event_loop().run_until_complete(f(1)))",
    ].join("\n");
    expect(rewriteTopLevelRuns(src).split("\n")).toEqual([
      "print(await loop.run_until_complete(f(21)))",
      "x = 1 + await asyncio.run(f()); y = await uasyncio.run(g())",
      "await loop.run_forever()",
      "if True:",
      "    print(await asyncio.get_event_loop().run_until_complete(f(1)))",
    ]);
  });

  it("leaves strings, comments, lambdas, function bodies and other names alone", () => {
    const src = [
      's = """',
      "asyncio.run(main())",
      '""" ; asyncio.run(h())',
      "print(\"asyncio.run(x)\", 'it\\'s asyncio.run(') # asyncio.run(main())",
      "g = lambda: asyncio.run(f())",
      "my_asyncio.run(x); a.b_asyncio.run(y)",
      "def f(): asyncio.run(x())",
      "async def g():",
      "    return asyncio.run(x())",
    ];
    const out = rewriteTopLevelRuns(src.join("\n")).split("\n");
    expect(out).toEqual([...src.slice(0, 2), '""" ; await asyncio.run(h())', ...src.slice(3)]);
  });
});
