# sync: asyncio synchronisation primitives for MicroPython
# MIT license

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

from . import trace as _t
from .lock import Lock


class Condition:
    def __init__(self, lock=None):
        if lock is None:
            lock = Lock()
            lock._cond = self  # traced as "<condition>.lock"
        self._lock = lock
        self.acquire = lock.acquire
        self.release = lock.release
        self.locked = lock.locked
        self._waiting = []  # Events of waiting tasks, oldest first

    async def __aenter__(self):
        await self._lock.acquire()

    async def __aexit__(self, exc_type, exc, tb):
        self._lock.release()

    async def wait(self):
        if not self.locked():
            raise RuntimeError("Condition lock not acquired")
        if _t.on:
            _t.ev(self, "wait")
        ev = asyncio.Event()
        self._waiting.append(ev)
        self.release()
        err = None
        try:
            await ev.wait()
        except BaseException as e:
            if not ev.is_set():
                self._waiting.remove(ev)
            err = e
        if _t.on:
            _t.ev(self, "wake" if err is None else "cancel")
        # The caller holds the lock again when wait() ends, however it ends.
        while True:
            try:
                await self.acquire()
                break
            except BaseException as e:
                err = e
        if err is not None:
            if ev.is_set():
                # Notified, but cancelled before returning: pass it on.
                self._notify(1)
            raise err
        return True

    async def wait_for(self, predicate):
        result = predicate()
        while not result:
            await self.wait()
            result = predicate()
        return result

    def notify(self, n=1):
        if not self.locked():
            raise RuntimeError("Condition lock not acquired")
        if _t.on:
            _t.ev(self, "notify")
        self._notify(n)

    def notify_all(self):
        self.notify(len(self._waiting))

    def _notify(self, n):
        while n > 0 and self._waiting:
            self._waiting.pop(0).set()
            n -= 1
