// Runs the firmware/sync library inside the real MicroPython WebAssembly
// interpreter (npm @micropython/micropython-webassembly-pyscript).
//
// Each call to runPy() boots a fresh interpreter (~10-30 ms), installs
// firmware/sync/*.py at /lib/sync in its Emscripten FS, runs a Python test
// body that defines `async def main()`, and returns everything the program
// wrote to stdout and stderr (uncaught task exceptions go to stderr, so they
// show up in the trace and break exact-trace assertions).
//
// The interpreter keeps its JS-side state in globals (globalThis.Module,
// proxy tables), so only one interpreter may be in use at a time in a given
// JS realm: run tests of one file sequentially (vitest's default).

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const FIRMWARE_SYNC_DIR = resolve(here, "../../firmware/sync");

interface MicroPython {
  FS: {
    mkdirTree(path: string): void;
    writeFile(path: string, data: string | Uint8Array): void;
  };
  runPythonAsync(code: string): Promise<unknown>;
}

type LoadMicroPython = (options: {
  stdout?: (chunk: Uint8Array | string) => void;
  stderr?: (chunk: Uint8Array | string) => void;
  linebuffer?: boolean;
  pystack?: number;
  heapsize?: number;
}) => Promise<MicroPython>;

let loader: LoadMicroPython | undefined;

async function getLoader(): Promise<LoadMicroPython> {
  if (!loader) {
    // The package ships no type declarations.
    const mod = (await import("@micropython/micropython-webassembly-pyscript" as string)) as {
      loadMicroPython: LoadMicroPython;
    };
    loader = mod.loadMicroPython;
  }
  return loader;
}

/** Names every test body can use without importing them. */
export const PRELUDE = [
  "import sys",
  "if '/lib' not in sys.path:",
  "    sys.path.append('/lib')",
  "import asyncio",
  "from sync import Lock, Event, Semaphore, BoundedSemaphore, Barrier, BrokenBarrierError, Queue, QueueEmpty, QueueFull, Condition",
  "",
  "async def spin(n=4):",
  "    # Let every runnable task take n more steps.",
  "    for _ in range(n):",
  "        await asyncio.sleep(0)",
  "",
].join("\n");

export interface RunOptions {
  /** Fail if main() has not finished after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Skip the prelude (sys.path, imports, spin()). */
  bare?: boolean;
}

/** Boots a fresh interpreter with firmware/sync installed at /lib/sync. */
export async function bootMicroPython(onOutput: (bytes: Uint8Array) => void): Promise<MicroPython> {
  const load = await getLoader();
  const sink = (chunk: Uint8Array | string): void => {
    onOutput(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  };
  const mp = await load({ stdout: sink, stderr: sink, linebuffer: false, pystack: 16384, heapsize: 4 * 1024 * 1024 });
  mp.FS.mkdirTree("/lib/sync");
  for (const name of readdirSync(FIRMWARE_SYNC_DIR)) {
    if (name.endsWith(".py")) {
      mp.FS.writeFile(`/lib/sync/${name}`, readFileSync(join(FIRMWARE_SYNC_DIR, name), "utf8"));
    }
  }
  return mp;
}

/**
 * Runs `body` (which must define `async def main()`) in a fresh interpreter as
 * `await asyncio.create_task(main())` and returns the printed trace.
 * Rejects, with the trace so far, if Python raises or main() does not finish.
 */
export async function runPy(body: string, options: RunOptions = {}): Promise<string> {
  const bytes: number[] = [];
  const mp = await bootMicroPython((chunk) => {
    for (const b of chunk) bytes.push(b);
  });
  const trace = (): string => new TextDecoder().decode(new Uint8Array(bytes));
  const code = `${options.bare ? "" : PRELUDE}\n${dedent(body)}\nawait asyncio.create_task(main())\n`;
  const timeoutMs = options.timeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`main() did not finish within ${timeoutMs} ms; output so far:\n${trace()}`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([mp.runPythonAsync(code), timeout]);
  } catch (e) {
    if (e instanceof Error && e.name === "PythonError") {
      throw new Error(`Python raised:\n${e.message}\n--- output so far ---\n${trace()}`);
    }
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return trace();
}

/** Removes the common indentation of a template-literal Python snippet. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, "").replace(/\s+$/, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => l.match(/^ */)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join("\n") + "\n";
}

/** Joins expected trace lines, each terminated by "\n". */
export function lines(...ls: string[]): string {
  return ls.map((l) => `${l}\n`).join("");
}
