// The `busy` fault: a board running code that cannot be stopped (stuck in C,
// or firmware that ignores Ctrl-C while it runs) but keeps printing. The CLI
// must say so (src/errors.ts busyBoard, from src/board/board.ts silenceError)
// rather than blame the baud rate or wait forever.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { EXIT } from "../../src/errors.js";
import { stopBoards, watchBoard } from "../helpers/virtual-board.js";
import { afterEach } from "vitest";

afterEach(stopBoards);

const BUSY = /^synccli: the board is busy running code and did not stop \(it kept printing, \d+ bytes in 1 s, while entering the raw REPL\)$/;

describe("a board busy running code that ignores Ctrl-C", () => {
  it("keeps printing and takes in nothing, Ctrl-C included", async () => {
    const b = await watchBoard({ busy: true });
    await b.until(/reading 3: \d+ ms, still busy\r\n/, 3000);
    b.clear();
    b.send("\r\x03\x03\r\x01");
    await b.until(/reading \d+: \d+ ms, still busy\r\n.*reading \d+/s, 3000);
    expect(b.out).not.toMatch(/>>>|raw REPL|KeyboardInterrupt/);
  });

  it("exec: exit 6, the 'busy' line (not 'no answer', not the baud rate) and its hint", async () => {
    const r = await runCli(["--sim-options", "busy", "--timeout", "1", "exec", "print(1)"]);
    expect(r.code, r.stderr).toBe(EXIT.noAnswer);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(BUSY);
    expect(lines[1]).toMatch(/^hint: code stuck in C, or firmware that ignores Ctrl-C while it runs: press the board's reset button, or run `synccli reset --hard`$/);
    expect(r.stdout).toBe("");
  });

  it("run lock-demo --json: one object with the message and exit code 6", async () => {
    const r = await runCli(["--sim-options", "busy", "--timeout", "1", "--json", "run", "lock-demo"]);
    expect(r.code, r.stderr).toBe(EXIT.noAnswer);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]!);
    expect(o).toMatchObject({ ok: false, exitCode: EXIT.noAnswer });
    expect(`synccli: ${o.error}`).toMatch(BUSY);
  });
});
