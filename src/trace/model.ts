// What a trace means, for pictures and checks: per task, when it held a
// primitive and when it waited for one; per primitive, who held it, who queued
// for it (in order), a Queue's size and an Event's state over time. Pure: no
// I/O. Built for one side of one run (the events in the order they happened).
//
// Robust to anything a `--trace` file may hold: unknown types and ops, events
// that do not pair up (a release with no acquire), non-numeric times, an
// empty trace. What does not open or close an interval becomes a marker.
import type { TraceEvent } from "./events.js";

export type IntervalKind = "holding" | "waiting";

/** A span of time a task spent holding a primitive, or blocked on one. */
export interface Interval {
  kind: IntervalKind;
  task: string;
  obj: string;
  type: string;
  /**
   * Waiting: what the task waits to do: "acquire" (Lock, Semaphore,
   * BoundedSemaphore), "wake" (Event, Condition), "get" / "put" (Queue),
   * "pass" (Barrier). Holding: "hold".
   */
  for: string;
  /** ms */
  start: number;
  /** ms; the trace's end when still open. Never before `start`. */
  end: number;
  /** Still open when the trace ended (no closing event). */
  open: boolean;
  opened: TraceEvent;
  /** Index of `opened` in the events given. */
  openedIndex: number;
  /** The event that ended it ("acquire", "cancel", "wake", "release", ...), or null when open. */
  closed: TraceEvent | null;
  closedIndex: number | null;
}

/** An event that did not open or close an interval: set, clear, notify, reset, an unblocked put/get, ... */
export interface Marker {
  t: number;
  task: string;
  obj: string;
  type: string;
  op: string;
  event: TraceEvent;
  index: number;
}

export interface Waiter {
  task: string;
  /** As `Interval.for`: "acquire", "wake", "get", "put", "pass". */
  for: string;
}

/** One stretch of time during which a primitive's state did not change. */
export interface PrimitiveState {
  from: number;
  to: number;
  /** Lock: 0 or 1 names; Semaphore: as many as hold it (a name twice if that task acquired twice). In acquire order. */
  holders: string[];
  /** Blocked tasks in the order they started waiting (first in line first). */
  waiters: Waiter[];
  /** Queue: items in it (from the events' `size`); undefined until known. */
  size?: number;
  /** Event: set or clear (an Event starts clear). */
  isSet?: boolean;
  /** The event that brought this state (the first event of the primitive for the first state). */
  event: TraceEvent;
  index: number;
}

export interface PrimitiveTimeline {
  obj: string;
  type: string;
  /** Contiguous, from the primitive's first event to the trace's end. */
  states: PrimitiveState[];
  /** How many events this primitive recorded. */
  events: number;
}

export interface TaskLane {
  task: string;
  /** Sorted by start. May overlap (a task holding a Semaphore while waiting for a Lock). */
  intervals: Interval[];
  /** Sorted by time. */
  markers: Marker[];
}

/** Who woke whom: the event of another task that ended a wait (release → acquire, set → wake, notify → wake, put → get, get → put, last arrival → pass). */
export interface Wake {
  obj: string;
  type: string;
  cause: TraceEvent;
  causeIndex: number;
  /** The waiting interval it ended (its `closed` event is the woken task's acquire, wake, get, put or pass). */
  woken: Interval;
}

export interface TraceModel {
  /** ms: 0, or the earliest time when some event is earlier. */
  start: number;
  /** ms: the last event's time (the latest one), or `start` for an empty trace. */
  end: number;
  /** Events as read (clean copies: `t` always a finite number, names always strings). */
  events: TraceEvent[];
  /** In order of first appearance. */
  tasks: TaskLane[];
  /** In order of first appearance. */
  primitives: PrimitiveTimeline[];
  intervals: Interval[];
  markers: Marker[];
  /** In the order the waits ended. */
  wakes: Wake[];
}

const LOCKLIKE = new Set(["Lock", "Semaphore", "BoundedSemaphore"]);

/** Per kind of primitive (Lock stands for the lock-likes): the ops that start a task's wait, and what the wait is for. */
const WAIT_OPENS: Record<string, Record<string, string>> = {
  Lock: { wait: "acquire" },
  Event: { wait: "wake" },
  Condition: { wait: "wake" },
  Queue: { "get-wait": "get", "put-wait": "put" },
  Barrier: { arrive: "pass" },
};

/** The ops that end the task's own wait (for one of these, or [] for any); without one to end, a marker. */
const WAIT_ENDS: Record<string, Record<string, string[]>> = {
  Lock: { cancel: [] },
  Event: { wake: [], cancel: [] },
  Condition: { wake: [], cancel: [] },
  Queue: { get: ["get"], put: ["put"], cancel: [] },
  Barrier: { pass: [], cancel: [] },
};

/** table[kind][op], own properties only (names come from traces: "constructor" is no op of ours). */
function lookup<T>(table: Record<string, Record<string, T>>, kind: string, op: string): T | undefined {
  const ops = Object.hasOwn(table, kind) ? table[kind]! : undefined;
  return ops !== undefined && Object.hasOwn(ops, op) ? ops[op] : undefined;
}

/** Clean copies of whatever came in: skips non-objects, makes names strings and times finite numbers. */
export function sanitizeEvents(events: readonly unknown[] | null | undefined): TraceEvent[] {
  const out: TraceEvent[] = [];
  if (!Array.isArray(events)) return out;
  let lastT = 0;
  const str = (v: unknown, dflt: string) => (typeof v === "string" ? v : v === undefined || v === null ? dflt : String(v));
  for (const raw of events) {
    if (raw === null || typeof raw !== "object") continue;
    const r = raw as Record<string, unknown>;
    const tn = typeof r.t === "number" ? r.t : typeof r.t === "string" && r.t.trim() !== "" ? Number(r.t) : NaN;
    const t = Number.isFinite(tn) ? tn : lastT;
    lastT = t;
    const e: TraceEvent = {
      t,
      side: r.side === "host" ? "host" : "board",
      task: str(r.task, "?"),
      obj: str(r.obj, "?"),
      type: str(r.type, "?"),
      op: str(r.op, "?"),
    };
    if (typeof r.size === "number" && Number.isFinite(r.size)) e.size = r.size;
    if (r.variant === "fixed" || r.variant === "broken") e.variant = r.variant;
    out.push(e);
  }
  return out;
}

/** Derives intervals, markers and per-primitive state over time from one run's events. */
export function buildModel(input: readonly TraceEvent[]): TraceModel {
  const events = sanitizeEvents(input);
  let start = 0;
  let end = 0;
  for (const e of events) {
    if (e.t < start) start = e.t;
    if (e.t > end) end = e.t;
  }
  if (events.length === 0) end = start;

  const lanes = new Map<string, TaskLane>();
  const lane = (task: string) => {
    let l = lanes.get(task);
    if (!l) lanes.set(task, (l = { task, intervals: [], markers: [] }));
    return l;
  };
  const intervals: Interval[] = [];
  const markers: Marker[] = [];

  interface Prim {
    tl: PrimitiveTimeline;
    holders: string[];
    waiters: Waiter[];
    size?: number;
    isSet?: boolean;
    /** Open intervals on this primitive. */
    holds: Interval[];
    waits: Interval[];
    /** The latest event of each op, for finding who woke a waiter. */
    last: Map<string, { e: TraceEvent; i: number }>;
  }
  const wakes: Wake[] = [];
  /** What ends a wait of each kind, per type: the op the woken task records, and the op of whoever woke it. */
  const CAUSE: Record<string, Record<string, string>> = {
    Lock: { acquire: "release" },
    Semaphore: { acquire: "release" },
    BoundedSemaphore: { acquire: "release" },
    Event: { wake: "set" },
    Condition: { wake: "notify" },
    Queue: { get: "put", put: "get" },
    Barrier: { pass: "arrive" },
  };
  const prims = new Map<string, Prim>();
  const prim = (e: TraceEvent) => {
    let p = prims.get(e.obj);
    if (!p) {
      p = { tl: { obj: e.obj, type: e.type, states: [], events: 0 }, holders: [], waiters: [], holds: [], waits: [], last: new Map() };
      if (e.type === "Event") p.isSet = false;
      prims.set(e.obj, p);
    }
    return p;
  };

  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    lane(e.task);
    const p = prim(e);
    p.tl.events++;
    const type = p.tl.type;

    const openInterval = (kind: IntervalKind, what: string) => {
      const iv: Interval = {
        kind,
        task: e.task,
        obj: e.obj,
        type,
        for: what,
        start: e.t,
        end: e.t,
        open: true,
        opened: e,
        openedIndex: i,
        closed: null,
        closedIndex: null,
      };
      intervals.push(iv);
      lane(e.task).intervals.push(iv);
      if (kind === "holding") {
        p.holds.push(iv);
        p.holders.push(e.task);
      } else {
        p.waits.push(iv);
        p.waiters.push({ task: e.task, for: what });
      }
      return iv;
    };
    const close = (iv: Interval) => {
      iv.open = false;
      iv.end = Math.max(iv.start, e.t);
      iv.closed = e;
      iv.closedIndex = i;
      if (iv.kind === "waiting" && iv.closed.task === iv.task) {
        const causeOp = lookup(CAUSE, type, e.op);
        const c = causeOp === undefined ? undefined : p.last.get(causeOp);
        if (c && c.e.task !== iv.task && c.i > iv.openedIndex) wakes.push({ obj: e.obj, type, cause: c.e, causeIndex: c.i, woken: iv });
      }
      const list = iv.kind === "holding" ? p.holds : p.waits;
      const at = list.indexOf(iv);
      if (at >= 0) list.splice(at, 1);
      if (iv.kind === "holding") {
        const h = p.holders.indexOf(iv.task);
        if (h >= 0) p.holders.splice(h, 1);
      } else {
        const w = p.waiters.findIndex((x) => x.task === iv.task && x.for === iv.for);
        if (w >= 0) p.waiters.splice(w, 1);
      }
    };
    const ownWait = (...what: string[]) => p.waits.find((w) => w.task === e.task && (what.length === 0 || what.includes(w.for)));
    const closeOwnWait = (...what: string[]) => {
      const w = ownWait(...what);
      if (w) close(w);
      return w !== undefined;
    };
    const marker = () => {
      const m: Marker = { t: e.t, task: e.task, obj: e.obj, type, op: e.op, event: e, index: i };
      markers.push(m);
      lane(e.task).markers.push(m);
    };

    // Types are taken from the primitive's first event, so one odd event cannot re-type it.
    const kind = LOCKLIKE.has(type) ? "Lock" : type;
    const waitsFor = lookup(WAIT_OPENS, kind, e.op);
    const ends = lookup(WAIT_ENDS, kind, e.op);
    if (waitsFor !== undefined) {
      // A second wait by a task already waiting there is only a marker.
      if (ownWait(...(kind === "Queue" ? [waitsFor] : []))) marker();
      else openInterval("waiting", waitsFor);
    } else if (kind === "Lock" && e.op === "acquire") {
      closeOwnWait();
      openInterval("holding", "hold");
    } else if (ends !== undefined) {
      if (!closeOwnWait(...ends)) marker();
    } else if (kind === "Lock" && e.op === "release") {
      const mine = p.holds.find((h) => h.task === e.task);
      // A Lock released by another task is released all the same (asyncio allows it).
      const target = mine ?? (type === "Lock" ? p.holds[0] : undefined);
      if (target) close(target);
      else marker();
    } else if (kind === "Barrier" && (e.op === "break" || e.op === "reset")) {
      // A waiter's own "break" ends its wait; a break (or reset) from
      // anyone else releases every waiter of the phase at once.
      if (!(e.op === "break" && closeOwnWait())) {
        for (const w of [...p.waits]) close(w);
        marker();
      }
    } else {
      if (type === "Event" && (e.op === "set" || e.op === "clear")) p.isSet = e.op === "set";
      marker();
    }
    if (type === "Queue" && e.size !== undefined) p.size = e.size;

    p.last.set(e.op, { e, i });

    // The primitive's state after this event: a new stretch when it changed.
    const st = p.tl.states;
    const last = st[st.length - 1];
    const same =
      last !== undefined &&
      last.size === p.size &&
      last.isSet === p.isSet &&
      sameList(last.holders, p.holders) &&
      last.waiters.length === p.waiters.length &&
      last.waiters.every((w, k) => w.task === p.waiters[k]!.task && w.for === p.waiters[k]!.for);
    if (!same) {
      if (last) last.to = Math.max(last.from, e.t);
      const s: PrimitiveState = { from: e.t, to: e.t, holders: [...p.holders], waiters: p.waiters.map((w) => ({ ...w })), event: e, index: i };
      if (p.size !== undefined) s.size = p.size;
      if (p.isSet !== undefined) s.isSet = p.isSet;
      st.push(s);
    }
  }

  for (const iv of intervals) if (iv.open) iv.end = Math.max(iv.start, end);
  for (const p of prims.values()) {
    const last = p.tl.states[p.tl.states.length - 1];
    if (last) last.to = Math.max(last.from, end);
  }
  const tasks = [...lanes.values()];
  for (const l of tasks) {
    l.intervals.sort((a, b) => a.start - b.start || a.openedIndex - b.openedIndex);
    l.markers.sort((a, b) => a.t - b.t || a.index - b.index);
  }
  return { start, end, events, tasks, primitives: [...prims.values()].map((p) => p.tl), intervals, markers, wakes };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The first point where two traces differ, compared by (task, obj, op, size) in order. */
export interface Divergence {
  index: number;
  /** The first trace's event at `index`, or null when it ended there. */
  a: TraceEvent | null;
  /** The second trace's event at `index`, or null when it ended there. */
  b: TraceEvent | null;
}

/** Where two traces first differ (by task, obj, op and size, in order); null when they match. */
export function firstDivergence(a: readonly TraceEvent[], b: readonly TraceEvent[]): Divergence | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || x.task !== y.task || x.obj !== y.obj || x.op !== y.op || x.size !== y.size) {
      return { index: i, a: x ?? null, b: y ?? null };
    }
  }
  return null;
}

export type ViolationKind =
  | "time-backwards"
  | "two-holders"
  | "jumped-queue"
  | "release-not-held"
  | "blocked-while-free"
  | "double-wait"
  | "wake-without-set"
  | "wake-without-notify"
  | "get-without-put"
  | "put-without-get"
  | "negative-size";

export interface Violation {
  kind: ViolationKind;
  index: number;
  event: TraceEvent;
  /** One sentence, for people. */
  message: string;
}

/**
 * What in a trace cannot happen with correct primitives: a Lock with two
 * holders, a task taking a Lock or Semaphore past others already queued for
 * it, a release of a Lock nobody holds (or of a BoundedSemaphore more often
 * than it was acquired), a task blocking on a free Lock nobody queues for, or
 * on an Event that is set, a task waiting twice at once, a woken Event or
 * Condition waiter that nobody set or notified, a blocked Queue get (put) that
 * completed without a put (get) in between, a negative Queue size, time going
 * backwards. Empty when the trace is faithful. Unknown types and ops are not
 * judged.
 */
export function checkFaithful(input: readonly TraceEvent[]): Violation[] {
  const events = sanitizeEvents(input);
  const out: Violation[] = [];
  interface S {
    type: string;
    holders: string[];
    /** Acquires minus releases (a Semaphore may be released by anyone). */
    count: number;
    /** FIFO of waiting tasks, with the number of the `sets`/`notifies`/`puts`/`gets` counter when they started. */
    waiters: { task: string; for: string; mark: number }[];
    isSet: boolean;
    sets: number;
    notifies: number;
    puts: number;
    gets: number;
    /**
     * Hand-offs passed on: a waiter cancelled after a notify (put, get) that
     * may have been meant for it passes it to the next waiter, which then
     * wakes (gets, puts) with no new notify (put, get) of its own.
     */
    passed: { wake: number; get: number; put: number };
  }
  const state = new Map<string, S>();
  let lastT = -Infinity;
  events.forEach((e, index) => {
    const v = (kind: ViolationKind, message: string) => out.push({ kind, index, event: e, message });
    if (e.t < lastT) v("time-backwards", `time goes backwards: ${fmt(e.t)} ms after ${fmt(lastT)} ms`);
    lastT = Math.max(lastT, e.t);
    let s = state.get(e.obj);
    if (!s) state.set(e.obj, (s = { type: e.type, holders: [], count: 0, waiters: [], isSet: false, sets: 0, notifies: 0, puts: 0, gets: 0, passed: { wake: 0, get: 0, put: 0 } }));
    const type = s.type;
    const waitIdx = (what?: string) => s!.waiters.findIndex((w) => w.task === e.task && (what === undefined || w.for === what));
    const startWait = (what: string, mark: number) => {
      if (waitIdx(what) >= 0) v("double-wait", `${e.task} waits for ${e.obj} again while already waiting for it`);
      else s!.waiters.push({ task: e.task, for: what, mark });
    };
    const endWait = (what?: string) => {
      const k = waitIdx(what);
      return k >= 0 ? s!.waiters.splice(k, 1)[0]! : null;
    };
    if (LOCKLIKE.has(type)) {
      switch (e.op) {
        case "wait":
          if (type === "Lock" && s.holders.length === 0 && s.waiters.length === 0) {
            v("blocked-while-free", `${e.task} blocks on ${e.obj} although it is free and nobody queues for it`);
          }
          startWait("acquire", 0);
          break;
        case "acquire": {
          if (type === "Lock" && s.holders.length > 0) {
            const h = s.holders[0]!;
            v("two-holders", h === e.task ? `${e.task} acquires ${e.obj} while it already holds it` : `${e.task} acquires ${e.obj} while ${h} still holds it: two holders`);
          }
          const k = waitIdx();
          const ahead = k >= 0 ? s.waiters.slice(0, k) : s.waiters;
          if (ahead.length > 0) {
            const names = ahead.map((w) => w.task).join(", ");
            v("jumped-queue", `${e.task} takes ${e.obj} ${k >= 0 ? "before" : "without waiting, past"} ${names}, who ${ahead.length === 1 ? "was" : "were"} waiting first`);
          }
          if (k >= 0) s.waiters.splice(k, 1);
          s.holders.push(e.task);
          s.count++;
          break;
        }
        case "release": {
          if ((type === "Lock" || type === "BoundedSemaphore") && s.count <= 0) {
            v("release-not-held", type === "Lock" ? `${e.task} releases ${e.obj}, which nobody holds` : `${e.task} releases ${e.obj} more often than it was acquired`);
          }
          if (s.count > 0) s.count--;
          const h = s.holders.indexOf(e.task);
          if (h >= 0) s.holders.splice(h, 1);
          else if (type === "Lock") s.holders.length = 0;
          else if (s.holders.length > s.count) s.holders.shift();
          break;
        }
        case "cancel":
          endWait();
          break;
      }
    } else if (type === "Event") {
      switch (e.op) {
        case "wait":
          if (s.isSet) v("blocked-while-free", `${e.task} blocks on ${e.obj} although it is set`);
          startWait("wake", s.sets);
          break;
        case "wake": {
          const w = endWait();
          if (w && s.sets === w.mark) v("wake-without-set", `${e.task} wakes from ${e.obj} but nobody set it while it waited`);
          break;
        }
        case "cancel":
          endWait();
          break;
        case "set":
          s.isSet = true;
          s.sets++;
          break;
        case "clear":
          s.isSet = false;
          break;
      }
    } else if (type === "Condition") {
      switch (e.op) {
        case "wait":
          startWait("wake", s.notifies);
          break;
        case "wake": {
          const w = endWait();
          if (w && s.notifies === w.mark) {
            if (s.passed.wake > 0) s.passed.wake--;
            else v("wake-without-notify", `${e.task} wakes from ${e.obj} but nobody notified it while it waited`);
          }
          break;
        }
        case "cancel": {
          const w = endWait();
          if (w && s.notifies > w.mark) s.passed.wake++;
          break;
        }
        case "notify":
          s.notifies++;
          break;
      }
    } else if (type === "Queue") {
      if (e.size !== undefined && e.size < 0) v("negative-size", `${e.obj} reports ${e.size} items`);
      switch (e.op) {
        case "get-wait":
          startWait("get", s.puts);
          break;
        case "put-wait":
          startWait("put", s.gets);
          break;
        case "get": {
          const w = endWait("get");
          if (w && s.puts === w.mark) {
            if (s.passed.get > 0) s.passed.get--;
            else v("get-without-put", `${e.task} gets from ${e.obj} after waiting, but nothing was put in meanwhile`);
          }
          s.gets++;
          break;
        }
        case "put": {
          const w = endWait("put");
          if (w && s.gets === w.mark) {
            if (s.passed.put > 0) s.passed.put--;
            else v("put-without-get", `${e.task} puts into full ${e.obj} after waiting, but nothing was taken out meanwhile`);
          }
          s.puts++;
          break;
        }
        case "cancel": {
          const w = endWait();
          if (w?.for === "get" && s.puts > w.mark) s.passed.get++;
          if (w?.for === "put" && s.gets > w.mark) s.passed.put++;
          break;
        }
      }
    } else if (type === "Barrier") {
      switch (e.op) {
        case "arrive":
          startWait("pass", 0);
          break;
        case "pass":
        case "cancel":
          endWait();
          break;
        case "break":
        case "reset":
          if (!(e.op === "break" && endWait())) s.waiters.length = 0;
          break;
      }
    }
  });
  return out;
}

/** A time in ms for people: integers as they are, otherwise one decimal. */
export function fmt(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const r = Math.round(ms * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** One line describing an event: "500.2 ms  task-1  lock (Lock)  acquire  size 2". */
export function describeEvent(e: TraceEvent): string {
  return `${fmt(e.t)} ms  ${e.task}  ${e.obj} (${e.type})  ${e.op}${e.size === undefined ? "" : `  size ${e.size}`}`;
}

/** Primitives of several runs in order of first appearance (for colours shared across runs). */
export function primitiveOrder(runs: readonly (readonly TraceEvent[])[]): { obj: string; type: string }[] {
  const seen = new Map<string, string>();
  for (const events of runs) for (const e of sanitizeEvents(events)) if (!seen.has(e.obj)) seen.set(e.obj, e.type);
  return [...seen].map(([obj, type]) => ({ obj, type }));
}

/**
 * Colours per primitive, in order of first appearance: Okabe & Ito's
 * colour-blind-safe palette (blue, orange, green, purple, sky blue,
 * vermillion, yellow), then grey. `ansi` is the nearest of the 16 terminal colours.
 */
export const PALETTE: readonly { hex: string; ansi: "blue" | "yellow" | "green" | "magenta" | "cyan" | "red" | "yellowBright" | "gray" }[] = [
  { hex: "#0072B2", ansi: "blue" },
  { hex: "#E69F00", ansi: "yellow" },
  { hex: "#009E73", ansi: "green" },
  { hex: "#CC79A7", ansi: "magenta" },
  { hex: "#56B4E9", ansi: "cyan" },
  { hex: "#D55E00", ansi: "red" },
  { hex: "#F0E442", ansi: "yellowBright" },
  { hex: "#8C8C8C", ansi: "gray" },
];

/** The palette entry for the i-th primitive (cycles after eight). */
export function colorOf(i: number): (typeof PALETTE)[number] {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/** "Nice" tick step (1, 2 or 5 times a power of ten) so that `span` has at most `maxTicks` steps. */
export function niceStep(span: number, maxTicks: number): number {
  if (!(span > 0) || !(maxTicks >= 1)) return 1;
  const raw = span / maxTicks;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
