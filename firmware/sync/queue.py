# sync: asyncio synchronisation primitives for MicroPython
# MIT license

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio

from . import trace as _t


class QueueEmpty(Exception):
    pass


class QueueFull(Exception):
    pass


# FIFO queue. To keep getters and putters strictly FIFO, waking a waiter
# reserves what it waited for until it resumes: a woken getter owns one of
# the first `_rg` items, a woken putter owns one of `_rp` free slots. A waiter
# cancelled after being woken passes its reservation on, so no item is lost
# or added. A newcomer cannot take a reserved item or slot; a new putter also
# queues while woken putters have yet to add their items, even if a slot is
# spare (its item must come after theirs): each woken putter wakes the next.
class Queue:
    def __init__(self, maxsize=0):
        self.maxsize = maxsize
        self._items = []
        self._getters = []  # Events of waiting getters, oldest first
        self._putters = []  # Events of waiting putters, oldest first
        self._rg = 0  # items reserved for woken getters (at the front)
        self._rp = 0  # free slots reserved for woken putters
        self._unfinished = 0
        self._finished = asyncio.Event()
        self._finished.set()

    def qsize(self):
        return len(self._items)

    # empty() and full() tell whether get_nowait()/put_nowait() would fail.
    def empty(self):
        return len(self._items) <= self._rg

    def full(self):
        return self._rp > 0 or 0 < self.maxsize <= len(self._items)

    def put_nowait(self, item):
        if self.full():
            raise QueueFull
        self._put(item)
        if _t.on:
            _t.ev(self, "put", len(self._items))

    async def put(self, item):
        if self.full():
            if _t.on:
                _t.ev(self, "put-wait", len(self._items))
            ev = asyncio.Event()
            self._putters.append(ev)
            try:
                await ev.wait()
            except BaseException:
                if _t.on:
                    _t.ev(self, "cancel", len(self._items))
                if ev.is_set():
                    self._rp -= 1
                    self._wake_putter()
                else:
                    self._putters.remove(ev)
                raise
            self._rp -= 1
            self._put(item)
            self._wake_putter()
        else:
            self._put(item)
        if _t.on:
            _t.ev(self, "put", len(self._items))

    def get_nowait(self):
        if self.empty():
            raise QueueEmpty
        item = self._get(self._rg)
        if _t.on:
            _t.ev(self, "get", len(self._items))
        return item

    async def get(self):
        if not self.empty():
            item = self._get(self._rg)
        else:
            if _t.on:
                _t.ev(self, "get-wait", len(self._items))
            ev = asyncio.Event()
            self._getters.append(ev)
            try:
                await ev.wait()
            except BaseException:
                if _t.on:
                    _t.ev(self, "cancel", len(self._items))
                if ev.is_set():
                    self._rg -= 1
                    self._wake_getter()
                else:
                    self._getters.remove(ev)
                raise
            self._rg -= 1
            item = self._get(0)
        if _t.on:
            _t.ev(self, "get", len(self._items))
        return item

    def task_done(self):
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0:
            self._finished.set()

    async def join(self):
        await self._finished.wait()

    def _put(self, item):
        self._items.append(item)
        self._unfinished += 1
        self._finished.clear()
        self._wake_getter()

    def _get(self, i):
        item = self._items.pop(i)
        self._wake_putter()
        return item

    def _wake_getter(self):
        if self._getters and not self.empty():
            self._rg += 1
            self._getters.pop(0).set()

    def _wake_putter(self):
        m = self.maxsize
        if self._putters and (m <= 0 or len(self._items) + self._rp < m):
            self._rp += 1
            self._putters.pop(0).set()
