import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { globals } from "./context.js";

export function registerList(program: Command) {
  program
    .command("list")
    .description(summary("list"))
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const { listPorts } = await import("../transport/list.js");
      const ports = await listPorts();
      if (g.json) {
        process.stdout.write(JSON.stringify(ports) + "\n");
        return;
      }
      if (ports.length === 0) {
        process.stdout.write("no serial ports found (plug the board in, or use --sim for the virtual board)\n");
        return;
      }
      for (const p of ports) {
        const id = p.vendorId ? `${p.vendorId}:${p.productId ?? "????"}` : "";
        const mark = p.esp ? chalk.green(`  <- ${p.esp}`) : "";
        process.stdout.write(`${p.path.padEnd(24)} ${(p.manufacturer ?? "").padEnd(24)} ${id.padEnd(10)}${mark}\n`);
      }
    });
}
