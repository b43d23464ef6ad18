// Entry point: global options, one module per command, and the single place
// where errors become messages and exit codes.
import { Command, CommanderError } from "commander";
import chalk from "chalk";
import { ReportedError, defaults, renderError } from "./context.js";
import { EXIT, UserError } from "../errors.js";
import { registerList } from "./list.js";
import { registerConnect } from "./connect.js";
import { registerExec } from "./exec.js";
import { registerRun } from "./run.js";
import { registerRepl } from "./repl.js";
import { registerReset } from "./reset.js";
import { registerSim } from "./sim.js";
import { registerInstall } from "./install.js";
import { registerCompare } from "./compare.js";
import { registerDemos } from "./demos.js";
import { registerFs, registerUninstall } from "./fs.js";
import { registerEval } from "./eval.js";

export function buildProgram(): Command {
  const program = new Command("synccli")
    .description("Push MicroPython asyncio synchronisation demos to a board over its raw REPL, or to a virtual board (--sim)")
    .version("0.1.0")
    .option("-p, --port <path>", "serial port of the board (u0, a0, c3: /dev/ttyUSB0, /dev/ttyACM0, COM3); default: $SYNCCLI_PORT, else the one ESP-like port found")
    .option("-b, --baud <rate>", "baud rate", (v) => positive(v, "--baud"), defaults.baud)
    .option("-t, --timeout <seconds>", "silence allowed while waiting for a protocol reply", (v) => positive(v, "--timeout"), defaults.timeout)
    .option("--sim", "use the virtual board instead of a serial port")
    .option("--sim-options <list>", "virtual board options, implies --sim (e.g. baud=115200,drop=0.01,silent; see README)")
    .option("--reset", "hard-reset the board through DTR/RTS when opening (ESP auto-reset)")
    .option("--json", "machine-readable output")
    .option("--no-color", "plain output")
    .showHelpAfterError("(run `synccli --help` for usage)")
    .exitOverride();
  program.hook("preAction", (cmd) => {
    if (cmd.opts().color === false) chalk.level = 0;
  });
  for (const register of [registerList, registerConnect, registerExec, registerRun, registerRepl, registerReset, registerInstall, registerSim, registerCompare]) register(program);
  registerDemos(program);
  for (const register of [registerFs, registerUninstall, registerEval]) register(program);
  return program;
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name} must be a positive number, got "${v}"`, `e.g. ${name} 115200`, EXIT.usage);
  return n;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // If the event loop drains before a command settles, something waited on a
  // promise nobody will resolve: never report that as success.
  process.once("beforeExit", () => {
    process.stderr.write("synccli: internal error: command ended without finishing\n");
    process.exit(70);
  });
  // A reader that left early (`| head`) is not an error of ours; a running
  // session also stops the board's program when that happens (context.ts).
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
  });
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(argv);
    code = process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      code = err.exitCode === 0 ? 0 : EXIT.usage;
    } else if (err instanceof ReportedError) code = err.exitCode;
    else code = renderError(err, program.opts().json === true);
  }
  // Let buffered output reach a pipe before leaving (unless its reader is gone).
  if (!process.stdout.destroyed) await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
