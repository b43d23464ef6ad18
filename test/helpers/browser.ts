// A headless Chromium for tests that look at what a browser shows: Debian's
// /usr/bin/chromium (or $CHROMIUM_PATH) driven by puppeteer-core, which never
// downloads a browser. Each launch gets a fresh profile in a temp folder,
// removed again by `close`. No browser is an error, not a reason to skip:
// CI installs one (.ci/run).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

/** The Chromium to use; throws with what to do when there is none. */
export function findChromium(): string {
  const fix =
    `Install it (Debian/Ubuntu: sudo apt-get install -y --no-install-recommends chromium; .ci/run does this) ` +
    `or point CHROMIUM_PATH at a Chromium or Chrome binary.`;
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`no Chromium for the browser tests: CHROMIUM_PATH is ${fromEnv}, which does not exist. ${fix}`);
    return fromEnv;
  }
  if (existsSync(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  throw new Error(`no Chromium for the browser tests: ${DEFAULT_CHROMIUM} is missing and CHROMIUM_PATH is not set. ${fix}`);
}

export interface TestBrowser {
  browser: Browser;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = findChromium();
  const profile = mkdtempSync(join(tmpdir(), "synccli-chromium-"));
  let browser: Browser;
  try {
    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
      ],
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`could not start ${executablePath}: ${(err as Error).message}`);
  }
  return {
    browser,
    async close() {
      try {
        await browser.close();
      } finally {
        rmSync(profile, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
      }
    },
  };
}
