# Event demo: three waiters block on one Event until a setter fires it.
#
# Watch for: the three "waits for the event" lines at 0 ms, nothing for
# 1.5 s, then "event.set()" and all three "got event" lines at that same
# moment; a late waiter that arrives after the event is set passes straight
# through; clear() makes the event block again.
#
# Broken (--broken): no Event, only a flag that the waiters poll (every 650,
# 850 and 1100 ms). Nobody is woken when it goes up at 1.5 s: each waiter
# sees it only at its next poll, 200 to 700 ms late and each at a different
# moment ("resumed together: False"), after polls that found nothing.
# Polling trades wasted wake-ups against lateness; an Event has neither.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Event

# --broken runs the demo without the Event (synccli rewrites this line).
BROKEN = False
# --speed F: every sleep lasts int(MS / SPEED) ms (synccli rewrites this line).
SPEED = 1

SET_AFTER_MS = 1500
LATE_MS = 2500
POLL_MS = (650, 850, 1100)  # --broken: how often waiters 1-3 look at the flag
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


resumed = []  # ms since T0 at which waiters 1-3 went on
ready = False  # --broken: the flag that stands in for the Event


async def waiter(i, event):
    name = "waiter-%d" % i
    if BROKEN:
        poll = POLL_MS[i - 1]
        log(name, "polls a flag every %d ms (no event to wait on)" % poll)
        polls = 0
        while not ready:
            await asyncio.sleep_ms(int(poll / SPEED))
            polls += 1
        resumed.append(time.ticks_diff(time.ticks_ms(), T0))
        log(name, "sees the flag at poll %d (%d found nothing)" % (polls, polls - 1))
    else:
        log(name, "waits for the event")
        await event
        resumed.append(time.ticks_diff(time.ticks_ms(), T0))
        log(name, "got event")


async def setter(event):
    global ready
    await asyncio.sleep_ms(int(SET_AFTER_MS / SPEED))
    if BROKEN:
        log("setter", "ready = True (nobody is woken: each waiter sees it at its next poll)")
        ready = True
    else:
        log("setter", "event.set(): wakes every waiter at once")
        event.set()


async def latecomer(event):
    await asyncio.sleep_ms(int(LATE_MS / SPEED))
    if BROKEN:
        log("waiter-4", "arrives late, flag is set: %s" % ready)
        log("waiter-4", "goes on at once")
    else:
        log("waiter-4", "arrives late, event is set: %s" % event.is_set())
        await event
        log("waiter-4", "got event at once")


async def main():
    global T0, ready
    T0 = time.ticks_ms()
    event = None if BROKEN else Event()
    await asyncio.gather(waiter(1, event), waiter(2, event), waiter(3, event), setter(event), latecomer(event))
    spread = (max(resumed) - min(resumed)) * SPEED  # ms at speed 1: about 0, or 500 with --broken
    log("main", "waiters 1-3 resumed together: %s" % (spread < 250))
    if BROKEN:
        ready = False
        log("main", "ready = False: the flag is down again")
    else:
        event.clear()
        log("main", "event.clear(): is_set() = %s" % event.is_set())


asyncio.run(main())
