// Runs conformance scenarios against firmware/sync in the real MicroPython
// WebAssembly interpreter (test/firmware/harness.ts).
//
// INTERPRETER below is a generic interpreter of the step list, written once
// in Python. All scenarios are sent as JSON in ONE program (one interpreter
// per process, and one compile of the interpreter): main() runs them in turn
// and prints one "@@ <json>" line per scenario with its trace.

import { runPy } from "../firmware/harness.js";
import { type Scenario, QUERIES, WAITING_METHODS, toWire } from "./scenarios.js";

const INTERPRETER = String.raw`
import json

_WAITING = ${JSON.stringify(WAITING_METHODS)}
_QUERIES = ${JSON.stringify(QUERIES)}
_CLASSES = {
    'Lock': Lock, 'Event': Event, 'Semaphore': Semaphore,
    'BoundedSemaphore': BoundedSemaphore, 'Queue': Queue,
}
_ERRORS = {'ValueError': ValueError, 'RuntimeError': RuntimeError}


async def _settle():
    # Let every runnable task run until all are blocked: a task woken by
    # another is queued behind it, so a few rounds more than the longest
    # hand-off chain of the scenarios.
    for _ in range(16):
        await asyncio.sleep(0)


def _fmt(v):
    if v is True:
        return 'True'
    if v is False:
        return 'False'
    if v is None:
        return 'None'
    return str(v)


def _err_line(e):
    name = type(e).__name__
    if name == 'CancelledError':
        return 'cancelled'
    if name == 'TimeoutError':
        return 'timeout'
    return 'error ' + name


async def _await(fn):
    # wait_for_ms() wants a coroutine; some waits are plain generators.
    return await fn()


class _Run:
    def __init__(self, sc):
        self.trace = []
        self.open = True
        self.objs = {}
        self.kinds = {}
        self.tasks = {}  # actor -> its latest waiting call's task
        self.all = []
        for spec in sc['objects']:
            name, kind, args = spec[0], spec[1], spec[2:]
            self.kinds[name] = kind
            self.objs[name] = self.make(kind, args)
        self.steps = sc['steps']

    def rec(self, line):
        if self.open:
            self.trace.append(line)

    def make(self, kind, args):
        if kind == 'Barrier':
            opts = args[1] if len(args) > 1 else {}
            action = None
            if 'action' in opts:
                line = opts['action']
                exc = opts.get('raises')

                def action():
                    self.rec(line)
                    if exc:
                        raise _ERRORS[exc]('action')
            return Barrier(args[0], action)
        if kind == 'Condition':
            return Condition(self.objs[args[0]]) if args else Condition()
        return _CLASSES[kind](*args)

    def query(self, obj, name):
        v = getattr(obj, name)
        return v() if callable(v) else v

    def ok_line(self, method, oname, args, v):
        if method == 'acquire':
            return 'acquired'
        if method == 'release':
            return 'released'
        if method in ('get', 'get_nowait'):
            return 'got ' + _fmt(v)
        if method in ('put', 'put_nowait'):
            return 'put ' + _fmt(args[0])
        if method == 'join':
            return 'joined'
        if method == 'wait':
            return ('index ' + _fmt(v)) if self.kinds[oname] == 'Barrier' else 'woke'
        if method == 'wait_for':
            return 'woke ' + _fmt(v)
        if method in _QUERIES:
            return method + ' ' + _fmt(v)
        return method

    def call(self, method, oname, args):
        obj = self.objs[oname]
        if method == 'wait_for':
            other, q = self.objs[args[0]], args[1]
            return lambda: obj.wait_for(lambda: self.query(other, q))
        if method in _QUERIES:
            return lambda: self.query(obj, method)
        m = getattr(obj, method)
        return lambda: m(*args)

    async def task(self, actor, method, oname, args, fn):
        try:
            v = await fn()
        except BaseException as e:  # CancelledError is a BaseException here
            self.rec(actor + ' ' + _err_line(e))
            return
        self.rec(actor + ' ' + self.ok_line(method, oname, args, v))

    async def step(self, st):
        op = st[0]
        if op == 'tick':
            await _settle()
            return
        if op == 'cancel':
            t = self.tasks.get(st[1])
            if t is not None and not t.done():
                t.cancel()
            await _settle()
            return
        if op == 'sleep':
            await asyncio.sleep_ms(st[1])
            await _settle()
            return
        actor = op
        timeout = None
        if st[1] == 'timeout':
            timeout = st[2]
            st = [actor] + st[3:]
        method, oname, args = st[1], st[2], st[3:]
        fn = self.call(method, oname, args)
        if method in _WAITING:
            if timeout is not None:
                inner = fn
                fn = lambda: asyncio.wait_for_ms(_await(inner), timeout)
            t = asyncio.create_task(self.task(actor, method, oname, args, fn))
            self.tasks[actor] = t
            self.all.append(t)
            await _settle()
            return
        try:
            v = fn()
        except Exception as e:
            self.rec(actor + ' ' + _err_line(e))
            return
        self.rec(actor + ' ' + self.ok_line(method, oname, args, v))

    async def run(self):
        for st in self.steps:
            await self.step(st)
        await _settle()  # an implicit final tick
        # Done: stop recording, cancel what still waits, let it unwind.
        self.open = False
        for t in self.all:
            if not t.done():
                t.cancel()
        await _settle()
        return self.trace


async def main():
    for text in _SCENARIOS:
        sc = json.loads(text)
        try:
            trace = await _Run(sc).run()
        except Exception as e:
            trace = ['runner error ' + type(e).__name__ + ': ' + str(e)]
        print('@@ ' + json.dumps({'name': sc['name'], 'trace': trace}))
`;

export interface BoardResult {
  /** Trace per scenario name. */
  traces: Map<string, string[]>;
  /** Output lines that are not scenario results (uncaught task errors...). */
  stray: string[];
}

/** The single MicroPython program that runs every scenario in turn. */
export function boardProgram(list: readonly Scenario[]): string {
  // One small string literal per scenario (a JSON string literal is a valid
  // Python one), rather than one huge literal.
  const data = list.map((s) => `_SCENARIOS.append(${JSON.stringify(JSON.stringify(toWire(s)))})`);
  return ["_SCENARIOS = []", ...data, INTERPRETER].join("\n");
}

/** Runs every scenario on the board interpreter; returns their traces. */
export async function runBoard(list: readonly Scenario[], timeoutMs = 15_000): Promise<BoardResult> {
  const out = await runPy(boardProgram(list), { timeoutMs });
  const traces = new Map<string, string[]>();
  const stray: string[] = [];
  for (const line of out.split("\n")) {
    if (line.startsWith("@@ ")) {
      const r = JSON.parse(line.slice(3)) as { name: string; trace: string[] };
      traces.set(r.name, r.trace);
    } else if (line.trim() !== "") {
      stray.push(line);
    }
  }
  return { traces, stray };
}
