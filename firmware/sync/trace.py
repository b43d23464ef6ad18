# sync: asyncio synchronisation primitives for MicroPython
# MIT license
#
# Tracing: while `on`, every state change of a sync primitive is written to
# stdout as one record (parsed by synccli, src/trace/events.ts):
#   \x1e<ms since start()>|<task>|<type>|<obj>|<op>[|<queue size>]\n
# Unnamed tasks and primitives get "<base>#<n>", n counting each base in order
# of first appearance: a task's base is its coroutine's name, a primitive's
# its type. Code outside any task is "main".

import sys
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

on = False
_t0 = 0
# id(obj) -> (obj, name). The object is kept so that its id cannot be reused.
_given = {}  # names given with name(), kept across traces
_auto = {}  # automatic names, numbered afresh by each start()
_counts = {}  # base -> instances named so far
_owner = {}  # id(task) -> (task, the task that started it through wait_for)
_wait_for = asyncio.wait_for
_wait_for_ms = getattr(asyncio, "wait_for_ms", None)


def start():
    global on, _t0
    _auto.clear()
    _counts.clear()
    _owner.clear()
    # asyncio.wait_for runs what it waits for as a task of its own: credit
    # that task's events to the task that called wait_for.
    asyncio.wait_for = _owned(_wait_for)
    if _wait_for_ms is not None:
        asyncio.wait_for_ms = _owned(_wait_for_ms)
    _t0 = time.ticks_ms()
    on = True


def _owned(wait_for):
    def owned(aw, timeout, *args):
        if not isinstance(aw, asyncio.Task):
            aw = asyncio.create_task(aw)
        _owner[id(aw)] = (aw, _current())
        return wait_for(aw, timeout, *args)

    return owned


def stop():
    global on
    on = False
    asyncio.wait_for = _wait_for
    if _wait_for_ms is not None:
        asyncio.wait_for_ms = _wait_for_ms
    _auto.clear()
    _counts.clear()
    _owner.clear()


def name(obj, label=None):
    # name("producer") names the current task; name(obj, "printer") names a
    # primitive or a task. Returns the object named.
    if label is None:
        obj, label = _current(), obj
    _given[id(obj)] = (obj, _clean(label))
    return obj


def ev(obj, op, size=None, task=None):
    # One write per record, so records stay whole between the script's output.
    r = "\x1e%d|%s|%s|%s|%s" % (
        time.ticks_diff(time.ticks_ms(), _t0),
        _name(_current() if task is None else task, _task_base),
        type(obj).__name__,
        _name(obj, _obj_base),
        op,
    )
    sys.stdout.write(r + "\n" if size is None else r + "|%d\n" % size)


def _clean(label):
    label = str(label)
    for c in "|\n\x1e":
        label = label.replace(c, "_")
    return label


def _current():
    try:
        t = asyncio.current_task()
    except Exception:
        return None  # not inside a task (a real board's top level)
    o = _owner.get(id(t))
    while o is not None:
        t = o[1]
        o = _owner.get(id(t))
    return t


def _name(obj, base):
    # base(obj) is "<base>#" for a numbered name, else the name itself.
    k = id(obj)
    n = _given.get(k) or _auto.get(k)
    if n is not None:
        return n[1]
    b = base(obj)
    if b[-1] != "#":
        n = b  # a literal name ("main")
    else:
        c = _counts.get(b, 0) + 1
        _counts[b] = c
        n = b + str(c)
    _auto[k] = (obj, n)
    return n


def _task_base(task):
    # The coroutine's repr is "<generator object 'report' at 3fff1234>" (some
    # ports leave out the quotes). Top-level code runs in no task, or (the
    # WebAssembly port) in a pseudo-task whose coro is not a generator.
    r = repr(task.coro) if task is not None else ""
    if not r.startswith("<generator"):
        return "main"
    r = r.split()
    r = r[2] if len(r) > 3 else "task"
    if r[0] == "'":
        r = r[1:-1]
    return _clean(r) + "#"


def _obj_base(obj):
    cond = getattr(obj, "_cond", None)
    if cond is not None:
        # The Lock a Condition made for itself.
        return _name(cond, _obj_base) + ".lock"
    return type(obj).__name__ + "#"
