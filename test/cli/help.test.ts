// `synccli --help` loads no command module (fast start), so the command list
// comes from commands.ts: it must read exactly as with every command loaded.
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { COMMANDS, commandIn } from "../../src/cli/commands.js";
import { spawnSync } from "node:child_process";
import { BIN, runCli } from "../helpers/cli.js";

describe("the command list", () => {
  it("is the same whether the commands are loaded or not", async () => {
    const full = await buildProgram();
    const light = await buildProgram([]);
    expect(light.helpInformation()).toBe(full.helpInformation());
    // and the list's terms are commander's own for the loaded commands
    for (const cmd of full.commands) {
      const { Help } = await import("commander");
      expect(COMMANDS[cmd.name()]?.term, cmd.name()).toBe(Help.prototype.subcommandTerm.call(new Help(), cmd));
      expect(cmd.description(), cmd.name()).toBe(COMMANDS[cmd.name()]!.summary);
    }
    expect(full.commands.map((c) => c.name()).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it("finds the command an argument list runs, past global options and their values", () => {
    expect(commandIn(["--help"])).toBeUndefined();
    expect(commandIn(["--sim", "run", "lock-demo"])).toBe("run");
    expect(commandIn(["--port", "exec", "eval", "1"])).toBe("eval");
    expect(commandIn(["-p", "u0", "-b", "9600", "--timeout", "3", "--sim-options", "drop=0.1", "fs", "ls"])).toBe("fs");
    expect(commandIn(["--port=u0", "connect"])).toBe("connect");
    expect(commandIn(["help", "run"])).toBe("run");
    expect(commandIn(["help"])).toBeUndefined();
    expect(commandIn(["nosuch"])).toBeUndefined();
    expect(commandIn(["--", "run"])).toBe("run");
    expect(commandIn(["--sim", "--", "run", "lock-demo"])).toBe("run");
    expect(commandIn(["--", "help", "fs"])).toBe("fs");
    expect(commandIn(["--"])).toBeUndefined();
  });

  it("usage mistakes under --json are one object with a real message; NO_COLOR holds for option errors; repl refuses --json", async () => {
    const [none, helpNope, repl] = await Promise.all([
      runCli(["--json"]),
      runCli(["--json", "help", "nope"]),
      runCli(["--json", "--sim", "repl"]),
    ]);
    // Not through runCli, which adds --no-color: FORCE_COLOR would colour the message, NO_COLOR must win.
    const baud = spawnSync(process.execPath, [BIN, "--baud", "7", "exec", "1"], { env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "1" }, encoding: "utf8" });
    expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, error: "no command given", exitCode: 2 });
    expect(JSON.parse(helpNope.stdout)).toMatchObject({ ok: false, error: "unknown command 'nope'", exitCode: 2 });
    expect(JSON.parse(repl.stdout)).toMatchObject({ ok: false, error: "repl is interactive: --json does not apply to it", exitCode: 2 });
    expect(baud.status).toBe(2);
    expect(baud.stderr).toMatch(/^synccli: --baud must be/);
    expect(baud.stderr).not.toContain("\x1b[");
  });

  it("a command's own help, an unknown command and `help <command>` work from the command line", async () => {
    const [runHelp, helpRun, unknown] = await Promise.all([runCli(["run", "--help"]), runCli(["help", "run"]), runCli(["rnu"])]);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain("--with <path>");
    expect(helpRun.stdout).toBe(runHelp.stdout);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'rnu'[\s\S]*Did you mean run\?/);
  });
});
