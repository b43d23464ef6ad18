import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { globals, virtualBoard } from "./context.js";

export function registerSim(program: Command) {
  program
    .command("sim")
    .description(summary("sim"))
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const { createSim, parseSimSpec } = await import("../sim/index.js");
      const { servePty } = await import("../sim/pty.js");
      // The board served is named as elsewhere: `--port NAME` or `--port sim:NAME` (default "board");
      // it keeps its files between runs and is busy for other synccli processes while served.
      const virtual = virtualBoard(g.port?.[0], { sim: true, simOptions: g.simOptions })!;
      const { target } = createSim({ ...parseSimSpec(virtual.spec), name: virtual.name });
      let server;
      try {
        server = await servePty(target);
      } catch (err) {
        await target.close();
        throw err;
      }
      if (g.json) process.stdout.write(JSON.stringify({ path: server.path, board: virtual.name }) + "\n");
      else {
        process.stdout.write(`virtual board "${virtual.name}" on ${chalk.bold(server.path)}\n`);
        process.stdout.write(chalk.dim(`try: synccli --port ${server.path} connect   (Ctrl-C stops the board; its files are kept)\n`));
      }
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });
}
