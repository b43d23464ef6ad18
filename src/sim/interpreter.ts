// Worker thread that hosts the real MicroPython (official WebAssembly build).
// It lives off the main thread so that a script that never yields cannot
// freeze the serial side: the main thread can always answer Ctrl-C, and as a
// last resort terminate this thread and boot a fresh one (files survive).
import { parentPort, workerData } from "node:worker_threads";
import { rewriteTopLevelRuns } from "./rewrite.js";

export type ToInterpreter =
  | { t: "exec"; code: Uint8Array }
  | { t: "char"; byte: number }
  | { t: "interrupt" }
  | { t: "snapshot" };

export type FromInterpreter =
  | { t: "ready" }
  | { t: "out"; data: Uint8Array }
  | { t: "done"; stderr: string; files: FileSnapshot; softReboot: boolean }
  | { t: "machine-reset"; files: FileSnapshot }
  | { t: "char-done" }
  | { t: "friendly-exit" }
  | { t: "files"; files: FileSnapshot };

export type FileSnapshot = [path: string, data: Uint8Array][];

export interface InterpreterData {
  /** Int32Array[0] = 1 when the host sent Ctrl-C (read between stdout writes). */
  interruptFlag: SharedArrayBuffer;
  files: FileSnapshot;
  uniqueId: string;
  /** Boot with no filesystem mounted, like a firmware build without one. */
  noFilesystem?: boolean;
}

interface PythonError extends Error {
  type?: string;
}

interface MicroPython {
  _module: { _mp_sched_keyboard_interrupt(): void };
  FS: {
    readdir(p: string): string[];
    stat(p: string): { mode: number };
    isDir(mode: number): boolean;
    readFile(p: string): Uint8Array;
    writeFile(p: string, d: Uint8Array | string): void;
    mkdirTree(p: string): void;
  };
  runPython(code: string): unknown;
  runPythonAsync(code: string): Promise<unknown>;
  replInit(): void;
  replProcessChar(c: number): number;
}

const port = parentPort!;
const data = workerData as InterpreterData;
const interrupt = new Int32Array(data.interruptFlag);
const decoder = new TextDecoder();

const SYSTEM_DIRS = new Set(["/dev", "/proc", "/tmp", "/home"]);

// Installed at boot: an asyncio.run() that hands the coroutine to the JS-side
// loop and remembers it, so the exec reply waits for it; a tiny `machine`.
const PRELUDE = `
import sys, asyncio
class _SimRuns:
    pending = []
    @staticmethod
    def run(coro):
        t = asyncio.create_task(coro)
        _SimRuns.pending.append(t)
        return t
    @staticmethod
    async def drain():
        while _SimRuns.pending:
            t = _SimRuns.pending.pop(0)
            if not t.done():
                await t
    @staticmethod
    def cancel():
        for t in _SimRuns.pending:
            t.cancel()
    @staticmethod
    def stop():
        # Leftover tasks stop when the run ends, as when a board's loop returns.
        _SimRuns.pending = []
        asyncio.new_event_loop()
asyncio.run = _SimRuns.run
asyncio.Loop.run_until_complete = _SimRuns.run
sys.modules['__sim'] = _SimRuns
`;

const MACHINE_PY = `
class _Machine:
    _uid = bytes.fromhex('%UID%')
    @staticmethod
    def unique_id():
        return _Machine._uid
    @staticmethod
    def freq(*a):
        return 240000000
    @staticmethod
    def soft_reset():
        raise SystemExit
    @staticmethod
    def reset():
        # The main thread turns this into a hard reset of the whole board.
        raise _MachineReset()
class _MachineReset(BaseException):
    pass
sys.modules['machine'] = _Machine
`;

let mp: MicroPython;
let outBuf: number[] = [];
let flushScheduled = false;
let muted = false;
let interrupted = false;

function flush() {
  flushScheduled = false;
  if (outBuf.length === 0) return;
  port.postMessage({ t: "out", data: Uint8Array.from(outBuf) } satisfies FromInterpreter);
  outBuf = [];
}

function onStdout(chunk: Uint8Array) {
  if (muted) return;
  for (const c of chunk) outBuf.push(c);
  // Batch, but never hold a finished line: output must stream while scripts run.
  if (chunk[chunk.length - 1] === 10 || outBuf.length >= 512) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
  // A synchronous loop that prints still calls in here: deliver Ctrl-C.
  if (Atomics.exchange(interrupt, 0, 0) === 1) {
    interrupted = true;
    mp._module._mp_sched_keyboard_interrupt();
  }
}

function snapshot(dir = "/", out: FileSnapshot = []): FileSnapshot {
  for (const name of mp.FS.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
    if (SYSTEM_DIRS.has(path)) continue;
    if (mp.FS.isDir(mp.FS.stat(path).mode)) {
      out.push([path + "/", new Uint8Array(0)]);
      snapshot(path, out);
    } else out.push([path, mp.FS.readFile(path)]);
  }
  return out;
}

async function boot(files: FileSnapshot) {
  const { loadMicroPython } = (await import("@micropython/micropython-webassembly-pyscript")) as unknown as {
    loadMicroPython(o: object): Promise<MicroPython>;
  };
  muted = true;
  mp = await loadMicroPython({ stdout: onStdout, linebuffer: false, pystack: 16384, heapsize: 2 * 1024 * 1024 });
  for (const [path, content] of files) {
    if (path.endsWith("/")) mp.FS.mkdirTree(path.slice(0, -1));
    else mp.FS.writeFile(path, content);
  }
  mp.runPython(PRELUDE + MACHINE_PY.replace("%UID%", data.uniqueId));
  if (data.noFilesystem) mp.runPython("import os\nos.umount('/')");
  mp.replInit();
  muted = false;
}

function describe(err: unknown): string {
  const e = err as PythonError;
  if (e?.name !== "PythonError") return `Traceback (most recent call last):\nRuntimeError: virtual board: ${String(e?.message ?? e)}\n`;
  if (e.type === "SystemExit") return ""; // the board soft-reboots instead (see exec)
  if (interrupted && e.type === "CancelledError") return e.message.replace(/CancelledError:.*\n?$/, "KeyboardInterrupt: \n");
  return e.message;
}

async function exec(code: Uint8Array) {
  interrupted = false;
  Atomics.store(interrupt, 0, 0);
  let stderr = "";
  let softReboot = false;
  // asyncio here catches only Exception in tasks: a BaseException raised in one
  // (SystemExit, machine.reset()) escapes from a JS timer instead of from the
  // awaited run. Take it from there as the end of the run, as on a board.
  const escaped = new Promise<never>((_, reject) => (endRun = reject));
  try {
    await Promise.race([
      (async () => {
        await mp.runPythonAsync(rewriteTopLevelRuns(decoder.decode(code)));
        await mp.runPythonAsync("await __import__('__sim').drain()");
      })(),
      escaped,
    ]);
  } catch (err) {
    if ((err as PythonError)?.type === "_MachineReset") {
      endRun = undefined;
      flush();
      port.postMessage({ t: "machine-reset", files: snapshot() } satisfies FromInterpreter);
      return;
    }
    stderr = describe(err);
    softReboot = (err as PythonError)?.type === "SystemExit";
  }
  endRun = undefined;
  try {
    mp.runPython("__import__('__sim').stop()");
  } catch {
    // A KeyboardInterrupt that arrived after the script ended lands here; drop it.
  }
  flush();
  port.postMessage({ t: "done", stderr, files: snapshot(), softReboot } satisfies FromInterpreter);
}

port.on("message", async (msg: ToInterpreter) => {
  switch (msg.t) {
    case "exec":
      return exec(msg.code);
    case "interrupt":
      // Reaching here means the VM is idle (awaiting): cancel the run instead.
      interrupted = true;
      Atomics.store(interrupt, 0, 0);
      try {
        mp.runPython("__import__('__sim').cancel()");
      } catch {
        /* nothing to cancel */
      }
      return;
    case "char":
      try {
        if (mp.replProcessChar(msg.byte) !== 0) port.postMessage({ t: "friendly-exit" } satisfies FromInterpreter);
      } finally {
        flush();
        port.postMessage({ t: "char-done" } satisfies FromInterpreter);
      }
      return;
    case "snapshot":
      port.postMessage({ t: "files", files: snapshot() } satisfies FromInterpreter);
      return;
  }
});

let endRun: ((err: unknown) => void) | undefined;
process.on("uncaughtException", (err) => {
  if (endRun && (err as PythonError)?.name === "PythonError") return endRun(err);
  throw err;
});

await boot(data.files);
port.postMessage({ t: "ready" } satisfies FromInterpreter);
