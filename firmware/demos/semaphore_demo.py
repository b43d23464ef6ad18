# Semaphore demo: Semaphore(2) lets two of three workers in at a time.
#
# Watch for: workers arrive 200 ms apart; workers 1 and 2 acquire at once,
# worker 3 "waits for the semaphore" until worker 1 releases (at 3 s) and
# acquires at that same moment ("waited for worker-1"); never more than two
# holders ("max holders at once: 2 (limit 2)"), then "Main Coroutine" and
# "All Workers Completed" at the end.
#
# Broken (--broken): the same workers without the semaphore. Nothing stops
# worker 3: all three are in at once ("holders: 3, over the limit of 2!" and
# "max holders at once: 3 (limit 2)"), as if three tasks used a resource that
# can only serve two (a bus, a radio, a buffer pool).
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Semaphore

# --broken runs the demo without the Semaphore (synccli rewrites this line).
BROKEN = False
# --speed F: every sleep lasts int(MS / SPEED) ms (synccli rewrites this line).
SPEED = 1

LIMIT = 2  # how many workers may be in at once
HOLD_MS = 3000
ARRIVE_MS = 200
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


holders = 0
max_holders = 0
released = []  # who released the semaphore, in order


def held():
    return "holders: %d" % holders if holders <= LIMIT else "holders: %d, over the limit of %d!" % (holders, LIMIT)


async def worker(i, semaphore):
    global holders, max_holders
    name = "worker-%d" % i
    await asyncio.sleep_ms(int(ARRIVE_MS * (i - 1) / SPEED))
    if BROKEN:
        holders += 1
        log(name, "goes in without a semaphore (%s)" % held())
    elif semaphore.locked():
        log(name, "waits for the semaphore (%d holders)" % holders)
        await semaphore.acquire()
        holders += 1
        log(name, "Successfully acquired the semaphore (%s, waited for %s)" % (held(), released[-1]))
    else:
        await semaphore.acquire()
        holders += 1
        log(name, "Successfully acquired the semaphore (%s)" % held())
    max_holders = max(max_holders, holders)
    await asyncio.sleep_ms(int(HOLD_MS / SPEED))
    holders -= 1
    if BROKEN:
        log(name, "leaves")
    else:
        log(name, "Releasing Semaphore")
        released.append(name)
        semaphore.release()


async def workers():
    my_semaphore = None if BROKEN else Semaphore(LIMIT)
    # asyncio.wait does not exist on MicroPython; gather waits for all three.
    await asyncio.gather(worker(1, my_semaphore), worker(2, my_semaphore), worker(3, my_semaphore))
    log("main", "Main Coroutine")


async def main():
    global T0
    T0 = time.ticks_ms()
    await workers()
    log("main", "All Workers Completed")
    log("main", "max holders at once: %d (limit %d)" % (max_holders, LIMIT))


asyncio.run(main())
