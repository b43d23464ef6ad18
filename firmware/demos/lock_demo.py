# Lock demo: three tasks take turns with one Lock to update a shared counter.
#
# Watch for: each round reads the counter, works for 600 ms (an await: the
# other tasks run meanwhile) and writes the value + 1 back, all with the lock
# held. The tasks arrive 200 ms apart; one that finds the lock taken prints
# "waits for the lock", and once it has the lock, "Acquired lock ... (waited
# for task-1, task-2)": whose turns it waited through. The turns go 1, 2, 3,
# 1, 2, 3 (first come, first served), every "Acquired" follows a "Releasing",
# and the final counter is 9 as expected.
#
# Broken (--broken): the same tasks without the lock. All three read the
# counter before any has written it back, so each write overwrites the
# others': "final counter: 3, expected 9 (6 updates lost)". A read/await/write
# is not atomic in asyncio; the lock makes it so.
import time

try:
    import asyncio
except ImportError:
    import uasyncio as asyncio
from sync import Lock

# --broken runs the demo without the Lock (synccli rewrites this line).
BROKEN = False
# --speed F: every sleep lasts int(MS / SPEED) ms (synccli rewrites this line).
SPEED = 1

ROUNDS = 3
ARRIVE_MS = 200  # task i starts (i - 1) * 200 ms after task 1
WORK_MS = 600  # between reading the counter and writing it back
T0 = time.ticks_ms()


def log(name, text):
    print("%5d ms  %-10s %s" % (time.ticks_diff(time.ticks_ms(), T0), name, text))


counter = 0
waiting = 0  # tasks blocked in lock.acquire()
holder = None  # the task holding the lock
turns = []  # who had the lock, in order


async def task(i, lock):
    global counter, waiting, holder
    name = "task-%d" % i
    await asyncio.sleep_ms(int(ARRIVE_MS * (i - 1) / SPEED))
    for r in range(1, ROUNDS + 1):
        if BROKEN:
            value = counter
            log(name, "reads counter = %d (round %d, no lock)" % (value, r))
        else:
            # locked() is False while release() hands the lock over to a
            # waiter that has not resumed yet: count the waiters too.
            if lock.locked() or waiting > 0:
                first = len(turns) - 1 if holder else len(turns)  # the holder's turn, then the next ones
                log(name, "waits for the lock")
                waiting += 1
                await lock.acquire()
                waiting -= 1
                how = "round %d, waited for %s" % (r, ", ".join(turns[first:]))
            else:
                await lock.acquire()
                how = "round %d" % r
            holder = name
            turns.append(name)
            value = counter
            log(name, "Acquired lock in task %d (%s), reads counter = %d" % (i, how, value))
        await asyncio.sleep_ms(int(WORK_MS / SPEED))  # slow work: the others run meanwhile
        counter = value + 1
        if BROKEN:
            log(name, "writes counter = %d" % counter)
        else:
            log(name, "writes counter = %d, Releasing lock" % counter)
            holder = None
            lock.release()


async def main():
    global T0
    T0 = time.ticks_ms()
    lock = None if BROKEN else Lock()
    log("main", "3 tasks add 1 to a shared counter, %d rounds each: read, work, write" % ROUNDS)
    await asyncio.gather(task(1, lock), task(2, lock), task(3, lock))
    expected = 3 * ROUNDS
    log("main", "final counter: %d, expected %d (%d updates lost)" % (counter, expected, expected - counter))


asyncio.run(main())
