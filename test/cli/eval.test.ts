// `synccli eval` as a user types it: tracebacks point at the expression's own
// lines, an empty expression is a usage mistake, not `()`, and what the
// expression prints shows on stderr while it runs.
import { describe, expect, it } from "vitest";
import { runCli, startCli } from "../helpers/cli.js";
import { surelyPrinted, VALUE_MARK } from "../../src/cli/eval.js";
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

  it("what the expression prints shows while it runs; Ctrl-C then shows where it stopped, exit 130", async () => {
    const run = startCli(["--sim", "eval", "[print('tick', i) or __import__('time').sleep(0.2) for i in range(1000)]"]);
    let stderr = "";
    await new Promise<void>((resolve) => run.child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()).includes("tick 1\n") && resolve()));
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(EXIT.interrupted);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^tick 0\ntick 1\n(?:tick \d+\n)*/);
    expect(r.stderr).toMatch(/Traceback \(most recent call last\):\n(?:.*\n)*    <eval>:1: \[print\('tick', i\)[^\n]*\n(?:.*\n)*KeyboardInterrupt.*\ninterrupted; the board is back at its REPL\n$/);
  });

  it("only what cannot be the value's marker is shown early", () => {
    expect(surelyPrinted("hello\n")).toBe(6);
    expect(surelyPrinted(`hello\n${VALUE_MARK.slice(0, 4)}`)).toBe(6); // may be the marker's start: held
    expect(surelyPrinted(`hi${VALUE_MARK}[1`)).toBe(2); // after the marker: the value
    expect(surelyPrinted(`a${VALUE_MARK}fake\n${VALUE_MARK}1`)).toBe(1 + VALUE_MARK.length + 5); // a printed marker was output
  });
});
