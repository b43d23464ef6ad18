import type { Command } from "commander";
import chalk from "chalk";
import { globals, openSession } from "./context.js";

const CTRL_RBRACKET = 0x1d;

export function registerRepl(program: Command) {
  program
    .command("repl")
    .description("interactive MicroPython REPL on the board (Ctrl-] to leave)")
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const session = await openSession(g);
      const { board } = session;
      const tty = process.stdin.isTTY === true;
      // In a raw terminal a bare LF does not return the carriage.
      let lastOutput = performance.now();
      let lastInput = 0;
      let promptAt = 0; // when the output last ended at a fresh prompt
      let tail = "";
      const render = (d: Uint8Array) => {
        lastOutput = performance.now();
        const s = Buffer.from(d).toString("latin1");
        tail = (tail + s).slice(-4);
        if (tail === ">>> ") promptAt = lastOutput;
        process.stdout.write(Buffer.from(tty ? s.replace(/(?<!\r)\n/g, "\r\n") : s, "latin1"));
      };
      process.stderr.write(chalk.dim("Connected; Ctrl-] leaves, Ctrl-D soft-resets the board.\n"));
      board.passthrough(render);
      await new Promise<void>((resolve) => {
        if (tty) process.stdin.setRawMode(true);
        process.stdin.on("data", (data: Buffer) => {
          const stop = data.indexOf(CTRL_RBRACKET);
          const forward = stop >= 0 ? data.subarray(0, stop) : data;
          if (forward.length) {
            lastInput = performance.now();
            void board.send(forward);
          }
          if (stop >= 0) resolve();
        });
        // Piped input: wait until the board has answered the last line (a
        // prompt after it, then quiet), at most --timeout after the input ended.
        process.stdin.on("end", () => {
          const giveUp = performance.now() + g.timeout * 1000;
          const check = () => {
            const now = performance.now();
            const answered = tail === ">>> " && promptAt > lastInput && now - lastOutput >= 200;
            if (answered || now >= giveUp) resolve();
            else setTimeout(check, 100);
          };
          check();
        });
        // Ctrl-B: leaves raw mode if the board is in it; either way the board prints its banner and prompt.
        void board.send(Uint8Array.of(0x02));
      });
      if (tty) process.stdin.setRawMode(false);
      process.stdin.pause();
      board.passthrough(undefined);
      process.stdout.write("\n");
      await session.close();
    });
}
