import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { globals, openSession } from "./context.js";
import { EXIT, UserError, noAnswer } from "../errors.js";

const CTRL_RBRACKET = 0x1d;

/**
 * Piped input: a terminal's Enter key sends CR, which is what the board's
 * REPL takes as the end of a line; a file or `echo` has LF (or CRLF) line ends.
 */
export function linesToCR(): (data: Buffer) => Buffer {
  let lastCR = false;
  return (data) => {
    const out: number[] = [];
    for (const b of data) {
      if (b === 0x0a) {
        if (!lastCR) out.push(0x0d); // CRLF: the CR already went
      } else out.push(b);
      lastCR = b === 0x0d;
    }
    return Buffer.from(out);
  };
}

export function registerRepl(program: Command) {
  program
    .command("repl")
    .description(summary("repl"))
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      if (g.json) throw new UserError("repl is interactive: --json does not apply to it", "for machine-readable output use `synccli --json exec` or `synccli --json eval`", EXIT.usage);
      const session = await openSession(g);
      const { board } = session;
      const tty = process.stdin.isTTY === true;
      const timeoutMs = Math.round(g.timeout * 1000);
      const toBoard = tty ? (d: Buffer) => d : linesToCR();
      // In a raw terminal a bare LF does not return the carriage.
      let lastOutput = performance.now();
      let lastInput = 0;
      let promptAt = 0; // when the output last ended at a fresh prompt
      let heard = false;
      let tail = "";
      // Piped input waits for the board's first prompt, as a person typing
      // would: sent earlier, the banner's prompt would pass for the answer.
      let ready = tty;
      const pending: Buffer[] = [];
      // Each line sent (CR) is answered by a prompt (`>>> `, or `... ` inside a block).
      let linesSent = 0;
      let lastSent = 0x0d;
      let prompts = 0;
      const send = (data: Buffer) => {
        lastInput = performance.now();
        if (data.length) lastSent = data[data.length - 1]!;
        linesSent += data.filter((b) => b === 0x0d).length;
        board.send(data).catch(() => {}); // a failed write shows up as the board lost
      };
      const render = (d: Uint8Array) => {
        lastOutput = performance.now();
        heard = true;
        const s = Buffer.from(d).toString("latin1");
        // The last 4 characters carry over: too few to hold a whole prompt already counted.
        const seen = tail + s;
        prompts += seen.match(/\n(>>> |\.\.\. )/g)?.length ?? 0;
        tail = seen.slice(-4);
        if (tail === ">>> " || tail === "... ") promptAt = lastOutput;
        if (!ready && tail === ">>> ") {
          ready = true;
          prompts = 0;
          for (const data of pending.splice(0)) send(data);
        }
        process.stdout.write(Buffer.from(tty ? s.replace(/(?<!\r)\n/g, "\r\n") : s, "latin1"));
      };
      process.stderr.write(chalk.dim("Connected; Ctrl-] leaves, Ctrl-D soft-resets the board.\n"));
      board.passthrough(render);
      const timers: NodeJS.Timeout[] = [];
      let stopLost: (() => void) | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          // Unplugged (or the port failed): exit 7 with the message, not a quiet 0.
          stopLost = board.onLost(reject);
          if (tty) process.stdin.setRawMode(true);
          process.stdin.on("data", (data: Buffer) => {
            const stop = data.indexOf(CTRL_RBRACKET);
            const forward = toBoard(stop >= 0 ? data.subarray(0, stop) : data);
            if (forward.length) {
              if (ready) send(forward);
              else pending.push(forward);
            }
            if (stop >= 0) resolve();
          });
          // Piped input: wait until the board has answered every line (a
          // prompt after it, then quiet). A board still printing is busy, not
          // gone: only --timeout of silence without that answer is an error.
          process.stdin.on("end", () => {
            // A last line without its newline, or a block without the blank line that ends it, would never run.
            const close = () => {
              if (!ready) return timers.push(setTimeout(close, 50));
              if (pending.length === 0 && lastSent !== 0x0d) send(Buffer.from("\r"));
            };
            close();
            let closedBlock = false;
            const check = () => {
              const now = performance.now();
              const quiet = now - lastOutput;
              const prompt = promptAt > lastInput ? tail : "";
              // Every line answered by its prompt; lines an input() call took have none, so a
              // longer quiet at the prompt is enough when the counts disagree.
              if (ready && prompt === ">>> " && quiet >= 200 && (prompts >= linesSent || quiet >= 1000)) return resolve();
              if (ready && prompt === "... " && quiet >= 200 && !closedBlock) {
                closedBlock = true;
                send(Buffer.from("\r"));
              } else if (now - Math.max(lastOutput, lastInput) >= timeoutMs) {
                if (ready && promptAt < lastOutput && !/(>>>|\.\.\.) $/.test(tail))
                  return reject(new UserError("the board is waiting for more input (an input() call?) and the piped input has ended", "put the answers in the piped input, one line each", EXIT.noAnswer));
                return reject(noAnswer("waiting for the board to answer the piped input", timeoutMs));
              }
              timers.push(setTimeout(check, 100));
            };
            check();
          });
          // A board that never shows its banner and prompt is not there.
          timers.push(
            setTimeout(() => {
              if (!heard) reject(noAnswer("opening the REPL", timeoutMs));
            }, timeoutMs),
          );
          // Ctrl-B: leaves raw mode if the board is in it; either way the board prints its banner and prompt.
          board.send(Uint8Array.of(0x02)).catch(() => {});
        });
      } finally {
        for (const t of timers) clearTimeout(t);
        stopLost?.();
        if (tty) process.stdin.setRawMode(false);
        process.stdin.pause();
        board.passthrough(undefined);
        process.stdout.write("\n");
        await session.close();
      }
    });
}
