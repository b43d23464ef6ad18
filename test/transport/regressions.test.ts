// Bugs found once, pinned here.
import { describe, expect, it } from "vitest";
import { Exec, type Action } from "../../src/transport/protocol.js";

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
