import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { globals, openSession, runStreaming } from "./context.js";
import { resolveScript, usesLibrary } from "../board/scripts.js";
import { installWithProgress } from "./install.js";
import { runHost } from "./compare.js";

export function registerRun(program: Command) {
  program
    .command("run")
    .argument("<script>", "a .py file, or a demo name (e.g. lock-demo)")
    .description("push a script or demo to the board and stream its output live")
    .option("--no-install", "do not bring the board's sync library up to date first")
    .option("--host", "run the demo's TypeScript mirror on this computer instead (no board)")
    .action(async (script: string, opts: { install: boolean; host?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      if (opts.host) {
        process.exitCode = await runHost(script, g);
        return;
      }
      const path = resolveScript(script);
      const source = readFileSync(path, "utf8");
      const session = await openSession(g);
      try {
        // Demos (and any script that imports the library) need /lib/sync current.
        if (opts.install && usesLibrary(source)) await installWithProgress(session, { json: g.json, quietIfCurrent: true });
        process.exitCode = await runStreaming(session, source, { source, name: basename(path), json: g.json });
      } finally {
        await session.close();
      }
    });
}
