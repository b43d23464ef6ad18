# Queue demo: a producer and a consumer linked by a bounded Queue(maxsize=2).
# Watch for: get_nowait() on an empty queue raising QueueEmpty (it does not
# return None); the consumer's get() waiting on the empty queue until the
# first put(); the fast producer (one item per 300 ms) filling the queue and
# then waiting in put() until the slow consumer (1.1 s per item) takes one; the
# end marker None; join() returning only once every item is processed.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Queue, QueueEmpty

PRODUCE_MS = 300
CONSUME_MS = 1100
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


async def producer(q):
    for item in (1, 2, 3, 4, None):
        await asyncio.sleep_ms(PRODUCE_MS)  # somehow get some data
        if q.full():
            log("producer", "queue full (%d items), put(%s) waits" % (q.qsize(), item))
        else:
            log("producer", "put(%s)" % item)
        await q.put(item)


async def consumer(q):
    while True:
        if q.empty():
            log("consumer", "queue empty, get() waits")
        item = await q.get()  # pauses while the queue is empty
        if item is None:
            log("consumer", "got None: no more items")
            q.task_done()
            return
        log("consumer", "got %s" % item)
        await asyncio.sleep_ms(CONSUME_MS)  # process it
        q.task_done()


async def main():
    global T0
    T0 = time.ticks_ms()
    q = Queue(2)
    try:
        item = q.get_nowait()
        log("main", "get_nowait() returned %s" % item)
    except QueueEmpty:
        log("main", "get_nowait() on the empty queue raised QueueEmpty")
    c = asyncio.create_task(consumer(q))
    await producer(q)
    await q.join()
    log("main", "join() returned: every item processed")
    await c


asyncio.run(main())
