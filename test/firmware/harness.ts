// Runs the firmware/sync library inside the real MicroPython WebAssembly
// interpreter (npm @micropython/micropython-webassembly-pyscript).
//
// One interpreter is booted per test file (vitest runs each file in its own
// process) and firmware/sync/*.py is installed at /lib/sync in its Emscripten
// FS. Each runPy() call writes the test body, which must define
// `async def main()`, as a fresh module /tests/case_<n>.py (so tests share no
// globals), runs `await asyncio.create_task(main())` and returns everything
// printed to stdout and stderr. Uncaught task exceptions go to stderr, so they
// appear in the trace and break exact-trace assertions.
//
// Why not a fresh interpreter per test: the package keeps its JS-side state in
// globals (globalThis.Module, proxy tables, a FinalizationRegistry). A timer
// or finaliser of a discarded interpreter then calls into the next one with
// stale references ("memory access out of bounds", random hangs). Within the
// single interpreter, tests must not leave tasks scheduled (sleeping or
// runnable) when main() returns: the harness prints a marker line then.

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
  runPython(code: string): unknown;
  runPythonAsync(code: string): Promise<unknown>;
}

type LoadMicroPython = (options: {
  stdout?: (chunk: Uint8Array | string) => void;
  stderr?: (chunk: Uint8Array | string) => void;
  linebuffer?: boolean;
  pystack?: number;
  heapsize?: number;
}) => Promise<MicroPython>;

/** Prepended to every test body. */
export const PRELUDE = [
  "import asyncio",
  "from sync import Lock, Event, Semaphore, BoundedSemaphore, Barrier, BrokenBarrierError, Queue, QueueEmpty, QueueFull, Condition",
  "",
  "async def spin(n=4):",
  "    # Let every runnable task take n more steps.",
  "    for _ in range(n):",
  "        await asyncio.sleep(0)",
  "",
  "",
].join("\n");

// Runs after main(): lets tasks that just finished (or failed: "Task exception
// wasn't retrieved") take their last steps, then flags tasks still on the run
// queue. Uses asyncio internals of the WASM port (asyncio/core.py).
const EPILOGUE = [
  "async def _harness_settle():",
  "    for _ in range(3):",
  "        await asyncio.sleep(0)",
  "await asyncio.create_task(_harness_settle())",
  "if asyncio.core._task_queue.peek():",
  "    print('harness: tasks still scheduled after main()')",
  "",
].join("\n");

export interface RunOptions {
  /** Fail if main() has not finished after this long (default 2000 ms). */
  timeoutMs?: number;
}

export class MicroPythonSandbox {
  private bytes: number[] = [];
  private cases = 0;

  private constructor(private readonly mp: MicroPython) {}

  /** Boots an interpreter with firmware/sync installed at /lib/sync. */
  static async boot(): Promise<MicroPythonSandbox> {
    // The package ships no type declarations.
    const { loadMicroPython } = (await import("@micropython/micropython-webassembly-pyscript" as string)) as {
      loadMicroPython: LoadMicroPython;
    };
    let sandbox: MicroPythonSandbox | undefined;
    const sink = (chunk: Uint8Array | string): void => {
      const data = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
      for (const b of data) sandbox?.bytes.push(b);
    };
    const mp = await loadMicroPython({ stdout: sink, stderr: sink, linebuffer: false, pystack: 16384, heapsize: 4 * 1024 * 1024 });
    sandbox = new MicroPythonSandbox(mp);
    mp.FS.mkdirTree("/lib/sync");
    mp.FS.mkdirTree("/tests");
    for (const name of readdirSync(FIRMWARE_SYNC_DIR)) {
      if (name.endsWith(".py")) {
        mp.FS.writeFile(`/lib/sync/${name}`, readFileSync(join(FIRMWARE_SYNC_DIR, name), "utf8"));
      }
    }
    mp.runPython("import sys\nfor p in ('/lib', '/tests'):\n    if p not in sys.path:\n        sys.path.append(p)\n");
    return sandbox;
  }

  /**
   * Runs `body` (which must define `async def main()`) as
   * `await asyncio.create_task(main())` and returns the printed trace.
   * Rejects, with the trace so far, if Python raises or main() does not finish.
   */
  async run(body: string, options: RunOptions = {}): Promise<string> {
    const mod = `case_${++this.cases}`;
    this.mp.FS.writeFile(`/tests/${mod}.py`, PRELUDE + dedent(body));
    this.bytes = [];
    const trace = (): string => new TextDecoder().decode(new Uint8Array(this.bytes));
    const code = `import asyncio, ${mod}\n_harness_task = asyncio.create_task(${mod}.main())\nawait _harness_task\n${EPILOGUE}`;
    const timeoutMs = options.timeoutMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const sofar = trace();
        // Unblock the interpreter for the next test of this file.
        try {
          this.mp.runPython("_harness_task.cancel()");
        } catch {
          // Nothing more can be done; the test fails anyway.
        }
        reject(new Error(`main() did not finish within ${timeoutMs} ms; output so far:\n${sofar}`));
      }, timeoutMs);
    });
    const running = this.mp.runPythonAsync(code);
    try {
      await Promise.race([running, timeout]);
    } catch (e) {
      if (e instanceof Error && e.name === "PythonError") {
        throw new Error(`Python raised:\n${e.message}\n--- output so far ---\n${trace()}`);
      }
      running.catch(() => {}); // Rejects with CancelledError once the cancel lands.
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return trace();
  }
}

let shared: Promise<MicroPythonSandbox> | undefined;

/** Runs a test body in this test file's interpreter (booted on first use). */
export async function runPy(body: string, options?: RunOptions): Promise<string> {
  shared ??= MicroPythonSandbox.boot();
  return (await shared).run(body, options);
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
