// One progress bar for long transfers (fs cp, install), drawn by cli-progress
// on stderr when it is a terminal; a no-op otherwise (pipes, --json).
import type { SingleBar } from "cli-progress";

/** Copies with more payload than this get a progress bar (on a terminal). */
export const LARGE_COPY = 16 * 1024;

export interface Progress {
  tick(n: number, file: string): void;
  stop(): void;
}

/**
 * Starts at once (callers report progress from synchronous callbacks); the bar
 * module loads in the background and takes over the count so far.
 * `minimum`: smaller totals get no bar (a bar that flashes by says nothing).
 */
export function progress(total: number, verb: string, enabled: boolean, minimum = LARGE_COPY): Progress {
  if (!enabled || total === 0 || total < minimum || process.stderr.isTTY !== true) return { tick: () => {}, stop: () => {} };
  let bar: SingleBar | undefined;
  let done = 0;
  let file = "";
  let stopped = false;
  // Ctrl-C ends synccli from its handler (process.exit): give the terminal its cursor back.
  const restore = () => void process.stderr.write("\x1b[?25h");
  process.once("exit", restore);
  void import("cli-progress").then(({ SingleBar, Presets }) => {
    if (stopped) return;
    bar = new SingleBar(
      { format: `${verb} |{bar}| {percentage}% {value}/{total} bytes {file}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    bar.start(total, done, { file });
  });
  return {
    tick(n, f) {
      done += n;
      file = f;
      bar?.increment(n, { file: f });
    },
    stop() {
      stopped = true;
      bar?.stop();
      process.off("exit", restore);
    },
  };
}
