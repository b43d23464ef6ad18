import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { globals, openSession, runStreaming } from "./context.js";
import { resolveScript } from "../board/scripts.js";

export function registerRun(program: Command) {
  program
    .command("run")
    .argument("<script>", "a .py file, or a demo name (e.g. lock-demo)")
    .description("push a script or demo to the board and stream its output live")
    .action(async (script: string, _opts, cmd: Command) => {
      const g = globals(cmd);
      const path = resolveScript(script);
      const source = readFileSync(path, "utf8");
      const session = await openSession(g);
      try {
        process.exitCode = await runStreaming(session, source, { source, name: basename(path), json: g.json });
      } finally {
        await session.close();
      }
    });
}
