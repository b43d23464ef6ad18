// Which port the CLI opens without --port, and the u0/a0/c3 shortcuts.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

describe("choosing the port", () => {
  it("a shortcut names the device it stands for; SYNCCLI_PORT is used without --port; --sim needs none", async () => {
    const [short, env, sim] = await Promise.all([
      runCli(["--port", "u97", "exec", "1"]),
      runCli(["exec", "1"], { env: { SYNCCLI_PORT: "/dev/synccli-no-such-port" } }),
      runCli(["--sim", "exec", "print(6*7)"], { env: { SYNCCLI_PORT: "/dev/synccli-no-such-port" } }),
    ]);
    expect(short.code).toBe(3);
    expect(short.stderr).toContain("/dev/ttyUSB97 does not exist");
    expect(env.code).toBe(3);
    expect(env.stderr).toContain("/dev/synccli-no-such-port does not exist");
    expect(sim.code).toBe(0);
    expect(sim.stdout).toBe("42\n");
  });
});
