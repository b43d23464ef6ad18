# Lock demo: three tasks take one Lock in turns, three rounds each.
# Watch for: "Acquired" and "Releasing" lines strictly alternating, the next
# task acquiring only after the previous one released (every 500 ms), the
# turns going 1, 2, 3, 1, 2, 3 (the lock is handed over first come, first
# served), and "max holders at once: 1" at the end.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Lock

ROUNDS = 3
HOLD_MS = 500
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


holders = 0
max_holders = 0


async def task(i, lock):
    global holders, max_holders
    name = "task-%d" % i
    for r in range(1, ROUNDS + 1):
        await lock.acquire()
        holders += 1
        max_holders = max(max_holders, holders)
        log(name, "Acquired lock in task %d (round %d, holders: %d)" % (i, r, holders))
        await asyncio.sleep_ms(HOLD_MS)
        log(name, "Releasing lock")
        holders -= 1
        lock.release()


async def main():
    global T0
    T0 = time.ticks_ms()
    lock = Lock()
    log("main", "3 tasks share one lock, %d rounds each" % ROUNDS)
    await asyncio.gather(task(1, lock), task(2, lock), task(3, lock))
    log("main", "max holders at once: %d" % max_holders)


asyncio.run(main())
