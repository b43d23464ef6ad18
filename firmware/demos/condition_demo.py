# Condition demo: two consumers wait on a Condition for items a producer announces.
#
# Watch for: each consumer "waits for an item (cond.wait())"; each notify()
# wakes exactly one consumer, the one waiting longest, so the items alternate
# between consumer-1 and consumer-2; a woken consumer takes its item only with
# the lock held again; notify_all() at the end wakes both to leave, and
# nobody is ever "woken for nothing".
#
# Broken (--broken): no Condition: the consumers wait on a plain Event that
# the producer sets for every item. set() wakes every waiting consumer, not
# one: for each item one consumer gets it and the other is "woken, but the
# item is gone" and has to go back to waiting ("woken for nothing: 4").
# With more consumers, every item would wake them all; notify() wakes one
# per item, and the Condition's lock keeps the check and the take together.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Condition, Event

# --broken runs the demo with an Event instead of the Condition (synccli rewrites this line).
BROKEN = False
# --speed F: every sleep lasts int(MS / SPEED) ms (synccli rewrites this line).
SPEED = 1

PRODUCE_MS = 600
CONSUME_MS = 300
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


items = []
done = False
for_nothing = 0  # wake-ups that found no item


async def consumer(i, cond, ready):
    global for_nothing
    name = "consumer-%d" % i
    while True:
        woken = ""
        if BROKEN:
            while not items and not done:
                log(name, "waits for an item (ready.wait())")
                await ready.wait()
                ready.clear()
                woken = "woken, "
                if not items and not done:
                    for_nothing += 1
                    log(name, "woken, but the item is gone: woken for nothing")
            if not items:
                log(name, woken + "no more items, leaving")
                return
            item = items.pop(0)
            log(name, woken + "got item %d" % item)
        else:
            async with cond:
                while not items and not done:
                    log(name, "waits for an item (cond.wait())")
                    await cond.wait()
                    woken = "woken, "
                if not items:
                    log(name, woken + "no more items, leaving")
                    return
                item = items.pop(0)
                log(name, woken + "got item %d" % item)
        await asyncio.sleep_ms(int(CONSUME_MS / SPEED))  # use it, without holding the lock


async def producer(cond, ready):
    global done
    for item in range(1, 5):
        await asyncio.sleep_ms(int(PRODUCE_MS / SPEED))
        if BROKEN:
            items.append(item)
            log("producer", "added item %d, ready.set()" % item)
            ready.set()
        else:
            async with cond:
                items.append(item)
                log("producer", "added item %d, notify()" % item)
                cond.notify()
    await asyncio.sleep_ms(int(PRODUCE_MS / SPEED))
    if BROKEN:
        done = True
        log("producer", "no more items, ready.set()")
        ready.set()
    else:
        async with cond:
            done = True
            log("producer", "no more items, notify_all()")
            cond.notify_all()


async def main():
    global T0
    T0 = time.ticks_ms()
    cond = None if BROKEN else Condition()
    ready = Event() if BROKEN else None
    await asyncio.gather(consumer(1, cond, ready), consumer(2, cond, ready), producer(cond, ready))
    log("main", "all consumers done; woken for nothing: %d" % for_nothing)


asyncio.run(main())
