// A soft reset gives a fresh interpreter with the files kept. Right after
// booting, before anything ran, the interpreter is already that, and the
// virtual board answers at once; once anything ran, it boots a new one.
import { afterEach, describe, expect, it } from "vitest";
import { rawBoard, stopBoards, watchBoard } from "../helpers/virtual-board.js";

afterEach(stopBoards);

const RESET_REPLY = "OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>";

describe("soft reset", () => {
  it("before anything ran: the reply at once, and the board is as fresh as after any reset", async () => {
    const b = await rawBoard();
    const t0 = performance.now();
    b.send("\x04");
    await b.until(RESET_REPLY);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await b.run("print(sorted(k for k in globals() if not k.startswith('__')))")).toBe("OK[]\r\n\x04\x04>");
  });

  it("after code ran: its globals and modules are gone, its files kept", async () => {
    const b = await rawBoard();
    await b.run("kept = 1\nimport sys\nsys.modules['marker'] = sys\nopen('/f.txt', 'w').write('file')");
    b.clear();
    b.send("\x04");
    await b.until(RESET_REPLY);
    expect(await b.run("import sys\nprint('kept' in globals(), 'marker' in sys.modules, open('/f.txt').read())")).toBe("OKFalse False file\r\n\x04\x04>");
  });

  it("a line typed at the friendly REPL counts as having run", async () => {
    const b = await watchBoard();
    b.send("\r\x03\x03");
    b.send("typed = 5\r");
    await b.until(/typed = 5\r\n>>> $/);
    b.send("\x04");
    await b.until("MPY: soft reboot\r\n");
    await b.until(/>>> $/);
    b.clear();
    b.send("print('typed' in globals())\r");
    await b.until(/False\r\n>>> $/);
  });
});
