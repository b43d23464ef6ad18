// A node-serialport binding whose "hardware" is a virtual board behind a
// simulated UART. SerialPort, the protocol and the board API above it are the
// same objects as with a real board; only this seam differs.
import type { BindingInterface, BindingPortInterface, OpenOptions, PortInfo, PortStatus, SetOptions, UpdateOptions } from "../transport/binding-types.js";
import { SerialLink, type LinkOptions } from "./link.js";
import { VirtualBoard, type VirtualBoardOptions } from "./virtual-board.js";
import type { FlashStore, PersistOptions } from "./flash.js";
import type { FileSnapshot } from "./interpreter.js";
import type { UserError } from "../errors.js";

export type SimOptions = VirtualBoardOptions & LinkOptions & PersistOptions;

/** Bytes a host's write may leave queued in the driver (Linux tty: 4 KB). */
const OS_WRITE_BUFFER = 4096;

interface CanceledError extends Error {
  canceled?: boolean;
  disconnected?: boolean;
}

function canceled(): CanceledError {
  const e: CanceledError = new Error("port closed");
  e.canceled = true;
  return e;
}

/** Whatever sits at the host end of the cable: a SerialPort binding, or a pty relay. */
export interface HostEnd {
  deliver(data: Uint8Array): void;
  disconnect(): void;
}

/** One board on one simulated cable; the board persists while ports come and go. */
export class SimTarget {
  readonly board: VirtualBoard;
  readonly link: SerialLink;
  private started: Promise<void> | undefined;
  private port: HostEnd | undefined;
  private resetHeld = false;

  /** `flash`: where the board keeps its files between runs (none: in memory only). */
  constructor(
    readonly options: SimOptions = {},
    flash?: FlashStore,
  ) {
    this.board = new VirtualBoard(options, flash);
    this.link = new SerialLink(options);
    this.board.onTransmit = (d) => this.link.boardWrite(d);
    this.link.connectBoard((d) => this.board.receive(d));
    this.link.connectHost((d) => this.port?.deliver(d));
    this.link.onDisconnect = () => this.port?.disconnect();
    // A board that cannot boot is unplugged: a host sees it gone at once
    // instead of waiting on it until its timeout.
    this.board.onDead = (err) => {
      this.onDead(err);
      this.link.unplug();
    };
  }

  /** The board could not boot (after it was created: see createSim for what is found before). */
  onDead: (err: UserError) => void = () => {};

  start(): Promise<void> {
    this.started ??= this.board.start();
    return this.started;
  }

  async attach(port: HostEnd) {
    // The port opens at once, as a board plugged in earlier has booted by the
    // time a host opens it: what the host sends meanwhile is answered by the
    // protocol side at once, and code waits for the interpreter (VirtualBoard.post).
    void this.start().catch(() => {});
    if (this.link.disconnected) {
      const e: CanceledError = new Error("Error: No such file or directory, cannot open sim");
      throw e;
    }
    this.port = port;
    this.board.hostOpened();
  }

  detach(port: HostEnd) {
    if (this.port === port) this.port = undefined;
  }

  /** ESP32 auto-reset wiring: asserted RTS with DTR not asserted pulls EN low; releasing it reboots. */
  control(opts: SetOptions) {
    const enLow = opts.rts === true && opts.dtr !== true;
    if (this.resetHeld && !enLow) void this.board.hardReset();
    this.resetHeld = enLow;
  }

  /** Unplugs the board and powers it off (its files saved); once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.link.close();
      await this.board.stop();
    })();
    return this.closing;
  }
  private closing: Promise<void> | undefined;
}

export class SimPort implements BindingPortInterface {
  isOpen = true;
  readonly openOptions: Required<OpenOptions>;
  private chunks: Uint8Array[] = [];
  private pending: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private gone: CanceledError | undefined;

  constructor(
    private readonly target: SimTarget,
    options: OpenOptions,
  ) {
    this.openOptions = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: "none",
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    } as Required<OpenOptions>;
  }

  deliver(data: Uint8Array) {
    this.chunks.push(data);
    this.pending?.resolve();
  }

  disconnect() {
    const e: CanceledError = new Error("device disconnected (virtual board unplugged)");
    e.disconnected = true;
    this.gone = e;
    this.pending?.reject(e);
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    while (this.chunks.length === 0) {
      if (!this.isOpen) throw canceled();
      if (this.gone) throw this.gone;
      await new Promise<void>((resolve, reject) => (this.pending = { resolve, reject }));
      this.pending = undefined;
    }
    return { buffer, bytesRead: takeChunks(this.chunks, buffer, offset, length) };
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw canceled();
    if (this.gone) throw this.gone;
    this.target.link.hostWrite(Uint8Array.from(buffer));
    // Like an OS serial driver: the call returns once its buffer has room.
    await this.target.link.waitForHostRoom(OS_WRITE_BUFFER);
  }

  async update(_options: UpdateOptions): Promise<void> {}

  async set(options: SetOptions): Promise<void> {
    this.target.control(options);
  }

  async get(): Promise<PortStatus> {
    return { cts: true, dsr: true, dcd: true };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    this.chunks = [];
  }

  async drain(): Promise<void> {
    await new Promise((r) => setTimeout(r, this.target.link.pendingToBoardMs()));
  }

  async close(): Promise<void> {
    this.isOpen = false;
    this.target.detach(this);
    this.target.board.hold(false);
    this.pending?.reject(canceled());
  }
}

/** Binding that opens virtual boards registered by path. */
export class SimBinding implements BindingInterface<SimPort> {
  private targets = new Map<string, SimTarget>();

  register(path: string, target: SimTarget) {
    this.targets.set(path, target);
  }

  /**
   * The files of the virtual board at `path` when it is known to hold exactly
   * those (see VirtualBoard.knownFiles): install need not ask the board to
   * hash what this computer already has byte for byte.
   */
  knownFiles(path: string): FileSnapshot | undefined {
    return this.targets.get(path)?.board.knownFiles();
  }

  async list(): Promise<PortInfo[]> {
    return [...this.targets.keys()].map((path) => ({
      path,
      manufacturer: "synccli virtual board",
      serialNumber: undefined,
      pnpId: undefined,
      locationId: undefined,
      productId: undefined,
      vendorId: undefined,
    }));
  }

  async open(options: OpenOptions): Promise<SimPort> {
    const target = this.targets.get(options.path);
    if (!target) {
      const e = new Error(`Error: No such file or directory, cannot open ${options.path}`);
      throw e;
    }
    const port = new SimPort(target, options);
    await target.attach(port);
    target.board.hold(true);
    return port;
  }
}

/**
 * A port read: moves up to `length` bytes from the front of `chunks` (bytes
 * received, oldest first) into `buffer` at `offset`; returns how many.
 */
export function takeChunks(chunks: Uint8Array[], buffer: Buffer, offset: number, length: number): number {
  let n = 0;
  while (n < length && chunks.length) {
    const head = chunks[0]!;
    const k = Math.min(head.length, length - n);
    buffer.set(head.subarray(0, k), offset + n);
    n += k;
    if (k === head.length) chunks.shift();
    else chunks[0] = head.subarray(k);
  }
  return n;
}
