import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A fresh state folder (virtual boards' flash) per test file and per test.
    setupFiles: ["test/helpers/state-dir.ts"],
    // Most test time is waiting (CLI runs, virtual boards, the serial line's pace), not CPU, so
    // files run side by side. Two at once finish as soon as three did on a 2-core machine (225 s
    // against 207-230 s) and load it less: a third starved the virtual boards' timers enough to
    // reorder demo events whose margins are 150 ms.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
