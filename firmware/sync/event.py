# sync: asyncio synchronisation primitives for MicroPython
# MIT license

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio


# asyncio.Event that can also be awaited directly (`await event`), as the old
# `asyn.Event` could. set() schedules every current waiter; a clear() before
# they run does not un-wake them.
class Event(asyncio.Event):
    def __await__(self):
        return (yield from self.wait())

    __iter__ = __await__  # MicroPython's `await` uses __iter__
