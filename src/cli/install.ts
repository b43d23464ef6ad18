import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { globals, openSession, type Session } from "./context.js";
import type { InstallResult } from "../board/install.js";
import { progress, type Progress } from "./progress.js";

/** Brings /lib/sync (and /lib/asyn.py) on the board up to date, with a progress bar on a terminal. */
export async function installWithProgress(session: Session, opts: { json?: boolean; quietIfCurrent?: boolean }): Promise<InstallResult> {
  const { installLibrary } = await import("../board/install.js");
  let result: InstallResult;
  let bar: Progress | undefined;
  try {
    result = await installLibrary(session.board, {
      plan(_toCopy, _upToDate, total) {
        bar = progress(total, "installing sync library", !opts.json, 1);
      },
      bytes(n, file) {
        bar?.tick(n, file.name);
      },
    });
  } finally {
    bar?.stop();
  }
  if (!opts.json && !(opts.quietIfCurrent && result.copied.length === 0)) {
    const copied = result.copied.length ? `copied ${result.copied.join(", ")} (${result.bytes} bytes)` : "nothing to copy";
    process.stderr.write(chalk.dim(`sync library on the board: ${copied}; ${result.upToDate.length} file(s) already current\n`));
  }
  return result;
}

export interface PrepareOptions {
  install: boolean;
  softReset: boolean;
  json?: boolean;
  /** Local modules the script imports (`run main.py --with helpers.py`): put in the board's root folder first. */
  with?: string[];
}

/** The options `run` and `compare` share for getting the board ready. */
export function withPrepareOptions(cmd: Command): Command {
  return cmd
    .option("--no-install", "do not bring the board's sync library (and asyn) up to date first")
    .option("--no-soft-reset", "keep the board's interpreter state (variables, imported modules, leftover tasks) from earlier runs");
}

/**
 * Gets the board ready for a script: the sync library (with asyn) current when
 * the script imports either, then a soft reset so the run starts from a fresh interpreter
 * (no stale `sync` modules or tasks from an earlier run), as mpremote does.
 */
export async function prepareForScript(session: Session, source: string | string[], opts: PrepareOptions): Promise<void> {
  const { usesLibrary } = await import("../board/scripts.js");
  // The script, and the modules it brings along (--with): any of them may import the library.
  if (opts.install && [source].flat().some(usesLibrary)) await installWithProgress(session, { json: opts.json, quietIfCurrent: true });
  if (opts.with?.length) {
    // The board imports from its root folder (sys.path ''), as a local script imports from its own folder.
    const { copy } = await import("./fs.js");
    const report = await copy(session.board, opts.with, ":/", { recursive: true, bar: !opts.json });
    if (!opts.json) {
      const what = [report.copied.length ? `copied ${report.copied.map((c) => c.to.slice(1)).join(", ")}` : "", report.unchanged.length ? `${report.unchanged.length} unchanged` : ""];
      process.stderr.write(chalk.dim(`--with: ${what.filter(Boolean).join("; ")}\n`));
    }
  }
  if (opts.softReset) await session.board.softReset();
}

export function registerInstall(program: Command) {
  program
    .command("install")
    .description(summary("install"))
    .action(async (_opts, cmd: Command) => {
      const g = globals(cmd);
      const session = await openSession(g);
      try {
        const result = await installWithProgress(session, { json: g.json });
        if (g.json) process.stdout.write(JSON.stringify(result) + "\n");
      } finally {
        await session.close();
      }
    });
}
