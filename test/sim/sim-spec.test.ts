// parseSimSpec checks bounds itself, so every caller (the CLI, `synccli sim`,
// tests, the lead's several-boards fan-out) gets the same usage errors.
import { describe, expect, it } from "vitest";
import { parseSimSpec } from "../../src/sim/index.js";
import { EXIT, UserError } from "../../src/errors.js";

function refused(spec: string): UserError {
  try {
    parseSimSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).exitCode).toBe(EXIT.usage);
    return e as UserError;
  }
  return expect.fail(`${spec} was accepted`);
}

describe("parseSimSpec bounds", () => {
  it("probabilities are 0..1", () => {
    expect(parseSimSpec("drop=0,garble=1")).toMatchObject({ drop: 0, garble: 1 });
    expect(parseSimSpec("drop=0.25")).toMatchObject({ drop: 0.25 });
    expect(refused("drop=2").message).toBe("bad --sim options: drop is a probability from 0 to 1, got 2");
    expect(refused("garble=-0.5").message).toBe("bad --sim options: garble is a probability from 0 to 1, got -0.5");
    expect(refused("drop=x").message).toBe("bad --sim options: drop needs a number");
  });

  it("baud is a whole number from 300 to 5000000; `baud=` is an error", () => {
    expect(parseSimSpec("baud=300").baud).toBe(300);
    expect(parseSimSpec("baud=5000000").baud).toBe(5_000_000);
    expect(refused("baud=").message).toBe("bad --sim options: baud must be a whole number from 300 to 5000000, got 0");
    expect(refused("baud=299").message).toBe("bad --sim options: baud must be a whole number from 300 to 5000000, got 299");
    expect(refused("baud=5000001").message).toMatch(/got 5000001$/);
    expect(refused("baud=9600.5").message).toMatch(/whole number from 300 to 5000000, got 9600.5$/);
    expect(refused("baud").message).toBe("bad --sim options: baud needs a number");
  });

  it("counts are whole numbers with their minimums", () => {
    expect(parseSimSpec("disconnect-after=0,garbage=0,slow=1,rx-buffer=1,abort-paste-after=0,seed=0")).toMatchObject({
      disconnectAfter: 0,
      garbageOnOpen: 0,
      boardReadRate: 1,
      rxBuffer: 1,
      abortPasteAfter: 0,
      seed: 0,
    });
    expect(parseSimSpec("garbage,slow")).toMatchObject({ garbageOnOpen: 64, boardReadRate: 2000 });
    expect(refused("slow=0").message).toBe("bad --sim options: slow must be a whole number of at least 1, got 0");
    expect(refused("rx-buffer=0").message).toBe("bad --sim options: rx-buffer must be a whole number of at least 1, got 0");
    expect(refused("disconnect-after=1.5").message).toBe("bad --sim options: disconnect-after must be a whole number, got 1.5");
    expect(refused("garbage=-1").message).toBe("bad --sim options: garbage must be a whole number, got -1");
    expect(refused("abort-paste-after=2.5").message).toMatch(/abort-paste-after must be a whole number, got 2.5$/);
    expect(refused("seed=1e300").message).toMatch(/seed must be a whole number, got 1e\+300$/);
  });

  it("the hints: the README table for a value out of bounds, the option names for an unknown one", () => {
    expect(refused("drop=2").hint).toMatch(/--sim-options table in the README/);
    const unknown = refused("warp=9");
    expect(unknown.message).toBe('bad --sim options: unknown option "warp"');
    expect(unknown.hint).toMatch(/known options: .*busy.*fresh/);
    // Only the option's own names: not inherited object properties.
    expect(refused("toString").message).toBe('bad --sim options: unknown option "toString"');
  });

  it("flags: busy and fresh", () => {
    expect(parseSimSpec("busy,fresh")).toEqual({ busy: true, fresh: true });
  });
});
