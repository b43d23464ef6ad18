# Semaphore demo: Semaphore(2) lets two of three workers in at a time; each
# holds it for 3 s. Workers arrive 200 ms apart.
# Watch for: workers 1 and 2 acquiring at once, worker 3 waiting until worker
# 1 releases (at 3 s) and acquiring at that same moment, never more than two
# holders, then "Main Coroutine" and "All Workers Completed" at the end.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Semaphore

HOLD_MS = 3000
ARRIVE_MS = 200
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


holders = 0


async def my_worker(i, semaphore):
    global holders
    name = "worker-%d" % i
    await asyncio.sleep_ms(ARRIVE_MS * (i - 1))
    if semaphore.locked():
        log(name, "Waiting for the semaphore")
    await semaphore.acquire()
    holders += 1
    log(name, "Successfully acquired the semaphore (holders: %d)" % holders)
    await asyncio.sleep_ms(HOLD_MS)
    log(name, "Releasing Semaphore")
    holders -= 1
    semaphore.release()


async def workers():
    my_semaphore = Semaphore(2)
    # asyncio.wait does not exist on MicroPython; gather waits for all three.
    await asyncio.gather(my_worker(1, my_semaphore), my_worker(2, my_semaphore), my_worker(3, my_semaphore))
    log("main", "Main Coroutine")


async def main():
    global T0
    T0 = time.ticks_ms()
    await workers()
    log("main", "All Workers Completed")


asyncio.run(main())
