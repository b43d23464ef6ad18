// Entry point: global options, one module per command, and the single place
// where errors become messages and exit codes.
import { createRequire } from "node:module";
import type * as Commander from "commander";
import { EXIT, ReportedError, UserError } from "../errors.js";
import { BAUD_RANGE, DEFAULT_BAUD, DEFAULT_TIMEOUT } from "../transport/defaults.js";
import { COMMANDS, collect, commandIn, commandWord } from "./commands.js";

// Commander's CommonJS build, not its ES wrapper: the wrapper makes Node parse
// commander for its export names at start-up, a cost `synccli --help` pays in full.
const { Command, CommanderError, Help } = createRequire(import.meta.url)("commander") as typeof Commander;
type Command = Commander.Command;

/**
 * The program with `full` commands registered in full (their modules loaded)
 * and the others by name and summary only: enough for the command list, and
 * `synccli --help` then loads no command at all.
 */
export async function buildProgram(full: string[] = Object.keys(COMMANDS)): Promise<Command> {
  const program = new Command("synccli")
    .description("Push MicroPython asyncio synchronisation demos to a board over its raw REPL, or to a virtual board (--sim)")
    .version("0.1.0")
    .option("-p, --port <path>", "serial port of the board (u0, a0, c3: /dev/ttyUSB0, /dev/ttyACM0, COM3; sim:NAME a virtual board); repeat for several boards at once; default: $SYNCCLI_PORT, else the one ESP-like port found", collect)
    .option("--all", "every ESP-like serial port: run, install, exec, eval, fs... on all boards at once")
    .option("-b, --baud <rate>", "baud rate", parseBaud, DEFAULT_BAUD)
    .option("-t, --timeout <seconds>", "silence allowed while waiting for a protocol reply", parseTimeout, DEFAULT_TIMEOUT)
    .option("--sim", "use the virtual board instead of a serial port")
    .option("--sim-options <list>", "virtual board options, implies --sim (e.g. baud=115200,drop=0.01,silent; see README)")
    .option("--reset", "hard-reset the board through DTR/RTS when opening (ESP auto-reset)")
    .option("--json", "machine-readable output")
    .option("--no-color", "plain output")
    .showHelpAfterError("(run `synccli --help` for usage)")
    .exitOverride()
    // The command list shows each command as declared in commands.ts, loaded or not.
    .configureHelp({ subcommandTerm: (cmd) => COMMANDS[cmd.name()]?.term ?? Help.prototype.subcommandTerm.call(new Help(), cmd) });
  program.hook("preAction", async (cmd, action) => {
    // NO_COLOR (no-color.org): any non-empty value turns colour off, as --no-color does.
    const g = cmd.opts();
    // Several boards: this command line runs once per board instead (fanout.ts).
    const { fanoutPorts, checkFanoutCommand, runOnBoards, usesBoard } = await import("./fanout.js");
    const path: string[] = [];
    for (let c: Command | null = action; c && c !== cmd; c = c.parent) path.unshift(c.name());
    if (!usesBoard(path, action.opts())) return;
    const ports = await fanoutPorts(g.port ?? [], g.all === true, g);
    if (!ports) return;
    checkFanoutCommand(path);
    throw new ReportedError(await runOnBoards(ports, { json: g.json === true }));
  });
  const loaded = await Promise.all(Object.entries(COMMANDS).map(async ([name, c]) => (full.includes(name) ? await c.load() : undefined)));
  Object.entries(COMMANDS).forEach(([name, c], i) => {
    const register = loaded[i];
    if (register) register(program);
    else program.command(name).description(c.summary);
  });
  return program;
}

/** --timeout in seconds: below 0.1 s no board answers in time; above a day the timers overflow (2^31 ms is 24.8 days). */
export const TIMEOUT_RANGE = [0.1, 86_400] as const;

export function parseBaud(v: string): number {
  const n = Number(v.trim() === "" ? NaN : v);
  const [lo, hi] = BAUD_RANGE;
  if (!Number.isInteger(n) || n < lo || n > hi)
    throw new UserError(`--baud must be a whole number from ${lo} to ${hi}, got "${v}"`, "MicroPython's REPL uses --baud 115200", EXIT.usage);
  return n;
}

export function parseTimeout(v: string): number {
  const n = Number(v.trim() === "" ? NaN : v);
  const [lo, hi] = TIMEOUT_RANGE;
  if (!Number.isFinite(n) || n < lo || n > hi)
    throw new UserError(`--timeout must be a number of seconds from ${lo} to ${hi}, got "${v}"`, "e.g. --timeout 10 (the default)", EXIT.usage);
  return n;
}

/** The arguments before `--` (options end there). */
function optionsOf(argv: string[]): string[] {
  const end = argv.indexOf("--");
  return end < 0 ? argv : argv.slice(0, end);
}

/** --json among the arguments, whether or not parsing got that far. */
function wantsJson(argv: string[]): boolean {
  return optionsOf(argv).includes("--json");
}

export async function main(argv: string[]): Promise<void> {
  // Ctrl-C before a command has its own handler (still loading, opening the
  // port): exit 130 as a default SIGINT would, and still one JSON object.
  // First thing, before any wait: the launcher drops its own handler once main() returns its promise.
  process.on("SIGINT", () => {
    if (process.listenerCount("SIGINT") > 1) return; // a command handles it
    process.stderr.write("\ninterrupted\n");
    if (wantsJson(argv)) process.stdout.write(JSON.stringify({ ok: false, interrupted: true, error: "interrupted", exitCode: EXIT.interrupted }) + "\n");
    process.exit(EXIT.interrupted);
  });
  const wanted = commandIn(argv.slice(2));
  const program = await buildProgram(wanted ? [wanted] : []);
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
  // NO_COLOR (no-color.org: any non-empty value) or --no-color: set before parsing, so errors found then are plain too.
  if ((process.env.NO_COLOR ?? "") !== "" || optionsOf(argv).includes("--no-color")) (await import("chalk")).default.level = 0;
  let code: number = EXIT.ok;
  try {
    // `help nope`: commander would show the whole help as if all were well.
    const asked = commandWord(argv.slice(2));
    if (asked !== undefined && !wanted && argv.includes("help")) throw new UserError(`unknown command '${asked}'`, "run `synccli --help` for the commands", EXIT.usage);
    await program.parseAsync(argv);
    code = process.exitCode === undefined ? EXIT.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      code = err.exitCode === 0 ? 0 : EXIT.usage;
      // Commander printed its message on stderr; a JSON reader gets it too.
      if (code !== 0 && wantsJson(argv)) {
        // No command given: commander showed the help and says only "(outputHelp)".
        const message = err.code === "commander.help" ? "no command given" : err.message.replace(/^error:\s*/, "");
        process.stdout.write(JSON.stringify({ ok: false, error: message, hint: "run `synccli --help` for usage", exitCode: code }) + "\n");
      }
    } else if (err instanceof ReportedError) code = err.exitCode;
    else {
      code = (await import("./context.js")).renderError(err, program.opts().json === true || wantsJson(argv));
    }
  }
  // Let buffered output reach a pipe before leaving (unless its reader is gone).
  if (!process.stdout.destroyed) await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}
