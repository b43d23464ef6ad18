// Ctrl-C at the earliest moment the launcher can catch it (still loading the
// program): exit 130, and under --json still exactly one JSON object.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";

const SLOW_LOAD = fileURLToPath(new URL("../helpers/slow-load.mjs", import.meta.url));

describe("the launcher", () => {
  it("Ctrl-C while synccli is still loading: exit 130 and one JSON object", async () => {
    const child = spawn(process.execPath, ["--import", SLOW_LOAD, BIN, "--json", "--sim", "exec", "print(1)"], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    while (!stderr.includes("LOADING main.js")) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGINT");
    expect(await done).toBe(130);
    expect(stderr).toContain("interrupted");
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: false, interrupted: true, exitCode: 130 });
  });
});
