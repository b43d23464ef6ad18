# Queue demo: a producer and a consumer linked by a bounded Queue(maxsize=2).
#
# Watch for: get_nowait() on an empty queue raising QueueEmpty (it does not
# return None); the consumer's get() waiting on the empty queue until the
# first put(); the fast producer (one item per 300 ms) filling the queue and
# then waiting in put() until the slow consumer (1.1 s per item) takes one
# ("put(4) done"); the end marker None; join() waiting until every item is
# processed.
#
# Broken (--broken): a plain list instead of the Queue, read without waiting,
# where an empty list reads as None (what the notebook says a Queue does).
# The consumer starts before the first item exists, reads None, takes it for
# the end marker and leaves at 0 ms; the producer appends all five entries
# to a list nobody reads (it grows past 2: no back-pressure either) and the
# end shows "never processed: 4 items". A Queue makes get() wait and tells
# "empty" (QueueEmpty) apart from an item.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Queue, QueueEmpty

# --broken runs the demo with a plain list instead of the Queue (synccli rewrites this line).
BROKEN = False
# --speed F: every sleep lasts int(MS / SPEED) ms (synccli rewrites this line).
SPEED = 1

PRODUCE_MS = 300
CONSUME_MS = 1100
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


def list_get(items):
    # --broken: take the first entry, or None when there is none (never waits)
    return items.pop(0) if items else None


async def producer(q):
    for item in (1, 2, 3, 4, None):
        await asyncio.sleep_ms(int(PRODUCE_MS / SPEED))  # somehow get some data
        if BROKEN:
            q.append(item)
            log("producer", "append(%s): %d in the list" % (item, len(q)))
        elif q.full():
            log("producer", "queue full (%d items), put(%s) waits" % (q.qsize(), item))
            await q.put(item)
            log("producer", "put(%s) done: the consumer made room" % item)
        else:
            log("producer", "put(%s)" % item)
            await q.put(item)


async def consumer(q):
    while True:
        if BROKEN:
            item = list_get(q)
            if item is None:
                log("consumer", "list empty, read None: takes it for the end marker and leaves")
                return
            log("consumer", "got %s" % item)
        else:
            if q.empty():
                log("consumer", "queue empty, get() waits")
            item = await q.get()  # pauses while the queue is empty
            if item is not None:
                log("consumer", "got %s" % item)
        if item is None:
            log("consumer", "got None: no more items")
            q.task_done()
            return
        await asyncio.sleep_ms(int(CONSUME_MS / SPEED))  # process it
        if not BROKEN:
            q.task_done()


async def main():
    global T0
    T0 = time.ticks_ms()
    if BROKEN:
        q = []
        log("main", "reading the empty list returned %s" % list_get(q))
    else:
        q = Queue(2)
        try:
            item = q.get_nowait()
            log("main", "get_nowait() returned %s" % item)
        except QueueEmpty:
            log("main", "get_nowait() on the empty queue raised QueueEmpty")
    c = asyncio.create_task(consumer(q))
    await producer(q)
    if BROKEN:
        lost = len([item for item in q if item is not None])
        log("main", "never processed: %d items, the list holds %s" % (lost, q))
    else:
        log("main", "join() waits until every item is processed")
        await q.join()
        log("main", "join() returned: every item processed")
    await c


asyncio.run(main())
