// Bugs found once, pinned here.
import { describe, expect, it } from "vitest";
import { Exec, unsendable, type Action } from "../../src/transport/protocol.js";

const writes = (actions: Action[]) =>
  actions.flatMap((a) => (a.type === "write" ? [Buffer.from(a.data).toString("latin1")] : [])).join("");

describe("Exec regressions", () => {
  it("empty code in plain raw mode is sent as a newline, never a lone Ctrl-D (a soft reset)", () => {
    const op = new Exec("", { rawPaste: false });
    expect(writes(op.start())).toBe("\n\x04");
    const out = op.receive(Buffer.from("OK\x04\x04>", "latin1"));
    expect(out.at(-1)).toMatchObject({ type: "done", result: { mode: "raw" } });
  });

  it("a header split across chunks survives the caller reusing its buffer", () => {
    const op = new Exec("print(1)");
    op.start();
    const buf = new Uint8Array([0x52, 0, 0]);
    op.receive(buf.subarray(0, 1));
    buf.set([0x01, 0x80, 0x00]);
    const out = op.receive(buf);
    expect(writes(out)).toBe("print(1)\x04");
  });
});

describe("Exec.interrupt during the upload", () => {
  it("mid raw-paste: sends Ctrl-C once, ignores later credits, does not acknowledge the board's end", () => {
    const op = new Exec("a".repeat(300));
    op.start();
    expect(writes(op.receive(Buffer.from("R\x01\x80\x00", "latin1")))).toBe("a".repeat(128));
    expect(writes(op.interrupt())).toBe("\x03");
    expect(op.interrupt()).toEqual([]);
    expect(writes(op.receive(Buffer.from("\x01", "latin1")))).toBe("");
    // As measured on firmware: no Traceback line, the exception was raised before any code ran.
    const out = op.receive(Buffer.from("\x04\x04KeyboardInterrupt: \r\n\x04>", "latin1"));
    expect(writes(out)).toBe("");
    expect(out.at(-1)).toMatchObject({ type: "done", result: { mode: "raw-paste", pasteAborted: false, interrupted: true } });
  });

  it("in plain raw mode, Ctrl-C is not sent while code goes out: the upload is stopped first", () => {
    const op = new Exec("print(1)", { rawPaste: false });
    op.start();
    expect(op.interrupt()).toEqual([{ type: "stop-upload" }]);
    expect(op.interrupt()).toEqual([]);
  });
});

describe("unsendable", () => {
  it("names the first NUL, Ctrl-C or Ctrl-D and its line; other control bytes and UTF-8 are fine", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(unsendable(enc("print('é\t\x01\x05')\n"))).toBeUndefined();
    expect(unsendable(enc("a\nb\nc\x04\x00"))).toEqual({ byte: 4, line: 3 });
    expect(unsendable(enc("\x03"))).toEqual({ byte: 3, line: 1 });
    expect(unsendable(enc("x\n\x00"))).toEqual({ byte: 0, line: 2 });
  });
});
