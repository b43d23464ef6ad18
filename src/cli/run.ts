import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { globals, openSession, runStreaming } from "./context.js";
import { resolveScript } from "../board/scripts.js";
import { prepareForScript, withPrepareOptions, type PrepareOptions } from "./install.js";
import { runHost } from "./compare.js";

export function registerRun(program: Command) {
  withPrepareOptions(
    program
      .command("run")
      .argument("<script>", "a .py file, or a demo name (e.g. lock-demo)")
      .description("push a script or demo to the board and stream its output live"),
  )
    .option("--host", "run the demo's TypeScript mirror on this computer instead (no board)")
    .action(async (script: string, opts: PrepareOptions & { host?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      if (opts.host) {
        process.exitCode = await runHost(script, g);
        return;
      }
      const path = resolveScript(script);
      const source = readFileSync(path, "utf8");
      const session = await openSession(g);
      try {
        await prepareForScript(session, source, { ...opts, json: g.json });
        process.exitCode = await runStreaming(session, source, { source, name: basename(path), json: g.json });
      } finally {
        await session.close();
      }
    });
}
