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
});
