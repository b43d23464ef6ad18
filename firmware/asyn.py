# asyn: the legacy `asyn` API (micropython-async, uasyncio v2 era), as older
# tutorials and notebooks use it, built on the sync library.
# MIT license
#
#   import asyn
#   lock = asyn.Lock()              # a delay argument (ms) is accepted, unused
#   event = asyn.Event()            # await event; event.set(data); event.value()
#   barrier = asyn.Barrier(3, callback, ('Synch',))   # await barrier
#   asyn.Semaphore(2), asyn.BoundedSemaphore(2), asyn.Queue(), asyn.Condition()
#
# Names load on first use (like sync), so `from asyn import Lock` does not
# spend RAM on the Queue code.

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

__version__ = (1, 0, 0)


def launch(func, tup_args=()):
    # Call func(*tup_args); a coroutine it returns runs as a new task.
    res = func(*tup_args)
    if hasattr(res, "send"):
        return asyncio.create_task(res)
    return res


def sleep(t):
    return asyncio.sleep(t)


def _event():
    from sync import Event as _Event

    # asyn.Event(delay_ms=0): set() may carry a value, read with value().
    class Event(_Event):
        def __init__(self, delay_ms=0):
            super().__init__()
            self._data = None

        def set(self, data=None):
            self._data = data
            super().set()

        def clear(self):
            self._data = None
            super().clear()

        def value(self):
            return self._data

    return Event


def _barrier():
    from sync import Barrier as _Barrier

    # asyn.Barrier(participants, func=None, args=()): `await barrier`; the last
    # task to arrive runs func(*args) once per phase (a coroutine function's
    # coroutine runs as a task), then every waiting task continues.
    class Barrier(_Barrier):
        def __init__(self, participants, func=None, args=()):
            super().__init__(participants, None if func is None else launch, (func, args))

        def busy(self):
            # True while some task waits at the barrier for the others.
            return self.n_waiting > 0

        def trigger(self):
            # Count an arrival without waiting (it completes on the next
            # scheduling round, from a task of its own).
            asyncio.create_task(self._arrive())

        async def _arrive(self):
            try:
                await self.wait()
            except Exception:
                pass  # broken barrier: nobody waits for this arrival

    return Barrier


_made = {"Event": _event, "Barrier": _barrier}
# Everything else is sync's own class, unchanged (sync.Lock accepts delay_ms).
_same = ("Lock", "Semaphore", "BoundedSemaphore", "Queue", "QueueEmpty", "QueueFull", "Condition", "BrokenBarrierError")


def __getattr__(attr):
    make = _made.get(attr, None)
    if make is not None:
        value = make()
    elif attr in _same:
        import sync

        value = getattr(sync, attr)
    else:
        raise AttributeError(attr)
    globals()[attr] = value
    return value
