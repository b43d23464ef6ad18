// Ctrl-C at the earliest moment the launcher can catch it (still loading the
// program): exit 130, and under --json still exactly one JSON object. The
// launcher loads the program with require() on Node 20.19+ and with import()
// before that; both ways are tried here.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";

const helper = (name: string) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url));
const REQUIRE_HOOK = helper("launcher-require.cjs");
const SLOW_IMPORT = helper("slow-load.mjs");

function launch(how: "slow" | "old", nodeArgs: string[], args: string[]) {
  const child = spawn(process.execPath, ["--require", REQUIRE_HOOK, ...nodeArgs, BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LAUNCHER_REQUIRE: how },
  });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, out, done };
}

async function interruptWhileLoading(how: "slow" | "old", nodeArgs: string[]) {
  const { child, out, done } = launch(how, nodeArgs, ["--json", "--sim", "exec", "print(1)"]);
  while (!out.stderr.includes("LOADING main.js")) await new Promise((r) => setTimeout(r, 5));
  child.kill("SIGINT");
  expect(await done).toBe(130);
  expect(out.stderr).toContain("interrupted");
  const lines = out.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ ok: false, interrupted: true, exitCode: 130 });
}

describe("the launcher", () => {
  it("Ctrl-C while require() loads synccli: exit 130 and one JSON object", () => interruptWhileLoading("slow", []));

  it("Ctrl-C while import() loads synccli (Node before 20.19): exit 130 and one JSON object", () => interruptWhileLoading("old", ["--import", SLOW_IMPORT]));

  it("runs the program where require() cannot load it (Node before 20.19)", async () => {
    const { out, done } = launch("old", [], ["--version"]);
    expect(await done).toBe(0);
    expect(out.stdout).toBe("0.1.0\n");
  });
});
