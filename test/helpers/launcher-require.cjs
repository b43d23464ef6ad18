// Preloaded with `node --require` by the launcher test, which says how the
// launcher's require() of the program's main module should go:
//   LAUNCHER_REQUIRE=slow  it blocks for a while (and says so on stderr), so a
//                          test can press Ctrl-C at a known moment while
//                          synccli is still loading;
//   LAUNCHER_REQUIRE=old   it fails as on Node before 20.19, which cannot
//                          require() an ES module.
const Module = require("node:module");
const { writeSync } = require("node:fs");

const load = Module._load;
Module._load = function (request, ...rest) {
  if (request.endsWith("/dist/cli/main.js")) {
    if (process.env.LAUNCHER_REQUIRE === "slow") {
      writeSync(2, "LOADING main.js\n");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
    } else if (process.env.LAUNCHER_REQUIRE === "old") {
      throw Object.assign(new Error(`require() of ES Module ${request} not supported.`), { code: "ERR_REQUIRE_ESM" });
    }
  }
  return load.call(this, request, ...rest);
};
