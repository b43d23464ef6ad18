# sync: asyncio synchronisation primitives for MicroPython
# MIT license

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

from . import trace as _t


# Mutex with strict FIFO hand-off: release() passes the lock directly to the
# longest waiter, so a task calling acquire() meanwhile cannot overtake it.
class Lock:
    def __init__(self, delay_ms=None):
        # delay_ms is accepted for compatibility with the old `asyn.Lock`;
        # waiters sleep on an Event, nothing polls.
        # _state: 0 unlocked, 1 locked, or the Event of the waiter that has
        # been handed the lock but has not resumed yet.
        self._state = 0
        self._waiting = []  # Events of waiting tasks, oldest first

    def locked(self):
        return self._state == 1

    def release(self):
        if self._state != 1:
            raise RuntimeError("Lock not acquired")
        if _t.on:
            _t.ev(self, "release")
        if self._waiting:
            self._state = self._waiting.pop(0)
            self._state.set()
        else:
            self._state = 0

    async def acquire(self):
        if self._state != 0:
            if _t.on:
                _t.ev(self, "wait")
            ev = asyncio.Event()
            self._waiting.append(ev)
            try:
                await ev.wait()
            except BaseException:
                if _t.on:
                    _t.ev(self, "cancel")
                if self._state is ev:
                    # Cancelled after release() chose us: pass the lock on
                    # (not a release: it was never ours).
                    self._state = 0
                    if self._waiting:
                        self._state = self._waiting.pop(0)
                        self._state.set()
                else:
                    self._waiting.remove(ev)
                raise
        self._state = 1
        if _t.on:
            _t.ev(self, "acquire")
        return True

    async def __aenter__(self):
        return await self.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        self.release()
