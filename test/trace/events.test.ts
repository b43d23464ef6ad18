// The trace wire format and its host-side handling (src/trace/events.ts):
// records taken out of a byte stream cut anywhere, and automatic names.
import { describe, expect, it } from "vitest";
import { RecordSplitter, formatRecord, normalizeNames, parseRecord, toJsonl, type TraceEvent } from "../../src/trace/events.js";

const ev = (task: string, obj: string, op: string, extra: Partial<TraceEvent> = {}): TraceEvent => ({ t: 1, side: "board", task, obj, type: "Lock", op, ...extra });

describe("parseRecord", () => {
  it("reads the five fields, and the Queue size", () => {
    expect(parseRecord("512|task#1|Lock|Lock#1|acquire")).toEqual({ t: 512, side: "board", task: "task#1", obj: "Lock#1", type: "Lock", op: "acquire" });
    expect(parseRecord("7|p|Queue|q|put|2\r", "host")).toEqual({ t: 7, side: "host", task: "p", obj: "q", type: "Queue", op: "put", size: 2 });
  });
  it("refuses what is not a record", () => {
    for (const body of ["", "hello", "x|a|Lock|l|acquire", "1|a|Lock|l", "1|a|Lock|l|op|x", "1|a|Lock|l|op|2|3", "|a|Lock|l|op"]) {
      expect(parseRecord(body), body).toBeNull();
    }
  });
});

describe("RecordSplitter", () => {
  const stream =
    "[" + formatRecord({ t: 3, task: "main", type: "Lock", obj: "Lock#1", op: "acquire" }) + "0" +
    formatRecord({ t: 4, task: "main", type: "Queue", obj: "Queue#1", op: "put", size: 1 }).replace("\n", "\r\n") + "]\n" +
    "an RS the script printed: \x1enot|a record\n" + "tail";

  it("takes records out wherever they fall, cut at every byte; the rest of the text is kept as printed", () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const events: TraceEvent[] = [];
      const s = new RecordSplitter((e) => events.push(e));
      const text = s.push(stream.slice(0, cut)) + s.push(stream.slice(cut)) + s.end();
      expect(text, `cut at ${cut}`).toBe("[0]\nan RS the script printed: \x1enot|a record\ntail");
      expect(events.map((e) => `${e.t} ${e.op} ${e.size ?? ""}`)).toEqual(["3 acquire ", "4 put 1"]);
    }
  });

  it("a record cut off by the end of the output is shown as text, not lost", () => {
    const s = new RecordSplitter(() => {});
    expect(s.push("ok\n\x1e12|main|Lo")).toBe("ok\n");
    expect(s.end()).toBe("\x1e12|main|Lo");
  });
});

describe("normalizeNames", () => {
  it("a single instance keeps its bare name, several are numbered; given names are kept; per side", () => {
    const out = normalizeNames([
      ev("main#1", "Lock#1", "acquire"),
      ev("task#1", "Lock#2", "acquire"),
      ev("task#2", "printer", "wait"),
      ev("task#1", "Condition#1.lock", "release"),
      ev("task-1", "Condition#1", "notify", { type: "Condition" }),
      ev("task#1", "Lock#1", "acquire", { side: "host" }),
    ]);
    expect(out.map((e) => `${e.side} ${e.task} ${e.obj}`)).toEqual([
      "board main Lock-1",
      "board task-1 Lock-2",
      "board task-2 printer",
      "board task-1 Condition.lock",
      "board task-1 Condition",
      "host task Lock",
    ]);
  });
});

it("toJsonl: one JSON object per line", () => {
  const lines = toJsonl([ev("a", "b", "acquire"), ev("a", "b", "release")]).split("\n");
  expect(lines).toHaveLength(3);
  expect(lines[2]).toBe("");
  expect(JSON.parse(lines[1]!)).toMatchObject({ op: "release", side: "board" });
});
