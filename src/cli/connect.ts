import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { globals, openSession } from "./context.js";

export function registerConnect(program: Command) {
  program
    .command("connect")
    .description(summary("connect"))
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const session = await openSession(g);
      try {
        await session.board.enterRaw();
        const info = await session.board.probe();
        await session.board.exitRaw();
        if (g.json) {
          process.stdout.write(JSON.stringify({ port: session.port, ...info }) + "\n");
        } else {
          const rows: [string, string][] = [
            ["port", session.port.startsWith("sim:") ? `virtual board (${session.port})` : session.port],
            ["micropython", info.implementation],
            ["version", info.version],
            ["platform", info.platform],
            ["machine", info.machine],
            ["unique id", info.uniqueId ?? "(not available)"],
            ["raw-paste", info.rawPaste ? "yes" : "no (plain raw mode fallback)"],
            ["filesystem", info.filesystem ? "yes" : "no"],
          ];
          for (const [k, v] of rows) process.stdout.write(`${chalk.dim(k.padEnd(12))}${v}\n`);
        }
      } finally {
        await session.close();
      }
    });
}
