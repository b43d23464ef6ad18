// The virtual board: the board side of the raw REPL (src/transport/device.ts)
// in front of a real MicroPython running in a worker thread. It sees only
// bytes, exactly as a board's UART would.
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { DeviceProtocol, type DeviceAction, type DeviceOptions } from "../transport/device.js";
import { CTRL_C, bytes } from "../transport/protocol.js";
import type { FileSnapshot, FromInterpreter, InterpreterData, ToInterpreter } from "./interpreter.js";
import { PENDING_OUT_BYTES, STDIN_BYTES, clearStdin, putStdin, takePendingOut, takeStdin } from "./shared.js";
import type { FlashStore } from "./flash.js";
import { EXIT, UserError } from "../errors.js";

export interface VirtualBoardOptions extends DeviceOptions {
  /** Fault: never answer anything. */
  silent?: boolean;
  /** Fault: bytes of boot-ROM garbage sent when a host opens the port. */
  garbageOnOpen?: number;
  /** Fault: no filesystem mounted (file operations fail with ENODEV). */
  noFilesystem?: boolean;
  /** How long Ctrl-C may take before the interpreter thread is restarted (ms). */
  interruptGraceMs?: number;
  /** Filesystem capacity in bytes (default DEFAULT_FS_SIZE, the vfs partition of a 4 MB ESP32). */
  fsSize?: number;
  /**
   * Fault: the board runs code that cannot be stopped (stuck in C, or firmware
   * that ignores Ctrl-C) and keeps printing: it takes in nothing at all.
   */
  busy?: boolean;
}

/** The 2 MB vfs partition of an ESP32 with 4 MB of flash. */
export const DEFAULT_FS_SIZE = 2 * 1024 * 1024;

/** The busy fault prints a line this often (ms). */
const BUSY_EVERY_MS = 50;

/** Raw-paste code is compile-checked at most this often while it arrives (ms). */
const PASTE_CHECK_MS = 25;

const VERSION = "MicroPython v1.27.0 on 2025-12-10; synccli virtual board with MicroPython WebAssembly";

function workerUrl(): URL {
  // Built: dist/sim/interpreter.js beside this file. Under vitest this file is
  // the .ts source, and the worker must be the built one.
  const here = new URL("./interpreter.js", import.meta.url);
  return existsSync(fileURLToPath(here)) ? here : new URL("../../dist/sim/interpreter.js", import.meta.url);
}

export class VirtualBoard {
  private device: DeviceProtocol;
  private worker: Worker | undefined;
  private workerReady: Promise<void> = Promise.resolve();
  private interruptFlag = new SharedArrayBuffer(4);
  private pendingOut = new SharedArrayBuffer(PENDING_OUT_BYTES);
  private stdin = new SharedArrayBuffer(STDIN_BYTES);
  private files: FileSnapshot = [];
  private watchdog: NodeJS.Timeout | undefined;
  private readonly uniqueId = randomBytes(6).toString("hex");
  /** Bytes the board transmits. */
  onTransmit: (data: Uint8Array) => void = () => {};
  /** The board cannot boot (its files could not be put back): it answers nothing from now on. */
  onDead: (err: UserError) => void = () => {};
  private dead: UserError | undefined;

  /**
   * `flash`: where the board's files are kept between runs (loaded now, saved
   * after every run, reset and at stop); without it they live in memory only.
   */
  constructor(
    private readonly opts: VirtualBoardOptions = {},
    private readonly flash?: FlashStore,
  ) {
    this.device = new DeviceProtocol({ ...opts, banner: VERSION });
    this.files = flash?.load() ?? [];
  }

  /** Power on: boot the interpreter. Its banner went out before any host listened, as with a board plugged in earlier. */
  async start(): Promise<void> {
    await this.spawn();
    if (this.opts.busy) this.startBusy();
  }

  // The busy fault: a program started at power-on (a main.py stuck in C, or
  // firmware that ignores Ctrl-C while it runs) printing a reading every
  // BUSY_EVERY_MS; receive() takes in nothing, so nothing stops it.
  private busyTimer: NodeJS.Timeout | undefined;
  private startBusy() {
    let n = 0;
    const t0 = performance.now();
    this.busyTimer = setInterval(() => {
      n++;
      this.transmit(bytes(`reading ${n}: ${Math.round(performance.now() - t0)} ms, still busy\r\n`));
    }, BUSY_EVERY_MS);
    this.busyTimer.unref();
  }

  /** The board's files now saved to its flash store (what the interpreter last reported). */
  private persist() {
    this.flash?.save(this.files);
  }

  /** A host opened the port (an ESP32's boot ROM may have left garbage). */
  hostOpened() {
    const n = this.opts.garbageOnOpen ?? 0;
    if (n > 0) {
      const junk = new Uint8Array(n);
      for (let i = 0; i < n; i++) junk[i] = 0x80 + ((i * 37) % 0x7f);
      this.transmit(junk);
    }
  }

  /** Power off: the files are saved (the last known ones if the interpreter is stuck), the flash store given up. */
  async stop() {
    this.stopped = true;
    this.stopWatchdog();
    clearInterval(this.busyTimer);
    if (this.flash) {
      this.worker?.ref(); // a host may close before the board finished booting: wait for it
      await this.workerReady.catch(() => {});
      this.files = await this.snapshot();
      this.persist();
      this.flash.release();
    }
    const w = this.worker;
    this.worker = undefined;
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([w?.terminate(), spare?.terminate()]);
  }

  private held = false;
  /** Keep the process alive while a host has the port open (the worker is unref'd). */
  hold(on: boolean) {
    if (on) this.worker?.ref();
    else this.worker?.unref();
    this.held = on;
  }

  /** EN pin pulsed: reboot keeping files, boot chatter, banner, friendly REPL. */
  async hardReset(reason = "0x1 (POWERON_RESET)") {
    this.device.mode = "friendly";
    await this.reboot();
    this.transmit(bytes(`ets Jun  8 2016 00:22:57\r\n\r\nrst:${reason},boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n`));
    this.transmit(this.device.friendlyBanner());
  }

  /**
   * A fresh interpreter in a fresh thread, with the files of the old one (two
   * interpreters of this build in one JS realm share globals and corrupt each
   * other). Like a real board, it ignores what arrives while it boots.
   */
  private async reboot() {
    this.booting = true;
    this.stopWatchdog();
    // An idle interpreter (no code run since its files were last reported)
    // need not be asked for them again, nor waited for while it ends.
    const idle = this.filesKnown;
    if (!idle) this.files = await this.snapshot();
    this.persist();
    const old = this.worker;
    this.worker = undefined;
    if (idle) void old?.terminate();
    else await old?.terminate();
    this.charDone(); // a REPL keystroke in flight died with the old thread
    this.checking = false; // and so did a raw-paste compile check
    Atomics.store(new Int32Array(this.interruptFlag), 0, 0); // that Ctrl-C is spent
    // A thread that cannot boot has been reported (bootFailed); nothing is left to do here.
    await this.spawn().catch(() => {});
    this.booting = false;
  }
  private booting = false;

  /** The interpreter's files; the last known ones if it is too busy to answer. */
  private snapshot(): Promise<FileSnapshot> {
    if (!this.worker) return Promise.resolve(this.files);
    return new Promise<FileSnapshot>((resolve) => {
      const timer = setTimeout(() => resolve(this.files), 200);
      this.onFiles = (files) => {
        clearTimeout(timer);
        resolve(files);
      };
      this.worker!.postMessage({ t: "snapshot" } satisfies ToInterpreter);
    });
  }

  private transmit(data: Uint8Array) {
    if (!this.opts.silent && data.length) this.onTransmit(data);
  }

  /** Bytes received from the host. */
  receive(data: Uint8Array) {
    if (this.opts.silent || this.opts.busy || this.booting || this.dead) return;
    for (const action of this.device.receive(data)) {
      // Ctrl-C must not queue behind the statement it is meant to stop.
      if (action.type === "interrupt") this.interrupt();
      else this.enqueue(action);
    }
    if (this.device.mode === "paste") this.checkPaste();
  }

  // Raw-paste code is compiled as it arrives (see pasteError in interpreter.ts),
  // one check at a time, at most every PASTE_CHECK_MS, whole lines only.
  private checking = false;
  private checkedUpTo = { pasteId: -1, length: 0 };
  private lastCheck = 0;
  private checkTimer: NodeJS.Timeout | undefined;

  private checkPaste() {
    if (this.checking || this.checkTimer) return;
    const wait = this.lastCheck + PASTE_CHECK_MS - performance.now();
    if (wait > 0) {
      this.checkTimer = setTimeout(() => {
        this.checkTimer = undefined;
        if (this.device.mode === "paste") this.checkPaste();
      }, wait);
      this.checkTimer.unref();
      return;
    }
    const pasteId = this.device.pasteId;
    const code = this.device.pasteSoFar();
    const end = code.lastIndexOf(10) + 1;
    if (end === 0) return;
    if (this.checkedUpTo.pasteId === pasteId && this.checkedUpTo.length >= end) return;
    this.checkedUpTo = { pasteId, length: end };
    this.checking = true;
    this.pristine = false; // compiling leaves nothing behind, but the interpreter did work
    this.lastCheck = performance.now();
    this.post({ t: "check", code: code.slice(0, end), pasteId });
  }

  private checked(pasteId: number, stderr: string | undefined) {
    this.checking = false;
    this.lastCheck = performance.now();
    if (stderr !== undefined) {
      for (const a of this.device.failPaste(stderr, pasteId)) this.enqueue(a);
    } else if (this.device.mode === "paste") this.checkPaste();
  }

  // The friendly REPL answers from the worker, asynchronously; what the board
  // says next (say, the raw banner after Ctrl-A) must not overtake it.
  private sequence: Promise<void> = Promise.resolve();
  private charDone: () => void = () => {};
  private charInFlight = false;

  /**
   * Keys typed at the friendly REPL, not yet taken: the board's UART buffer.
   * A statement's input() takes them (and those typed while it waits); what
   * it leaves goes back to the REPL, in order.
   */
  private keys: number[] = [];
  private inputWanted = false;

  private enqueue(action: Exclude<DeviceAction, { type: "interrupt" }>) {
    if (action.type !== "friendly-char") {
      this.sequence = this.sequence.then(() => this.act(action));
      return;
    }
    if (this.inputWanted && action.byte !== CTRL_C) return putStdin(this.stdin, Uint8Array.of(action.byte));
    this.keys.push(action.byte);
    this.sequence = this.sequence.then(() => this.nextKey());
  }

  private nextKey(): Promise<void> | void {
    const byte = this.keys.shift();
    if (byte === undefined) return; // taken by an input()
    return new Promise<void>((resolve) => {
      this.charInFlight = true;
      this.charDone = () => {
        this.charInFlight = false;
        this.inputWanted = false;
        // What an input() left unread is typed into the REPL next, before later keys.
        const left: number[] = [];
        for (let c = takeStdin(this.stdin); c !== undefined; c = takeStdin(this.stdin)) left.push(c);
        this.keys.unshift(...left);
        for (const _ of left) this.sequence = this.sequence.then(() => this.nextKey());
        resolve();
      };
      this.filesKnown = false; // the friendly REPL runs what is typed
      // Enter or Ctrl-C with nothing typed before (what hosts send to get
      // the board's attention) runs nothing: the interpreter stays as booted.
      if (![13, 10, 3].includes(byte)) this.pristine = false;
      this.post({ t: "char", byte });
    });
  }

  /** An input() in a statement typed at the friendly REPL waits: the keys typed ahead are its. */
  private onWantsInput() {
    if (!this.charInFlight) return; // a script's input() (raw REPL) reads what arrives as it runs
    this.inputWanted = true;
    putStdin(this.stdin, Uint8Array.from(this.keys.splice(0)));
  }

  // Ctrl-C is handled on arrival (receive) and REPL keys by enqueue.
  private act(a: Exclude<DeviceAction, { type: "interrupt" | "friendly-char" }>) {
    switch (a.type) {
      case "write":
        return this.transmit(a.data);
      case "exec":
        this.filesKnown = false;
        this.pristine = false;
        return this.post({ t: "exec", code: a.code });
      case "soft-reset":
        return void this.softReset(true);
      case "stdin":
        return putStdin(this.stdin, a.data); // for input()
    }
  }

  private post(msg: ToInterpreter) {
    void this.workerReady.then(
      () => this.worker?.postMessage(msg),
      () => {}, // no interpreter to run it: see bootFailed
    );
  }

  private interrupt() {
    // Ctrl-C at an idle prompt (every host sends some when entering the raw
    // REPL) has nothing to stop: the protocol machine already handled it.
    if (this.device.mode !== "running" && !this.charInFlight) return;
    const flag = new Int32Array(this.interruptFlag);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0); // wakes a time.sleep()
    Atomics.notify(new Int32Array(this.stdin, 0, 1), 0); // and an input()
    this.post({ t: "interrupt" });
    // A loop that never calls out (`while True: pass`) cannot see Ctrl-C in
    // this build; like a hardware reset that keeps the flash, reboot the
    // interpreter thread with its files and report the interrupt. The first
    // Ctrl-C starts the clock: more of them (a host repeating it, the next
    // client after one that gave up) must not push the restart back.
    this.watchdog ??= setTimeout(() => void this.restartStuck(), this.opts.interruptGraceMs ?? 1500);
  }

  private stopWatchdog() {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }

  private async restartStuck() {
    this.watchdog = undefined;
    const why = "KeyboardInterrupt: virtual board restarted its interpreter (the loop never yielded)";
    // What the stuck thread printed last (a partial line, a prompt) is not lost.
    this.transmit(takePendingOut(this.pendingOut));
    if (this.device.mode === "running") {
      await this.reboot();
      for (const a of this.device.finishRun(`Traceback (most recent call last):\n${why}\n`)) this.act(a);
    } else if (this.device.mode === "friendly" && this.charInFlight) {
      await this.reboot();
      this.transmit(bytes(`\r\n${why}\r\n>>> `));
    }
  }

  /**
   * Nothing has run in the interpreter since it booted: it is as fresh as a
   * new one would be, so a soft reset needs no new one (a board's soft
   * reset takes a few ms; a new thread here takes tens).
   */
  private pristine = false;

  private async softReset(raw: boolean) {
    if (this.pristine) {
      this.stopWatchdog();
      Atomics.store(new Int32Array(this.interruptFlag), 0, 0);
      for (const a of this.device.afterSoftReset(raw)) this.act(a);
      return;
    }
    await this.reboot();
    for (const a of this.device.afterSoftReset(raw)) this.act(a);
  }

  private onFiles: (files: FileSnapshot) => void = () => {};

  /** A thread loading MicroPython, not yet the board (it becomes it on "boot"). */
  private newWorker(): Worker {
    const data: InterpreterData = {
      interruptFlag: this.interruptFlag,
      pendingOut: this.pendingOut,
      stdin: this.stdin,
      uniqueId: this.uniqueId,
      noFilesystem: this.opts.noFilesystem,
      fsSize: this.opts.fsSize ?? DEFAULT_FS_SIZE,
    };
    const worker = new Worker(workerUrl(), { workerData: data });
    worker.unref();
    // A spare that dies before it is needed is simply not used.
    worker.once("error", () => {
      if (this.spare === worker) this.spare = undefined;
    });
    return worker;
  }

  /**
   * Loaded while the board runs, so that a reboot (soft reset, Ctrl-C on a
   * stuck loop) takes a thread that has MicroPython loaded already and only
   * needs the files: a few tens of ms instead of a few hundred.
   */
  private spare: Worker | undefined;
  private stopped = false;

  /**
   * The board's files, when it is known to hold exactly these: it has run
   * no code since they were loaded into it or reported by it after its last
   * run. Undefined while code may have changed them.
   */
  knownFiles(): FileSnapshot | undefined {
    return this.filesKnown ? this.files : undefined;
  }
  private filesKnown = true;

  /**
   * The interpreter could not take the board's files: the board is dead
   * (unplugged by its SimTarget) rather than booted with some of its files
   * missing, and those files are never saved over (snapshot() answers with
   * the ones it was given from now on; the flash store refuses to save).
   */
  private bootFailed(worker: Worker, detail: string, reject: (err: Error) => void) {
    const err =
      this.flash?.unusable(detail) ??
      new UserError(`the virtual board cannot start: ${detail}`, "run the command again; --sim-options fresh starts the board blank", EXIT.noFilesystem);
    this.dead = err;
    this.worker = undefined;
    this.stopWatchdog();
    void worker.terminate();
    reject(err);
    this.onDead(err);
  }

  private spawn(): Promise<void> {
    if (this.dead) return Promise.reject(this.dead); // the same files would fail the same way
    const worker = this.spare ?? this.newWorker();
    this.spare = undefined;
    if (this.held) worker.ref();
    this.worker = worker;
    this.filesKnown = true; // it boots with exactly these
    this.pristine = true;
    worker.postMessage({ t: "boot", files: this.files } satisfies ToInterpreter);
    let ready = false;
    this.workerReady = new Promise<void>((resolve, reject) => {
      worker.on("message", (msg: FromInterpreter) => {
        if (this.worker !== worker) return; // one being replaced has no say
        switch (msg.t) {
          case "ready":
            ready = true;
            return resolve();
          case "boot-failed":
            return this.bootFailed(worker, msg.detail, reject);
          case "out":
            return this.transmit(msg.data);
          case "done":
            this.stopWatchdog();
            clearStdin(this.stdin);
            this.files = msg.files;
            this.filesKnown = true;
            this.persist();
            for (const a of this.device.finishRun(msg.stderr, msg.softReboot)) this.act(a);
            if (msg.softReboot) void this.softReset(true);
            return;
          case "machine-reset":
            // machine.reset() in a script: the chip restarts mid-run, as on an ESP32.
            this.files = msg.files;
            this.persist();
            return void this.hardReset("0xc (SW_CPU_RESET)");
          case "char-done":
            return this.charDone();
          case "wants-input":
            return this.onWantsInput();
          case "friendly-exit":
            return void this.softReset(false);
          case "files":
            return this.onFiles(msg.files);
          case "checked":
            return this.checked(msg.pasteId, msg.stderr);
        }
      });
      worker.on("error", (err) => {
        // A thread that dies while booting would die again in a new one.
        if (!ready && this.worker === worker) return this.bootFailed(worker, `its interpreter crashed while booting: ${err.message.split("\n")[0]}`, reject);
        // Never leave a host waiting on a dead interpreter: end the run with
        // the crash as its traceback and boot a fresh one (files kept).
        reject(err);
        if (this.worker !== worker) return;
        const msg = `Traceback (most recent call last):\nRuntimeError: virtual board crashed: ${err.message.split("\n")[0]}\n`;
        for (const a of this.device.finishRun(msg)) this.act(a);
        void this.reboot();
      });
    });
    // The next reboot's thread loads once this one is up, not competing with
    // it for the CPU (a soft reset right after booting needs none: see softReset).
    this.workerReady.then(
      () => {
        if (!this.stopped && !this.spare && this.worker === worker) this.spare = this.newWorker();
      },
      () => {},
    );
    return this.workerReady;
  }
}
