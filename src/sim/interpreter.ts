// Worker thread that hosts the real MicroPython (official WebAssembly build).
// It lives off the main thread so that a script that never yields cannot
// freeze the serial side: the main thread can always answer Ctrl-C, and as a
// last resort terminate this thread and boot a fresh one (files survive).
import { parentPort, workerData } from "node:worker_threads";
import { rewriteTopLevelRuns } from "./rewrite.js";
import { takeStdin } from "./shared.js";

export type ToInterpreter =
  /** Become the board: its files, then the boot modules (sent once MicroPython may already be loaded: a spare thread). */
  | { t: "boot"; files: FileSnapshot }
  | { t: "exec"; code: Uint8Array }
  | { t: "char"; byte: number }
  | { t: "interrupt" }
  | { t: "snapshot" }
  /** Raw-paste code received so far (whole lines): can it still compile? */
  | { t: "check"; code: Uint8Array; pasteId: number };

export type FromInterpreter =
  | { t: "ready" }
  /** The saved files could not be put back (what failed, and on which path). */
  | { t: "boot-failed"; detail: string }
  | { t: "out"; data: Uint8Array }
  | { t: "done"; stderr: string; files: FileSnapshot; softReboot: boolean }
  | { t: "machine-reset"; files: FileSnapshot }
  | { t: "char-done" }
  /** input() is waiting for a line: keys the host already typed are for it. */
  | { t: "wants-input" }
  | { t: "friendly-exit" }
  | { t: "files"; files: FileSnapshot }
  /** stderr when the code checked cannot compile whatever follows. */
  | { t: "checked"; pasteId: number; stderr?: string };

export type FileSnapshot = [path: string, data: Uint8Array][];

export interface InterpreterData {
  /**
   * Int32Array[0] = 1 when the host sent Ctrl-C (read between stdout writes,
   * and waited on by time.sleep*: the main thread notifies index 0).
   */
  interruptFlag: SharedArrayBuffer;
  /**
   * Output not yet posted: Int32Array[0] = byte count, bytes from offset 4.
   * Shared so that the main thread can still send a partial line (or an
   * input() prompt) when it has to terminate a thread stuck in a tight loop.
   */
  pendingOut: SharedArrayBuffer;
  /** Bytes the host sent while code runs (see shared.ts), read by input(). */
  stdin: SharedArrayBuffer;
  uniqueId: string;
  /** Boot with no filesystem mounted, like a firmware build without one. */
  noFilesystem?: boolean;
  /** Filesystem capacity in bytes (ENOSPC beyond it; what os.statvfs reports). */
  fsSize: number;
}

interface PythonError extends Error {
  type?: string;
}

interface MemfsNode {
  usedBytes?: number;
}

interface MicroPython {
  _module: {
    _mp_sched_keyboard_interrupt(): void;
    UTF8ToString(ptr: number, maxBytes?: number, ...rest: unknown[]): string;
    getValue(ptr: number, type: string): number;
  };
  FS: {
    ErrnoError: new (errno: number) => Error;
    open(p: string, flags: string): { stream_ops: { write: (...a: unknown[]) => number }; node: MemfsNode };
    close(stream: unknown): void;
    statfsNode(node: unknown): object;
    readdir(p: string): string[];
    lookupPath(p: string, opts?: object): { path: string; node: unknown };
    root: unknown;
    stat(p: string): { mode: number };
    isDir(mode: number): boolean;
    readFile(p: string): Uint8Array;
    writeFile(p: string, d: Uint8Array | string): void;
    mkdirTree(p: string): void;
    unlink(p: string): void;
    rmdir(p: string): void;
    rename(from: string, to: string): void;
  };
  globals: { set(name: string, value: unknown): void; delete(name: string): void };
  runPython(code: string): unknown;
  runPythonAsync(code: string): Promise<unknown>;
  replInit(): void;
  replProcessChar(c: number): number;
  registerJsModule(name: string, module: object): void;
}

/** Output is posted once this much is pending (or at a newline, a wait, or the next turn of the event loop). */
const FLUSH_AT = 512;
/** ...or once the oldest pending byte is this old, while a loop keeps printing without newlines (ms). */
const FLUSH_AGE_MS = 20;


const port = parentPort!;
const data = workerData as InterpreterData;
const interrupt = new Int32Array(data.interruptFlag);
const decoder = new TextDecoder();

const pendingCount = new Int32Array(data.pendingOut, 0, 1);
const pendingBytes = new Uint8Array(data.pendingOut, 4);

/**
 * Emscripten's own folders: hidden once the board has booted (see
 * hideSystemDirs), so the root holds only the board's files, as a board's
 * flash does. Its empty /tmp and /home are removed instead (a script may
 * make its own).
 */
const SYSTEM_DIRS = new Set(["/dev", "/proc"]);

// Installed at boot as modules (so the user's globals stay as empty as on a
// board), from files that are removed again once imported:
// - \`__sim\`: asyncio.run(), loop.run_until_complete() and loop.run_forever()
//   hand their coroutine to the JS-side loop and return its task, which the
//   rewritten top level awaits (see rewrite.ts), so they block as on a board.
//   When the run's main coroutine ends, every other task is frozen (the run
//   queue is swapped for an empty one) so the top level resumes at once, as a
//   board's loop returns from run_until_complete; the next run takes them up
//   again, and whatever is left when the script ends is dropped. Also
//   get_event_loop() accepting the firmware's runq_len/waitq_len, loop.stop().
// - \`uasyncio\`: the firmware's frozen backwards-compatible module, a plain
//   module (not a package: \`uasyncio.queues\` does not exist) forwarding to asyncio.
// - a tiny \`machine\`.
// Their frames are left out of tracebacks (see describe).
const SIM_DIR = "/tmp/__sim_boot";

const SIM_PY = `
import asyncio
from asyncio import core as _core
pending = []
held = None
forever = None
def run(aw):
    global pending
    resume()
    if not isinstance(aw, asyncio.Task) and not hasattr(aw, 'send'):
        raise TypeError('coroutine expected')
    # Called from a task (not the top level), the run's end must not freeze that task.
    t = asyncio.create_task(main(aw, _core.cur_task is _core._top_level_task))
    pending.append(t)
    return t
async def main(aw, top):
    try:
        return await aw
    finally:
        if top:
            pause()
def pause():
    global held
    q = _core._task_queue
    asyncio.new_event_loop()
    if held is None:
        held = q
    else:
        while q.peek():
            t = q.pop()
            held.push(t, t.ph_key)
def resume():
    global held
    q = held
    held = None
    if q is not None:
        cur = _core._task_queue
        while q.peek():
            t = q.pop()
            cur.push(t, t.ph_key)
def run_forever():
    global forever
    forever = asyncio.Event()
    return run(forever.wait())
def stop_loop():
    if forever is not None:
        forever.set()
def get_event_loop(runq_len=0, waitq_len=0):
    return asyncio.Loop
async def drain():
    while pending:
        t = pending.pop(0)
        if not t.done():
            resume()
            await t
def cancel():
    for t in pending:
        t.cancel()
def stop():
    # Leftover tasks stop when the run ends, as when a board's loop returns.
    global pending, held, forever
    pending = []
    held = None
    forever = None
    asyncio.new_event_loop()
asyncio.run = run
asyncio.get_event_loop = get_event_loop
asyncio.Loop.run_until_complete = run
asyncio.Loop.run_forever = run_forever
asyncio.Loop.stop = stop_loop
`;

const UASYNCIO_PY = `
def __getattr__(attr):
    import asyncio
    return getattr(asyncio, attr)
`;

const MACHINE_PY = `
_uid = bytes.fromhex('%UID%')
def unique_id():
    return _uid
def freq(*a):
    return 240000000
def soft_reset():
    raise SystemExit
class _MachineReset(BaseException):
    pass
def reset():
    # The main thread turns this into a hard reset of the whole board.
    raise _MachineReset()
`;

// \`time\` as on a board, except that its waits are interruptible: they
// sleep on the interrupt flag (Atomics.wait), so Ctrl-C stops
// \`while True: time.sleep(0.1)\` at once, with a traceback naming the line and
// the globals kept; the ticks functions look at the flag too, so busy-waits on
// them stop as well. Only a loop that calls nothing at all needs the restart.
// Pending output is sent before a wait (partial lines arrive as printed).
const TIME_PY = `
from time import *
import __simjs
_w = __simjs.wait
_p = __simjs.poll
_ms = ticks_ms
_us = ticks_us
_cpu = ticks_cpu
def sleep(s):
    if _w(s * 1000):
        raise KeyboardInterrupt
def sleep_ms(ms):
    if _w(ms):
        raise KeyboardInterrupt
def sleep_us(us):
    if _w(us / 1000):
        raise KeyboardInterrupt
def ticks_ms():
    if _p():
        raise KeyboardInterrupt
    return _ms()
def ticks_us():
    if _p():
        raise KeyboardInterrupt
    return _us()
def ticks_cpu():
    if _p():
        raise KeyboardInterrupt
    return _cpu()
`;

// OSError numbers as on a board. This build's file errors carry Emscripten's
// errno values (ENOENT 44, EEXIST 20) while its errno module has MicroPython's
// (ENOENT 2, EEXIST 17), so host tools (mpremote) misread them. \`os\`/\`uos\`
// and \`open\` are wrapped to translate. Values that MicroPython's own VFS layer
// raises (ENOENT 2, EPERM 1, ENODEV 19, EINVAL 22, EEXIST 17, EBADF 9) are not
// translated: Emscripten's FS never raises those numbers (2 would be EACCES).
// A full filesystem raises 28 (MicroPython's ENOSPC) from file writes directly.
const EMSCRIPTEN_TO_MP_ERRNO: Record<number, number> = {
  63: 1, // EPERM
  44: 2, // ENOENT
  29: 5, // EIO
  8: 9, // EBADF
  6: 11, // EAGAIN
  48: 12, // ENOMEM
  10: 16, // EBUSY
  20: 17, // EEXIST
  75: 18, // EXDEV
  43: 19, // ENODEV
  54: 20, // ENOTDIR
  31: 21, // EISDIR
  28: 22, // EINVAL
  41: 23, // ENFILE
  33: 24, // EMFILE
  59: 25, // ENOTTY
  51: 28, // ENOSPC
  70: 29, // ESPIPE
  69: 30, // EROFS
  37: 36, // ENAMETOOLONG
  52: 38, // ENOSYS
  55: 39, // ENOTEMPTY
  32: 40, // ELOOP
};

const OS_PY = `
import os as _os, builtins
_E = %ERRNO%
def _raise(e):
    n = e.args[0] if e.args else None
    if type(n) is int and n in _E:
        raise OSError(_E[n])
    raise e
def _wrap(f):
    def w(*a):
        try:
            return f(*a)
        except OSError as e:
            _raise(e)
    return w
for _k in dir(_os):
    _v = getattr(_os, _k)
    globals()[_k] = _wrap(_v) if callable(_v) and type(_v) is not type else _v
# As a board's littlefs/FAT answers: stat gives the file type bits only, no
# inode, device or links, and a folder's size is 0; ilistdir gives
# (name, type, inode, size) as firmware does (hosts such as mpremote show the size).
_stat = stat
def stat(p):
    s = _stat(p)
    m = s[0] & 0xF000
    return (m, 0, 0, 0, 0, 0, 0 if m == 0x4000 else s[6], s[7], s[8], s[9])
_ilistdir = ilistdir
def ilistdir(p='.'):
    base = p if p.endswith('/') else p + '/'
    for e in _ilistdir(p):
        size = 0
        if e[1] == 0x8000:
            try:
                size = _stat(base + e[0])[6]
            except OSError:
                pass
        yield (e[0], e[1], 0, size)
_open = builtins.open
def open(*a, **k):
    # A board refuses to open a folder (EISDIR) rather than failing at the first read.
    if a and type(a[0]) is str:
        try:
            d = _stat(a[0])[0] & 0x4000
        except OSError:
            d = 0
        if d:
            raise OSError(21)
    try:
        return _open(*a, **k)
    except OSError as e:
        _raise(e)
builtins.open = open
del _k, _v
`;

// \`sys\` as on a board, where text written to stdout is cooked (LF sent as
// CR LF) but bytes written to sys.stdout.buffer go out as they are (binary
// protocols such as mpremote's mount rely on it). This build cannot tell the
// two apart, so the buffer's writes tell the JS side (see onStdout).
const SYS_PY = `
import sys as _sys, __simjs
for _k in dir(_sys):
    globals()[_k] = getattr(_sys, _k)
del _k
class _Buffer:
    def write(self, b):
        __simjs.raw(True)
        try:
            return _sys.stdout.buffer.write(b)
        finally:
            __simjs.raw(False)
    def flush(self):
        pass
def input(prompt=''):
    # A board reads the line from its UART, echoing it; this build's own
    # input() spins without reading anything.
    if prompt:
        _sys.stdout.write(prompt)
    s = __simjs.readline()
    if s is None:
        raise KeyboardInterrupt
    return s
import builtins
builtins.input = input
del builtins
class _Stdout:
    buffer = _Buffer()
    def write(self, s):
        return _sys.stdout.write(s)
    def flush(self):
        pass
stdout = _Stdout()
`;

const BOOT = `
import sys
sys.path.insert(0, '${SIM_DIR}')
for _m in ('__sim', 'uasyncio', 'machine', '__simtime', '__simos', '__simsys'):
    __import__(_m).__file__ = _m + '.py'
sys.path.pop(0)
sys.modules['os'] = sys.modules['uos'] = sys.modules['__simos']
sys.modules['__simos'].__name__ = 'os'
del sys.modules['__simos']
sys.modules['sys'] = sys.modules['__simsys']
sys.modules['__simsys'].__name__ = 'sys'
del sys.modules['__simsys']
sys.modules['time'] = sys.modules['utime'] = sys.modules['__simtime']
sys.modules['__simtime'].__name__ = 'time'
del sys.modules['__simtime']
del sys, _m
`;

let mp: MicroPython;
let flushScheduled = false;
let muted = false;
let interrupted = false;
/** Running a script (raw REPL): every LF goes out as CR LF, as the firmware's cooked stdout. */
let cookAll = false;
/** Writing through sys.stdout.buffer: bytes go out as they are. */
let rawOut = false;
let lastByte = 0;
let pendingSince = 0;

function flush() {
  flushScheduled = false;
  const n = Atomics.load(pendingCount, 0);
  if (n === 0) return;
  const out = pendingBytes.slice(0, n);
  Atomics.store(pendingCount, 0, 0);
  port.postMessage({ t: "out", data: out } satisfies FromInterpreter);
}

function put(c: number) {
  const n = Atomics.load(pendingCount, 0);
  if (n >= pendingBytes.length) flush();
  const m = Atomics.load(pendingCount, 0);
  if (m === 0) pendingSince = performance.now();
  pendingBytes[m] = c;
  Atomics.store(pendingCount, 0, m + 1);
}

function emit(c: number) {
  if (c === 10 && !rawOut && (cookAll || lastByte !== 13)) put(13);
  put(c);
  lastByte = c;
}

// The friendly REPL prints tracebacks itself: leave out the frames of the
// virtual board's helpers there too (describe() does it for scripts).
const SIM_FRAME_START = new TextEncoder().encode(`  File "${SIM_DIR}/`);
let held: number[] = [];
let hiding = false;

/** True when `c` is held back (maybe the start of a helper's frame line) or dropped (in one). */
function hideSimFrame(c: number): boolean {
  if (hiding) {
    if (c === 10) hiding = false;
    return true;
  }
  if (held.length === 0 && lastByte !== 10) return false;
  if (SIM_FRAME_START[held.length] === c) {
    held.push(c);
    if (held.length === SIM_FRAME_START.length) {
      held = [];
      hiding = true;
    }
    return true;
  }
  const release = held;
  held = [];
  for (const h of release) emit(h);
  return false;
}

function onStdout(chunk: Uint8Array) {
  if (muted) return;
  // A board's stdout is cooked: print(2) sends "2\r\n". The friendly REPL
  // already ends its own lines with CR LF; there only a lone LF gets a CR.
  for (const c of chunk) {
    if (!cookAll && !rawOut && hideSimFrame(c)) continue;
    emit(c);
  }
  // Batch, but never hold a finished line, nor a partial one for long: output
  // streams as printed while scripts run.
  const n = Atomics.load(pendingCount, 0);
  if (chunk[chunk.length - 1] === 10 || n >= FLUSH_AT || (n > 0 && performance.now() - pendingSince >= FLUSH_AGE_MS)) flush();
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

/** Ctrl-C arrived (and is now spent). */
function takeInterrupt(): boolean {
  if (Atomics.exchange(interrupt, 0, 0) !== 1) return false;
  interrupted = true;
  return true;
}

/** input(): a line from the serial line, echoed as typed; null on Ctrl-C. */
function readline(): string | null {
  const stdinWritten = new Int32Array(data.stdin, 0, 1);
  const line: number[] = [];
  port.postMessage({ t: "wants-input" } satisfies FromInterpreter);
  for (;;) {
    flush();
    if (takeInterrupt()) return null;
    const c = takeStdin(data.stdin);
    if (c === undefined) {
      Atomics.wait(stdinWritten, 0, Atomics.load(stdinWritten, 0), 50);
      continue;
    }
    if (c === 13 || c === 10) {
      onStdout(Uint8Array.of(10)); // cooked: CR LF
      flush();
      // A CR LF pair is one Enter.
      return new TextDecoder().decode(Uint8Array.from(line));
    }
    if (c === 8 || c === 127) {
      if (line.length) {
        line.pop();
        onStdout(Uint8Array.of(8, 32, 8));
      }
      continue;
    }
    if (c < 32) continue;
    line.push(c);
    onStdout(Uint8Array.of(c));
  }
}

/** time.sleep*: wait on the interrupt flag; true when Ctrl-C ended the wait. */
function wait(ms: number): boolean {
  flush();
  if (takeInterrupt()) return true;
  const end = performance.now() + Math.max(0, Number(ms) || 0);
  for (;;) {
    const left = end - performance.now();
    if (left <= 0) return takeInterrupt();
    Atomics.wait(interrupt, 0, 0, left);
    if (takeInterrupt()) return true;
  }
}

const BLOCK = 4096;

/** Blocks used by the board's files (each file rounded up to whole blocks, one per directory). */
function blocksUsed(dir = "/"): number {
  let n = 0;
  for (const name of mp.FS.readdir(dir)) {
    if (name === "." || name === "..") continue;
    const path = dir === "/" ? `/${name}` : `${dir}/${name}`;
    if (SYSTEM_DIRS.has(path)) continue;
    const st = mp.FS.stat(path) as { mode: number; size: number };
    n += mp.FS.isDir(st.mode) ? 1 + blocksUsed(path) : Math.ceil(st.size / BLOCK);
  }
  return n;
}

/**
 * A flash filesystem of data.fsSize bytes: writes that would not fit fail
 * with ENOSPC, and os.statvfs reports the same capacity and free space.
 */
function limitFilesystem() {
  const total = Math.max(1, Math.floor(data.fsSize / BLOCK));
  const probe = "/.__sim_probe";
  const stream = mp.FS.open(probe, "w");
  const ops = stream.stream_ops; // shared by every regular file (MEMFS)
  mp.FS.close(stream);
  mp.FS.unlink(probe);
  const write = ops.write;
  ops.write = function (this: unknown, ...a: unknown[]) {
    const [s, , , length, position] = a as [{ node: MemfsNode; path?: string }, unknown, number, number, number];
    const old = s.node.usedBytes ?? 0;
    const grow = Math.ceil(Math.max(old, position + length) / BLOCK) - Math.ceil(old / BLOCK);
    if (grow > 0 && !restoring && !(s.path ?? "").startsWith(SIM_DIR + "/") && blocksUsed() + grow > total) {
      // 28 reaches MicroPython as its own ENOSPC (this build's is 51).
      throw new mp.FS.ErrnoError(28);
    }
    return write.apply(this, a);
  };
  mp.FS.statfsNode = () => {
    const free = Math.max(0, total - blocksUsed());
    return { bsize: BLOCK, frsize: BLOCK, blocks: total, bfree: free, bavail: free, files: 0, ffree: 0, fsid: 42, flags: 0, namelen: 255 };
  };
}

/** The runtime's empty /tmp and /home: a board has neither, and its own files may use those names. */
function removeRuntimeDirs() {
  for (const dir of ["/home/web_user", "/home", "/tmp"]) {
    try {
      mp.FS.rmdir(dir);
    } catch {
      /* not there, or holds the board's own files (a saved /tmp) */
    }
  }
}

/**
 * Runs `load` with SIM_DIR free for the boot modules: a file of the board's
 * named /tmp, or its own SIM_DIR, is moved aside meanwhile and put back after
 * (SIM_DIR is only a place for the modules to be imported from).
 */
function withSimDir(load: () => void) {
  const FS = mp.FS;
  const moved: [aside: string, path: string][] = [];
  const exists = (p: string) => {
    try {
      return FS.stat(p);
    } catch {
      return undefined;
    }
  };
  const tmp = exists("/tmp");
  for (const path of tmp && !FS.isDir(tmp.mode) ? ["/tmp"] : exists(SIM_DIR) ? [SIM_DIR] : []) {
    let aside = "/.__sim_aside";
    while (exists(aside)) aside += "_";
    FS.rename(path, aside);
    moved.push([aside, path]);
  }
  load();
  for (const [aside, path] of moved) {
    if (path === "/tmp") FS.rmdir("/tmp"); // made for SIM_DIR, empty again
    FS.rename(aside, path);
  }
}

/**
 * The root as a board's: /dev and /proc (which the runtime set up and no
 * longer needs by name: its standard streams are open) are not listed and
 * cannot be reached by path (ENOENT, as on a board), and the empty /tmp and
 * /home go. Paths are resolved first, so "/lib/../dev" is hidden too.
 */
function hideSystemDirs() {
  const FS = mp.FS;
  removeRuntimeDirs();
  const hidden = (path: string) => [...SYSTEM_DIRS].some((d) => path === d || path.startsWith(d + "/"));
  const lookupPath = FS.lookupPath.bind(FS);
  FS.lookupPath = (path: string, opts: object = {}) => {
    const found = lookupPath(path, opts);
    if (hidden(found.path)) throw new FS.ErrnoError(44);
    return found;
  };
  const readdir = FS.readdir.bind(FS);
  FS.readdir = (path: string) => {
    const names = readdir(path);
    if (lookupPath(path, { follow: true }).node !== FS.root) return names;
    return names.filter((n) => !SYSTEM_DIRS.has(`/${n}`));
  };
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

/**
 * The costly part of a boot (about three quarters of it), done as soon as the
 * thread starts: the virtual board keeps a spare thread loaded this far, so
 * a soft reset only has to hand it the files (see VirtualBoard.spawn).
 */
async function load() {
  const { loadMicroPython } = (await import("@micropython/micropython-webassembly-pyscript")) as unknown as {
    loadMicroPython(o: object): Promise<MicroPython>;
  };
  muted = true;
  mp = await loadMicroPython({ stdout: onStdout, linebuffer: false, pystack: 16384, heapsize: 2 * 1024 * 1024 });
  limitFilesystem();
  keepWholeExceptionText();
  mp.registerJsModule("__simjs", { wait, poll: takeInterrupt, raw: (on: boolean) => void (rawOut = on === true), readline });
}
const loaded = load();

/**
 * The last string from the interpreter that this build's JS side would cut
 * short (see keepWholeExceptionText), decoded whole.
 */
let wholeText: string | undefined;

/**
 * This build hands an exception to JS as one C string, "Type\x04traceback",
 * which its JS side decodes with Module.UTF8ToString (stopping at a NUL) and
 * splits at every \x04, keeping only the first two parts: a message holding
 * \x04 (or NUL) arrives cut there, where a board prints it whole. Strings it
 * would cut are decoded again here from their bytes, for describe().
 */
function keepWholeExceptionText() {
  const M = mp._module;
  const decode = M.UTF8ToString;
  const utf8 = new TextEncoder();
  M.UTF8ToString = (ptr: number, maxBytes?: number, ...rest: unknown[]) => {
    const s = decode(ptr, maxBytes, ...rest);
    // Every string the interpreter hands JS comes through here; an exception's always holds its
    // first \x04 (after the type, before any NUL), so the others are left alone at once.
    if (maxBytes === undefined || !s.includes("\x04")) return s;
    const split = s.indexOf("\x04") !== s.lastIndexOf("\x04");
    if (split || (s.length < maxBytes && utf8.encode(s).length < maxBytes)) {
      const raw = new Uint8Array(maxBytes);
      for (let i = 0; i < maxBytes; i++) raw[i] = M.getValue(ptr + i, "i8") & 0xff;
      wholeText = decoder.decode(raw);
    }
    return s;
  };
}

/** The traceback of `e` as the interpreter printed it (e.message may be cut short: see keepWholeExceptionText). */
function wholeTraceback(e: PythonError): string {
  const whole = wholeText;
  wholeText = undefined;
  const head = `${e.type}\x04`;
  if (whole?.startsWith(head + e.message)) return whole.slice(head.length);
  return e.message;
}

/**
 * Putting the saved files back: the flash already holds them, so the size
 * limit does not apply. A board whose flash was full (or was saved with a
 * larger fs-size) boots with all its files and reports itself full.
 */
let restoring = false;

/** The board's files, then the boot modules (after the files, as a board's /lib may shadow modules). */
function boot(files: FileSnapshot) {
  removeRuntimeDirs();
  restoring = true;
  try {
    for (const [path, content] of files) {
      try {
        if (path.endsWith("/")) mp.FS.mkdirTree(path.slice(0, -1));
        else mp.FS.writeFile(path, content);
      } catch (err) {
        throw new Error(`restoring ${path}: ${fsErrorText(err)}`);
      }
    }
  } finally {
    restoring = false;
  }
  const boot: [string, string][] = [
    ["__sim.py", SIM_PY],
    ["uasyncio.py", UASYNCIO_PY],
    ["machine.py", MACHINE_PY.replace("%UID%", data.uniqueId)],
    ["__simtime.py", TIME_PY],
    ["__simsys.py", SYS_PY],
    ["__simos.py", OS_PY.replace("%ERRNO%", JSON.stringify(EMSCRIPTEN_TO_MP_ERRNO).replace(/"/g, ""))],
  ];
  withSimDir(() => {
    mp.FS.mkdirTree(SIM_DIR);
    for (const [name, text] of boot) mp.FS.writeFile(`${SIM_DIR}/${name}`, text);
    mp.runPython(BOOT);
    for (const [name] of boot) mp.FS.unlink(`${SIM_DIR}/${name}`);
    mp.FS.rmdir(SIM_DIR);
  });
  hideSystemDirs();
  if (data.noFilesystem) mp.runPython("import os\nos.umount('/')\ndel os");
  mp.replInit();
  muted = false;
}

function fsErrorText(err: unknown): string {
  const e = err as { message?: string; code?: string };
  return [e?.message ?? String(err), e?.code].filter(Boolean).join(" ");
}

const SIM_FRAME = new RegExp(`^  File "${SIM_DIR}/[^"]*".*\n`, "gm");

function describe(err: unknown): string {
  const e = err as PythonError;
  if (e?.name !== "PythonError") return `Traceback (most recent call last):\nRuntimeError: virtual board: ${String(e?.message ?? e)}\n`;
  if (e.type === "SystemExit") return ""; // the board soft-reboots instead (see exec)
  // Frames in the virtual board's own helpers are not the user's business.
  const message = wholeTraceback(e).replace(SIM_FRAME, "");
  if (interrupted && e.type === "CancelledError") return message.replace(/CancelledError:.*\n?$/, "KeyboardInterrupt: \n");
  return message;
}

/**
 * This build's runPythonAsync accepts top-level `await`; a board compiles the
 * script as a module, where it is a SyntaxError. Compile it that way first and
 * report any SyntaxError as the board would: one frame, in the user's code.
 */
function syntaxError(source: string): PythonError | undefined {
  const e = compileError(source);
  if (!e || e.type === "MemoryError") return undefined;
  return Object.assign(new Error(e.message), { name: "PythonError", type: e.type });
}

interface CompileError {
  type: string;
  message: string;
  /** The line of the user's code it names (SyntaxError). */
  line?: number;
}

function compileError(source: string): CompileError | undefined {
  try {
    mp.globals.set("__sim_src", source);
    mp.runPython("compile(__sim_src, '<stdin>', 'exec')");
    return undefined;
  } catch (err) {
    const e = err as PythonError;
    if (e?.name !== "PythonError" || !e.type) return undefined;
    const lines = e.message.replace(/\n$/, "").split("\n");
    // Raised while parsing, before any code ran: no frame, as on a board.
    if (e.type === "MemoryError") return { type: e.type, message: lines[lines.length - 1] + "\n" };
    if (e.type !== "SyntaxError" && e.type !== "IndentationError") return undefined;
    // Drop the frame of the compile() call; keep the one in the user's code.
    let last = lines.length - 1;
    while (last > 0 && !lines[last].startsWith("  File ")) last--;
    const message = last > 0 ? [lines[0], ...lines.slice(last)].join("\n") + "\n" : e.message;
    const line = last > 0 ? Number(/line (\d+)/.exec(lines[last])?.[1]) : undefined;
    return { type: e.type, message, line };
  } finally {
    try {
      mp.globals.delete("__sim_src");
    } catch {
      /* never set: out of memory */
    }
  }
}

/**
 * A board compiles raw-paste code while it arrives and stops at the first line
 * that cannot compile. Here the whole lines received so far are compiled: an
 * error they cannot outgrow is one before their last line (an error caused by
 * the code ending early, as an open bracket or block, is reported at the end)
 * that closing an open triple-quoted string does not move; or running out of
 * memory.
 */
function pasteError(code: string): string | undefined {
  const lines = code.split("\n").length - 1;
  const first = compileError(code);
  if (!first) return undefined;
  if (first.type === "MemoryError") return first.message;
  if (first.line === undefined || !(first.line < lines)) return undefined;
  // A nonlocal's binding may still come later in the enclosing function.
  if (/nonlocal/.test(first.message)) return undefined;
  for (const quote of ["'", '"']) {
    const e = compileError(code + quote.repeat(3) + "\n");
    if (!e || e.line !== first.line) return undefined;
  }
  return first.message;
}

async function exec(code: Uint8Array) {
  interrupted = false;
  wholeText = undefined;
  cookAll = true;
  rawOut = false;
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
        const source = decoder.decode(code);
        const bad = syntaxError(source);
        if (bad) throw bad;
        await mp.runPythonAsync(rewriteTopLevelRuns(source));
        await mp.runPythonAsync("await __import__('__sim').drain()");
      })(),
      escaped,
    ]);
  } catch (err) {
    if ((err as PythonError)?.type === "_MachineReset") {
      endRun = undefined;
      flush();
      cookAll = false;
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
  cookAll = false;
  port.postMessage({ t: "done", stderr, files: snapshot(), softReboot } satisfies FromInterpreter);
}

port.on("message", async (msg: ToInterpreter) => {
  switch (msg.t) {
    case "boot":
      await loaded;
      try {
        boot(msg.files);
      } catch (err) {
        port.postMessage({ t: "boot-failed", detail: err instanceof Error ? err.message : String(err) } satisfies FromInterpreter);
        return;
      }
      port.postMessage({ t: "ready" } satisfies FromInterpreter);
      return;
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
    case "check": {
      let stderr: string | undefined;
      try {
        stderr = pasteError(decoder.decode(msg.code));
      } catch {
        stderr = undefined;
      }
      port.postMessage({ t: "checked", pasteId: msg.pasteId, stderr } satisfies FromInterpreter);
      return;
    }
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

await loaded;
