// `--sim[=options]`: a virtual board on a simulated cable, opened through the
// same SerialPort stream as hardware.
import { SimBinding, SimTarget, type SimOptions } from "./binding.js";
import { UserError, EXIT } from "../errors.js";

export const SIM_PATH = "sim://board";

const FLAGS: Record<string, (o: SimOptions, v: string | undefined) => void> = {
  baud: (o, v) => (o.baud = num(v, "baud")),
  drop: (o, v) => (o.drop = num(v, "drop")),
  garble: (o, v) => (o.garble = num(v, "garble")),
  "disconnect-after": (o, v) => (o.disconnectAfter = num(v, "disconnect-after")),
  silent: (o) => (o.silent = true),
  garbage: (o, v) => (o.garbageOnOpen = v === undefined ? 64 : num(v, "garbage")),
  slow: (o, v) => (o.boardReadRate = v === undefined ? 2000 : num(v, "slow")),
  "rx-buffer": (o, v) => (o.rxBuffer = num(v, "rx-buffer")),
  "no-raw-paste": (o) => (o.rawPaste = "no"),
  "legacy-firmware": (o) => (o.rawPaste = "legacy"),
  "abort-paste-after": (o, v) => (o.abortPasteAfter = num(v, "abort-paste-after")),
  seed: (o, v) => (o.seed = num(v, "seed")),
  "no-filesystem": (o) => (o.noFilesystem = true),
  "fs-size": (o, v) => (o.fsSize = size(v, "fs-size", 4096, 1024 * 1024 * 1024)),
};

function num(v: string | undefined, name: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < 0) throw badSpec(`${name} needs a number`);
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

/** Parses "baud=115200,silent,...". */
export function parseSimSpec(spec: string | undefined): SimOptions {
  const o: SimOptions = {};
  if (!spec) return o;
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = part.split("=", 2);
    const f = FLAGS[k];
    if (!f) throw badSpec(`unknown option "${k}"`);
    f(o, v);
  }
  return o;
}

export function createSim(options: SimOptions = {}): { binding: SimBinding; target: SimTarget; path: string } {
  const binding = new SimBinding();
  const target = new SimTarget(options);
  binding.register(SIM_PATH, target);
  return { binding, target, path: SIM_PATH };
}

export { SimBinding, SimTarget, type SimOptions };
