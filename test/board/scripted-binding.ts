// A serialport binding whose "board" is a script: `onWrite` sees every byte
// the host sends and may answer through `emit`; `emit` may also be called on a
// timer (a board that talks on its own). No hardware, no interpreter.
import { takeChunks } from "../../src/sim/binding.js";
import type { BindingInterface, BindingPortInterface, OpenOptions, PortStatus } from "../../src/transport/binding-types.js";
import { DeviceProtocol, type DeviceOptions } from "../../src/transport/device.js";

export interface ScriptedBoard {
  onOpen?(emit: (data: string | Uint8Array) => void): void;
  /** A promise returned holds the write until it settles (a line that stops taking bytes: one that never does). */
  onWrite?(data: Uint8Array, emit: (data: string | Uint8Array) => void): void | Promise<void>;
}

export class ScriptedBinding implements BindingInterface {
  readonly written: number[] = [];
  port: ScriptedPort | undefined;
  constructor(private readonly board: ScriptedBoard) {}
  async list() {
    return [];
  }
  async open(options: OpenOptions) {
    this.port = new ScriptedPort(options, this.board, this.written);
    this.board.onOpen?.((d) => this.port!.emit(d));
    return this.port;
  }
  /** Unplug: pending and later reads fail as a vanished device does. */
  unplug() {
    this.port?.unplug();
  }
}

class ScriptedPort implements BindingPortInterface {
  isOpen = true;
  readonly openOptions: Required<OpenOptions>;
  private chunks: Uint8Array[] = [];
  private waiting: (() => void) | undefined;
  private gone = false;
  constructor(
    options: OpenOptions,
    private readonly board: ScriptedBoard,
    private readonly written: number[],
  ) {
    this.openOptions = { dataBits: 8, lock: true, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false, xany: false, hupcl: true, ...options } as Required<OpenOptions>;
  }
  emit(data: string | Uint8Array) {
    if (!this.isOpen) return;
    this.chunks.push(typeof data === "string" ? Buffer.from(data, "latin1") : data);
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
  unplug() {
    this.gone = true;
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
  async close() {
    this.isOpen = false;
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
  async read(buffer: Buffer, offset: number, length: number) {
    while (this.chunks.length === 0) {
      if (this.gone) throw Object.assign(new Error("device disconnected"), { disconnected: true });
      if (!this.isOpen) throw Object.assign(new Error("Port is closed"), { canceled: true });
      await new Promise<void>((r) => (this.waiting = r));
    }
    return { buffer, bytesRead: takeChunks(this.chunks, buffer, offset, length) };
  }
  async write(buffer: Buffer) {
    if (this.gone) throw new Error("device disconnected");
    const data = Uint8Array.from(buffer);
    this.written.push(...data);
    await this.board.onWrite?.(data, (d) => this.emit(d));
  }
  async update() {}
  async set() {}
  async get(): Promise<PortStatus> {
    return { cts: true, dsr: true, dcd: true };
  }
  async getBaudRate() {
    return { baudRate: this.openOptions.baudRate };
  }
  async flush() {
    this.chunks = [];
  }
  async drain() {}
}

/** A running program on a rawReplBoard: what it prints, how it ends, what Ctrl-C does to it. */
export interface ScriptedRun {
  emit(data: string | Uint8Array): void;
  /** End the run as the raw REPL does: `\x04`, the exception (if any), `\x04>`. */
  finish(stderr?: string): void;
  /** Called when Ctrl-C reaches the running program (default: ignored, as code stuck in C). */
  onInterrupt?: () => void;
}

/**
 * A scripted board that speaks the board side of the raw REPL (the same
 * DeviceProtocol the virtual board uses: raw mode, raw-paste, soft reset),
 * while `run` plays the program: it gets the code and prints, ends or ignores
 * Ctrl-C as the test wants, on timers if it likes (fake timers work).
 */
export function rawReplBoard(run: (code: string, program: ScriptedRun) => void, options: DeviceOptions = {}): ScriptedBoard {
  const device = new DeviceProtocol(options);
  let program: ScriptedRun | undefined;
  return {
    onWrite(data, emit) {
      for (const a of device.receive(data)) {
        if (a.type === "write") emit(a.data);
        else if (a.type === "exec") {
          const p: ScriptedRun = {
            emit,
            finish: (stderr = "") => {
              if (program === p) program = undefined;
              for (const w of device.finishRun(stderr)) emit(w.data);
            },
          };
          program = p;
          run(Buffer.from(a.code).toString("latin1"), p);
        } else if (a.type === "interrupt") program?.onInterrupt?.();
        else if (a.type === "soft-reset") for (const w of device.afterSoftReset(true)) emit(w.data);
      }
    },
  };
}
