// What `run` and `compare` share for the demos as teaching material: the
// options (--broken, --speed), the script to send with them applied, and the
// demo's "what to watch for" shown before it runs.
import { FANOUT_REPEAT_ENV } from "./fanout.js";
import type { Command } from "commander";
import chalk from "chalk";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { resolveScript } from "../board/scripts.js";
import { applyDemoOptions, demoInfo, parseSpeed, type DemoInfo, type DemoOptions } from "../demos/catalog.js";
import { wrap } from "./demos.js";

export function withDemoOptions(cmd: Command): Command {
  return cmd
    .option("--broken", "run the demo's variant without its primitive, to see what goes wrong (see `synccli demos <demo>`)")
    .option("--speed <factor>", "slow down or speed up every sleep of the demo, on board and host alike (0.25 = quarter speed)", parseSpeed);
}

export interface Script {
  /** What is sent to the board, the options applied. */
  source: string;
  /** The file's name, for tracebacks. */
  name: string;
  /** A shipped demo's header (what to watch for), when the script is one. */
  demo?: DemoInfo;
}

/** A .py file or a demo by name, with --broken/--speed applied (a file must keep the demo's BROKEN/SPEED lines). */
export function loadScript(arg: string, opts: DemoOptions): Script {
  const path = resolveScript(arg);
  const isFile = existsSync(arg) && statSync(arg).isFile();
  const name = basename(path);
  const source = applyDemoOptions(readFileSync(path, "utf8"), opts, isFile ? name : `demo ${arg}`);
  return { source, name, demo: isFile ? undefined : demoInfo(arg) };
}

/** Before a demo runs (not under --json): its title and what to watch for, or what its broken variant shows. */
export function showHeader(script: Script, opts: DemoOptions & { json?: boolean }): void {
  const d = script.demo;
  // Several boards at once: the first board's run says it for all.
  if (d === undefined || opts.json || process.env[FANOUT_REPEAT_ENV]) return;
  const width = Math.min(process.stderr.columns ?? 80, 100) - 2;
  const head = opts.broken ? "Broken (--broken):" : "Watch for:";
  const body = wrap(`${head} ${opts.broken ? d.broken : d.watchFor}`, width);
  const speed = opts.speed !== undefined && opts.speed !== 1 ? chalk.dim(` (speed ${opts.speed}: every sleep x${+(1 / opts.speed).toFixed(2)})`) : "";
  process.stderr.write(`${chalk.bold(d.description)}${speed}\n${chalk.cyan(head)}${body.slice(head.length)}\n\n`);
}
