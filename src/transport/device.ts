// Board side of the raw REPL, as a pure state machine: bytes from the host go
// in, and what the board must do comes out (write bytes, run code, interrupt,
// soft reset, feed the friendly REPL). The virtual board drives it; the host
// machines in protocol.ts are tested against it.
import { CTRL_A, CTRL_B, CTRL_C, CTRL_D, CTRL_E, RAW_BANNER, bytes } from "./protocol.js";

export type DeviceAction =
  | { type: "write"; data: Uint8Array }
  | { type: "exec"; code: Uint8Array }
  | { type: "interrupt" }
  | { type: "soft-reset" }
  | { type: "friendly-char"; byte: number }
  /** Bytes for a running program's stdin. */
  | { type: "stdin"; data: Uint8Array };

export type WriteAction = Extract<DeviceAction, { type: "write" }>;

export interface DeviceOptions {
  /** "yes" answers R\x01 with a window, "no" answers R\x00, "legacy" behaves like firmware older than raw-paste. */
  rawPaste?: "yes" | "no" | "legacy";
  /** Raw-paste window in bytes (ESP32: 128). */
  window?: number;
  /** Fault: abort a raw-paste after this many bytes of code. */
  abortPasteAfter?: number;
  /** Banner line printed when entering the friendly REPL. */
  banner?: string;
}

type Mode = "friendly" | "raw" | "paste" | "paste-aborted" | "paste-failed" | "running";

export class DeviceProtocol {
  mode: Mode = "friendly";
  private code: number[] = [];
  private pasteCount = 0;
  private sinceCredit = 0;
  private escape: number[] = [];
  /** Counts raw-paste transfers, so a late compile verdict is not applied to the next one. */
  pasteId = 0;
  private pasteFailure = "";
  private readonly opts: Required<DeviceOptions>;

  constructor(opts: DeviceOptions = {}) {
    this.opts = {
      rawPaste: opts.rawPaste ?? "yes",
      window: opts.window ?? 128,
      abortPasteAfter: opts.abortPasteAfter ?? -1,
      banner: opts.banner ?? "MicroPython",
    };
  }

  /** What the board prints at boot and when leaving raw mode. */
  friendlyBanner(): Uint8Array {
    return bytes(`${this.opts.banner}\r\nType "help()" for more information.\r\n>>> `);
  }

  /**
   * The running program finished: end the raw exec reply (stdout was already
   * written). A program that raised SystemExit makes the board soft-reset
   * instead of showing the prompt; afterSoftReset() then ends the reply.
   */
  finishRun(stderr: string, softReboot = false): WriteAction[] {
    if (this.mode !== "running") return [];
    this.mode = "raw";
    return [{ type: "write", data: bytes(`\x04${stderr.replace(/\r?\n/g, "\r\n")}\x04${softReboot ? "" : ">"}`) }];
  }

  /** A soft reset completed (fresh interpreter); raw mode stays raw, as on hardware. */
  afterSoftReset(wasRaw: boolean): WriteAction[] {
    if (wasRaw) {
      this.mode = "raw";
      return [{ type: "write", data: bytes(`MPY: soft reboot\r\n${RAW_BANNER}>`) }];
    }
    this.mode = "friendly";
    return [{ type: "write", data: bytes("MPY: soft reboot\r\n") }, { type: "write", data: this.friendlyBanner() }];
  }

  /** The code of the raw-paste transfer in progress, as received so far. */
  pasteSoFar(): Uint8Array {
    return this.mode === "paste" ? Uint8Array.from(this.code) : new Uint8Array(0);
  }

  /**
   * The code received so far cannot compile (SyntaxError, MemoryError): as the
   * firmware, which compiles while receiving, stop the transfer with a lone
   * \x04, discard what follows up to the host's \x04, then report `stderr`.
   */
  failPaste(stderr: string, pasteId = this.pasteId): WriteAction[] {
    if (this.mode !== "paste" || pasteId !== this.pasteId) return [];
    this.mode = "paste-failed";
    this.code = [];
    this.pasteFailure = stderr;
    return [{ type: "write", data: Uint8Array.of(CTRL_D) }];
  }

  receive(chunk: Uint8Array): DeviceAction[] {
    const out: DeviceAction[] = [];
    for (const c of chunk) this.byte(c, out);
    return out;
  }

  private write(out: DeviceAction[], s: string | Uint8Array) {
    out.push({ type: "write", data: typeof s === "string" ? bytes(s) : s });
  }

  private byte(c: number, out: DeviceAction[]) {
    switch (this.mode) {
      case "friendly":
        if (c === CTRL_A) {
          this.mode = "raw";
          this.code = [];
          this.write(out, `\r\n${RAW_BANNER}>`);
        } else if (c === CTRL_B) {
          this.write(out, "\r\n");
          this.write(out, this.friendlyBanner());
        } else {
          // Ctrl-C at the friendly prompt both interrupts a running statement and clears the line.
          if (c === CTRL_C) out.push({ type: "interrupt" });
          out.push({ type: "friendly-char", byte: c });
        }
        return;
      case "running":
        if (c === CTRL_C) out.push({ type: "interrupt" });
        else out.push({ type: "stdin", data: Uint8Array.of(c) });
        return;
      case "raw":
        return this.rawByte(c, out);
      case "paste":
        return this.pasteByte(c, out);
      case "paste-aborted":
        // Wait for the host's acknowledgement, then report like a failed compile.
        if (c === CTRL_D) {
          this.mode = "raw";
          this.write(out, "\x04Traceback (most recent call last):\r\nKeyboardInterrupt: raw-paste aborted by the board\r\n\x04>");
        }
        return;
      case "paste-failed":
        // The rest of the code is discarded; the host's \x04 gets the error.
        if (c === CTRL_D) {
          this.mode = "raw";
          this.write(out, `\x04${this.pasteFailure.replace(/\r?\n/g, "\r\n")}\x04>`);
          this.pasteFailure = "";
        }
        return;
    }
  }

  private rawByte(c: number, out: DeviceAction[]) {
    if (this.escape.length > 0 || (c === CTRL_E && this.code.length === 0)) {
      this.escape.push(c);
      if (this.escape.length < 3) return;
      const seq = this.escape;
      this.escape = [];
      if (seq[1] === 0x41 && seq[2] === CTRL_A) return this.startPaste(out);
      for (const b of seq) this.code.push(b);
      return;
    }
    if (c === CTRL_A) {
      // As pyexec.c: a raw-mode Ctrl-A restarts at the banner, with no blank line before it.
      this.code = [];
      this.write(out, `${RAW_BANNER}>`);
    } else if (c === CTRL_B) {
      this.code = [];
      this.mode = "friendly";
      this.write(out, "\r\n");
      this.write(out, this.friendlyBanner());
    } else if (c === CTRL_C) {
      this.code = [];
    } else if (c === CTRL_D) {
      if (this.code.length === 0) {
        this.write(out, "OK\r\n");
        out.push({ type: "soft-reset" });
        return;
      }
      const code = Uint8Array.from(this.code);
      this.code = [];
      this.mode = "running";
      this.write(out, "OK");
      out.push({ type: "exec", code });
    } else {
      this.code.push(c);
    }
  }

  private startPaste(out: DeviceAction[]) {
    if (this.opts.rawPaste === "no") {
      this.write(out, "R\x00");
      return;
    }
    if (this.opts.rawPaste === "legacy") {
      // Firmware that predates raw-paste sees Ctrl-E, 'A', then Ctrl-A: a raw-mode reset.
      this.code = [];
      this.write(out, `raw REPL; CTRL-B to exit\r\n>`);
      return;
    }
    const w = this.opts.window;
    this.mode = "paste";
    this.pasteId++;
    this.code = [];
    this.pasteCount = 0;
    this.sinceCredit = 0;
    // Window size, then the one initial credit real firmware grants.
    this.write(out, Uint8Array.of(0x52, 0x01, w & 0xff, w >> 8, CTRL_A));
  }

  private pasteByte(c: number, out: DeviceAction[]) {
    if (c === CTRL_D) {
      // Acknowledge before running, so hosts that do not follow output move on.
      const code = Uint8Array.from(this.code);
      this.code = [];
      this.mode = "running";
      this.write(out, "\x04");
      out.push({ type: "exec", code });
      return;
    }
    if (c === CTRL_C) {
      // As the firmware's reader: end the transfer and raise KeyboardInterrupt
      // at once (no acknowledgement awaited, unlike an abort of its own). The
      // exception is raised before any code ran: no Traceback line, as measured.
      this.code = [];
      this.mode = "raw";
      this.write(out, "\x04\x04KeyboardInterrupt: \r\n\x04>");
      return;
    }
    this.code.push(c);
    this.pasteCount++;
    if (this.opts.abortPasteAfter >= 0 && this.pasteCount >= this.opts.abortPasteAfter) {
      this.code = [];
      this.mode = "paste-aborted";
      this.write(out, "\x04");
      return;
    }
    if (++this.sinceCredit === this.opts.window) {
      this.sinceCredit = 0;
      this.write(out, Uint8Array.of(CTRL_A));
    }
  }
}
