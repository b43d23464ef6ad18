import { summary } from "./commands.js";
import type { Command } from "commander";
import { globals, openSession, runStreaming } from "./context.js";

export function registerExec(program: Command) {
  program
    .command("exec")
    .argument("<code>", "Python code to run on the board")
    .description(summary("exec"))
    .action(async (code: string, _opts, cmd: Command) => {
      const g = globals(cmd);
      const session = await openSession(g);
      try {
        process.exitCode = await runStreaming(session, code, { source: code, name: "<exec>", json: g.json });
      } finally {
        await session.close();
      }
    });
}
