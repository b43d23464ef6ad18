import { summary } from "./commands.js";
import type { Command } from "commander";
import { globals, openSession } from "./context.js";

export function registerReset(program: Command) {
  program
    .command("reset")
    .description(summary("reset"))
    .option("--hard", "hard reset through the ESP auto-reset lines")
    .action(async (opts: { hard?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const session = await openSession(g);
      try {
        if (opts.hard) await session.board.hardReset();
        else {
          await session.board.softReset();
          await session.board.exitRaw();
        }
        if (g.json) process.stdout.write(JSON.stringify({ reset: opts.hard ? "hard" : "soft" }) + "\n");
        else process.stdout.write(opts.hard ? "reset pulse sent (EN held low for 100 ms through RTS)\n" : "soft reset done\n");
      } finally {
        await session.close();
      }
    });
}
