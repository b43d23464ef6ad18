# sync: asyncio synchronisation primitives for MicroPython
# MIT license

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

from . import trace as _t


# asyncio.Event that can also be awaited directly (`await event`), as the old
# `asyn.Event` could. set() schedules every current waiter; a clear() before
# they run does not un-wake them.
class Event(asyncio.Event):
    def set(self):
        if _t.on:
            _t.ev(self, "set")
        super().set()

    def clear(self):
        if _t.on:
            _t.ev(self, "clear")
        super().clear()

    def wait(self):
        # Untraced, this is asyncio.Event.wait() itself: no extra coroutine.
        if _t.on:
            return wait(self)
        return super().wait()

    def __await__(self):
        return (yield from self.wait())

    __iter__ = __await__  # MicroPython's `await` uses __iter__


# Event.wait() while tracing. Named like the method because wait_for() runs
# it as a task, and a task is traced under its coroutine's name.
async def wait(event):
    if event.is_set():
        return True
    _t.ev(event, "wait")
    try:
        await asyncio.Event.wait(event)
    except BaseException:
        if _t.on:
            _t.ev(event, "cancel")
        raise
    if _t.on:
        _t.ev(event, "wake")
    return True
