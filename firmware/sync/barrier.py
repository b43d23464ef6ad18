# sync: asyncio synchronisation primitives for MicroPython
# MIT license

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

from . import trace as _t


class BrokenBarrierError(RuntimeError):
    pass


# Cyclic barrier. Each waiter sleeps on its own Event; the last party to
# arrive runs the action and then hands every waiter of the phase its arrival
# index (stored on the Event as `.index`, -1 meaning "broken") before waking
# it. The phase is over at that moment, so a woken task may loop straight
# into the next phase before its companions have resumed.
class Barrier:
    def __init__(self, parties, action=None, args=()):
        if parties < 1:
            raise ValueError("parties must be > 0")
        self._parties = parties
        self._action = action
        self._args = args
        self._waiting = []  # Events of this phase's waiters, in arrival order
        self._broken = False

    @property
    def parties(self):
        return self._parties

    @property
    def n_waiting(self):
        return len(self._waiting)

    @property
    def broken(self):
        return self._broken

    async def wait(self):
        if self._broken:
            if _t.on:
                _t.ev(self, "break")
            raise BrokenBarrierError
        if _t.on:
            _t.ev(self, "arrive")
        waiting = self._waiting
        if len(waiting) + 1 < self._parties:
            ev = asyncio.Event()
            waiting.append(ev)
            try:
                await ev.wait()
            except BaseException:
                if not ev.is_set():
                    # Withdraw: the phase still needs `parties` live arrivals.
                    waiting.remove(ev)
                if _t.on:
                    _t.ev(self, "cancel")
                raise
            if ev.index < 0:
                if _t.on:
                    _t.ev(self, "break")
                raise BrokenBarrierError
            if _t.on:
                _t.ev(self, "pass")
            return ev.index
        # Last arrival: the phase is complete.
        self._waiting = []
        if self._action is not None:
            try:
                self._action(*self._args)
            except BaseException:
                self._broken = True
                self._wake(waiting, False)
                if _t.on:
                    _t.ev(self, "break")
                raise
        self._wake(waiting, True)
        if _t.on:
            _t.ev(self, "pass")
        return len(waiting)

    def __await__(self):
        return (yield from self.wait())

    __iter__ = __await__  # MicroPython's `await` uses __iter__

    def reset(self):
        # Current waiters get BrokenBarrierError; the barrier starts afresh.
        if _t.on:
            _t.ev(self, "reset")
        self._wake(self._waiting, False)
        self._waiting = []
        self._broken = False

    def abort(self):
        # Current and future waiters get BrokenBarrierError until reset().
        if _t.on:
            _t.ev(self, "break")
        self._wake(self._waiting, False)
        self._waiting = []
        self._broken = True

    def _wake(self, waiting, ok):
        for i, ev in enumerate(waiting):
            ev.index = i if ok else -1
            ev.set()
