// The high-level board API. It owns the port and the clock and drives the pure
// protocol machines from src/transport: every byte received goes to the current
// operation, every action it returns is carried out in order.
import { EnterRawRepl, Exec, EXIT_RAW, ProtocolError, SoftReset, unsendable, visibleControls, type Action, type Failure, type OpResult, type Operation, type TimerId } from "../transport/protocol.js";
import { closePort, hardReset, openPort, type Port } from "../transport/port.js";
import type { BindingInterface } from "../transport/binding-types.js";
import type { FileSnapshot } from "../sim/interpreter.js";
import { EXIT, UserError, boardReset, busyBoard, disconnected, noAnswer, protocolError, unsendableByte, wontStop } from "../errors.js";

export interface BoardOptions {
  path: string;
  baudRate: number;
  /** Silence allowed while waiting for a protocol reply (ms). */
  timeoutMs: number;
  reset?: boolean;
  binding?: BindingInterface;
}

export interface BoardInfo {
  version: string;
  implementation: string;
  platform: string;
  machine: string;
  uniqueId?: string;
  rawPaste: boolean;
  filesystem: boolean;
}

export interface ExecHooks {
  onStdout?: (data: Uint8Array) => void;
  onStderr?: (data: Uint8Array) => void;
  /** Abort = Ctrl-C on the board; exec then resolves with `interrupted`. */
  signal?: AbortSignal;
  /** Force plain raw mode (no raw-paste). */
  rawPaste?: boolean;
  /**
   * synccli's own short code (probe, file operations): silence while it runs
   * is no answer after --timeout too, as while a reply is due. A user's
   * program may be silent as long as it likes, and may leave work behind
   * (see knownFiles); synccli's own leaves none.
   */
  ownCode?: boolean;
}

export interface ExecResult {
  stderr: string;
  ok: boolean;
  interrupted: boolean;
  mode: "raw-paste" | "raw";
  /** The board stopped the raw-paste transfer before the code was complete. */
  pasteAborted: boolean;
  /** Ctrl-C came before the code was sent: nothing ran (the board may never have answered). */
  notRun?: boolean;
}

/** Beyond --timeout and the wire time of what we still send, before a line that takes nothing counts as stuck. */
const STUCK_SLACK_MS = 1000;
const SLOWEST_LINE_BAUD = 1200;
/** Silence before an operation may resend its request (see Operation.onSilence). */
const SILENCE_RETRY_MS = 1000;

export class Board {
  private backlog: Uint8Array[] = [];
  private current: { op: Operation; onAction: (a: Action) => void; arm: () => void } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lost: UserError | undefined;
  private inRaw = false;
  private rawPasteWorks: boolean | undefined;
  /** Bytes the current operation could not make sense of (a hint at a wrong baud rate). */
  private noiseBytes = 0;
  private lastRx = 0;
  /** How many times the last operation resent its request. */
  private resends = 0;
  /** Ctrl-C during a plain-raw upload: chunks still queued are not sent (and whether any was not). */
  private stopUpload = false;
  private uploadSkipped = false;
  /** Printable bytes the current operation could not use (a board busy printing). */
  private textBytes = 0;

  private constructor(
    readonly port: Port,
    readonly options: BoardOptions,
  ) {
    port.on("data", (chunk: Buffer) => this.receive(new Uint8Array(chunk)));
    port.on("close", (err?: { disconnected?: boolean }) => {
      if (err?.disconnected) this.fail(disconnected(options.path));
    });
    port.on("error", () => this.fail(disconnected(options.path)));
  }

  static async open(options: BoardOptions): Promise<Board> {
    const port = await openPort({ path: options.path, baudRate: options.baudRate, reset: options.reset, binding: options.binding });
    return new Board(port, options);
  }

  private lostListeners: ((err: UserError) => void)[] = [];
  /** Gives up the operation under way (Ctrl-C on the host before our code went out). */
  private cancelCurrent: (() => void) | undefined;

  /** Called once when the board is lost (unplugged, or an operation gave up on it). */
  onLost(listener: (err: UserError) => void): () => void {
    if (this.lost) listener(this.lost);
    else this.lostListeners.push(listener);
    return () => (this.lostListeners = this.lostListeners.filter((l) => l !== listener));
  }

  private fail(err: UserError) {
    if (!this.lost) {
      this.lost = err;
      for (const l of this.lostListeners.splice(0)) l(err);
    }
    this.current?.onAction({ type: "done", result: {} });
  }

  private receive(chunk: Uint8Array) {
    this.lastRx = performance.now();
    if (!this.current) {
      if (this.tap) this.tap(chunk);
      else this.backlog.push(chunk);
      return;
    }
    let actions: Action[];
    try {
      actions = this.current.op.receive(chunk);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      for (const a of err.actions) this.current?.onAction(a); // what arrived before the bad byte
      this.lost ??= protocolError(err.message);
      this.current?.onAction({ type: "done", result: {} });
      return;
    }
    for (const a of actions) this.current?.onAction(a);
    // Protocol bytes that produce no action (a lone \x04 ending stdout, a
    // raw-paste credit) still change what is awaited.
    if (actions.length === 0) this.current?.arm();
  }

  /** Resolves once everything written has been transmitted (never rejects). */
  private drain(): Promise<void> {
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.drain(() => resolve()));
  }

  /** Bytes written and not yet known to have left the port. */
  private undrainedBytes = 0;
  /** Pauses queued between our writes and not yet over. */
  private queuedPauseMs = 0;

  /**
   * How long `n` bytes may take to leave: their wire time (8N1: 10 bits a
   * byte) on a line no faster than SLOWEST_LINE_BAUD. The real pace may be far
   * below --baud (a board that reads slowly, a simulated slow line), and this
   * only has to tell a slow line from one that takes nothing at all.
   */
  private wireMs(n: number): number {
    return (n * 10 * 1000) / Math.min(this.options.baudRate, SLOWEST_LINE_BAUD);
  }
  private drainWaiters: (() => void)[] = [];
  private drainRunning = false;

  /**
   * Like drain(), but callers share one tcdrain at a time: native bindings
   * run it on libuv's small thread pool, where several at once would starve
   * the reads that bring the board's answers.
   */
  private drained(): Promise<void> {
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      this.pumpDrain();
    });
  }

  private pumpDrain() {
    if (this.drainRunning || this.drainWaiters.length === 0) return;
    this.drainRunning = true;
    const waiters = this.drainWaiters.splice(0);
    void this.drain().then(() => {
      this.drainRunning = false;
      for (const w of waiters) w();
      this.pumpDrain();
    });
  }

  private write(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(data), (err) => (err ? reject(err) : resolve()));
    });
  }

  /**
   * Run one operation to completion. Writes and pauses happen strictly in
   * order; output actions are delivered at once, as they arrive.
   */
  private run(op: Operation, what: string, hooks: ExecHooks = {}): Promise<OpResult> {
    if (this.lost) return Promise.reject(this.lost);
    return new Promise<OpResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let nudge: NodeJS.Timeout | undefined;
      /** Timers the operation asked for (Action "timer"). */
      const opTimers = new Map<TimerId, NodeJS.Timeout>();
      let settled = false;
      const settle = (err: Error | undefined, result?: OpResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(nudge);
        for (const t of opTimers.values()) clearTimeout(t);
        this.current = undefined;
        this.cancelCurrent = undefined;
        // Given up on (silence, a disconnect): what the machine still held is
        // shown, not dropped, and what we sent may still arrive and run.
        if (err && !(err instanceof Cancelled)) this.gaveUp = true;
        if (err) for (const a of op.abandon?.() ?? []) if (a.type === "stdout") hooks.onStdout?.(a.data);
        if (err) reject(err);
        else resolve(result!);
      };
      // Silence only counts while a protocol reply is due, never while the
      // board's program runs.
      let armWanted = false;
      const arm = () => {
        clearTimeout(timer);
        clearTimeout(nudge);
        // No silence is counted while our own bytes are still going out;
        // the timer starts once they have (see the write case below). But a
        // line that takes them no faster than its baud rate allows is stuck
        // (a crashed board's native USB stops reading): that is no answer too.
        armWanted = this.undrainedBytes > 0;
        if (settled) return;
        if (armWanted) {
          const outgoing = this.wireMs(this.undrainedBytes) + this.queuedPauseMs + STUCK_SLACK_MS;
          timer = setTimeout(() => settle(this.silenceError(what)), this.options.timeoutMs + outgoing);
          return;
        }
        if (!op.awaitingReply() && !hooks.ownCode) return;
        timer = setTimeout(() => settle(this.silenceError(what)), this.options.timeoutMs);
        if (op.onSilence && op.awaitingReply()) nudge = setTimeout(resend, SILENCE_RETRY_MS);
      };
      // Repeats after real silence only (a board still talking is not
      // ignoring us), without resetting the overall timeout.
      this.resends = 0;
      this.noiseBytes = 0;
      this.textBytes = 0;
      let lastResend = 0;
      const resend = () => {
        if (settled) return;
        const quiet = performance.now() - Math.max(this.lastRx, lastResend);
        if (quiet >= SILENCE_RETRY_MS) {
          this.resends++;
          lastResend = performance.now();
          for (const a of op.onSilence!()) onAction(a, false);
        }
        nudge = setTimeout(resend, Math.max(50, SILENCE_RETRY_MS - Math.min(quiet, SILENCE_RETRY_MS)));
      };
      const onAction = (a: Action, rearm = true) => {
        switch (a.type) {
          case "write":
          case "pause":
            this.chain = this.chain
              .then(() => {
                if (settled) return;
                if (a.upload && this.stopUpload) {
                  this.uploadSkipped = true;
                  return;
                }
                return a.type === "write" ? this.write(a.data) : sleep(a.ms);
              })
              .catch(() => this.fail(disconnected(this.options.path)));
            if (a.type === "pause") {
              this.queuedPauseMs += a.ms;
              void this.chain.then(() => (this.queuedPauseMs -= a.ms));
            }
            // Silence is counted from when our own bytes have left the port,
            // not from when they were queued (a slow upload is not the board's delay).
            if (a.type === "write") {
              this.undrainedBytes += a.data.length;
              void this.chain
                .then(() => this.drained())
                .then(() => {
                  this.undrainedBytes -= a.data.length;
                  if (rearm || armWanted) arm();
                });
            }
            break;
          case "stdout":
            hooks.onStdout?.(a.data);
            break;
          case "stderr":
            hooks.onStderr?.(a.data);
            break;
          case "noise":
            // Garbage is not an answer: a board spewing it (wrong baud) still times out.
            for (const b of a.data) {
              if (b > 0x7e || (b < 0x20 && (b < 0x08 || b > 0x0d))) this.noiseBytes++;
              else this.textBytes++;
            }
            if (op.progressOnNoise?.()) break; // e.g. boot.py printing during a soft reset
            return;
          case "timer": {
            clearTimeout(opTimers.get(a.id));
            opTimers.set(
              a.id,
              setTimeout(() => {
                opTimers.delete(a.id);
                if (!settled) for (const b of op.timer?.(a.id) ?? []) onAction(b);
              }, a.ms),
            );
            return;
          }
          case "stop-upload":
            // Skip the upload writes still queued; tell the machine once the queue got here.
            this.stopUpload = true;
            this.chain = this.chain
              .then(() => {
                if (!settled) for (const b of op.uploadStopped?.(this.uploadSkipped) ?? []) onAction(b);
              })
              .catch(() => {});
            return;
          case "fail":
            this.fail(this.failure(a.failure));
            return;
          case "done":
            if (this.lost) settle(this.lost);
            else settle(undefined, a.result);
            return;
        }
        if (rearm) arm();
      };
      this.current = { op, onAction, arm };
      this.cancelCurrent = () => settle(new Cancelled());
      for (const a of op.start()) onAction(a);
      arm();
      const backlog = this.backlog;
      this.backlog = [];
      for (const chunk of backlog) this.receive(chunk);
    });
  }

  private failure(f: Failure): UserError {
    if (f.kind === "board-reset") {
      this.inRaw = false;
      return boardReset(f.reason);
    }
    return wontStop(f.attempts);
  }

  /**
   * No expected reply within the timeout. A board that kept sending readable
   * text the whole time (and still does) is running code that ignored our
   * Ctrl-C, which is not a baud-rate problem; mostly unreadable bytes are.
   */
  private silenceError(what: string): UserError {
    const ms = this.options.timeoutMs;
    const talking = performance.now() - this.lastRx < Math.min(ms, 2000);
    if (talking && this.textBytes >= 16 && this.noiseBytes * 4 < this.textBytes) return busyBoard(what, ms, this.textBytes + this.noiseBytes);
    return noAnswer(what, ms, this.noiseBytes);
  }

  /** Interrupt whatever runs and enter the raw REPL. */
  async enterRaw(): Promise<void> {
    await this.run(new EnterRawRepl(), "entering the raw REPL");
    // A board that answers late may answer a resent request too: let those
    // extra banners arrive and drop them, or the next exec would read them.
    if (this.resends > 0) await this.discardStale();
    this.inRaw = true;
  }

  private async discardStale(quietMs = 200, maxMs = 3000) {
    const until = performance.now() + maxMs;
    while (performance.now() < until) {
      const before = this.lastRx;
      await sleep(quietMs);
      if (this.lastRx === before) break;
    }
    this.backlog = [];
  }

  /**
   * Stop whatever the board is running (Ctrl-C, repeated while it stays
   * silent) and wait until it sits at its raw prompt, ready for the next exec.
   * For the script synccli itself is running, abort exec's `signal` instead.
   */
  async interrupt(): Promise<void> {
    await this.enterRaw();
  }

  private async ensureRaw() {
    if (!this.inRaw) await this.enterRaw();
  }

  /** A program that is not synccli's own has run since this board was opened (or last soft-reset). */
  private ranUserCode = false;
  /** An operation was given up on (no answer in time): what it sent may still arrive and run. */
  private gaveUp = false;

  /**
   * The board's own record of its files (path, bytes; folders end in "/"),
   * when it keeps one and it is current. A virtual board knows its files byte
   * for byte while no code runs on it, and reports them at the end of each
   * run; hardware keeps none. synccli trusts it only for what it knows ran:
   * its own file operations, each finished. A user's program may have left
   * something behind that changes files later (a timer, a thread), and a
   * given-up operation may still run, so after either the board is asked.
   */
  knownFiles(): FileSnapshot | undefined {
    if (this.ranUserCode || this.gaveUp || this.lost || this.current) return undefined;
    const binding = this.options.binding as { knownFiles?: (path: string) => FileSnapshot | undefined } | undefined;
    return binding?.knownFiles?.(this.options.path);
  }

  /** Run code, streaming its output. Resolves when the board is back at its raw prompt. */
  async exec(code: string | Uint8Array, hooks: ExecHooks = {}): Promise<ExecResult> {
    checkSendable(code);
    // Ctrl-C while still getting the board's attention: give up on it, send no code.
    const early = () => this.cancelCurrent?.();
    hooks.signal?.addEventListener("abort", early, { once: true });
    try {
      if (!hooks.signal?.aborted) await this.ensureRaw();
    } catch (err) {
      if (!(err instanceof Cancelled)) throw err;
    } finally {
      hooks.signal?.removeEventListener("abort", early);
    }
    // Ctrl-C before the code went out: do not send it at all.
    if (hooks.signal?.aborted) return { stderr: "", ok: false, interrupted: true, mode: this.rawPasteWorks === false ? "raw" : "raw-paste", pasteAborted: false, notRun: true };
    const op = new Exec(code, { rawPaste: hooks.rawPaste ?? this.rawPasteWorks ?? true, resetConfirmMs: this.options.timeoutMs });
    this.stopUpload = false;
    this.uploadSkipped = false;
    // What Ctrl-C means depends on how far the exchange got: the machine knows.
    const onAbort = () => {
      const current = this.current;
      if (current?.op === op) for (const a of op.interrupt()) current.onAction(a);
    };
    // Bytes the raw REPL cannot carry as data are shown as symbols (a board sends them as they are).
    const onStdout = (d: Uint8Array) => hooks.onStdout?.(visibleControls(d));
    if (!hooks.ownCode) this.ranUserCode = true;
    const running = this.run(op, "running code", { ...hooks, onStdout });
    hooks.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const result = await running;
      if (result.mode) this.rawPasteWorks = result.mode === "raw-paste";
      // An exception's message may hold a \x04 (or NUL, Ctrl-C): shown as output's are.
      const stderr = new TextDecoder().decode(visibleControls(result.stderr ?? new Uint8Array(0)));
      const pasteAborted = result.pasteAborted === true;
      const interrupted = result.interrupted === true;
      return { stderr, ok: stderr.length === 0 && !pasteAborted && !interrupted, interrupted, mode: result.mode ?? "raw", pasteAborted, ...(result.notRun ? { notRun: true } : {}) };
    } finally {
      hooks.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Run code and return its stdout; a traceback becomes an error. */
  async eval(code: string): Promise<string> {
    const parts: Uint8Array[] = [];
    const r = await this.exec(code, { onStdout: (d) => parts.push(d), ownCode: true });
    const out = Buffer.concat(parts).toString("utf8");
    if (!r.ok) throw new BoardError(r.stderr, r.pasteAborted);
    return out;
  }

  /**
   * eval for code that changes nothing on the board (probe, hashing files):
   * when it raised (a byte garbled on its way), it is simply sent again.
   */
  async evalIdempotent(code: string, attempts = 3): Promise<string> {
    for (let i = 1; ; i++) {
      try {
        return await this.eval(code);
      } catch (err) {
        if (!(err instanceof BoardError) || i >= attempts) throw err;
      }
    }
  }

  async probe(): Promise<BoardInfo> {
    const out = await this.evalIdempotent(PROBE);
    const kv = new Map<string, string>();
    for (const line of out.split(/\r?\n/)) {
      const at = line.indexOf(" ");
      if (at > 0) kv.set(line.slice(0, at), line.slice(at + 1));
    }
    return {
      version: kv.get("version") ?? "",
      implementation: kv.get("impl") ?? "",
      platform: kv.get("platform") ?? "",
      machine: kv.get("machine") ?? "",
      uniqueId: kv.get("uid"),
      rawPaste: this.rawPasteWorks ?? false,
      filesystem: kv.get("fs") === "1",
    };
  }

  async softReset(): Promise<void> {
    await this.ensureRaw();
    await this.run(new SoftReset(), "soft-resetting");
    this.ranUserCode = false; // a fresh interpreter: nothing of the user's program is left
  }

  async hardReset(): Promise<void> {
    await hardReset(this.port);
    this.inRaw = false;
  }

  /** Leave the raw REPL for the friendly one (what a person sees in a terminal). */
  async exitRaw(): Promise<void> {
    if (this.lost) return;
    // A line that stopped taking bytes must not hold the caller past the timeout.
    // Then the board stays in raw mode, which the next command copes with.
    const ms = this.options.timeoutMs;
    if (!(await within(this.chain, ms).then(() => true, () => false))) return;
    try {
      await within(this.write(EXIT_RAW), ms);
    } catch (err) {
      if (err instanceof StillPending) return;
      throw err;
    }
    this.inRaw = false;
  }

  /** Raw bytes to the board, for the interactive passthrough. */
  send(data: Uint8Array): Promise<void> {
    this.ranUserCode = true; // typed at the REPL
    return this.write(data);
  }

  /** Interactive passthrough: bytes that arrive outside any operation go to `tap`. */
  passthrough(tap: ((data: Uint8Array) => void) | undefined) {
    this.tap = tap;
    if (!tap) return;
    for (const b of this.backlog) tap(b);
    this.backlog = [];
  }
  private tap: ((data: Uint8Array) => void) | undefined;

  /** Leaves the board in its friendly REPL (as a person at a terminal expects) and closes. */
  async close(): Promise<void> {
    const ms = this.options.timeoutMs;
    await within(this.chain, ms).catch(() => {});
    if (!this.port.isOpen) return; // unplugged: nothing left to flush
    if (this.inRaw && !this.lost && !this.current) await this.exitRaw().catch(() => {});
    await within(this.drain(), ms).catch(() => {});
    await closePort(this.port);
  }
}

/**
 * The board raised while running code synccli sent on its own behalf (probe,
 * file operations): never the user's fault, most often a byte garbled on the
 * line or a board short of memory. `detail` is the traceback's last line.
 */
export class BoardError extends UserError {
  readonly detail: string;
  constructor(
    readonly traceback: string,
    readonly pasteAborted = false,
  ) {
    const detail = traceback.trim().split("\n").pop()?.trim() || "no traceback";
    super(
      pasteAborted
        ? `the board stopped receiving synccli's own code part-way (${detail})`
        : `the board raised an error in synccli's own code: ${detail}`,
      "the line may be noisy (a garbled byte) or the board short of memory: retry, or reset the board (`synccli reset`)",
      EXIT.protocol,
    );
    this.detail = detail;
    this.name = "BoardError";
  }
}

class StillPending extends Error {
  constructor(ms: number) {
    super(`still pending after ${ms} ms`);
  }
}

/** An operation given up on purpose (see Board.cancelCurrent). */
class Cancelled extends Error {
  constructor() {
    super("cancelled");
  }
}

/** Refuses code holding a byte the raw REPL treats as a command (NUL, Ctrl-C, Ctrl-D). */
export function checkSendable(code: string | Uint8Array): void {
  const bad = unsendable(typeof code === "string" ? new TextEncoder().encode(code) : code);
  if (bad) throw unsendableByte(bad.byte, bad.line);
}

/** `p`, or a rejection once `ms` pass without it settling. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (t = setTimeout(() => reject(new StillPending(ms)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

function sleep(ms: number) {
  return new Promise<void>((r) => setTimeout(r, ms));
}

const PROBE = `import sys
print('version', sys.version)
print('impl', '.'.join(str(x) for x in sys.implementation.version[:3]))
print('platform', sys.platform)
m = getattr(sys.implementation, '_machine', '')
try:
    import os
    m = os.uname().machine
except Exception:
    pass
print('machine', m)
try:
    import machine, binascii
    print('uid', binascii.hexlify(machine.unique_id()).decode())
except Exception:
    pass
try:
    import os
    s = os.statvfs('/')
    # With nothing mounted MicroPython reports an all-zero root.
    print('fs', 1 if s[0] and s[2] else 0)
except Exception:
    print('fs', 0)
`;
