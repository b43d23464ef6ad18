// Host side of MicroPython's raw REPL, as pure state machines: bytes from the
// board go in through `receive()`, and what the host must do comes out as
// actions (write bytes, pause, deliver output, finish). No I/O, no timers: the
// driver in src/board owns the port and the clock, so these run unchanged on
// byte transcripts in the tests.

export const CTRL_A = 0x01; // enter raw REPL
export const CTRL_B = 0x02; // exit raw REPL (friendly REPL)
export const CTRL_C = 0x03; // interrupt
export const CTRL_D = 0x04; // end of input / soft reset
export const CTRL_E = 0x05; // raw-paste prefix

export const RAW_BANNER = "raw REPL; CTRL-B to exit\r\n";
export const RAW_PROMPT = RAW_BANNER + ">";
export const SOFT_REBOOT = "soft reboot\r\n";
export const FRIENDLY_PROMPT = ">>> ";
export const RAW_PASTE_REQUEST = Uint8Array.of(CTRL_E, 0x41 /* A */, CTRL_A);

/** Fallback chunking for boards without raw-paste (as mpremote does). */
export const FALLBACK_CHUNK = 256;
export const FALLBACK_PAUSE_MS = 10;

export type Action =
  /**
   * `upload`: part of a plain-raw code upload, queued all at once; a driver
   * stopping the upload (Ctrl-C) skips those still queued (see Exec.stopRawUpload).
   */
  | { type: "write"; data: Uint8Array; upload?: true }
  | { type: "pause"; ms: number; upload?: true }
  | { type: "stdout"; data: Uint8Array }
  | { type: "stderr"; data: Uint8Array }
  /** Bytes that matched nothing the operation expected (line noise, old output). */
  | { type: "noise"; data: Uint8Array }
  | { type: "done"; result: OpResult };

export interface OpResult {
  /** Everything the board wrote to stderr (a traceback when it raised). */
  stderr?: Uint8Array;
  /** Which way the code reached the board, for exec. */
  mode?: "raw-paste" | "raw";
  /** The board aborted a raw-paste transfer (it then reports why on stderr). */
  pasteAborted?: boolean;
}

export class ProtocolError extends Error {
  /** What the operation produced from the same chunk before it failed (output is never dropped). */
  actions: Action[] = [];
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** One exchange with the board. `start()` once, then `receive()` every chunk. */
export interface Operation {
  start(): Action[];
  receive(chunk: Uint8Array): Action[];
  /**
   * True while the host waits for a protocol reply (banner, OK, window, the
   * final prompt), when silence means trouble. False while the board runs user
   * code, which may legitimately print nothing for a long time.
   */
  awaitingReply(): boolean;
  /**
   * Called after a second of silence while a reply is due: bytes worth sending
   * again (a board that was booting or busy may have dropped them).
   */
  onSilence?(): Action[];
  /** True when any bytes, even ones the machine skips, show the board is alive (a reboot printing boot.py output). */
  progressOnNoise?(): boolean;
  readonly finished: boolean;
}

const enc = new TextEncoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);

/** Always a fresh copy: callers may reuse the buffers they hand us. */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Length of the longest suffix of `hay` that is a prefix of `needle`. */
function partialSuffix(hay: Uint8Array, needle: Uint8Array): number {
  for (let n = Math.min(needle.length - 1, hay.length); n > 0; n--) {
    let ok = true;
    for (let j = 0; j < n; j++) if (hay[hay.length - n + j] !== needle[j]) { ok = false; break; }
    if (ok) return n;
  }
  return 0;
}

/**
 * Scans the byte stream for a marker, reporting whatever precedes it as noise
 * and keeping only a possible partial match between chunks.
 */
class Scanner {
  private buf: Uint8Array = new Uint8Array(0);
  constructor(private readonly marker: Uint8Array) {}
  /** Returns [noise, rest-after-marker | undefined when not yet found]. */
  feed(chunk: Uint8Array): [Uint8Array, Uint8Array | undefined] {
    const hay = concat(this.buf, chunk);
    const at = indexOf(hay, this.marker);
    if (at >= 0) {
      this.buf = new Uint8Array(0);
      return [hay.subarray(0, at), hay.subarray(at + this.marker.length)];
    }
    const keep = partialSuffix(hay, this.marker);
    this.buf = hay.slice(hay.length - keep);
    return [hay.subarray(0, hay.length - keep), undefined];
  }
}

function noise(data: Uint8Array): Action[] {
  return data.length ? [{ type: "noise", data: data.slice() }] : [];
}

/**
 * Interrupt whatever runs and enter the raw REPL: `\r\x03\x03`, a pause to
 * let the board drain, `\r\x01`, then wait for the raw banner and prompt.
 * Anything before the banner (a traceback of the interrupted program, boot
 * messages, line garbage) is reported as noise.
 */
export class EnterRawRepl implements Operation {
  finished = false;
  private scanner = new Scanner(bytes(RAW_PROMPT));
  constructor(private readonly drainMs = 100) {}
  start(): Action[] {
    return [
      { type: "write", data: Uint8Array.of(0x0d, CTRL_C, CTRL_C) },
      { type: "pause", ms: this.drainMs },
      { type: "write", data: Uint8Array.of(0x0d, CTRL_A) },
    ];
  }
  onSilence(): Action[] {
    return this.start();
  }
  receive(chunk: Uint8Array): Action[] {
    if (this.finished) return noise(chunk);
    const [pre, rest] = this.scanner.feed(chunk);
    const out = noise(pre);
    if (rest !== undefined) {
      this.finished = true;
      out.push(...noise(rest), { type: "done", result: {} });
    }
    return out;
  }
  awaitingReply(): boolean {
    return !this.finished;
  }
}

/** Soft reset from an empty raw prompt: Ctrl-D, `soft reboot`, raw prompt again. */
export class SoftReset implements Operation {
  finished = false;
  progressOnNoise(): boolean {
    return true;
  }
  private phase: "reboot" | "prompt" = "reboot";
  private reboot = new Scanner(bytes(SOFT_REBOOT));
  private prompt = new Scanner(bytes(RAW_PROMPT));
  start(): Action[] {
    return [{ type: "write", data: Uint8Array.of(CTRL_D) }];
  }
  receive(chunk: Uint8Array): Action[] {
    const out: Action[] = [];
    if (this.phase === "reboot") {
      const [pre, rest] = this.reboot.feed(chunk);
      out.push(...noise(pre));
      if (rest === undefined) return out;
      this.phase = "prompt";
      chunk = rest;
    }
    if (this.finished) return [...out, ...noise(chunk)];
    const [pre, rest] = this.prompt.feed(chunk);
    out.push(...noise(pre));
    if (rest !== undefined) {
      this.finished = true;
      out.push(...noise(rest), { type: "done", result: {} });
    }
    return out;
  }
  awaitingReply(): boolean {
    return !this.finished;
  }
}

type ExecPhase =
  | "paste-header" // sent \x05A\x01, waiting for R\x01 / R\x00 / old firmware echo
  | "paste-window" // got R\x01, waiting for the 2-byte window size
  | "paste-send" // sending within the window
  | "paste-ack" // sent the final \x04, waiting for the board's \x04
  | "paste-cancel" // sent Ctrl-C mid-transfer, waiting for the board's \x04 (not to be acknowledged)
  | "legacy-banner" // old firmware answered the paste request with a new raw prompt
  | "raw-ok" // sent code + \x04 in plain raw mode, waiting for OK
  | "stdout"
  | "stderr"
  | "prompt"
  | "done";

export interface ExecOptions {
  /** Try raw-paste first (default true); false goes straight to plain raw mode. */
  rawPaste?: boolean;
}

/**
 * Run code at the raw prompt. Output is delivered as it arrives; the final
 * result carries stderr. Ctrl-C is sent by `interrupt()`; the board then ends
 * the run with a KeyboardInterrupt traceback like any other exception.
 */
export class Exec implements Operation {
  finished = false;
  phase: ExecPhase;
  private readonly code: Uint8Array;
  private header: Uint8Array = new Uint8Array(0);
  private sent = 0;
  private windowSize = 0;
  private windowRemain = 0;
  private stderrParts: Uint8Array[] = [];
  private mode: "raw-paste" | "raw";
  private pasteAborted = false;
  private legacyScanner = new Scanner(bytes("w REPL; CTRL-B to exit\r\n>"));
  private okBuf = "";

  constructor(code: string | Uint8Array, opts: ExecOptions = {}) {
    this.code = typeof code === "string" ? bytes(code) : code;
    this.mode = opts.rawPaste === false ? "raw" : "raw-paste";
    this.phase = this.mode === "raw-paste" ? "paste-header" : "raw-ok";
  }

  start(): Action[] {
    return this.mode === "raw-paste" ? [{ type: "write", data: RAW_PASTE_REQUEST }] : this.rawWrite();
  }

  /** After the run, a board that soft-reboots (sys.exit()) may print boot.py output before its prompt. */
  progressOnNoise(): boolean {
    return this.phase === "prompt";
  }

  /** True until the board has the whole code. */
  uploading(): boolean {
    return this.phase !== "stdout" && this.phase !== "stderr" && this.phase !== "prompt" && this.phase !== "done";
  }

  /**
   * Ctrl-C while a raw-paste transfer is under way: stop sending; the board
   * ends the transfer with \x04 and reports KeyboardInterrupt. Returns nothing
   * to send when the transfer is not at a point where that works (plain raw
   * mode, or the code is already out): the caller waits and interrupts the run.
   */
  cancelUpload(): Action[] {
    if (this.phase !== "paste-send") return [];
    this.phase = "paste-cancel";
    return [{ type: "write", data: Uint8Array.of(CTRL_C) }];
  }

  awaitingReply(): boolean {
    // Only the program's own output may pause indefinitely; a traceback and
    // the prompt after it follow at once, so silence there means the board
    // rebooted or the stream lost a byte.
    return this.phase !== "stdout" && this.phase !== "done";
  }

  private rawWrite(): Action[] {
    this.mode = "raw";
    this.phase = "raw-ok";
    const out: Action[] = [];
    // A lone Ctrl-D at the raw prompt means soft reset, not "run nothing".
    const code = this.code.length ? this.code : bytes("\n");
    for (let i = 0; i < code.length; i += FALLBACK_CHUNK) {
      if (i > 0) out.push({ type: "pause", ms: FALLBACK_PAUSE_MS, upload: true });
      out.push({ type: "write", data: code.subarray(i, i + FALLBACK_CHUNK), upload: true });
    }
    out.push({ type: "write", data: Uint8Array.of(CTRL_D), upload: true });
    return out;
  }

  /** True while a plain-raw upload is queued and the board has not yet said OK. */
  rawUploading(): boolean {
    return this.phase === "raw-ok";
  }

  /**
   * Ctrl-C during a plain-raw upload, once the driver has skipped the rest of
   * it (the final Ctrl-D included): the board holds part of the code on its
   * input line. Ctrl-C clears that line, and an empty program (a newline, then
   * Ctrl-D) ends the exchange as usual: OK, two \x04, the prompt.
   */
  stopRawUpload(): Action[] {
    if (this.phase !== "raw-ok") return [];
    return [{ type: "write", data: Uint8Array.of(CTRL_C, 0x0a, CTRL_D) }];
  }

  /** Send as much as the window allows; the end marker once everything is out. */
  private pump(): Action[] {
    const out: Action[] = [];
    if (this.windowRemain > 0 && this.sent < this.code.length) {
      const n = Math.min(this.windowRemain, this.code.length - this.sent);
      out.push({ type: "write", data: this.code.subarray(this.sent, this.sent + n) });
      this.sent += n;
      this.windowRemain -= n;
    }
    if (this.sent === this.code.length) {
      out.push({ type: "write", data: Uint8Array.of(CTRL_D) });
      this.phase = "paste-ack";
    }
    return out;
  }

  receive(chunk: Uint8Array): Action[] {
    const out: Action[] = [];
    try {
      return this.consume(chunk, out);
    } catch (err) {
      if (err instanceof ProtocolError) err.actions = out;
      throw err;
    }
  }

  private consume(chunk: Uint8Array, out: Action[]): Action[] {
    let i = 0;
    while (i < chunk.length && this.phase !== "done") {
      switch (this.phase) {
        case "paste-header": {
          const need = 2 - this.header.length;
          this.header = concat(this.header, chunk.subarray(i, i + need));
          i += Math.min(need, chunk.length - i);
          if (this.header.length < 2) break;
          const [a, b] = this.header;
          this.header = new Uint8Array(0);
          if (a === 0x52 /* R */ && b === 0x01) {
            this.phase = "paste-window";
          } else if (a === 0x52 && b === 0x00) {
            out.push(...this.rawWrite()); // board says: no raw-paste here
          } else if (a === 0x72 && b === 0x61 /* "ra" */) {
            this.phase = "legacy-banner"; // old firmware: \x01 re-entered raw mode
          } else {
            throw new ProtocolError(`unexpected answer to the raw-paste request: ${JSON.stringify(String.fromCharCode(a, b))}`);
          }
          break;
        }
        case "paste-window": {
          const need = 2 - this.header.length;
          this.header = concat(this.header, chunk.subarray(i, i + need));
          i += Math.min(need, chunk.length - i);
          if (this.header.length < 2) break;
          this.windowSize = this.header[0] | (this.header[1] << 8);
          if (this.windowSize === 0) throw new ProtocolError("board offered a raw-paste window of 0 bytes");
          this.windowRemain = this.windowSize;
          this.phase = "paste-send";
          out.push(...this.pump());
          break;
        }
        case "paste-send":
        case "paste-ack":
        case "paste-cancel": {
          const c = chunk[i++];
          if (c === CTRL_A) {
            if (this.phase === "paste-send") {
              this.windowRemain += this.windowSize;
              out.push(...this.pump());
            }
          } else if (c === CTRL_D) {
            if (this.phase === "paste-send") {
              // The board cut the transfer short: acknowledge; it reports why on stderr.
              this.pasteAborted = true;
              out.push({ type: "write", data: Uint8Array.of(CTRL_D) });
            }
            this.phase = "stdout";
          } else {
            throw new ProtocolError(`unexpected byte 0x${c.toString(16).padStart(2, "0")} during raw-paste`);
          }
          break;
        }
        case "legacy-banner": {
          const [pre, rest] = this.legacyScanner.feed(chunk.subarray(i));
          out.push(...noise(pre));
          i = chunk.length;
          if (rest !== undefined) {
            out.push(...this.rawWrite());
            this.consume(rest, out);
          }
          break;
        }
        case "raw-ok": {
          this.okBuf += String.fromCharCode(chunk[i++]);
          if (this.okBuf.length < 2) break;
          if (this.okBuf !== "OK") throw new ProtocolError(`board did not accept the code (answered ${JSON.stringify(this.okBuf)})`);
          this.phase = "stdout";
          break;
        }
        case "stdout":
        case "stderr": {
          const end = chunk.indexOf(CTRL_D, i);
          const stop = end < 0 ? chunk.length : end;
          if (stop > i) {
            const data = chunk.slice(i, stop);
            if (this.phase === "stdout") out.push({ type: "stdout", data });
            else {
              this.stderrParts.push(data);
              out.push({ type: "stderr", data });
            }
          }
          i = stop;
          if (end >= 0) {
            i++;
            this.phase = this.phase === "stdout" ? "stderr" : "prompt";
          }
          break;
        }
        case "prompt": {
          // Usually '>' at once; a script that soft-reset the board
          // (machine.soft_reset()) is followed by the reboot banner first.
          const at = chunk.indexOf(0x3e /* > */, i);
          if (at < 0) {
            out.push(...noise(chunk.subarray(i)));
            i = chunk.length;
            break;
          }
          out.push(...noise(chunk.subarray(i, at)));
          i = at + 1;
          this.phase = "done";
          this.finished = true;
          const stderr = this.stderrParts.reduce(concat, new Uint8Array(0));
          out.push({ type: "done", result: { stderr, mode: this.mode, pasteAborted: this.pasteAborted } });
          break;
        }
      }
    }
    if (i < chunk.length) out.push(...noise(chunk.subarray(i)));
    return out;
  }
}
