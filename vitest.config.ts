import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A fresh state folder (virtual boards' flash) per test file and per test.
    setupFiles: ["test/helpers/state-dir.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
