# Barrier demo: three tasks count 0 to 4 and meet at a Barrier(3) after each number.
#
# Watch for: the tasks work at different speeds (150, 900 and 1050 ms per
# number). The fast ones print "waits at the barrier (1 of 3 arrived)",
# "(2 of 3 arrived)" and wait for the slowest; when it arrives the barrier's
# callback prints "Synch" once, and all three "pass the barrier" together, so
# every number is printed by all three tasks before any task starts the next
# one: "numbers printed ahead of their phase: 0".
#
# Broken (--broken): the same tasks without the barrier. Each counts at its
# own pace and the phases interleave: report-1 prints 1, 2, 3 and 4 before
# report-3 has printed 0 (each such line says whom it is ahead of), and the
# end counts the numbers printed ahead of their phase.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Barrier

# --broken runs the demo without the Barrier (synccli rewrites this line).
BROKEN = False
# --speed F: every sleep lasts int(MS / SPEED) ms (synccli rewrites this line).
SPEED = 1

WORK_MS = (150, 900, 1050)  # per number, for report-1, report-2, report-3
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


def callback(text):
    log("barrier", text)


printed = [0, 0, 0]  # how many numbers report-1, -2, -3 have printed
ahead = 0  # numbers printed before another task had printed the one before


async def report(k, barrier):
    global ahead
    name = "report-%d" % k
    for i in range(5):
        await asyncio.sleep_ms(int(WORK_MS[k - 1] / SPEED))
        behind = ["report-%d" % (j + 1) for j in range(3) if printed[j] < i]
        printed[k - 1] += 1
        if behind:
            ahead += 1
            log(name, "%d (ahead of %s)" % (i, ", ".join(behind)))
        else:
            log(name, "%d" % i)
        if BROKEN:
            continue
        arrived = barrier.n_waiting + 1
        if arrived < barrier.parties:
            log(name, "waits at the barrier (%d of %d arrived)" % (arrived, barrier.parties))
            await barrier
            log(name, "passes the barrier")
        else:
            log(name, "arrives last at the barrier (%d of %d)" % (arrived, barrier.parties))
            await barrier
            log(name, "passes the barrier")


async def main():
    global T0
    T0 = time.ticks_ms()
    barrier = None if BROKEN else Barrier(3, callback, ("Synch",))
    await asyncio.gather(report(1, barrier), report(2, barrier), report(3, barrier))
    log("main", "all done; numbers printed ahead of their phase: %d" % ahead)


asyncio.run(main())
