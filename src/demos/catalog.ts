// The demos as teaching material: what each one is about, read from the
// header comment of its firmware file (firmware/demos/*.py), and its source
// with the options applied (`--broken`, `--speed`).
//
// A demo's header is its leading comment block:
//   # Lock demo: <one-line description>
//   #
//   # Watch for: <what to look at in the output, several lines>
//   #
//   # Broken (--broken): <what the variant without the primitive shows>
// and its top level has the two lines that the options rewrite, so the
// rewritten source keeps its line count (tracebacks keep their line numbers):
//   BROKEN = False   ->  BROKEN = True
//   SPEED = 1        ->  SPEED = 0.25   (every sleep lasts int(MS / SPEED) ms)
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { DEMOS_DIR, FIRMWARE_DIR, demoNames, demoPath } from "../board/scripts.js";
import { EXIT, UserError } from "../errors.js";

export interface DemoInfo {
  /** As `synccli run` knows it: "lock-demo". */
  name: string;
  /** The firmware file, absolute: ".../firmware/demos/lock_demo.py". */
  file: string;
  /** The header's first line, without "# ": "Lock demo: three tasks take one Lock in turns ...". */
  description: string;
  /** The "Watch for:" paragraph, one line, without its label. */
  watchFor: string;
  /** The "Broken (--broken):" paragraph, one line, without its label. */
  broken: string;
}

export interface DemoOptions {
  /** Run the variant without the primitive (`BROKEN = True`). */
  broken?: boolean;
  /** Every sleep lasts int(MS / speed) ms: 0.25 = quarter speed. 0 < speed <= 100; default 1. */
  speed?: number;
}

export const MAX_SPEED = 100;

const WATCH = "Watch for:";
const BROKEN = "Broken (--broken):";
const BROKEN_LINE = /^BROKEN = False[ \t]*\r?$/gm;
const SPEED_LINE = /^SPEED = 1[ \t]*\r?$/gm;

const badSpeed = (shown: string) =>
  new UserError(
    `--speed must be a number greater than 0 and at most ${MAX_SPEED}, got ${shown}`,
    "e.g. --speed 0.25 for quarter speed (every sleep lasts 4x longer) or --speed 2 for double speed",
    EXIT.usage,
  );

/** Checks a speed factor (0 < speed <= 100) and returns it. @throws UserError (exit 2) otherwise. */
export function checkSpeed(speed: number): number {
  if (typeof speed !== "number" || !Number.isFinite(speed) || speed <= 0 || speed > MAX_SPEED) throw badSpeed(String(speed));
  return speed;
}

/** `--speed <F>` as typed: a plain decimal number ("0.25", "2", "1e-1"). @throws UserError (exit 2) otherwise. */
export function parseSpeed(text: string): number {
  const t = text.trim();
  if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) throw badSpeed(JSON.stringify(text));
  const n = Number(t);
  if (!(n > 0 && n <= MAX_SPEED)) throw badSpeed(JSON.stringify(text));
  return n;
}

/** The header of a demo's source: description, "Watch for:" and "Broken (--broken):". Null if it has none of the three. */
export function parseHeader(source: string): Omit<DemoInfo, "name" | "file"> | null {
  const comment: string[] = [];
  for (const line of source.split(/\r?\n/)) {
    if (!line.startsWith("#")) break;
    comment.push(line.replace(/^#\s?/, "").trimEnd());
  }
  // Paragraphs: runs of non-empty comment lines, joined with spaces.
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const line of [...comment, ""]) {
    if (line.trim() === "") {
      if (current.length) paragraphs.push(current.join(" ").replace(/\s+/g, " ").trim());
      current = [];
    } else current.push(line.trim());
  }
  const description = comment[0]?.trim() ?? "";
  const find = (label: string) => paragraphs.find((p) => p.startsWith(label))?.slice(label.length).trim();
  const watchFor = find(WATCH);
  const broken = find(BROKEN);
  if (!description || watchFor === undefined || broken === undefined) return null;
  return { description, watchFor, broken };
}

function infoFor(name: string, file: string): DemoInfo {
  const header = parseHeader(readFileSync(file, "utf8"));
  if (header === null) {
    throw new Error(`${relative(FIRMWARE_DIR, file)}: its header comment needs a description line, a "${WATCH}" and a "${BROKEN}" paragraph`);
  }
  return { name, file, ...header };
}

/** The order in which the demos are best taken (the notebook's); others follow by name. */
const ORDER = ["lock-demo", "event-demo", "barrier-demo", "semaphore-demo", "queue-demo", "condition-demo"];
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);

/** Every demo in firmware/demos/: lock, event, barrier, semaphore, queue, condition (then any others by name). */
export function listDemos(): DemoInfo[] {
  return demoNames()
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => infoFor(name, demoPath(name)!));
}

const unknownDemo = (name: string) => {
  const known = demoNames();
  return new UserError(`no such demo: ${name}`, known.length ? `demos: ${known.join(", ")} (\`synccli demos\` says what each shows)` : `no demos found in ${DEMOS_DIR}`, EXIT.usage);
};

/** One demo by name ("lock-demo", or its file name "lock_demo.py"). @throws UserError (exit 2) for an unknown name. */
export function demoInfo(name: string): DemoInfo {
  const file = demoPath(name);
  if (file === undefined) throw unknownDemo(name);
  return infoFor(demoNameOf(file), file);
}

function demoNameOf(file: string): string {
  return file.split(/[\\/]/).pop()!.replace(/\.py$/, "").replace(/_/g, "-");
}

/** How a speed factor is written into Python: the shortest text that reads back as the same number. */
function pySpeed(speed: number): string {
  return String(speed);
}

/**
 * Applies the options to a demo's source (a shipped demo, or a user's copy of
 * one): `broken` turns its `BROKEN = False` line into `BROKEN = True`, a
 * speed other than 1 its `SPEED = 1` line into `SPEED = <speed>`. Nothing
 * else changes, the line count included. `label` names the source in errors.
 * @throws UserError (exit 2) for a bad speed, or a source without the line an option needs.
 */
export function applyDemoOptions(source: string, opts: DemoOptions = {}, label = "the script"): string {
  const speed = opts.speed === undefined ? 1 : checkSpeed(opts.speed);
  let out = source;
  if (opts.broken) out = rewriteOnce(out, BROKEN_LINE, "BROKEN = True", label, "--broken", "BROKEN = False");
  if (speed !== 1) out = rewriteOnce(out, SPEED_LINE, `SPEED = ${pySpeed(speed)}`, label, "--speed", "SPEED = 1");
  return out;
}

function rewriteOnce(source: string, line: RegExp, replacement: string, label: string, option: string, wanted: string): string {
  const n = source.match(line)?.length ?? 0;
  if (n !== 1) {
    throw new UserError(
      n === 0 ? `${label} has no top-level \`${wanted}\` line for ${option} to rewrite` : `${label} has ${n} top-level \`${wanted}\` lines; ${option} needs exactly one`,
      `${option} works with the demos (\`synccli demos\`) and copies of them that keep that line`,
      EXIT.usage,
    );
  }
  return source.replace(line, (m) => replacement + (m.endsWith("\r") ? "\r" : ""));
}

/**
 * The source of a shipped demo, with `--broken` and `--speed` applied.
 * @throws UserError (exit 2) for an unknown demo or a bad speed.
 */
export function demoSource(name: string, opts: DemoOptions = {}): string {
  const file = demoPath(name);
  if (file === undefined) throw unknownDemo(name);
  return applyDemoOptions(readFileSync(file, "utf8"), opts, relative(FIRMWARE_DIR, file));
}
