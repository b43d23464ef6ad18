import type { Command } from "commander";
import chalk from "chalk";
import { globals } from "./context.js";

export function registerSim(program: Command) {
  program
    .command("sim")
    .description("serve the virtual board on a pseudo-terminal until Ctrl-C, for any serial tool")
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const { createSim, parseSimSpec } = await import("../sim/index.js");
      const { servePty } = await import("../sim/pty.js");
      const { target } = createSim(parseSimSpec(g.simOptions));
      const server = await servePty(target);
      if (g.json) process.stdout.write(JSON.stringify({ path: server.path }) + "\n");
      else {
        process.stdout.write(`virtual board on ${chalk.bold(server.path)}\n`);
        process.stdout.write(chalk.dim(`try: synccli --port ${server.path} connect   (Ctrl-C stops the board)\n`));
      }
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });
}
