// Preloaded with `node --import` by the launcher test: holds the program's
// main module back for a while and says so on stderr, so a test can press
// Ctrl-C at a known moment while synccli is still loading.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`
import { writeSync } from "node:fs";
export async function load(url, context, next) {
  if (url.endsWith("/dist/cli/main.js")) {
    writeSync(2, "LOADING main.js\\n");
    await new Promise((r) => setTimeout(r, 3000));
  }
  return next(url, context);
}`),
);
