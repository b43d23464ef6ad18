// `synccli eval <expr>`: the value's repr, as the board computes it. The board
// prints the repr after a marker once the expression is done, so whatever the
// expression itself prints (shown on stderr) never mixes with the value.
import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { annotateTraceback, endLine, execOnBoard, globals, openSession, showInterrupted } from "./context.js";
import { EXIT, UserError, protocolError } from "../errors.js";

/** Precedes the value in the board's output; the source spells it as an escape, so the echo never contains it. */
export const VALUE_MARK = "\x1dsynccli-value:";

/**
 * The program sent for an expression. The expression starts on line 1, as the
 * statement wrapping it does: MicroPython blames a statement's first line for
 * an error in a simple name, so line numbers match the expression's own.
 */
export function evalProgram(expr: string): string {
  return `__synccli_v = repr((${expr}\n))\nprint('\\x1dsynccli-value:' + __synccli_v, end='')\ndel __synccli_v\n`;
}

/**
 * How much of the board's output so far is surely what the expression printed:
 * up to the last marker (after it may be the value), and short of a tail that
 * may be the start of one. A repr never holds the raw marker, so the last one is the real one.
 */
export function surelyPrinted(stdout: string): number {
  const at = stdout.lastIndexOf(VALUE_MARK);
  if (at >= 0) return at;
  for (let k = Math.min(VALUE_MARK.length - 1, stdout.length); k > 0; k--) if (stdout.endsWith(VALUE_MARK.slice(0, k))) return stdout.length - k;
  return stdout.length;
}

/** Splits the board's output into what the expression printed and the value's repr. */
export function splitEvalOutput(stdout: string): { output: string; value: string } | undefined {
  const at = stdout.lastIndexOf(VALUE_MARK);
  if (at < 0) return undefined;
  return { output: stdout.slice(0, at), value: stdout.slice(at + VALUE_MARK.length) };
}

export function registerEval(program: Command) {
  program
    .command("eval")
    .argument("<expr>", "a Python expression")
    .description(summary("eval"))
    .action(async (expr: string, _opts, cmd: Command) => {
      const g = globals(cmd);
      // `repr(())` would answer an empty expression with `()`.
      if (expr.trim() === "") throw new UserError("eval needs an expression, got an empty one", 'e.g. synccli eval "1 + 1"; to run statements, use exec', EXIT.usage);
      const session = await openSession(g);
      try {
        let stdout = "";
        // What the expression prints goes to stderr as it comes (not under --json); `shown` of it so far.
        let shown = 0;
        const showPrinted = (upto: number, endLine = false) => {
          if (g.json) return;
          if (upto > shown) process.stderr.write(stdout.slice(shown, upto));
          shown = Math.max(shown, upto);
          // The value or the error then starts on a line of its own.
          if (endLine && shown > 0 && stdout[shown - 1] !== "\n") process.stderr.write("\n");
        };
        const result = await execOnBoard(
          session,
          evalProgram(expr),
          (t) => {
            stdout += t;
            showPrinted(surelyPrinted(stdout));
          },
          g.json,
        );
        if (result.interrupted) {
          if (g.json) process.stdout.write(JSON.stringify({ ok: false, interrupted: true, exitCode: EXIT.interrupted }) + "\n");
          else {
            showPrinted(stdout.length, true);
            showInterrupted(annotateTraceback(result.stderr, expr, "<eval>"), result.notRun);
          }
          process.exitCode = EXIT.interrupted;
          return;
        }
        if (!result.ok) {
          const shownErr = annotateTraceback(result.stderr, expr, "<eval>");
          if (g.json) process.stdout.write(JSON.stringify({ ok: false, output: stdout, stderr: shownErr, exitCode: EXIT.boardError }) + "\n");
          else {
            showPrinted(stdout.length, true);
            process.stderr.write(chalk.red(endLine(shownErr)));
          }
          process.exitCode = EXIT.boardError;
          return;
        }
        const parts = splitEvalOutput(stdout);
        if (!parts) throw protocolError("the value did not come back after the expression ran");
        if (g.json) {
          process.stdout.write(JSON.stringify({ value: parts.value, output: parts.output }) + "\n");
          return;
        }
        showPrinted(parts.output.length, true);
        process.stdout.write(parts.value + "\n");
      } finally {
        await session.close();
      }
    });
}
