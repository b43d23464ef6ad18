// `--sim[=options]`: a virtual board on a simulated cable, opened through the
// same SerialPort stream as hardware.
import { SimBinding, SimTarget, type SimOptions } from "./binding.js";
import { DEFAULT_BOARD_NAME, FlashStore, checkBoardName } from "./flash.js";
import { UserError, EXIT } from "../errors.js";
import { BAUD_RANGE } from "../transport/defaults.js";

/** The path of the default virtual board ("board"); another named board is sim://<name>. */
export const SIM_PATH = `sim://${DEFAULT_BOARD_NAME}`;

const FLAGS: Record<string, (o: SimOptions, v: string | undefined) => void> = {
  baud: (o, v) => (o.baud = whole(num(v, "baud"), "baud", ...BAUD_RANGE)),
  drop: (o, v) => (o.drop = probability(num(v, "drop"), "drop")),
  garble: (o, v) => (o.garble = probability(num(v, "garble"), "garble")),
  "disconnect-after": (o, v) => (o.disconnectAfter = whole(num(v, "disconnect-after"), "disconnect-after", 0)),
  silent: (o) => (o.silent = true),
  garbage: (o, v) => (o.garbageOnOpen = v === undefined ? 64 : whole(num(v, "garbage"), "garbage", 0)),
  slow: (o, v) => (o.boardReadRate = v === undefined ? 2000 : whole(num(v, "slow"), "slow", 1)),
  "rx-buffer": (o, v) => (o.rxBuffer = whole(num(v, "rx-buffer"), "rx-buffer", 1)),
  "no-raw-paste": (o) => (o.rawPaste = "no"),
  "legacy-firmware": (o) => (o.rawPaste = "legacy"),
  "abort-paste-after": (o, v) => (o.abortPasteAfter = whole(num(v, "abort-paste-after"), "abort-paste-after", 0)),
  seed: (o, v) => (o.seed = whole(num(v, "seed"), "seed", 0)),
  "no-filesystem": (o) => (o.noFilesystem = true),
  "fs-size": (o, v) => (o.fsSize = size(v, "fs-size", 4096, 1024 * 1024 * 1024)),
  busy: (o) => (o.busy = true),
  fresh: (o) => (o.fresh = true),
};

/** A number (any sign: the bounds are checked by whoever takes it). `baud=` is 0, as Number("") says. */
function num(v: string | undefined, name: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n)) throw badSpec(`${name} needs a number`);
  return n;
}

/** Out of bounds: the option exists and has a number, so the hint points at the table, not the option names. */
function outOfBounds(detail: string) {
  return new UserError(`bad --sim options: ${detail}`, "see the --sim-options table in the README (e.g. --sim-options baud=115200,drop=0.01)", EXIT.usage);
}

function probability(n: number, name: string): number {
  if (!(n >= 0 && n <= 1)) throw outOfBounds(`${name} is a probability from 0 to 1, got ${n}`);
  return n;
}

function whole(n: number, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const range = max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min ? ` of at least ${min}` : "";
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) throw outOfBounds(`${name} must be a whole number${range}, got ${n}`);
  return n;
}

/** A byte count, with an optional K or M suffix (fs-size=512K), within bounds. */
function size(v: string | undefined, name: string, min: number, max: number): number {
  const m = /^(\d+)([kKmM]?)$/.exec(v ?? "");
  if (!m) throw badSpec(`${name} needs a size in bytes (e.g. ${name}=512K)`);
  const n = Number(m[1]) * (m[2] === "" ? 1 : /k/i.test(m[2]) ? 1024 : 1024 * 1024);
  if (n < min || n > max) throw badSpec(`${name} must be between ${min} and ${max} bytes`);
  return n;
}

function badSpec(detail: string) {
  return new UserError(`bad --sim options: ${detail}`, `known options: ${Object.keys(FLAGS).join(", ")} (e.g. --sim-options baud=115200,drop=0.01)`, EXIT.usage);
}

/** Parses "baud=115200,silent,...", bounds checked: every caller gets a usage error for a value out of range. */
export function parseSimSpec(spec: string | undefined): SimOptions {
  const o: SimOptions = {};
  if (!spec) return o;
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const at = part.indexOf("=");
    const [k, v] = at < 0 ? [part, undefined] : [part.slice(0, at), part.slice(at + 1)];
    const f = Object.hasOwn(FLAGS, k) ? FLAGS[k] : undefined;
    if (!f) throw badSpec(`unknown option "${k}"`);
    f(o, v);
  }
  return o;
}

export interface Sim {
  binding: SimBinding;
  target: SimTarget;
  /** The port path to open through `binding`: sim://<name>. */
  path: string;
}

/**
 * A virtual board named `options.name` (default "board"), its files loaded
 * from the state folder (see flash.ts) and saved there as it runs; `fresh`
 * starts it blank. Throws a UserError when another process has that board
 * (exit 5) or its saved flash cannot be used (exit 9, see flashUnusable).
 * Its interpreter starts booting at once, while the caller gets ready to
 * open the port. Several boards (different names) may run in one process;
 * close each with `target.close()`.
 */
export function createSim(options: SimOptions = {}, io: { warn?: (line: string) => void } = {}): Sim {
  const name = checkBoardName(options.name ?? DEFAULT_BOARD_NAME);
  // A board without a filesystem has no files to keep.
  const flash = options.noFilesystem ? undefined : FlashStore.open(name, { fresh: options.fresh, warn: io.warn });
  const binding = new SimBinding();
  let target: SimTarget;
  try {
    target = new SimTarget(options, flash); // loads the saved flash: a UserError if it is unusable
  } catch (err) {
    flash?.release();
    throw err;
  }
  // What the saved flash holds was checked when it was loaded; what still fails
  // in the interpreter (and unplugs the board, so the host's own error follows) is told here.
  const warn = io.warn ?? ((line: string) => void process.stderr.write(`synccli: warning: ${line}\n`));
  target.onDead = (err) => warn(`${err.message} (${err.hint})`);
  const path = `sim://${name}`;
  binding.register(path, target);
  void target.start().catch(() => {}); // a failed boot is told by onDead above
  return { binding, target, path };
}

export { SimBinding, SimTarget, type SimOptions };
export { stateRoot, boardDir, DEFAULT_BOARD_NAME } from "./flash.js";
