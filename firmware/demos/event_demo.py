# Event demo: three waiters block on `await event` until a setter fires it.
# Watch for: the three "waiting for event" lines at 0 ms, nothing for 1.5 s,
# then "event.set()" and all three "got event" lines at the same moment; a
# late waiter that arrives after the event is set passes straight through;
# clear() makes the event block again.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Event

SET_AFTER_MS = 1500
LATE_MS = 2500
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


resumed = []


async def waiter(i, event):
    name = "waiter-%d" % i
    log(name, "waiting for event")
    await event
    resumed.append(time.ticks_diff(time.ticks_ms(), T0))
    log(name, "got event")


async def setter(event):
    await asyncio.sleep_ms(SET_AFTER_MS)
    log("setter", "event.set()")
    event.set()


async def late_waiter(event):
    await asyncio.sleep_ms(LATE_MS)
    log("waiter-4", "arrives late, event is set: %s" % event.is_set())
    await event
    log("waiter-4", "got event at once")


async def main():
    global T0
    T0 = time.ticks_ms()
    event = Event()
    await asyncio.gather(waiter(1, event), waiter(2, event), waiter(3, event), setter(event), late_waiter(event))
    spread = max(resumed) - min(resumed)
    log("main", "waiters 1-3 resumed together: %s" % (spread < 100))
    event.clear()
    log("main", "event.clear(): is_set() = %s" % event.is_set())


asyncio.run(main())
