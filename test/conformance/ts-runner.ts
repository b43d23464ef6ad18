// Runs a conformance scenario against the TypeScript mirror (src/primitives),
// the same step interpreter as the Python one in python-runner.ts.
//
// Scheduling model, to produce the board's completion order:
// - A woken waiter resumes a microtask after the call that woke it (see
//   src/primitives/waiters.ts), like a task the board has scheduled but not
//   run yet. Consecutive synchronous steps therefore run without yielding,
//   as on the board, and a waiting step first lets earlier woken waiters
//   resume (the board runs them before the new task).
// - A waiting call starts at once (host methods run synchronously up to their
//   first wait); its outcome goes to `pending` when its promise settles.
//   `pending` plays the board's run queue: it is moved to the trace on every
//   tick, i.e. when the board would let woken tasks run.
// - On the board a task that completes without waiting records before the
//   tasks it woke, which run only after it. On the host the waiters it woke
//   settle inside the call, before the caller's own promise: a call whose
//   promise was already settled when it returned is therefore recorded ahead
//   of the waiters woken during it (but after anything the call itself
//   recorded synchronously, e.g. a Barrier action). Except under a timeout:
//   the board's asyncio.wait_for_ms runs the call in an inner task, and the
//   actor's own task resumes after the ones that inner task woke.
// - Aborting an actor whose call was woken but has not resumed makes it
//   reject (and pass on what it was handed), as task.cancel() does on the
//   board; once its promise has resolved, an abort changes nothing.

import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  Queue,
  RuntimeError,
  Semaphore,
  ValueError,
  type WaitOptions,
} from "../../src/primitives/index.js";
import { type BarrierOptions, type Scenario, type Value, QUERIES, WAITING_METHODS, toWire } from "./scenarios.js";

const waiting = new Set<string>(WAITING_METHODS);
const queries = new Set<string>(QUERIES);

/** The abort reason of a cancelled actor, named like Python's exception. */
class CancelledError extends Error {
  override name = "CancelledError";
}

const realSetImmediate = setImmediate;
/** Run every pending microtask chain. */
async function flush(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise<void>((r) => realSetImmediate(r));
}

function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function fmt(v: unknown): string {
  if (v === true) return "True";
  if (v === false) return "False";
  if (v === null || v === undefined) return "None";
  return String(v);
}

function errLine(e: unknown): string {
  const name = e instanceof Error ? e.name : typeof e;
  if (name === "CancelledError") return "cancelled";
  if (name === "TimeoutError") return "timeout";
  return `error ${name}`;
}

type Obj = Record<string, unknown>;

export async function runHost(scenario: Scenario): Promise<string[]> {
  const sc = toWire(scenario);
  const trace: string[] = [];
  let pending: string[] = [];
  let open = true;
  const objs = new Map<string, Obj>();
  const kinds = new Map<string, string>();
  const controllers = new Map<string, AbortController>(); // actor -> its latest waiting call's
  const all: AbortController[] = [];

  const later = (line: string): void => {
    if (open) pending.push(line);
  };
  const now = (line: string): void => {
    if (open) trace.push(line);
  };
  const tick = async (): Promise<void> => {
    await flush();
    trace.push(...pending);
    pending = [];
  };

  const make = (kind: string, args: (Value | BarrierOptions)[]): Obj => {
    switch (kind) {
      case "Lock":
        return new Lock() as unknown as Obj;
      case "Event":
        return new Event() as unknown as Obj;
      case "Semaphore":
        return new Semaphore(...(args as number[])) as unknown as Obj;
      case "BoundedSemaphore":
        return new BoundedSemaphore(...(args as number[])) as unknown as Obj;
      case "Queue":
        return new Queue<Value>(...(args as number[])) as unknown as Obj;
      case "Condition":
        return new Condition(args.length ? (objs.get(args[0] as string) as unknown as Lock) : undefined) as unknown as Obj;
      case "Barrier": {
        const opts = args[1] as BarrierOptions | undefined;
        let action: (() => void) | undefined;
        if (opts?.action !== undefined) {
          const { action: line, raises } = opts;
          // Runs inside the last party's call: on the board, inside its task.
          action = () => {
            later(line);
            if (raises === "ValueError") throw new ValueError("action");
            if (raises === "RuntimeError") throw new RuntimeError("action");
          };
        }
        return new Barrier(args[0] as number, action) as unknown as Obj;
      }
      default:
        throw new Error(`unknown object kind ${kind}`);
    }
  };

  const query = (obj: Obj, name: string): unknown => {
    const v = obj[camel(name)];
    return typeof v === "function" ? (v as () => unknown).call(obj) : v;
  };

  const okLine = (method: string, oname: string, args: Value[], v: unknown): string => {
    switch (method) {
      case "acquire":
        return "acquired";
      case "release":
        return "released";
      case "get":
      case "get_nowait":
        return `got ${fmt(v)}`;
      case "put":
      case "put_nowait":
        return `put ${fmt(args[0])}`;
      case "join":
        return "joined";
      case "wait":
        return kinds.get(oname) === "Barrier" ? `index ${fmt(v)}` : "woke";
      case "wait_for":
        return `woke ${fmt(v)}`;
    }
    if (queries.has(method)) return `${method} ${fmt(v)}`;
    return method;
  };

  /** Calls obj.method(...args[, opts]); a query reads the property or calls the method. */
  const call = (method: string, oname: string, args: Value[], opts?: WaitOptions): unknown => {
    const obj = objs.get(oname);
    if (obj === undefined) throw new Error(`unknown object ${oname}`);
    if (method === "wait_for") {
      const other = objs.get(args[0] as string)!;
      const pred = () => query(other, args[1] as string);
      return (obj.waitFor as (p: () => unknown, o?: WaitOptions) => Promise<unknown>).call(obj, pred, opts);
    }
    if (queries.has(method)) return query(obj, method);
    const fn = obj[camel(method)];
    if (typeof fn !== "function") throw new Error(`${oname} has no method ${camel(method)}`);
    return waiting.has(method) ? fn.call(obj, ...args, opts) : fn.call(obj, ...args);
  };

  for (const [name, kind, ...args] of sc.objects) {
    kinds.set(name, kind);
    objs.set(name, make(kind, args));
  }

  for (const step of sc.steps) {
    const op = step[0] as string;
    if (op === "tick") {
      await tick();
      continue;
    }
    if (op === "cancel") {
      controllers.get(step[1] as string)?.abort(new CancelledError("cancelled"));
      await tick();
      continue;
    }
    if (op === "sleep") {
      await new Promise((r) => setTimeout(r, step[1] as number));
      await tick();
      continue;
    }
    const actor = op;
    let rest = step.slice(1);
    let timeoutMs: number | undefined;
    if (rest[0] === "timeout") {
      timeoutMs = rest[1] as number;
      rest = rest.slice(2);
    }
    const [method, oname, ...args] = rest as [string, string, ...Value[]];
    if (waiting.has(method)) {
      // On the board the call runs in a new task, queued behind the tasks
      // woken by earlier synchronous steps: let those resume first.
      await flush();
      const ctl = new AbortController();
      controllers.set(actor, ctl);
      all.push(ctl);
      const opts: WaitOptions = { signal: ctl.signal, ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
      let p: Promise<unknown>;
      try {
        p = call(method, oname, args, opts) as Promise<unknown>;
      } catch (e) {
        p = Promise.reject(e); // async-shaped methods should not throw; record it like the board would
      }
      const syncEnd = pending.length;
      let probed = false;
      const settle = (line: string): void => {
        if (!open) return;
        // Settled when the call returned: it ran to completion in one go.
        // Not so under a timeout: the board's wait_for_ms runs the call in an
        // inner task, and the actor resumes only after the tasks it woke.
        if (!probed && timeoutMs === undefined) pending.splice(syncEnd, 0, line);
        // Waiters it woke resume in microtasks queued during the call and
        // settle in them: one more hop records after them.
        else if (timeoutMs !== undefined) queueMicrotask(() => open && pending.push(line));
        else pending.push(line);
      };
      p.then(
        (v) => settle(`${actor} ${okLine(method, oname, args, v)}`),
        (e: unknown) => settle(`${actor} ${errLine(e)}`),
      );
      queueMicrotask(() => {
        probed = true;
      });
      await tick();
      continue;
    }
    try {
      now(`${actor} ${okLine(method, oname, args, call(method, oname, args))}`);
    } catch (e) {
      now(`${actor} ${errLine(e)}`);
    }
    // No flush: like the board's driver, consecutive synchronous steps run in
    // one go, before any waiter they woke resumes (a microtask later).
  }

  await tick(); // an implicit final tick
  open = false;
  for (const ctl of all) ctl.abort(new CancelledError("scenario over"));
  await flush();
  return trace;
}
