// The board side of the raw REPL answers byte for byte as measured on real
// firmware (see shared platform notes), driven directly (no worker, no clock).
import { describe, expect, it } from "vitest";
import { DeviceProtocol, type DeviceAction } from "../../src/transport/device.js";

const text = (actions: DeviceAction[]) =>
  Buffer.concat(actions.filter((a) => a.type === "write").map((a) => Buffer.from((a as { data: Uint8Array }).data))).toString("latin1");
const b = (s: string) => Buffer.from(s, "latin1");

function inPaste() {
  const d = new DeviceProtocol();
  d.receive(b("\r\x01"));
  const reply = text(d.receive(b("\x05A\x01")));
  expect(reply).toBe("R\x01\x80\x00\x01");
  return d;
}

describe("virtual board protocol fidelity", () => {
  it("Ctrl-C during a raw-paste answers \\x04\\x04KeyboardInterrupt: with no Traceback line", () => {
    const d = inPaste();
    d.receive(b("print(1)\n"));
    expect(text(d.receive(b("\x03")))).toBe("\x04\x04KeyboardInterrupt: \r\n\x04>");
    expect(d.mode).toBe("raw");
  });

  it("a paste that cannot compile: lone \\x04, input discarded up to the host's \\x04, then the error", () => {
    const d = inPaste();
    d.receive(b("x = 1\ny = = 2\n"));
    const id = d.pasteId;
    expect(text(d.failPaste('Traceback (most recent call last):\n  File "<stdin>", line 2\nSyntaxError: invalid syntax\n', id))).toBe("\x04");
    // What the host still sends before it sees the \x04 is dropped, credits included.
    expect(text(d.receive(b("z = 3\n".repeat(100))))).toBe("");
    expect(text(d.receive(b("\x04")))).toBe('\x04Traceback (most recent call last):\r\n  File "<stdin>", line 2\r\nSyntaxError: invalid syntax\r\n\x04>');
    expect(d.mode).toBe("raw");
    // A verdict on an earlier transfer does not touch a later one.
    const d2 = inPaste();
    expect(d2.failPaste("late", d2.pasteId - 1)).toEqual([]);
    expect(d2.mode).toBe("paste");
  });
});
