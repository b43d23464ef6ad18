# sync: asyncio synchronisation primitives for MicroPython (>= 1.20).
# MIT license
#
# Every primitive lives in its own module and is imported on first use, so
# `from sync import Lock` does not load (or spend RAM on) the Queue code.

__version__ = (1, 0, 0)

_attrs = {
    "Lock": "lock",
    "Event": "event",
    "Semaphore": "semaphore",
    "BoundedSemaphore": "semaphore",
    "Barrier": "barrier",
    "BrokenBarrierError": "barrier",
    "Queue": "queue",
    "QueueEmpty": "queue",
    "QueueFull": "queue",
    "Condition": "condition",
    "trace": "trace",  # the module itself
}


def __getattr__(attr):
    mod = _attrs.get(attr, None)
    if mod is None:
        raise AttributeError(attr)
    value = __import__(mod, None, None, True, 1)
    if mod != attr:
        value = getattr(value, attr)
    globals()[attr] = value
    return value
