# Condition demo: two consumers wait on a Condition for items that a producer
# adds to a shared list, announcing each with notify() (wakes one waiter) and
# the end with notify_all() (wakes everyone).
# Watch for: each notify() waking exactly one consumer, the longest waiting
# one (so the items alternate between consumer-1 and consumer-2), a woken
# consumer taking its item only with the lock held again, and notify_all()
# waking both consumers to leave.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Condition

PRODUCE_MS = 600
CONSUME_MS = 300
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


items = []
done = False


async def consumer(i, cond):
    name = "consumer-%d" % i
    while True:
        async with cond:
            while not items and not done:
                log(name, "waiting for an item")
                await cond.wait()
            if not items:
                log(name, "no more items, leaving")
                return
            item = items.pop(0)
            log(name, "got item %d" % item)
        await asyncio.sleep_ms(CONSUME_MS)  # use it, without holding the lock


async def producer(cond):
    global done
    for item in range(1, 5):
        await asyncio.sleep_ms(PRODUCE_MS)
        async with cond:
            items.append(item)
            log("producer", "added item %d, notify()" % item)
            cond.notify()
    await asyncio.sleep_ms(PRODUCE_MS)
    async with cond:
        done = True
        log("producer", "no more items, notify_all()")
        cond.notify_all()


async def main():
    global T0
    T0 = time.ticks_ms()
    cond = Condition()
    await asyncio.gather(consumer(1, cond), consumer(2, cond), producer(cond))
    log("main", "all consumers done")


asyncio.run(main())
