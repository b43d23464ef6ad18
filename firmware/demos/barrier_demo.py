# Barrier demo: three report() tasks count 0 to 4 and meet at a Barrier(3)
# after each number; the barrier's callback prints "Synch" once per phase.
# Watch for: each number printed by all three tasks before the "Synch" of its
# phase, and no task starting the next number before that "Synch". The tasks
# work at different speeds (200, 400, 600 ms per number): the fast ones wait
# for the slowest at the barrier.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Barrier

WORK_MS = 200
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


def callback(text):
    log("barrier", text)


async def report(k, barrier):
    name = "report-%d" % k
    for i in range(5):
        await asyncio.sleep_ms(WORK_MS * k)
        log(name, "%d" % i)
        await barrier


async def main():
    global T0
    T0 = time.ticks_ms()
    barrier = Barrier(3, callback, ("Synch",))
    await asyncio.gather(report(1, barrier), report(2, barrier), report(3, barrier))
    log("main", "all 5 phases done")


asyncio.run(main())
