// The command list, light enough for `synccli --help` to show without loading
// any command: each command's module (and what it imports) loads only when
// that command runs or shows its own help. main.ts puts the one being run in
// full and the others as name + summary; a test checks the two helps agree.
import type { Command } from "commander";

export interface CommandEntry {
  /** As commander shows it in the command list (name, [options], arguments). */
  term: string;
  summary: string;
  /** With several --port: run on each board ("many"), refused ("one"), or run once, needing no board ("none"). */
  boards: "many" | "one" | "none";
  load: () => Promise<(program: Command) => void>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  list: { boards: "none", term: "list", summary: "list serial ports; ESP-typical USB bridges are marked", load: async () => (await import("./list.js")).registerList },
  connect: {
    boards: "many",
    term: "connect",
    summary: "open the board, stop whatever runs, enter the raw REPL and show what the board is",
    load: async () => (await import("./connect.js")).registerConnect,
  },
  exec: { boards: "many", term: "exec <code>", summary: "run a line of Python on the board, streaming its output", load: async () => (await import("./exec.js")).registerExec },
  run: { boards: "many", term: "run [options] <script>", summary: "push a script or demo to the board and stream its output live", load: async () => (await import("./run.js")).registerRun },
  repl: { boards: "one", term: "repl", summary: "interactive MicroPython REPL on the board (Ctrl-] to leave)", load: async () => (await import("./repl.js")).registerRepl },
  reset: {
    boards: "many",
    term: "reset [options]",
    summary: "soft-reset the board (fresh interpreter, files kept); --hard pulses EN through DTR/RTS",
    load: async () => (await import("./reset.js")).registerReset,
  },
  install: {
    boards: "many",
    term: "install",
    summary: "copy the sync library (firmware/sync) to the board's /lib/sync and asyn.py to /lib, skipping files already current",
    load: async () => (await import("./install.js")).registerInstall,
  },
  sim: {
    boards: "one",
    term: "sim",
    summary: "serve the virtual board on a pseudo-terminal until Ctrl-C, for any serial tool (--port NAME: which virtual board)",
    load: async () => (await import("./sim.js")).registerSim,
  },
  compare: {
    boards: "one",
    term: "compare [options] <demo>",
    summary:
      "run a demo on the board and its host mirror at the same time (or, --broken, the demo and its broken variant one after the other); show both side by side, aligned by event, and whether they agree",
    load: async () => (await import("./compare.js")).registerCompare,
  },
  demos: { boards: "none", term: "demos [demo]", summary: "list the demos and what each one shows (one per line), or explain one", load: async () => (await import("./demos.js")).registerDemos },
  fs: {
    boards: "many",
    term: "fs",
    summary: "the board's files: ls, cat, cp, rm, mkdir, rmdir, touch, tree, df, sha256sum (`:path` is on the board)",
    load: async () => (await import("./fs.js")).registerFs,
  },
  uninstall: { boards: "many", term: "uninstall", summary: "remove the sync library (/lib/sync) and /lib/asyn.py from the board", load: async () => (await import("./fs.js")).registerUninstall },
  eval: {
    boards: "many",
    term: "eval <expr>",
    summary: "evaluate an expression on the board and print its repr (what it prints goes to stderr)",
    load: async () => (await import("./eval.js")).registerEval,
  },
};

/** For options given more than once (--port, --with): every value, in order. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** A command's one-line description, for its module to declare itself with. */
export const summary = (name: keyof typeof COMMANDS & string): string => COMMANDS[name]!.summary;

/** Global options that take a value: their value is not the command's name. */
const VALUE_OPTIONS = new Set(["-p", "--port", "-b", "--baud", "-t", "--timeout", "--sim-options"]);

/** The word naming the command (`help run` names run), known or not, past global options and their values. */
export function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    // Options end at `--`, and commander still takes the next word as the command.
    if (a === "--") return args[i + 1] === "help" ? args[i + 2] : args[i + 1];
    if (VALUE_OPTIONS.has(a)) i++;
    else if (!a.startsWith("-")) return a === "help" ? args.slice(i + 1).find((x) => !x.startsWith("-")) : a;
  }
  return undefined;
}

/** The command an argument list asks for, if it names one. */
export function commandIn(args: string[]): string | undefined {
  const name = commandWord(args);
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}
