// Where scripts come from: a path the user gives, or a demo shipped in
// firmware/demos/ under a friendly name (`lock-demo` -> lock_demo.py).
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { UserError, EXIT } from "../errors.js";

/** The firmware/ folder of this package (same relative place from src/ and dist/). */
export const FIRMWARE_DIR = fileURLToPath(new URL("../../firmware/", import.meta.url));
export const DEMOS_DIR = join(FIRMWARE_DIR, "demos");
export const LIBRARY_DIR = join(FIRMWARE_DIR, "sync");
/** Single-file modules installed beside the package, in the board's /lib: the legacy `asyn` API on top of sync. */
export const LIBRARY_MODULES = [join(FIRMWARE_DIR, "asyn.py")];

export function demoNames(): string[] {
  if (!existsSync(DEMOS_DIR)) return [];
  return readdirSync(DEMOS_DIR)
    .filter((f) => f.endsWith(".py"))
    .map((f) => f.slice(0, -3).replace(/_/g, "-"))
    .sort();
}

export function demoPath(name: string): string | undefined {
  // A demo is a bare name: nothing that could reach outside firmware/demos.
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*(\.py)?$/.test(name)) return undefined;
  const file = join(DEMOS_DIR, name.replace(/\.py$/, "").replace(/-/g, "_") + ".py");
  return existsSync(file) ? file : undefined;
}

export function resolveScript(arg: string): string {
  if (existsSync(arg)) {
    const st = statSync(arg);
    if (st.isFile()) return arg;
    if (st.isDirectory() && !demoPath(arg)) throw new UserError(`${arg} is a directory, not a script`, "give a path to a .py file, or a demo name (`synccli demos` lists them)", EXIT.usage);
  }
  const demo = demoPath(arg);
  if (demo) return demo;
  const known = demoNames();
  throw new UserError(
    `no such file or demo: ${arg}`,
    known.length ? `demos: ${known.join(", ")}; or give a path to a .py file` : "give a path to a .py file",
    EXIT.usage,
  );
}

/** Does this script import the sync library or asyn (`import sync`, `from sync import ...`, `import asyn`, `import time, asyn`)? */
export function usesLibrary(source: string): boolean {
  return /^[ \t]*(?:from[ \t]+(?:sync|asyn)(?:\.\w+)?[ \t]+import\b|import[ \t]+(?:[\w.]+(?:[ \t]+as[ \t]+\w+)?[ \t]*,[ \t]*)*(?:sync|asyn)\b)/m.test(source);
}
