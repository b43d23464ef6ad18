// Tracing of the host primitives (src/primitives/trace.ts): the exact events
// of small scenarios, invariants of a busy randomised one, and that tracing
// off records nothing. The board's twin (firmware/sync/trace.py) records the
// same ops at the same points, so the two traces compare event by event.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Condition,
  Event,
  Lock,
  Queue,
  Semaphore,
  TimeoutError,
  namedTask,
  startTrace,
  task,
  traceName,
  type TraceEvent,
  type TraceRecorder,
} from "../../src/primitives/index.js";
import { flush, reason, track } from "./helpers.js";
import { mulberry32 } from "../helpers/random.js";

let current: TraceRecorder | null = null;

/** Start a trace that `afterEach` stops. */
function trace(onEvent?: (e: TraceEvent) => void): TraceRecorder {
  current = startTrace(onEvent);
  return current;
}

afterEach(() => {
  current?.stop();
  current = null;
  vi.useRealTimers();
});

/** "task obj op[ size]" per event. */
function ops(events: readonly TraceEvent[] | TraceRecorder): string[] {
  const es = Array.isArray(events) ? events : (events as TraceRecorder).events;
  return es.map((e) => `${e.task} ${e.obj} ${e.op}${e.size === undefined ? "" : ` ${e.size}`}`);
}

/** Run `fn` as a task named `name`, without leaving its rejection unhandled. */
function run<R>(name: string, fn: () => Promise<R>) {
  return track(namedTask(name, fn));
}

describe("trace: events and names", () => {
  it("records type, side, task and object names; t counts ms from the start", async () => {
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    lock.release();
    const printer = traceName(new Lock(), "printer");
    await namedTask("producer", async () => {
      await printer.acquire();
      printer.release();
    });
    const e = rec.events[0]!;
    expect(e).toMatchObject({ side: "host", task: "main", obj: "Lock#1", type: "Lock", op: "acquire" });
    expect(e.size).toBeUndefined();
    expect(e.t).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < rec.events.length; i++) expect(rec.events[i]!.t).toBeGreaterThanOrEqual(rec.events[i - 1]!.t);
    expect(ops(rec)).toEqual([
      "main Lock#1 acquire",
      "main Lock#1 release",
      "producer printer acquire",
      "producer printer release",
    ]);
  });

  it("names objects <Type>#<n> and tasks <fn>#<n> in order of first appearance, afresh in each trace", async () => {
    const a = new Lock();
    const b = new Lock();
    const s = new Semaphore(1);
    let rec = trace();
    async function worker(l: Lock) {
      await l.acquire();
      l.release();
    }
    await task(worker, b);
    await task(worker, a);
    await s.acquire();
    s.release();
    await task(async () => {
      await a.acquire();
      a.release();
    });
    expect(ops(rec.stop())).toEqual([
      "worker#1 Lock#1 acquire",
      "worker#1 Lock#1 release",
      "worker#2 Lock#2 acquire",
      "worker#2 Lock#2 release",
      "main Semaphore#1 acquire",
      "main Semaphore#1 release",
      "task#1 Lock#2 acquire",
      "task#1 Lock#2 release",
    ]);
    // A new trace numbers everything again, in its own order of appearance.
    rec = trace();
    await task(worker, a);
    await task(worker, b);
    expect(ops(rec)).toEqual([
      "worker#1 Lock#1 acquire",
      "worker#1 Lock#1 release",
      "worker#2 Lock#2 acquire",
      "worker#2 Lock#2 release",
    ]);
  });

  it("a task keeps its number for the whole trace, across awaits; nested tasks get their own", async () => {
    const rec = trace();
    const lock = new Lock();
    async function inner() {
      await lock.acquire();
      lock.release();
    }
    async function outer() {
      await lock.acquire();
      await flush(1);
      lock.release();
      await task(inner);
      await lock.acquire();
      lock.release();
    }
    await task(outer);
    expect(ops(rec)).toEqual([
      "outer#1 Lock#1 acquire",
      "outer#1 Lock#1 release",
      "inner#1 Lock#1 acquire",
      "inner#1 Lock#1 release",
      "outer#1 Lock#1 acquire",
      "outer#1 Lock#1 release",
    ]);
  });

  it("a given name wins over an automatic one given earlier in the trace", async () => {
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    traceName(lock, "door");
    lock.release();
    expect(ops(rec)).toEqual(["main Lock#1 acquire", "main door release"]);
  });
});

describe("trace: Lock", () => {
  it("FIFO hand-off: each waiter's acquire is recorded when it resumes, in its own task's name; a newcomer queues behind", async () => {
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    async function worker() {
      await lock.acquire();
      lock.release();
    }
    const ws = [task(worker), task(worker), task(worker)];
    lock.release(); // to worker#1, which has not resumed yet
    const late = run("late", worker);
    await Promise.all(ws);
    await late.promise;
    expect(ops(rec)).toEqual([
      "main Lock#1 acquire",
      "worker#1 Lock#1 wait",
      "worker#2 Lock#1 wait",
      "worker#3 Lock#1 wait",
      "main Lock#1 release",
      "late Lock#1 wait",
      "worker#1 Lock#1 acquire",
      "worker#1 Lock#1 release",
      "worker#2 Lock#1 acquire",
      "worker#2 Lock#1 release",
      "worker#3 Lock#1 acquire",
      "worker#3 Lock#1 release",
      "late Lock#1 acquire",
      "late Lock#1 release",
    ]);
  });

  it("an aborted waiter records cancel (in its own name, whoever aborts) and leaves the queue", async () => {
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = run("a", () => lock.acquire({ signal: ac.signal }));
    const b = run("b", () => lock.acquire());
    ac.abort(reason("a"));
    lock.release();
    await flush();
    expect(a.state).toBe("rejected");
    expect(b.state).toBe("fulfilled");
    expect(ops(rec)).toEqual([
      "main Lock#1 acquire",
      "a Lock#1 wait",
      "b Lock#1 wait",
      "a Lock#1 cancel",
      "main Lock#1 release",
      "b Lock#1 acquire",
    ]);
  });

  it("a waiter aborted after release() chose it records cancel and passes the lock on: the next waiter's acquire follows, with no release", async () => {
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = run("a", () => lock.acquire({ signal: ac.signal }));
    const b = run("b", () => lock.acquire());
    lock.release(); // hands to a
    ac.abort(reason("a")); // before a resumes
    await flush();
    expect(a.state).toBe("rejected");
    expect(b.state).toBe("fulfilled");
    expect(lock.locked()).toBe(true);
    expect(ops(rec)).toEqual([
      "main Lock#1 acquire",
      "a Lock#1 wait",
      "b Lock#1 wait",
      "main Lock#1 release",
      "a Lock#1 cancel",
      "b Lock#1 acquire",
    ]);
  });

  it("a late abort with nobody else waiting frees the lock (cancel, no release)", async () => {
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    const ac = new AbortController();
    const a = run("a", () => lock.acquire({ signal: ac.signal }));
    lock.release();
    ac.abort(reason("a"));
    await flush();
    expect(a.state).toBe("rejected");
    expect(lock.locked()).toBe(false);
    await lock.acquire();
    expect(ops(rec)).toEqual([
      "main Lock#1 acquire",
      "a Lock#1 wait",
      "main Lock#1 release",
      "a Lock#1 cancel",
      "main Lock#1 acquire",
    ]);
  });

  it("timeoutMs: a timed-out waiter records cancel; timeoutMs <= 0 records wait+cancel when it would block, acquire when free", async () => {
    vi.useFakeTimers();
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    const a = run("a", () => lock.acquire({ timeoutMs: 100 }));
    const b = run("b", () => lock.acquire({ timeoutMs: 0 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(a.reason).toBeInstanceOf(TimeoutError);
    expect(b.reason).toBeInstanceOf(TimeoutError);
    lock.release();
    await run("c", () => lock.acquire({ timeoutMs: 0 })).promise;
    expect(ops(rec)).toEqual([
      "main Lock#1 acquire",
      "a Lock#1 wait",
      "b Lock#1 wait",
      "b Lock#1 cancel",
      "a Lock#1 cancel",
      "main Lock#1 release",
      "c Lock#1 acquire",
    ]);
  });

  it("timeoutMs cannot fire after the wake: a waiter handed the lock at its deadline acquires it", async () => {
    vi.useFakeTimers();
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    setTimeout(() => lock.release(), 100); // armed first: runs first at t=100
    const a = run("a", () => lock.acquire({ timeoutMs: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    await flush();
    expect(a.state).toBe("fulfilled");
    expect(ops(rec)).toEqual(["main Lock#1 acquire", "a Lock#1 wait", "main Lock#1 release", "a Lock#1 acquire"]);
  });

  it("an already aborted signal records nothing; a failed release records nothing", async () => {
    const rec = trace();
    const lock = new Lock();
    const ac = new AbortController();
    ac.abort(reason("x"));
    await expect(lock.acquire({ signal: ac.signal })).rejects.toThrow("aborted: x");
    expect(() => lock.release()).toThrow();
    expect(rec.events).toEqual([]);
  });

  it("runExclusive records acquire and release", async () => {
    const rec = trace();
    const lock = new Lock();
    await namedTask("job", () => lock.runExclusive(() => 1));
    expect(ops(rec)).toEqual(["job Lock#1 acquire", "job Lock#1 release"]);
  });
});

describe("trace: Semaphore and BoundedSemaphore", () => {
  it("records their own type; waiters acquire at resumption; a late abort passes the permit on", async () => {
    const rec = trace();
    const s = new Semaphore(1);
    const bs = new BoundedSemaphore(1);
    await s.acquire();
    const ac = new AbortController();
    const a = run("a", () => s.acquire({ signal: ac.signal }));
    const b = run("b", () => s.acquire());
    const c = run("c", () => s.acquire());
    s.release(); // to a
    ac.abort(reason("a")); // a passes it to b
    await flush();
    s.release(); // to c
    await flush();
    await bs.acquire();
    bs.release();
    expect(() => bs.release()).toThrow(); // over-release: nothing recorded
    expect([a.state, b.state, c.state]).toEqual(["rejected", "fulfilled", "fulfilled"]);
    expect(rec.events.map((e) => e.type)).toContain("BoundedSemaphore");
    expect(ops(rec)).toEqual([
      "main Semaphore#1 acquire",
      "a Semaphore#1 wait",
      "b Semaphore#1 wait",
      "c Semaphore#1 wait",
      "main Semaphore#1 release",
      "a Semaphore#1 cancel",
      "b Semaphore#1 acquire",
      "main Semaphore#1 release",
      "c Semaphore#1 acquire",
      "main BoundedSemaphore#1 acquire",
      "main BoundedSemaphore#1 release",
    ]);
  });

  it("Semaphore(2): acquires while permits last, then waits; an aborted waiter cancels", async () => {
    const rec = trace();
    const s = traceName(new Semaphore(2), "pool");
    const ac = new AbortController();
    await run("a", () => s.acquire()).promise;
    await run("b", () => s.acquire()).promise;
    const c = run("c", () => s.acquire({ signal: ac.signal }));
    const d = run("d", () => s.acquire());
    ac.abort(reason("c"));
    await namedTask("a", async () => s.release());
    await flush();
    expect([c.state, d.state]).toEqual(["rejected", "fulfilled"]);
    expect(ops(rec)).toEqual([
      "a pool acquire",
      "b pool acquire",
      "c pool wait",
      "d pool wait",
      "c pool cancel",
      "a pool release",
      "d pool acquire",
    ]);
  });
});

describe("trace: Event", () => {
  it("wait only when not set; wake at resumption; set and clear on every call; cancel before and after being woken", async () => {
    const rec = trace();
    const ev = new Event();
    const acB = new AbortController();
    const acC = new AbortController();
    const a = run("a", () => ev.wait());
    const b = run("b", () => ev.wait({ signal: acB.signal }));
    const c = run("c", () => ev.wait({ signal: acC.signal }));
    acB.abort(reason("b")); // before set
    ev.set();
    acC.abort(reason("c")); // after set woke it, before it resumed
    ev.set(); // already set: recorded, changes nothing
    await flush();
    await run("d", () => ev.wait()).promise; // set: does not block, records nothing
    ev.clear();
    expect([a.state, b.state, c.state]).toEqual(["fulfilled", "rejected", "rejected"]);
    expect(ops(rec)).toEqual([
      "a Event#1 wait",
      "b Event#1 wait",
      "c Event#1 wait",
      "b Event#1 cancel",
      "main Event#1 set",
      "main Event#1 set",
      "a Event#1 wake",
      "c Event#1 cancel",
      "main Event#1 clear",
    ]);
  });

  it("a timed-out wait records cancel", async () => {
    vi.useFakeTimers();
    const rec = trace();
    const ev = new Event();
    const a = run("a", () => ev.wait({ timeoutMs: 50 }));
    await vi.advanceTimersByTimeAsync(50);
    expect(a.reason).toBeInstanceOf(TimeoutError);
    expect(ops(rec)).toEqual(["a Event#1 wait", "a Event#1 cancel"]);
  });
});

describe("trace: Barrier", () => {
  it("phases: every party arrives; the last passes at once, the others when they resume", async () => {
    const rec = trace();
    const b = traceName(new Barrier(3), "gate");
    const party = () => async () => {
      await b.wait();
      await b.wait();
    };
    const ps = ["a", "b", "c"].map((n) => run(n, party()));
    await Promise.all(ps.map((p) => p.promise));
    expect(ops(rec)).toEqual([
      "a gate arrive",
      "b gate arrive",
      "c gate arrive",
      "c gate pass",
      // Woken tasks resume one at a time, each running on to its next wait:
      // a passes; c (back from its resolved wait) and a arrive; then b.
      "a gate pass",
      "c gate arrive",
      "a gate arrive",
      "b gate pass",
      "b gate arrive",
      "b gate pass",
      "c gate pass",
      "a gate pass",
    ]);
  });

  it("abort(): break by the aborting task, then one per waiter as it resumes, and one per later wait()", async () => {
    const rec = trace();
    const b = new Barrier(3);
    const a = run("a", () => b.wait());
    const c = run("c", () => b.wait());
    b.abort();
    await flush();
    const d = run("d", () => b.wait());
    await flush();
    for (const t of [a, c, d]) expect(t.reason).toBeInstanceOf(BrokenBarrierError);
    b.reset();
    expect(ops(rec)).toEqual([
      "a Barrier#1 arrive",
      "c Barrier#1 arrive",
      "main Barrier#1 break",
      "a Barrier#1 break",
      "c Barrier#1 break",
      "d Barrier#1 break",
      "main Barrier#1 reset",
    ]);
  });

  it("reset(): reset by the caller, then break per waiter as it resumes", async () => {
    const rec = trace();
    const b = new Barrier(2);
    const a = run("a", () => b.wait());
    namedTask("boss", async () => b.reset());
    await flush();
    expect(a.reason).toBeInstanceOf(BrokenBarrierError);
    expect(ops(rec)).toEqual(["a Barrier#1 arrive", "boss Barrier#1 reset", "a Barrier#1 break"]);
  });

  it("an action that throws: the last arrival breaks it, each waiter records break as it resumes", async () => {
    const rec = trace();
    const b = new Barrier(3, () => {
      throw new Error("boom");
    });
    const a = run("a", () => b.wait());
    const c = run("c", () => b.wait());
    const d = run("d", () => b.wait());
    await flush();
    expect(d.reason).toEqual(new Error("boom"));
    expect(a.reason).toBeInstanceOf(BrokenBarrierError);
    expect(c.reason).toBeInstanceOf(BrokenBarrierError);
    expect(ops(rec)).toEqual([
      "a Barrier#1 arrive",
      "c Barrier#1 arrive",
      "d Barrier#1 arrive",
      "d Barrier#1 break",
      "a Barrier#1 break",
      "c Barrier#1 break",
    ]);
  });

  it("an aborted waiter withdraws with cancel (the phase still needs all parties); one aborted after the phase completed cancels instead of passing", async () => {
    const rec = trace();
    const b = new Barrier(2);
    const acA = new AbortController();
    const acC = new AbortController();
    const a = run("a", () => b.wait({ signal: acA.signal }));
    acA.abort(reason("a"));
    const c = run("c", () => b.wait({ signal: acC.signal }));
    const d = run("d", () => b.wait()); // completes the phase with c
    acC.abort(reason("c")); // c woken, not resumed yet
    await flush();
    expect([a.state, c.state, d.state]).toEqual(["rejected", "rejected", "fulfilled"]);
    expect(ops(rec)).toEqual([
      "a Barrier#1 arrive",
      "a Barrier#1 cancel",
      "c Barrier#1 arrive",
      "d Barrier#1 arrive",
      "d Barrier#1 pass",
      "c Barrier#1 cancel",
    ]);
  });

  it("a timed-out waiter records cancel", async () => {
    vi.useFakeTimers();
    const rec = trace();
    const b = new Barrier(2);
    const a = run("a", () => b.wait({ timeoutMs: 10 }));
    await vi.advanceTimersByTimeAsync(10);
    expect(a.reason).toBeInstanceOf(TimeoutError);
    expect(ops(rec)).toEqual(["a Barrier#1 arrive", "a Barrier#1 cancel"]);
  });
});

describe("trace: Queue", () => {
  it("put/get with sizes; put-wait when full, get-wait when empty; woken ones record at resumption; the nowait forms too", async () => {
    const rec = trace();
    const q = new Queue<number>(2);
    await run("p", async () => {
      await q.put(1);
      q.putNowait(2);
    }).promise;
    const p3 = run("p", () => q.put(3)); // full: waits
    expect(await namedTask("c", async () => q.getNowait())).toBe(1); // admits p's 3
    await p3.promise;
    expect(await run("c", () => q.get()).promise).toBe(2);
    expect(q.getNowait()).toBe(3);
    const g = run("c", () => q.get()); // empty: waits
    await namedTask("p", () => q.put(4)); // reserved for c
    expect(await g.promise).toBe(4);
    expect(ops(rec)).toEqual([
      "p Queue#1 put 1",
      "p Queue#1 put 2",
      "p Queue#1 put-wait 2",
      "c Queue#1 get 1",
      "p Queue#1 put 2",
      "c Queue#1 get 1",
      "main Queue#1 get 0",
      "c Queue#1 get-wait 0",
      "p Queue#1 put 1",
      "c Queue#1 get 0",
    ]);
  });

  it("cancel: getter and putter, before and after being woken (a woken getter's item goes to the next getter)", async () => {
    const rec = trace();
    const q = new Queue<string>(1);
    const acA = new AbortController();
    const acB = new AbortController();
    const a = run("a", () => q.get({ signal: acA.signal }));
    const b = run("b", () => q.get({ signal: acB.signal }));
    const c = run("c", () => q.get());
    acA.abort(reason("a")); // before any item
    q.putNowait("x"); // reserved for b
    acB.abort(reason("b")); // b woken, not resumed: x goes to c
    await flush();
    expect([a.state, b.state, c.value]).toEqual(["rejected", "rejected", "x"]);
    q.putNowait("y");
    const acP = new AbortController();
    const p = run("p", () => q.put("z", { signal: acP.signal }));
    acP.abort(reason("p"));
    await flush();
    expect(p.state).toBe("rejected");
    expect(q.qsize()).toBe(1);
    expect(ops(rec)).toEqual([
      "a Queue#1 get-wait 0",
      "b Queue#1 get-wait 0",
      "c Queue#1 get-wait 0",
      "a Queue#1 cancel 0",
      "main Queue#1 put 1",
      "b Queue#1 cancel 1",
      "c Queue#1 get 0",
      "main Queue#1 put 1",
      "p Queue#1 put-wait 1",
      "p Queue#1 cancel 1",
    ]);
  });

  it("a woken putter aborted before it resumes adds nothing and passes its slot on", async () => {
    vi.useFakeTimers();
    const rec = trace();
    const q = new Queue<number>(1);
    q.putNowait(0);
    const ac = new AbortController();
    const a = run("a", () => q.put(1, { signal: ac.signal }));
    const b = run("b", () => q.put(2));
    const c = run("c", () => q.put(3, { timeoutMs: 5 }));
    await vi.advanceTimersByTimeAsync(5);
    q.getNowait(); // slot to a
    ac.abort(reason("a")); // a passes it to b
    await flush();
    expect([a.state, b.state, c.state]).toEqual(["rejected", "fulfilled", "rejected"]);
    expect(ops(rec)).toEqual([
      "main Queue#1 put 1",
      "a Queue#1 put-wait 1",
      "b Queue#1 put-wait 1",
      "c Queue#1 put-wait 1",
      "c Queue#1 cancel 1",
      "main Queue#1 get 0",
      "a Queue#1 cancel 0",
      "b Queue#1 put 1",
    ]);
  });

  it("failed nowait calls record nothing; join/taskDone are not traced", async () => {
    const rec = trace();
    const q = new Queue<number>(1);
    expect(() => q.getNowait()).toThrow();
    q.putNowait(1);
    expect(() => q.putNowait(2)).toThrow();
    const j = track(q.join());
    q.getNowait();
    q.taskDone();
    await flush();
    expect(j.state).toBe("fulfilled");
    expect(ops(rec)).toEqual(["main Queue#1 put 1", "main Queue#1 get 0"]);
  });
});

describe("trace: Condition", () => {
  it("wait/notify/wake; its own lock is <name>.lock and records the release and re-acquire", async () => {
    const rec = trace();
    const cv = new Condition();
    const consumer = (name: string) =>
      run(name, async () => {
        await cv.acquire();
        await cv.wait();
        cv.release();
      });
    const a = consumer("a");
    await flush();
    const b = consumer("b");
    await flush();
    await namedTask("p", async () => {
      await cv.acquire();
      cv.notify(1);
      cv.release();
    });
    await flush();
    await namedTask("p", async () => {
      await cv.acquire();
      cv.notifyAll();
      cv.notifyAll(); // nobody left: still one notify per call
      cv.release();
    });
    await Promise.all([a.promise, b.promise]);
    expect(ops(rec)).toEqual([
      "a Condition#1.lock acquire",
      "a Condition#1 wait",
      "a Condition#1.lock release",
      "b Condition#1.lock acquire",
      "b Condition#1 wait",
      "b Condition#1.lock release",
      "p Condition#1.lock acquire",
      "p Condition#1 notify",
      "p Condition#1.lock release",
      "a Condition#1 wake",
      "a Condition#1.lock acquire",
      "a Condition#1.lock release",
      "p Condition#1.lock acquire",
      "p Condition#1 notify",
      "p Condition#1 notify",
      "p Condition#1.lock release",
      "b Condition#1 wake",
      "b Condition#1.lock acquire",
      "b Condition#1.lock release",
    ]);
  });

  it("a notified waiter blocks on the lock (Lock wait, then acquire at hand-off)", async () => {
    const rec = trace();
    const cv = traceName(new Condition(), "cv");
    const a = run("a", async () => {
      await cv.acquire();
      await cv.wait();
      cv.release();
    });
    await flush();
    await cv.acquire();
    cv.notify();
    await flush(); // a wakes and queues for the lock
    cv.release();
    await a.promise;
    expect(ops(rec)).toEqual([
      "a cv.lock acquire",
      "a cv wait",
      "a cv.lock release",
      "main cv.lock acquire",
      "main cv notify",
      "a cv wake",
      "a cv.lock wait",
      "main cv.lock release",
      "a cv.lock acquire",
      "a cv.lock release",
    ]);
  });

  it("a lock passed in keeps its own name; the lock is named after the Condition even if tracing starts later", async () => {
    const lock = traceName(new Lock(), "mutex");
    const withLock = new Condition(lock);
    const own = new Condition();
    await own.acquire(); // before tracing
    const rec = trace();
    const t = run("a", async () => {
      await withLock.acquire();
      withLock.release();
    });
    await t.promise;
    own.release();
    expect(ops(rec)).toEqual(["a mutex acquire", "a mutex release", "main Condition#1.lock release"]);
  });

  it("cancel: an aborted wait records cancel and still re-acquires the lock", async () => {
    const rec = trace();
    const cv = new Condition();
    const ac = new AbortController();
    const a = run("a", async () => {
      await cv.acquire();
      try {
        await cv.wait({ signal: ac.signal });
      } finally {
        cv.release();
      }
    });
    await flush();
    ac.abort(reason("a"));
    await flush();
    expect(a.state).toBe("rejected");
    expect(ops(rec)).toEqual([
      "a Condition#1.lock acquire",
      "a Condition#1 wait",
      "a Condition#1.lock release",
      "a Condition#1 cancel",
      "a Condition#1.lock acquire",
      "a Condition#1.lock release",
    ]);
  });

  it("a waiter aborted after notify() woke it records cancel; the notification goes on to the next waiter without a notify", async () => {
    const rec = trace();
    const cv = new Condition();
    const ac = new AbortController();
    const waiter = (name: string, signal?: AbortSignal) =>
      run(name, async () => {
        await cv.acquire();
        try {
          await cv.wait({ signal });
        } finally {
          cv.release();
        }
      });
    const a = waiter("a", ac.signal);
    await flush();
    const b = waiter("b");
    await flush();
    await cv.acquire();
    cv.notify();
    ac.abort(reason("a")); // a woken, not resumed
    cv.release();
    await flush();
    expect([a.state, b.state]).toEqual(["rejected", "fulfilled"]);
    expect(ops(rec)).toEqual([
      "a Condition#1.lock acquire",
      "a Condition#1 wait",
      "a Condition#1.lock release",
      "b Condition#1.lock acquire",
      "b Condition#1 wait",
      "b Condition#1.lock release",
      "main Condition#1.lock acquire",
      "main Condition#1 notify",
      "main Condition#1.lock release",
      "a Condition#1 cancel",
      "a Condition#1.lock acquire", // a re-acquires, passes the notification on, then rejects
      "b Condition#1 wake",
      "a Condition#1.lock release",
      "b Condition#1.lock acquire",
      "b Condition#1.lock release",
    ]);
  });

  it("timeoutMs: a notified waiter timing out while re-acquiring records Lock cancel, then waits again uncancellably", async () => {
    vi.useFakeTimers();
    const rec = trace();
    const cv = new Condition();
    const a = run("a", async () => {
      await cv.acquire();
      try {
        await cv.wait({ timeoutMs: 100 });
      } finally {
        cv.release();
      }
    });
    await flush();
    await cv.acquire();
    cv.notify();
    await vi.advanceTimersByTimeAsync(100); // a woke and timed out queued for the lock
    cv.release();
    await flush();
    expect(a.reason).toBeInstanceOf(TimeoutError);
    expect(ops(rec)).toEqual([
      "a Condition#1.lock acquire",
      "a Condition#1 wait",
      "a Condition#1.lock release",
      "main Condition#1.lock acquire",
      "main Condition#1 notify",
      "a Condition#1 wake",
      "a Condition#1.lock wait",
      "a Condition#1.lock cancel",
      "a Condition#1.lock wait",
      "main Condition#1.lock release",
      "a Condition#1.lock acquire",
      "a Condition#1.lock release",
    ]);
  });

  it("timeoutMs <= 0: the release comes before the cancel, as on the board", async () => {
    const rec = trace();
    const cv = new Condition();
    await cv.acquire();
    await expect(cv.wait({ timeoutMs: 0 })).rejects.toBeInstanceOf(TimeoutError);
    expect(cv.locked()).toBe(true);
    expect(ops(rec)).toEqual([
      "main Condition#1.lock acquire",
      "main Condition#1 wait",
      "main Condition#1.lock release",
      "main Condition#1 cancel",
      "main Condition#1.lock acquire",
    ]);
  });
});

describe("trace: invariants of a busy Lock", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: one holder between acquire and release, every waiter waits first, outcomes match the trace`, async () => {
      vi.useFakeTimers();
      const rnd = mulberry32(seed);
      const rec = trace();
      const lock = new Lock();
      const pending = new Set<AbortController>();
      let inside = 0;
      let acquired = 0;
      let failed = 0;

      async function worker() {
        for (let i = 0; i < 25; i++) {
          const r = rnd();
          const ac = new AbortController();
          let opts: { signal?: AbortSignal; timeoutMs?: number } | undefined;
          if (r < 0.3) opts = { signal: ac.signal };
          else if (r < 0.45) opts = { timeoutMs: Math.floor(rnd() * 4) };
          else if (r < 0.55) opts = { signal: ac.signal, timeoutMs: 1 + Math.floor(rnd() * 3) };
          if (opts?.signal) {
            pending.add(ac);
            if (rnd() < 0.3) setTimeout(() => ac.abort(reason("timer")), Math.floor(rnd() * 3));
          }
          try {
            await lock.acquire(opts);
          } catch {
            failed++;
            pending.delete(ac);
            continue;
          }
          pending.delete(ac);
          acquired++;
          expect(++inside).toBe(1);
          if (rnd() < 0.5) await new Promise((res) => setTimeout(res, Math.floor(rnd() * 3)));
          else await Promise.resolve();
          inside--;
          lock.release();
          // Sometimes abort another waiter at once: it may be the one just handed the lock.
          if (pending.size > 0 && rnd() < 0.4) {
            const all = [...pending];
            all[Math.floor(rnd() * all.length)]!.abort(reason("peer"));
          }
        }
      }

      const ws = Array.from({ length: 8 }, () => task(worker));
      const done = Promise.all(ws);
      let finished = false;
      void done.then(() => (finished = true));
      while (!finished) await vi.advanceTimersByTimeAsync(1);
      await done;
      expect(lock.locked()).toBe(false);
      expect(lock.waiting).toBe(0);

      // Replay the trace against a model of the FIFO lock: the queue of
      // waiting tasks, the holder, and the waiter the lock is in transit to
      // (handed over by a release, not resumed yet).
      let holder: string | null = null;
      let transit: string | null = null;
      const waiting: string[] = [];
      let lateCancels = 0;
      const count: Record<string, number> = { wait: 0, acquire: 0, release: 0, cancel: 0 };
      for (const e of rec.events) {
        expect(e.obj).toBe("Lock#1");
        expect(e.task).toMatch(/^worker#[1-8]$/);
        count[e.op]!++;
        switch (e.op) {
          case "wait":
            expect(waiting).not.toContain(e.task);
            waiting.push(e.task);
            break;
          case "acquire":
            // at most one holder between acquire and release
            expect(holder).toBeNull();
            if (waiting.includes(e.task)) {
              // a waiter (it showed wait first) gets it only handed over, in FIFO order
              expect(transit).toBe(e.task);
              expect(waiting[0]).toBe(e.task);
              waiting.shift();
              transit = null;
            } else {
              // an acquire without wait finds it free, nobody waiting
              expect(transit).toBeNull();
              expect(waiting).toEqual([]);
            }
            holder = e.task;
            break;
          case "release":
            expect(holder).toBe(e.task);
            holder = null;
            transit = waiting.length > 0 ? waiting[0]! : null;
            break;
          case "cancel": {
            const i = waiting.indexOf(e.task);
            expect(i).toBeGreaterThanOrEqual(0);
            waiting.splice(i, 1);
            if (transit === e.task) {
              lateCancels++;
              transit = waiting.length > 0 ? waiting[0]! : null; // passed on
            }
            break;
          }
          default:
            throw new Error(`unexpected op ${e.op}`);
        }
      }
      expect(transit).toBeNull();
      expect(holder).toBeNull();
      expect(waiting).toEqual([]);
      expect(count.acquire).toBe(acquired);
      expect(count.release).toBe(acquired);
      expect(count.cancel).toBe(failed);
      expect(acquired + failed).toBe(8 * 25);
      // The scenario does exercise waiting and both kinds of cancel.
      expect(count.wait).toBeGreaterThan(20);
      expect(count.cancel).toBeGreaterThan(5);
      expect(lateCancels).toBeGreaterThan(0);
    });
  }
});

describe("trace: off", () => {
  async function everything(): Promise<void> {
    const lock = new Lock();
    await lock.acquire();
    const w = lock.acquire();
    lock.release();
    await w;
    lock.release();
    const s = new BoundedSemaphore(1);
    await s.acquire();
    s.release();
    const ev = new Event();
    const ew = ev.wait();
    ev.set();
    ev.clear();
    await ew;
    const b = new Barrier(2);
    await Promise.all([b.wait(), b.wait()]);
    b.abort();
    b.reset();
    const q = new Queue<number>(1);
    await q.put(1);
    const qp = q.put(2);
    q.getNowait();
    await qp;
    await q.get();
    const cv = new Condition();
    await cv.acquire();
    const cw = cv.wait();
    await cv.acquire().then(() => {
      cv.notify();
      cv.release();
    });
    await cw;
    cv.release();
    const ac = new AbortController();
    await lock.acquire();
    const aw = track(lock.acquire({ signal: ac.signal }));
    ac.abort(reason("x"));
    await flush();
    expect(aw.state).toBe("rejected");
    lock.release();
  }

  it("records nothing when no trace runs, and stop() stops recording", async () => {
    const seen: TraceEvent[] = [];
    const rec = trace((e) => seen.push(e));
    await namedTask("t", everything);
    const n = rec.events.length;
    expect(n).toBeGreaterThan(20);
    expect(seen).toEqual(rec.events);
    expect(rec.stop()).toBe(rec.events);
    await namedTask("t", everything);
    await task(everything);
    await everything();
    expect(rec.events.length).toBe(n);
    expect(seen.length).toBe(n);
  });

  it("a waiter enqueued before stop() records nothing when it resumes after", async () => {
    const rec = trace();
    const lock = new Lock();
    await lock.acquire();
    const w = run("a", () => lock.acquire());
    rec.stop();
    lock.release();
    await w.promise;
    expect(ops(rec)).toEqual(["main Lock#1 acquire", "a Lock#1 wait"]);
  });

  it("starting another trace ends the first", async () => {
    const first = trace();
    const lock = new Lock();
    await lock.acquire();
    const second = trace();
    lock.release();
    expect(ops(first)).toEqual(["main Lock#1 acquire"]);
    expect(ops(second)).toEqual(["main Lock#1 release"]);
    first.stop(); // no effect on the running one
    await lock.acquire();
    expect(second.events.length).toBe(2);
  });

  it("task()/namedTask() without a trace just run the function", async () => {
    async function f(x: number) {
      return x * 2;
    }
    expect(await task(f, 21)).toBe(42);
    expect(await namedTask("n", () => f(1))).toBe(2);
  });
});
