// A simulated UART between host and board: bytes cross no faster than the
// line rate (8N1: baud / 10 bytes per second in each direction), the board's
// receive FIFO is bounded and overflows like real hardware when the host
// ignores flow control, and faults can be injected on the way.

export interface LinkOptions {
  /** Line rate; 0 or undefined = no limit. */
  baud?: number;
  /** Board receive FIFO in bytes (bytes beyond it are lost). */
  rxBuffer?: number;
  /** How fast the board takes bytes out of its FIFO (bytes/s); undefined = at once. */
  boardReadRate?: number;
  /** Probability that a byte is lost, each direction. */
  drop?: number;
  /** Probability that a byte is corrupted, each direction. */
  garble?: number;
  /** Unplug after the board has sent this many bytes. */
  disconnectAfter?: number;
  /** Seed for the fault generator, so failures are reproducible. */
  seed?: number;
}

export interface LinkStats {
  toBoard: number;
  toHost: number;
  overflowed: number;
  dropped: number;
  garbled: number;
}

type Sink = (data: Uint8Array) => void;

/** One direction of the wire, paced at the line rate. */
class Channel {
  private queue: Uint8Array[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Time at which the line is free again (ms, performance.now()). */
  private lineFreeAt = 0;
  closed = false;

  constructor(
    private readonly bytesPerMs: number,
    private readonly sink: Sink,
  ) {}

  push(data: Uint8Array) {
    if (this.closed || data.length === 0) return;
    // An idle line starts sending now; a busy one queues behind what is in flight.
    if (this.queued === 0) this.lineFreeAt = Math.max(this.lineFreeAt, performance.now());
    this.queue.push(data);
    this.queued += data.length;
    if (!this.timer) this.timer = setTimeout(() => this.pump(), this.bytesPerMs === Infinity ? 0 : 1);
  }

  private pump() {
    this.timer = undefined;
    if (this.closed) return;
    const now = performance.now();
    let n = this.queued;
    if (this.bytesPerMs !== Infinity) {
      // Only bytes whose last stop bit has gone out by now are delivered.
      n = Math.min(this.queued, Math.floor((now - this.lineFreeAt) * this.bytesPerMs));
      this.lineFreeAt += n / this.bytesPerMs;
    }
    const out = n > 0 ? this.take(n) : undefined;
    if (out && this.roomWaiters.length) this.wakeRoomWaiters();
    if (this.queued > 0) {
      const next = this.lineFreeAt + 1 / this.bytesPerMs - performance.now();
      this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(next)));
    }
    if (out) this.sink(out);
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const head = this.queue[0];
      const k = Math.min(head.length, n - off);
      out.set(head.subarray(0, k), off);
      off += k;
      if (k === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(k);
    }
    this.queued -= n;
    return out;
  }

  private roomWaiters: { limit: number; resolve: () => void }[] = [];

  /** Resolves once no more than `limit` bytes wait to go out (an OS write buffer filling up). */
  waitForRoom(limit: number): Promise<void> {
    if (this.queued <= limit || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push({ limit, resolve }));
  }

  private wakeRoomWaiters() {
    this.roomWaiters = this.roomWaiters.filter((w) => {
      if (this.queued > w.limit && !this.closed) return true;
      w.resolve();
      return false;
    });
  }

  /** How long until everything queued has been delivered. */
  pendingMs(): number {
    if (this.bytesPerMs === Infinity) return 0;
    return Math.max(0, this.lineFreeAt - performance.now()) + this.queued / this.bytesPerMs;
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.queue = [];
    this.queued = 0;
    this.wakeRoomWaiters();
  }
}

export class SerialLink {
  readonly stats: LinkStats = { toBoard: 0, toHost: 0, overflowed: 0, dropped: 0, garbled: 0 };
  private toBoard: Channel;
  private toHost: Channel;
  private fifo: number[] = [];
  private fifoTimer: NodeJS.Timeout | undefined;
  private fifoLastRead = 0;
  private rng: () => number;
  private boardSink: Sink = () => {};
  private hostSink: Sink = () => {};
  private unplugged = false;
  onDisconnect: () => void = () => {};

  constructor(private readonly opts: LinkOptions = {}) {
    const bytesPerMs = opts.baud ? opts.baud / 10 / 1000 : Infinity;
    this.toBoard = new Channel(bytesPerMs, (d) => this.arriveAtBoard(d));
    this.toHost = new Channel(bytesPerMs, (d) => this.arriveAtHost(d));
    let s = (opts.seed ?? 0x2545f491) >>> 0;
    this.rng = () => {
      // xorshift32: deterministic faults for reproducible tests
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      return s / 0x100000000;
    };
  }

  /** Where bytes for the board go (its UART driver). */
  connectBoard(sink: Sink) {
    this.boardSink = sink;
  }
  /** Where bytes for the host go (the serial port's read side). */
  connectHost(sink: Sink) {
    this.hostSink = sink;
  }

  get disconnected() {
    return this.unplugged;
  }

  hostWrite(data: Uint8Array) {
    if (this.unplugged) return;
    this.toBoard.push(this.faults(data));
  }

  boardWrite(data: Uint8Array) {
    if (this.unplugged) return;
    const limit = this.opts.disconnectAfter;
    if (limit !== undefined && this.stats.toHost + data.length >= limit) {
      const keep = Math.max(0, limit - this.stats.toHost);
      this.stats.toHost += keep;
      this.toHost.push(this.faults(data.subarray(0, keep)));
      // Unplug once what was already on the wire has arrived.
      setTimeout(() => this.unplug(), this.toHost.pendingMs() + 5);
      return;
    }
    this.stats.toHost += data.length;
    this.toHost.push(this.faults(data));
  }

  /** A host write returns once the OS-like buffer toward the board has room again. */
  waitForHostRoom(limit: number): Promise<void> {
    return this.toBoard.waitForRoom(limit);
  }

  /** How long until the bytes the host has written reach the board. */
  pendingToBoardMs(): number {
    return this.toBoard.pendingMs();
  }

  unplug() {
    if (this.unplugged) return;
    this.unplugged = true;
    this.toBoard.close();
    this.toHost.close();
    clearTimeout(this.fifoTimer);
    this.onDisconnect();
  }

  close() {
    this.toBoard.close();
    this.toHost.close();
    clearTimeout(this.fifoTimer);
  }

  private faults(data: Uint8Array): Uint8Array {
    const { drop = 0, garble = 0 } = this.opts;
    if (!drop && !garble) return data;
    const out: number[] = [];
    for (const b of data) {
      if (drop && this.rng() < drop) {
        this.stats.dropped++;
        continue;
      }
      if (garble && this.rng() < garble) {
        this.stats.garbled++;
        out.push((b ^ (1 + Math.floor(this.rng() * 255))) & 0xff);
      } else out.push(b);
    }
    return Uint8Array.from(out);
  }

  private arriveAtHost(data: Uint8Array) {
    this.hostSink(data);
  }

  private arriveAtBoard(data: Uint8Array) {
    this.stats.toBoard += data.length;
    const rate = this.opts.boardReadRate;
    if (rate === undefined) return this.boardSink(data);
    const cap = this.opts.rxBuffer ?? 256;
    for (const b of data) {
      if (this.fifo.length >= cap) this.stats.overflowed++;
      else this.fifo.push(b);
    }
    if (!this.fifoTimer) {
      this.fifoLastRead = performance.now();
      this.fifoTimer = setTimeout(() => this.readFifo(), 1);
    }
  }

  /** The board drains its FIFO at its own pace (a slow board under load). */
  private readFifo() {
    this.fifoTimer = undefined;
    const now = performance.now();
    const n = Math.min(this.fifo.length, Math.max(1, Math.floor(((now - this.fifoLastRead) * this.opts.boardReadRate!) / 1000)));
    this.fifoLastRead = now;
    const chunk = Uint8Array.from(this.fifo.splice(0, n));
    if (this.fifo.length) this.fifoTimer = setTimeout(() => this.readFifo(), 1);
    this.boardSink(chunk);
  }
}
