# sync: asyncio synchronisation primitives for MicroPython
# MIT license

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

from . import trace as _t


# Counting semaphore with strict FIFO hand-off: release() gives its permit
# directly to the longest waiter instead of incrementing the counter, so
# while anyone waits the counter stays 0 and a newcomer queues behind them.
class Semaphore:
    def __init__(self, value=1):
        if value < 0:
            raise ValueError("Semaphore initial value must be >= 0")
        self._value = value
        self._waiting = []  # Events of waiting tasks, oldest first
        self._handing = 0  # permits given to woken tasks that have not resumed yet

    def locked(self):
        return self._value == 0

    def release(self):
        if _t.on:
            _t.ev(self, "release")
        if self._waiting:
            self._handing += 1
            self._waiting.pop(0).set()
        else:
            self._value += 1

    async def acquire(self):
        if self._value > 0:
            self._value -= 1
            if _t.on:
                _t.ev(self, "acquire")
            return True
        if _t.on:
            _t.ev(self, "wait")
        ev = asyncio.Event()
        self._waiting.append(ev)
        try:
            await ev.wait()
        except BaseException:
            if _t.on:
                _t.ev(self, "cancel")
            if ev.is_set():
                # Cancelled after being handed a permit: pass it on (no bound
                # check: the permit was already counted out; not a release:
                # it was never ours).
                if self._waiting:
                    self._waiting.pop(0).set()
                else:
                    self._handing -= 1
                    self._value += 1
            else:
                self._waiting.remove(ev)
            raise
        self._handing -= 1
        if _t.on:
            _t.ev(self, "acquire")
        return True

    async def __aenter__(self):
        return await self.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        self.release()


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1):
        super().__init__(value)
        self._bound = value

    def release(self):
        # A permit on its way to a woken task is still held: count it.
        if self._value + self._handing >= self._bound:
            raise ValueError("BoundedSemaphore released too many times")
        super().release()
