import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A fresh state folder (virtual boards' flash) per test file and per test.
    setupFiles: ["test/helpers/state-dir.ts"],
    // Most test time is waiting (CLI runs, virtual boards, the serial line's pace), not CPU:
    // three files at once finish in about half the time of one at a time on a 2-core machine.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
