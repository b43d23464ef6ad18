// NO_COLOR (no-color.org) is honoured like --no-color, even where colour is forced.
import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { BIN } from "../helpers/cli.js";

const demos = (env: Record<string, string>) =>
  spawnSync(process.execPath, [BIN, "demos", "lock-demo"], { env: { ...process.env, NO_COLOR: "", ...env }, encoding: "utf8" });

it("FORCE_COLOR alone colours the output; NO_COLOR=1 takes the colour out; an empty NO_COLOR does not", () => {
  const forced = demos({ FORCE_COLOR: "1" });
  expect(forced.status).toBe(0);
  expect(forced.stdout).toContain("\x1b[");
  const plain = demos({ FORCE_COLOR: "1", NO_COLOR: "1" });
  expect(plain.status).toBe(0);
  expect(plain.stdout).not.toContain("\x1b[");
  expect(plain.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toBe(forced.stdout.replace(/\x1b\[[0-9;]*m/g, ""));
  expect(demos({ FORCE_COLOR: "1", NO_COLOR: "" }).stdout).toContain("\x1b[");
});
