// `synccli eval` as a user types it: tracebacks point at the expression's own
// lines, and an empty expression is a usage mistake, not `()`.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { EXIT } from "../../src/errors.js";

describe("eval", () => {
  it("a name error shows the expression's line; an empty expression is refused before the board is opened", async () => {
    const [missing, twoLines, empty, blank] = await Promise.all([
      runCli(["--sim", "eval", "undefined_x"]),
      runCli(["--sim", "eval", "1 +\nundefined_y"]),
      runCli(["--sim", "eval", ""]),
      runCli(["--port", "/dev/nonexistent-synccli", "eval", "  "]),
    ]);
    expect(missing.code).toBe(EXIT.boardError);
    expect(missing.stderr).toContain('File "<stdin>", line 1, in <module>\n    <eval>:1: undefined_x\n');
    expect(twoLines.code).toBe(EXIT.boardError);
    // MicroPython names the line the statement starts on, as it does for exec.
    expect(twoLines.stderr).toContain('File "<stdin>", line 1, in <module>\n    <eval>:1: 1 +\n');
    for (const r of [empty, blank]) {
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr).toBe('synccli: eval needs an expression, got an empty one\nhint: e.g. synccli eval "1 + 1"; to run statements, use exec\n');
    }
  });

  it("an expression with a comment after it still gives its value", async () => {
    const r = await runCli(["--sim", "eval", "6 * 7  # the answer"]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toBe("42\n");
  });
});
