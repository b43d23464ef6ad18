// Tracing of the host primitives: the twin of firmware/sync/trace.py. While a
// trace runs, every state change of every primitive becomes a TraceEvent
// (src/trace/events.ts) naming the task that made it. Off, a primitive pays
// one `tracer !== null` test per operation.
//
// JavaScript has no "current task": a task is an async function started with
// `task(fn, ...args)` (named after `fn` like a coroutine on the board) or
// `namedTask(name, fn)`; code outside any is "main", as the board names code
// outside any asyncio task. The name travels with the async context
// (AsyncLocalStorage), which is only entered while tracing, so untraced runs
// never pay for it.
import { AsyncLocalStorage } from "node:async_hooks";
import type { TraceEvent } from "../trace/events.js";

interface TaskName {
  /** Base for an automatic name (the function's name). */
  base: string;
  /** A given name (`namedTask`), or null: numbered by each trace on the task's first event. */
  name: string | null;
}

class Tracer {
  readonly #t0 = performance.now();
  /** Automatic names of objects and tasks, numbered afresh by each trace. */
  readonly #names = new WeakMap<object, string>();
  readonly #counts = new Map<string, number>();
  constructor(readonly onEvent: (e: TraceEvent) => void) {}

  #auto(base: string): string {
    const n = (this.#counts.get(base) ?? 0) + 1;
    this.#counts.set(base, n);
    return `${base}#${n}`;
  }

  /** The current task's name (numbered on its first event in this trace, as on the board). */
  task(): string {
    const store = als.getStore();
    if (store === undefined) return "main";
    if (store.name !== null) return store.name;
    let name = this.#names.get(store);
    if (name === undefined) this.#names.set(store, (name = this.#auto(store.base)));
    return name;
  }

  /**
   * `obj`'s name: given with `traceName`, else "<type>#<n>" in order of first
   * appearance. Cached for the trace (one lookup per event); `traceName`
   * updates the cache.
   */
  objName(obj: object, type: string): string {
    let name = this.#names.get(obj);
    if (name === undefined) this.#names.set(obj, (name = given.get(obj) ?? this.#auto(type)));
    return name;
  }

  /** `traceName(obj, name)` while this trace runs: the given name wins from now on. */
  rename(obj: object, name: string): void {
    this.#names.set(obj, name);
  }

  /**
   * Names `obj` (a part `owner` made for itself, e.g. a Condition's own Lock)
   * "<owner's name><suffix>", unless it already has a name in this trace.
   * Call it before `obj` records its first event.
   */
  nameOwned(obj: object, owner: object, ownerType: string, suffix: string): void {
    if (this.#names.has(obj)) return;
    const name = given.get(obj);
    this.#names.set(obj, name ?? this.objName(owner, ownerType) + suffix);
  }

  /** Records `op` of `obj` by `task` (default: the current task); `size` for Queue ops. */
  emit(obj: object, type: string, op: string, size?: number, task: string = this.task()): void {
    const t = Math.round((performance.now() - this.#t0) * 10) / 10;
    const e: TraceEvent = { t, side: "host", task, obj: this.objName(obj, type), type, op };
    if (size !== undefined) e.size = size;
    this.onEvent(e);
  }
}

const als = new AsyncLocalStorage<TaskName>();
/** Names given with `traceName`, kept across traces. */
const given = new WeakMap<object, string>();

/** @internal the running trace, or null: primitives test it before recording. */
export let tracer: Tracer | null = null;

export interface TraceRecorder {
  /** Events so far, in the order they happened. */
  readonly events: TraceEvent[];
  /** Ends the trace (primitives stop recording) and returns its events. */
  stop(): TraceEvent[];
}

/**
 * Starts recording every primitive's state changes; `onEvent` also sees each
 * one as it happens. One trace at a time: starting another ends the first.
 */
export function startTrace(onEvent?: (e: TraceEvent) => void): TraceRecorder {
  const events: TraceEvent[] = [];
  const t = new Tracer((e) => {
    events.push(e);
    onEvent?.(e);
  });
  tracer = t;
  return {
    events,
    stop() {
      if (tracer === t) tracer = null;
      return events;
    },
  };
}

/** Gives a primitive (or any object) a name for traces instead of "<Type>#<n>" (kept across traces). Returns it. */
export function traceName<T extends object>(obj: T, name: string): T {
  given.set(obj, name);
  if (tracer !== null) tracer.rename(obj, name);
  return obj;
}

/** Runs `fn(...args)` as a task named after `fn` ("worker", or "worker-2" when there are several). */
export function task<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  if (tracer === null) return fn(...args);
  return als.run({ base: fn.name || "task", name: null }, fn, ...args);
}

/** Runs `fn()` as a task with the given name. */
export function namedTask<R>(name: string, fn: () => Promise<R>): Promise<R> {
  if (tracer === null) return fn();
  return als.run({ base: name, name }, fn);
}
