// A loop that never yields (`while True: pass`) cannot see Ctrl-C in the
// WebAssembly build; the virtual board restarts its interpreter thread
// interruptGraceMs after Ctrl-C. On a `synccli sim` pty, each new client
// sends Ctrl-C on connecting (and repeats it): those must not push the
// restart back, or a client killed mid-loop leaves the board unreachable.
import { afterEach, describe, expect, it } from "vitest";
import { rawBoard, stopBoards } from "../helpers/virtual-board.js";

afterEach(stopBoards);

describe("the stuck-loop restart", () => {
  it("happens within the grace after the first Ctrl-C, however many follow", async () => {
    const b = await rawBoard({ interruptGraceMs: 1500 });
    b.clear();
    b.send("print('spinning')\nwhile True:\n    pass\n\x04");
    await b.until("spinning");
    await new Promise((r) => setTimeout(r, 300)); // in the loop by now, past the print that could still see Ctrl-C
    const t0 = performance.now();
    // Clients keep arriving: Ctrl-C every 200 ms, as host tools send when they open the port.
    const pester = setInterval(() => b.send("\r\x03\x03"), 200);
    try {
      b.send("\x03");
      // Ctrl-C keeps coming all along: a timer each one pushed back would never fire.
      await b.until(/virtual board restarted its interpreter[^\x04]*\x04/, 15_000);
    } finally {
      clearInterval(pester);
    }
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1400); // not before the grace
    // The board is usable again: a raw REPL, code runs.
    b.clear();
    b.send("\r\x03\x03\r\x01");
    await b.until("raw REPL; CTRL-B to exit\r\n>");
    b.clear();
    b.send("print(6 * 7)\x04");
    await b.until(/OK42\r\n\x04\x04>/);
  });
});

describe("on a `synccli sim` pseudo-terminal", () => {
  it("a client killed while `while True: pass` runs: the next client gets the board within a few seconds", async () => {
    const { runCli, startCli } = await import("../helpers/cli.js");
    const server = startCli(["--json", "sim"]);
    try {
      await server.waitFor(/\}\n/);
      const pty = JSON.parse(server.output()).path as string;
      const stuck = startCli(["--port", pty, "exec", "print('spinning')\nwhile True:\n    pass"]);
      await stuck.waitFor("spinning");
      stuck.child.kill("SIGKILL");
      await stuck.done;
      const next = await runCli(["--port", pty, "exec", "print('alive')"]);
      expect(next.code, next.stderr).toBe(0);
      // Were each client's Ctrl-C to push the restart back, this client's own repeated Ctrl-C
      // would keep the board stuck until its --timeout: exit 6, not "alive". (No wall-clock bound:
      // this machine's load is not the board's behaviour.)
      expect(next.stdout).toBe("alive\n");
    } finally {
      server.child.kill("SIGINT");
      await server.done;
    }
  }, 30_000);
});
