// Host side of MicroPython's raw REPL, as pure state machines: bytes from the
// board go in through `receive()`, the host's own events (Ctrl-C from the user,
// a timer the machine asked for) through `interrupt()` and `timer()`, and what
// the host must do comes out as actions (write bytes, pause, start a timer,
// deliver output, finish or fail). No I/O, no clock: the driver in src/board
// owns the port and the timers, so these run unchanged on byte transcripts in
// the tests. What every byte means (a program's own \x04, a board's reset
// banner, Ctrl-C in each phase) is decided here, not in the driver.

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

/** Leave the raw REPL for the friendly one (what hosts send when they let go of a board). */
export const EXIT_RAW = Uint8Array.of(0x0d, CTRL_B);

/**
 * The first byte of `code` the raw REPL would take as a command rather than
 * code (NUL, Ctrl-C, Ctrl-D), with its line; undefined when there is none.
 */
export function unsendable(code: Uint8Array): { byte: number; line: number } | undefined {
  for (let i = 0; i < code.length; i++) {
    const b = code[i];
    if (b === 0x00 || b === CTRL_C || b === CTRL_D) {
      let line = 1;
      for (let j = 0; j < i; j++) if (code[j] === 0x0a) line++;
      return { byte: b, line };
    }
  }
  return undefined;
}

/** Fallback chunking for boards without raw-paste (as mpremote does). */
export const FALLBACK_CHUNK = 256;
export const FALLBACK_PAUSE_MS = 10;

/** Timers an operation may ask its driver for (see Action "timer"). */
export type TimerId = "interrupt" | "reset" | "quiet";

/** Why an operation gave up on the board (the driver turns it into a user-facing error). */
export type Failure =
  /** The board's boot ROM printed its reset banner: the run will never end. */
  | { kind: "board-reset"; reason: string }
  /** Ctrl-C was sent `attempts` times and the board kept running. */
  | { kind: "wont-stop"; attempts: number };

export type Action =
  /**
   * `upload`: part of a plain-raw code upload, queued all at once; a driver
   * told to stop the upload ("stop-upload") skips those still queued.
   */
  | { type: "write"; data: Uint8Array; upload?: true }
  | { type: "pause"; ms: number; upload?: true }
  | { type: "stdout"; data: Uint8Array }
  | { type: "stderr"; data: Uint8Array }
  /** Bytes that matched nothing the operation expected (line noise, old output). */
  | { type: "noise"; data: Uint8Array }
  /**
   * (Re)start timer `id`: after `ms` the driver calls `op.timer(id)` and
   * carries out what it returns, unless the operation has finished by then.
   */
  | { type: "timer"; id: TimerId; ms: number }
  /**
   * Skip the queued `upload` writes and pauses not yet carried out, then call
   * `op.uploadStopped(skipped)` (skipped: whether any was left out).
   */
  | { type: "stop-upload" }
  /** The operation is over, unsuccessfully; nothing else follows. */
  | { type: "fail"; failure: Failure }
  | { type: "done"; result: OpResult };

export interface OpResult {
  /** Everything the board wrote to stderr (a traceback when it raised). */
  stderr?: Uint8Array;
  /** Which way the code reached the board, for exec. */
  mode?: "raw-paste" | "raw";
  /** The board aborted a raw-paste transfer (it then reports why on stderr). */
  pasteAborted?: boolean;
  /** The host interrupted the run (Exec.interrupt). */
  interrupted?: boolean;
  /** Interrupted before any of the code reached the board: nothing ran. */
  notRun?: boolean;
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
  /** A timer the operation asked for (Action "timer") fired. */
  timer?(id: TimerId): Action[];
  /** The host wants the board stopped (Ctrl-C from the user): what to do now; the machine follows up itself. */
  interrupt?(): Action[];
  /** After "stop-upload": the driver has skipped what was still queued (`skipped`: anything at all). */
  uploadStopped?(skipped: boolean): Action[];
  /** The driver gave up on the operation (silence, a disconnect): output the machine still holds, so none is lost. */
  abandon?(): Action[];
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

/**
 * Bytes gathered a read at a time, at most `max` of them (the first ones).
 * Each piece is copied and the pieces are joined only when the whole is
 * wanted, so holding a long output costs nothing per byte.
 */
class ByteList {
  private parts: Uint8Array[] = [];
  length = 0;
  constructor(private readonly max = Infinity) {}
  push(data: Uint8Array) {
    const n = Math.min(data.length, this.max - this.length);
    if (n <= 0) return;
    this.parts.push(data.slice(0, n));
    this.length += n;
  }
  first(): number | undefined {
    return this.parts[0]?.[0];
  }
  pieces(): readonly Uint8Array[] {
    return this.parts;
  }
  bytes(): Uint8Array {
    if (this.parts.length !== 1) this.parts = [join(this.parts)];
    return this.parts[0];
  }
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
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

/** How long a board may take to stop after Ctrl-C before it gets another. */
export const INTERRUPT_RETRY_MS = 2000;
/** Ctrl-C sent before giving up on a board that keeps running. */
export const INTERRUPT_ATTEMPTS = 3;
/** See ExecOptions.quietEndMs. */
export const QUIET_END_MS = 1000;
/** Bytes kept of the output between two \x04 for a garbled exception (see Exec.timer "quiet"). */
const RAW_SEGMENT_MAX = 16 * 1024;

const TRACEBACK_HEADER = bytes("Traceback (most recent call last):");

const isIdStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isIdChar = (c: number) => isIdStart(c) || (c >= 0x30 && c <= 0x39);

/**
 * Whether bytes can still be the start of what MicroPython prints for an
 * uncaught exception: `Traceback (most recent call last):` and its frames, or
 * (an exception raised with no traceback, e.g. Ctrl-C during raw-paste) the
 * bare `Name: message` that mp_obj_print_exception always begins with. Fed
 * one byte at a time; once impossible, it stays so.
 */
class TracebackShape {
  /** Bytes of the header matched, -1 once it cannot be the header. */
  private header = 0;
  /** 0: nothing yet, 1: in the exception's name, 2: after ':', 3: after ': ' (anything may follow); -1: not this form. */
  private name = 0;
  possible = true;
  push(c: number) {
    if (this.header >= 0 && this.header < TRACEBACK_HEADER.length) this.header = TRACEBACK_HEADER[this.header] === c ? this.header + 1 : -1;
    switch (this.name) {
      case 0:
        this.name = isIdStart(c) ? 1 : -1;
        break;
      case 1:
        if (!isIdChar(c)) this.name = c === 0x3a /* : */ ? 2 : -1;
        break;
      case 2:
        this.name = c === 0x20 ? 3 : -1;
        break;
    }
    this.possible = this.header >= 0 || this.name >= 0;
  }
  /** The bare form's `Name: ` is in: what follows is the message. */
  get inMessage(): boolean {
    return this.name === 3;
  }
  /**
   * Feeds bytes until one rules an exception out (its index) or none does
   * (-1). Once the whole header or `Name: ` is in, anything may follow, so
   * the rest is not looked at.
   */
  feed(data: Uint8Array): number {
    for (let k = 0; k < data.length && this.header !== TRACEBACK_HEADER.length && this.name !== 3; k++) {
      this.push(data[k]);
      if (!this.possible) return k;
    }
    return -1;
  }
}

/**
 * How much of `data` is an uncaught exception as MicroPython prints it:
 * "message" once its `Name: ` is in (the message may hold anything, \x04
 * included), "partial" while it may still become one, "no" when it cannot.
 * With `header`, only the full form: `Traceback (most recent call last):`,
 * frame lines (indented), then `Name: `; else the bare `Name: ` form too.
 */
function exceptionShape(data: Uint8Array, header: boolean): "no" | "partial" | "message" {
  let i = 0;
  const n = data.length;
  const h = Math.min(n, TRACEBACK_HEADER.length);
  let k = 0;
  while (k < h && data[k] === TRACEBACK_HEADER[k]) k++;
  if (k === h && n > 0) {
    if (n < TRACEBACK_HEADER.length) return "partial";
    i = TRACEBACK_HEADER.length;
    if (data[i] === 0x0d) i++;
    if (i >= n) return "partial";
    if (data[i++] !== 0x0a) return "no";
    // frame lines ("  File ...") up to the exception's own line
    while (i < n && data[i] === 0x20) {
      const nl = data.indexOf(0x0a, i);
      if (nl < 0) return "partial";
      i = nl + 1;
    }
  } else if (header) return n === 0 ? "partial" : "no";
  // the exception's own line, `Name: message`
  const line = new TracebackShape();
  if (line.feed(data.subarray(i)) >= 0) return "no";
  return line.inMessage ? "message" : "partial";
}

/**
 * The bytes between the first \x04 and the board's final `\x04>`, as output
 * and exception. They hold more \x04 only if one came inside a full
 * traceback's message (Exec "end"): then the exception begins after the last
 * \x04 from which the rest is one whole exception ending its line, or is
 * nothing; the bytes before it (with the first \x04) were output.
 */
function splitException(held: Uint8Array): { output: Uint8Array; exception: Uint8Array } {
  const starts = [0];
  for (let k = held.indexOf(CTRL_D); k >= 0; k = held.indexOf(CTRL_D, k + 1)) starts.push(k + 1);
  const whole = (rest: Uint8Array) => rest.length === 0 || (rest[rest.length - 1] === 0x0a && exceptionShape(rest, false) === "message");
  let s = starts[starts.length - 1];
  for (let j = starts.length - 1; j >= 0; j--)
    if (whole(held.subarray(starts[j]))) {
      s = starts[j];
      break;
    }
  if (s === 0) return { output: new Uint8Array(0), exception: held };
  return { output: join([Uint8Array.of(CTRL_D), held.subarray(0, s - 1)]), exception: held.subarray(s) };
}

/**
 * The banner an ESP chip's boot ROM prints after any reset (power-on,
 * watchdog, panic, machine.reset()), on the console UART at 115200 baud:
 * - ESP32:  `ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n`
 * - ESP32-S2/S3/C3/C6...: `ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\nrst:0x1 (POWERON),boot:0x8 (SPI_FAST_FLASH_BOOT)\r\n`
 *   (the chip part may carry more, as `esp32c3-api1-20210207`; the boot mode
 *   may hold parentheses, as `DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2)`).
 * A bare `rst:` line is not enough: scripts print such text.
 */
const ROM_BANNER =
  /(?:ets [A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d\r?\n(?:\r?\n)?|ESP-ROM:[\w-]+\r?\nBuild:[A-Z][a-z]{2} [ \d]\d \d{4}\r?\n)rst:(0x[0-9a-f]+ \([A-Z0-9_]+\)),boot:0x[0-9a-f]+ \([^\r\n]*\)\r?\n/;
/**
 * What follows the banner on a board that really reset: the ROM loading the
 * second-stage bootloader (`configsip:`, `SPIWP:`, `Saved PC:`, `mode:DIO,
 * clock div:2`, `load:0x...,len:...`, `entry 0x...`), or MicroPython's own
 * banner and friendly prompt.
 */
const AFTER_BANNER = /\n(?:configsip: |SPIWP:0x|Saved PC:0x|mode:[A-Z_]+, clock div|load:0x[0-9a-f]+,len:|entry 0x[0-9a-f]+)|MicroPython v|>>> /;
/**
 * MicroPython's own banner at its friendly prompt, ending the output: a board
 * that restarted where its ROM banner could not be read (an ESP8266 prints it
 * at 74880 baud, garbage at 115200) or has none. Only with silence after it.
 */
const FRIENDLY_BOOT = /MicroPython v\d[^\r\n]*\r\nType "help\(\)" for more information\.\r\n>>> $/;
/** Longer than any banner, so one split across reads is still whole in the window. */
const BANNER_WINDOW = 400;

/**
 * Watches the bytes a running program sends for the boot ROM's reset banner,
 * wherever reads split them. `reason` once the banner has arrived,
 * `confirmed` once what follows a real reset has too. Each feed looks at the
 * new bytes and the last BANNER_WINDOW before them, never at more.
 */
class ResetWatch {
  private text = "";
  reason: string | undefined;
  confirmed = false;
  /** Returns true when this chunk brought the banner (a reset is now suspected). */
  feed(data: Uint8Array): boolean {
    if (this.confirmed || data.length === 0) return false;
    if (this.reason === undefined) {
      // The banner ends with a newline, and one that ended earlier was found then.
      if (data.indexOf(0x0a) < 0) {
        this.text = (this.text + latin1(data.subarray(-BANNER_WINDOW))).slice(-BANNER_WINDOW);
        return false;
      }
      this.text += latin1(data);
      const m = ROM_BANNER.exec(this.text);
      if (!m) {
        if (this.text.length > BANNER_WINDOW) this.text = this.text.slice(-BANNER_WINDOW);
        return false;
      }
      this.reason = `rst:${m[1]}`;
      // From the banner's last newline on: the lines after it start after a
      // newline even once the window has moved on (where `^` would not be one).
      this.text = this.text.slice(m.index + m[0].length - 1);
      this.confirmed = AFTER_BANNER.test(this.text);
      return true;
    }
    this.text += latin1(data);
    this.confirmed = AFTER_BANNER.test(this.text);
    if (this.text.length > BANNER_WINDOW) this.text = this.text.slice(-BANNER_WINDOW);
    return false;
  }
}

const BANNER_STARTS = ["ets ", "ESP-ROM:"].map(bytes);
/** Bytes a reset may put on the line before the ROM speaks (NUL, 0xff and the like). */
const RESET_GLITCH_MAX = 8;

/**
 * Whether bytes that broke the raw-paste protocol may still be the start of a
 * boot ROM banner: a few glitch bytes (NUL, or 0x80 and above), then `ets `
 * or `ESP-ROM:` and at most a banner's length more. Anything else is an error
 * at once (a garbled credit followed by the next credit, say).
 */
function couldStartBanner(stray: number[]): boolean {
  let k = 0;
  while (k < stray.length && (stray[k] === 0x00 || stray[k] >= 0x80)) k++;
  if (k > RESET_GLITCH_MAX) return false;
  const rest = stray.slice(k);
  if (rest.length > BANNER_WINDOW) return false;
  return BANNER_STARTS.some((start) => {
    const n = Math.min(start.length, rest.length);
    for (let j = 0; j < n; j++) if (rest[j] !== start[j]) return false;
    return true;
  });
}

/** One character per byte, decoded natively (spreading bytes into fromCharCode costs more than the whole watch). */
function latin1(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.length).toString("latin1");
}

/**
 * Control bytes a program's output may hold that the raw REPL cannot tell
 * apart from its own (and a terminal would not show), as visible symbols:
 * NUL as U+2400 ␀, Ctrl-C as U+2403 ␃, Ctrl-D as U+2404 ␄. Other bytes are
 * left alone (UTF-8 never uses these inside a character).
 */
export function visibleControls(data: Uint8Array): Uint8Array {
  let n = 0;
  for (const b of data) if (b === 0x00 || b === CTRL_C || b === CTRL_D) n++;
  if (n === 0) return data;
  const out = new Uint8Array(data.length + 2 * n);
  let j = 0;
  for (const b of data) {
    if (b === 0x00 || b === CTRL_C || b === CTRL_D) {
      out.set([0xe2, 0x90, 0x80 + b], j); // U+2400 + b
      j += 3;
    } else out[j++] = b;
  }
  return out;
}

const SOFT_REBOOT_LINES = ["MPY: soft reboot\r\n", "soft reboot\r\n"].map(bytes);

type ExecPhase =
  | "paste-header" // sent \x05A\x01, waiting for R\x01 / R\x00 / old firmware echo
  | "paste-window" // got R\x01, waiting for the 2-byte window size
  | "paste-send" // sending within the window
  | "paste-ack" // sent the final \x04, waiting for the board's \x04
  | "paste-cancel" // sent Ctrl-C mid-transfer, waiting for the board's \x04 (not to be acknowledged)
  | "legacy-banner" // old firmware answered the paste request with a new raw prompt
  | "raw-ok" // sent code + \x04 in plain raw mode, waiting for OK
  | "stdout" // the program's output
  | "stderr" // after a \x04: the exception, if the \x04 was the board's (held until that is sure)
  | "end" // after the second \x04: the prompt '>' (or a soft reboot) confirms the two
  | "reboot" // the program soft-reset the board: its output, then the raw prompt
  | "done";

/** Phases in which the bytes received are what the board says after our code went out. */
const RUNNING: ReadonlySet<ExecPhase> = new Set(["stdout", "stderr", "end", "reboot"]);

export interface ExecOptions {
  /** Try raw-paste first (default true); false goes straight to plain raw mode. */
  rawPaste?: boolean;
  /**
   * How long after a boot ROM reset banner, with nothing yet that confirms a
   * real reset, the run is taken as ended by a reset (default 10 s).
   */
  resetConfirmMs?: number;
  /** Between Ctrl-C while the board keeps running (default INTERRUPT_RETRY_MS). */
  interruptRetryMs?: number;
  /** Silence after a "\x04>" that ends the exchange although no exception was recognised before it (default QUIET_END_MS). */
  quietEndMs?: number;
}

/**
 * Run code at the raw prompt. Output is delivered as it arrives; the final
 * result carries stderr.
 *
 * The raw REPL answers `OK`, the program's output, `\x04`, the exception (if
 * any), `\x04`, `>`. A program may print a `\x04` of its own (a board sends it
 * as is), so the bytes after a `\x04` are held: they are the exception only if
 * they look like one (TracebackShape) and the next `\x04` is followed by `>`.
 * Otherwise the first `\x04` was output: it and what was held go out as
 * stdout, and the later `\x04` is the candidate end of output in its turn.
 *
 * Ctrl-C (`interrupt()`) means something different in every phase, and the
 * machine sends it when it means "stop": mid raw-paste it ends the transfer;
 * before the board accepted the paste request it waits (then sends no code);
 * in a plain-raw upload it stops the upload and clears the board's line;
 * once the program runs it interrupts it, again every `interruptRetryMs`,
 * and gives up after INTERRUPT_ATTEMPTS (fail "wont-stop").
 *
 * A reset of the board while the program runs (its boot ROM banner, see
 * ResetWatch) ends the operation with fail "board-reset".
 */
export class Exec implements Operation {
  finished = false;
  phase: ExecPhase;
  private readonly code: Uint8Array;
  private header: Uint8Array = new Uint8Array(0);
  private sent = 0;
  private windowSize = 0;
  private windowRemain = 0;
  private mode: "raw-paste" | "raw";
  private pasteAborted = false;
  private legacyScanner = new Scanner(bytes("w REPL; CTRL-B to exit\r\n>"));
  private rebootScanner = new Scanner(bytes(RAW_PROMPT));
  private okBuf = "";
  /** After a \x04: the bytes that may be the exception. */
  private held = new ByteList();
  private shape = new TracebackShape();
  /** Held bytes when a \x04 was first kept inside a traceback's message ("end"), else -1. */
  private messageFrom = -1;
  /** After the second \x04: bytes that may begin a soft reboot. */
  private endHeld: number[] = [];
  private watch = new ResetWatch();
  /** Bytes that were not the protocol during a raw-paste transfer (see couldStartBanner). */
  private stray: number[] = [];
  private strayWatch = new ResetWatch();
  /** "\x04>" arrived where no exception could be: waiting to see whether the board says more. */
  private quietEnd = false;
  private readonly quietEndMs: number;
  /** Raw bytes after the last \x04 received while the program ran, and those between the two before (capped). */
  private rawSince = new ByteList(RAW_SEGMENT_MAX);
  private rawPrev = new ByteList(RAW_SEGMENT_MAX);
  private readonly resetConfirmMs: number;
  private readonly interruptRetryMs: number;
  /** interrupt() was called. */
  private interrupted = false;
  /** An interrupt waits for a phase where Ctrl-C means "stop". */
  private interruptPending = false;
  private stopUploadAsked = false;
  private ctrlCSent = 0;

  constructor(code: string | Uint8Array, opts: ExecOptions = {}) {
    this.code = typeof code === "string" ? bytes(code) : code;
    this.mode = opts.rawPaste === false ? "raw" : "raw-paste";
    this.phase = this.mode === "raw-paste" ? "paste-header" : "raw-ok";
    this.resetConfirmMs = opts.resetConfirmMs ?? 10_000;
    this.interruptRetryMs = opts.interruptRetryMs ?? INTERRUPT_RETRY_MS;
    this.quietEndMs = opts.quietEndMs ?? QUIET_END_MS;
  }

  start(): Action[] {
    return this.mode === "raw-paste" ? [{ type: "write", data: RAW_PASTE_REQUEST }] : this.rawWrite();
  }

  /** After the run, a board that soft-reboots (sys.exit()) may print boot.py output before its prompt. */
  progressOnNoise(): boolean {
    return this.phase === "end" || this.phase === "reboot";
  }

  awaitingReply(): boolean {
    // Only the program's own output may pause indefinitely; an exception and
    // the prompt after it follow at once, so silence there means the board
    // rebooted or the stream lost a byte. ("\x04>" then silence has a timer of its own.)
    return this.phase !== "stdout" && this.phase !== "done" && !this.quietEnd;
  }

  interrupt(): Action[] {
    if (this.finished) return [];
    this.interrupted = true;
    if (this.interruptPending || this.ctrlCSent > 0 || this.phase === "paste-cancel") return [];
    this.interruptPending = true;
    return this.pursueInterrupt();
  }

  /** Acts on a pending interrupt if the phase allows; called again whenever the phase changes. */
  private pursueInterrupt(): Action[] {
    if (!this.interruptPending || this.finished) return [];
    switch (this.phase) {
      case "paste-send":
        // The board takes Ctrl-C as "stop the transfer": it ends it with \x04 and reports KeyboardInterrupt.
        this.interruptPending = false;
        this.phase = "paste-cancel";
        return [{ type: "write", data: Uint8Array.of(CTRL_C) }];
      case "raw-ok":
        // The board would only clear its line and run what comes after: stop sending first.
        if (this.stopUploadAsked) return [];
        this.stopUploadAsked = true;
        return [{ type: "stop-upload" }];
      case "stdout":
      case "stderr":
      case "end":
        this.interruptPending = false;
        return this.sendCtrlC();
      default:
        // The paste request, window or final acknowledgement is still due;
        // Ctrl-C now would mean something else (or nothing).
        return [];
    }
  }

  private sendCtrlC(): Action[] {
    this.ctrlCSent++;
    return [
      { type: "write", data: Uint8Array.of(CTRL_C) },
      { type: "timer", id: "interrupt", ms: this.interruptRetryMs },
    ];
  }

  uploadStopped(skipped: boolean): Action[] {
    if (this.phase !== "raw-ok" || !skipped || this.finished) return [];
    // The board holds part of the code on its input line. Ctrl-C clears it,
    // and an empty program (a newline, then Ctrl-D) ends the exchange as
    // usual: OK, two \x04, the prompt. Nothing of the code runs.
    this.interruptPending = false;
    this.notRun = true;
    return [{ type: "write", data: Uint8Array.of(CTRL_C, 0x0a, CTRL_D) }];
  }
  private notRun = false;

  timer(id: TimerId): Action[] {
    if (this.finished) return [];
    if (id === "reset") {
      // The banner came and the run never ended: the board did reset.
      if (this.watch.reason !== undefined) return this.failReset([]);
      // MicroPython's boot banner and prompt, and nothing since.
      if (this.bootPromptAt === this.received) return this.fail({ kind: "board-reset", reason: "MicroPython's boot banner and >>> prompt arrived" });
      return [];
    }
    if (id === "quiet") {
      const out: Action[] = [];
      if (this.quietEnd && this.phase === "stderr") {
        // The board is at its prompt after all. What came between the two last
        // \x04 is its exception, as the raw REPL frames it; it did not look like
        // one (a garbled byte), so it went out as output already.
        this.held = this.rawPrev;
        this.quietEnd = false;
        this.finish(out);
      } else if (this.garbledPrompt?.at === this.received) {
        // "\x04 exception \x04" and one byte that should have been '>', then nothing.
        out.push(...noise(this.phase === "stderr" ? this.held.bytes() : Uint8Array.from(this.phase === "end" ? this.endHeld : [])));
        this.held = this.garbledPrompt.stderr;
        this.finish(out);
      }
      return out;
    }
    if (this.ctrlCSent === 0 || !RUNNING.has(this.phase) || this.phase === "reboot") return [];
    if (this.ctrlCSent >= INTERRUPT_ATTEMPTS) return this.fail({ kind: "wont-stop", attempts: INTERRUPT_ATTEMPTS });
    return this.sendCtrlC();
  }

  /**
   * What the phase holds back until the board's framing shows what it is:
   * after a \x04, the bytes that may be an exception, and in phase "end" the
   * second \x04 and what may begin a soft reboot. Taken as output now, so
   * cleared; `markers`: with those \x04 (output too, when the run goes on).
   */
  private takeHeld(markers: boolean): Uint8Array {
    const [held, endHeld] = [this.held.pieces(), Uint8Array.from(this.endHeld)];
    this.held = new ByteList();
    this.messageFrom = -1;
    this.endHeld = [];
    if (this.phase !== "stderr" && this.phase !== "end") return new Uint8Array(0);
    const mark = Uint8Array.of(...(markers ? [CTRL_D] : []));
    return join(this.phase === "end" ? [mark, ...held, mark, endHeld] : [mark, ...held]);
  }

  abandon(): Action[] {
    if (this.finished) return [];
    // Cut off (silence, a disconnect) most likely mid-exception: its text, without the board's markers.
    const held = this.takeHeld(false);
    return held.length ? [{ type: "stdout", data: held }] : [];
  }

  private fail(failure: Failure, out: Action[] = []): Action[] {
    // Nothing that arrived is lost: bytes held as a possible exception were
    // output after all (the board reset, or kept running).
    const held = this.takeHeld(true);
    if (held.length) out.push({ type: "stdout", data: held });
    this.finished = true;
    this.phase = "done";
    out.push({ type: "fail", failure });
    return out;
  }

  private failReset(out: Action[]): Action[] {
    return this.fail({ kind: "board-reset", reason: this.watch.reason! }, out);
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

  /** Interrupted before the board took any code: it sits at its raw prompt, nothing ran. */
  private finishUnsent(out: Action[]) {
    this.finished = true;
    this.phase = "done";
    out.push({ type: "done", result: { stderr: new Uint8Array(0), mode: this.mode, pasteAborted: false, interrupted: true, notRun: true } });
  }

  /**
   * A byte off the protocol while the board takes the code: a board that
   * reset (its boot ROM's banner, true once that is complete), or an error.
   */
  private takeStray(c: number, where = "during raw-paste"): boolean {
    this.stray.push(c);
    if (this.strayWatch.feed(Uint8Array.of(c))) return true;
    if (!couldStartBanner(this.stray)) throw new ProtocolError(`unexpected byte 0x${this.stray[0].toString(16).padStart(2, "0")} ${where}`);
    return false;
  }

  receive(chunk: Uint8Array): Action[] {
    const out: Action[] = [];
    this.received += chunk.length;
    try {
      this.consume(chunk, out);
      this.checkGarbledPrompt(out);
      return out;
    } catch (err) {
      if (err instanceof ProtocolError) err.actions = out;
      throw err;
    }
  }

  /** `watched`: how many bytes at the start of `chunk` the reset watch has seen already (held bytes read again). */
  private consume(chunk: Uint8Array, out: Action[], watched = 0): void {
    let i = 0;
    while (i < chunk.length && this.phase !== "done") {
      const from = i;
      const phase = this.phase;
      switch (this.phase) {
        case "paste-header": {
          // Neither `R` (raw-paste answer) nor `r` (old firmware's "raw REPL"): perhaps a reset.
          if (this.stray.length || (this.header.length === 0 && chunk[i] !== 0x52 && chunk[i] !== 0x72)) {
            if (this.takeStray(chunk[i++], "in answer to the raw-paste request")) return void this.fail({ kind: "board-reset", reason: this.strayWatch.reason! }, out);
            break;
          }
          const need = 2 - this.header.length;
          this.header = concat(this.header, chunk.subarray(i, i + need));
          i += Math.min(need, chunk.length - i);
          if (this.header.length < 2) break;
          const [a, b] = this.header;
          this.header = new Uint8Array(0);
          if (a === 0x52 /* R */ && b === 0x01) {
            this.phase = "paste-window";
          } else if (a === 0x52 && b === 0x00) {
            // board says: no raw-paste here
            if (this.interruptPending) {
              this.mode = "raw";
              this.finishUnsent(out);
            } else out.push(...this.rawWrite());
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
          // Interrupted meanwhile: end the transfer before any code goes out.
          if (this.interruptPending) out.push(...this.pursueInterrupt());
          else out.push(...this.pump());
          break;
        }
        case "paste-send":
        case "paste-ack":
        case "paste-cancel": {
          const c = chunk[i++];
          if (this.stray.length || (c !== CTRL_A && c !== CTRL_D)) {
            if (this.takeStray(c)) return void this.fail({ kind: "board-reset", reason: this.strayWatch.reason! }, out);
            break;
          }
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
            out.push(...this.pursueInterrupt());
          }
          break;
        }
        case "legacy-banner": {
          const [pre, rest] = this.legacyScanner.feed(chunk.subarray(i));
          out.push(...noise(pre));
          i = chunk.length;
          if (rest !== undefined) {
            if (this.interruptPending) {
              this.mode = "raw";
              this.finishUnsent(out);
              out.push(...noise(rest));
            } else {
              out.push(...this.rawWrite());
              this.consume(rest, out);
            }
          }
          break;
        }
        case "raw-ok": {
          this.okBuf += String.fromCharCode(chunk[i++]);
          if (this.okBuf.length < 2) break;
          if (this.okBuf !== "OK") throw new ProtocolError(`board did not accept the code (answered ${JSON.stringify(this.okBuf)})`);
          this.phase = "stdout";
          out.push(...this.pursueInterrupt());
          break;
        }
        case "stdout": {
          const end = chunk.indexOf(CTRL_D, i);
          const stop = end < 0 ? chunk.length : end;
          if (stop > i) out.push({ type: "stdout", data: chunk.slice(i, stop) });
          i = stop;
          if (end >= 0) {
            i++;
            this.phase = "stderr";
            this.held = new ByteList();
            this.messageFrom = -1;
            this.shape = new TracebackShape();
          }
          break;
        }
        case "stderr": {
          if (this.quietEnd) {
            // More came: that "\x04>" was output. This byte is read again as output.
            this.quietEnd = false;
            out.push({ type: "stdout", data: this.takeHeld(true) });
            this.phase = "stdout";
            break;
          }
          if (chunk[i] === CTRL_D) {
            i++;
            this.phase = "end";
            this.endHeld = [];
            break;
          }
          if (chunk[i] === 0x3e /* > */ && this.held.length === 0) {
            // "\x04>" where an exception was not possible (it was garbled on
            // the line, or this is output): the end of the exchange if the
            // board then says nothing more, as it does at its prompt.
            this.held.push(chunk.subarray(i, ++i));
            this.quietEnd = true;
            out.push({ type: "timer", id: "quiet", ms: this.quietEndMs });
            break;
          }
          // Held up to the next \x04, unless a byte on the way rules an exception out.
          const end = chunk.indexOf(CTRL_D, i);
          const stop = end < 0 ? chunk.length : end;
          const bad = this.shape.feed(chunk.subarray(i, stop));
          const upto = bad < 0 ? stop : i + bad + 1;
          this.held.push(chunk.subarray(i, upto));
          i = upto;
          // A message that went on this long after a \x04 kept in it was a program's
          // own traceback-like output: let it stream again.
          const overlong = this.messageFrom >= 0 && this.held.length - this.messageFrom > RAW_SEGMENT_MAX;
          if (bad >= 0 || overlong) {
            // Not an exception: that \x04 was the program's own output.
            out.push({ type: "stdout", data: this.takeHeld(true) });
            this.phase = "stdout";
          }
          break;
        }
        case "end": {
          if (chunk[i] === 0x3e /* > */ && this.endHeld.length === 0) {
            i++;
            this.finish(out);
            break;
          }
          // Up to the byte that shows whether a soft reboot's first line is coming.
          let line: Uint8Array | undefined;
          do {
            this.endHeld.push(chunk[i++]);
            line = SOFT_REBOOT_LINES.find((l) => this.endHeld.every((b, k) => l[k] === b));
          } while (line && this.endHeld.length < line.length && i < chunk.length);
          if (line) {
            // The program soft-reset the board (sys.exit(), machine.soft_reset()):
            // its reboot messages, maybe boot.py output, then the raw prompt.
            if (this.endHeld.length === line.length) {
              out.push(...noise(line));
              this.phase = "reboot";
            }
            break;
          }
          const again = Uint8Array.from(this.endHeld);
          this.endHeld = [];
          if (exceptionShape(this.held.bytes(), true) === "message") {
            // Not the end, and what is held is a whole traceback up to its
            // message: this \x04 may be in the message (ValueError(chr(4))).
            // Held with the rest; finish() tells where the exception began.
            this.held.push(Uint8Array.of(CTRL_D));
            if (this.messageFrom < 0) this.messageFrom = this.held.length;
            this.phase = "stderr";
            this.consume(again, out, again.length);
            break;
          }
          // Not the end after all: the first \x04 was output, the second may
          // be the end of it, and the bytes after it are read again.
          this.phase = "stderr";
          out.push({ type: "stdout", data: this.takeHeld(true) });
          this.shape = new TracebackShape();
          this.consume(again, out, again.length);
          break;
        }
        case "reboot": {
          const [pre, rest] = this.rebootScanner.feed(chunk.subarray(i));
          out.push(...noise(pre));
          i = chunk.length - (rest?.length ?? 0);
          if (rest !== undefined) this.finish(out);
          break;
        }
      }
      // The board reset: what came after the banner in this read is noise.
      if (RUNNING.has(phase) && i > Math.max(from, watched) && this.watchBytes(chunk.subarray(Math.max(from, watched), i), out)) break;
      watched = Math.max(watched, i);
    }
    if (i < chunk.length) out.push(...noise(chunk.subarray(i)));
  }

  /**
   * The stream so far ends "\x04 E \x04 X": E could be an exception and X is
   * one byte, not the '>' that should follow (a garbled prompt), so X and E
   * went out as output. If nothing more comes, that was the end: a timer.
   */
  private checkGarbledPrompt(out: Action[]) {
    if (this.finished || !RUNNING.has(this.phase) || this.quietEnd || this.rawMarkers < 2) return;
    if (this.rawSince.length !== 1 || this.rawSince.first() === 0x3e) return;
    if (this.garbledPrompt?.at === this.received) return;
    if (new TracebackShape().feed(this.rawPrev.bytes()) >= 0) return;
    this.garbledPrompt = { at: this.received, stderr: this.rawPrev };
    out.push({ type: "timer", id: "quiet", ms: this.quietEndMs });
  }
  private garbledPrompt: { at: number; stderr: ByteList } | undefined;
  /** The last output, for MicroPython's boot banner; and the byte count when it ended the output. */
  private bootTail = "";
  private bootPromptAt = -1;
  /** Bytes received in all. */
  private received = 0;
  /** \x04 bytes received while the program ran. */
  private rawMarkers = 0;

  /** Feeds bytes the board sent while the program ran to the reset watch; true when that ended the run. */
  private watchBytes(data: Uint8Array, out: Action[]): boolean {
    if (data.length === 0 || this.finished) return false;
    let from = 0;
    for (let at = data.indexOf(CTRL_D); at >= 0; at = data.indexOf(CTRL_D, from)) {
      this.rawSince.push(data.subarray(from, at));
      this.rawPrev = this.rawSince;
      this.rawSince = new ByteList(RAW_SEGMENT_MAX);
      this.rawMarkers++;
      from = at + 1;
    }
    this.rawSince.push(data.subarray(from));
    if (this.watch.feed(data) && !this.watch.confirmed) out.push({ type: "timer", id: "reset", ms: this.resetConfirmMs });
    if (this.watch.reason === undefined) {
      this.bootTail = (this.bootTail + latin1(data.subarray(-BANNER_WINDOW))).slice(-BANNER_WINDOW);
      // (FRIENDLY_BOOT ends at the end of the output, with the prompt.)
      if (this.bootTail.endsWith(FRIENDLY_PROMPT) && FRIENDLY_BOOT.test(this.bootTail)) {
        this.bootPromptAt = this.received;
        out.push({ type: "timer", id: "reset", ms: this.resetConfirmMs });
      }
    }
    if (!this.watch.confirmed) return false;
    this.failReset(out);
    return true;
  }

  private finish(out: Action[]) {
    this.phase = "done";
    this.finished = true;
    const { output, exception: stderr } = splitException(this.held.bytes());
    if (output.length) out.push({ type: "stdout", data: output });
    if (stderr.length) out.push({ type: "stderr", data: stderr });
    out.push({
      type: "done",
      result: { stderr, mode: this.mode, pasteAborted: this.pasteAborted, ...(this.interrupted ? { interrupted: true } : {}), ...(this.notRun ? { notRun: true } : {}) },
    });
  }
}
