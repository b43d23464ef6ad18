// One line after a board's traceback naming the fix, for the errors people
// meet when they bring older asyncio code (uasyncio v2, the `asyn` module,
// CPython asyncio, notebooks) to MicroPython. Pure: text in, text out.

/** Classes MicroPython's asyncio lacks and the sync library provides. */
const FROM_SYNC = new Set(["Semaphore", "BoundedSemaphore", "Queue", "QueueEmpty", "QueueFull", "Barrier", "BrokenBarrierError", "Condition"]);

/** Names the notebook uses without defining them. */
const NOTEBOOK_GLUE = new Set(["eventset", "killer", "slow_process"]);

/** Primitives `from asyn import ...` gives (also `from sync import ...`). */
const ASYN_NAMES = new Set(["Lock", "Event", ...FROM_SYNC]);

/**
 * The hint for a traceback, or undefined when it is not one we know.
 * `source` is the user's script; `lineOffset` counts lines synccli put before
 * it, so `line N` in the traceback is line N - lineOffset of the source.
 */
export function hintFor(traceback: string, source?: string, lineOffset = 0): string | undefined {
  const lines = traceback.replace(/\r\n/g, "\n").split("\n").filter((l) => l.trim() !== "");
  const last = [...lines].reverse().find((l) => /^[A-Za-z_][\w.]*(?::|$)/.test(l));
  if (!last) return undefined;
  const colon = last.indexOf(":");
  const type = colon < 0 ? last : last.slice(0, colon);
  const message = colon < 0 ? "" : last.slice(colon + 1).trim();
  const src = source ?? "";
  const code = failingLine(lines, source, lineOffset);

  if (type === "SyntaxError" && /'await' outside (?:async )?function/.test(message)) return topLevelAwait(code);

  if (type === "ImportError") {
    const mod = /no module named '([\w.]+)'/.exec(message)?.[1];
    if (mod === "asyn" || mod === "sync" || mod?.startsWith("sync.")) {
      return `${mod === "asyn" ? "asyn (and the sync library it builds on)" : "the sync library"} is not on the board: \`run\` installs it when a script imports it, unless --no-install is given; or copy it once with \`synccli install\``;
    }
    if (mod === "uasyncio.queues") return "uasyncio.queues was removed in asyncio v3 (MicroPython 1.13): use `from sync import Queue` (same put/get API; synccli installs sync)";
    if (mod === "uasyncio.synchro") return "uasyncio.synchro was removed in asyncio v3: use `asyncio.Lock()`, or `from sync import Lock`";
    if (mod === "asyncio") return "this firmware predates the name asyncio (MicroPython 1.21): write `import uasyncio as asyncio`";
    if (mod === "uasyncio") return "write `import asyncio` (uasyncio is its old name, which this firmware does not keep)";
    const sub = mod ? /^u?asyncio\.(\w+)$/.exec(mod)?.[1] : undefined; // `from asyncio import X` (1.27)
    const cant = /can't import name (\w+)/.exec(message)?.[1]; // the same on older firmware
    const name = sub ?? (cant && new RegExp(`from\\s+u?asyncio\\s+import\\b[^\\n]*\\b${cant}\\b`).test(src) ? cant : undefined);
    if (name) return missingFromAsyncio(name, true);
    return undefined;
  }

  if (type === "AttributeError") {
    const mod = /module '(u?asyncio)' has no attribute '(\w+)'/.exec(message);
    // Older firmware says only the name: trust it when the code used asyncio.<name>.
    const bare = /^'?(\w+)'?$/.exec(message)?.[1];
    const name = mod?.[2] ?? (bare && new RegExp(`\\bu?asyncio\\.${bare}\\b`).test(code ?? src) ? bare : undefined);
    if (name) return missingFromAsyncio(name, false);
    if (/'Loop'.* has no attribute 'close'/.test(message) || (bare === "close" && /\.close\s*\(/.test(code ?? ""))) {
      return "MicroPython has one event loop that needs no closing: delete `loop.close()`";
    }
    return undefined;
  }

  if (type === "NameError") {
    const name = /name '(\w+)' (?:isn't|is not) defined/.exec(message)?.[1];
    if (!name) return undefined;
    if (name === "asyncio" || name === "uasyncio") return `add \`import ${name === "uasyncio" ? "uasyncio" : "asyncio"}\` at the top of the script`;
    if (name === "loop") return "add `loop = asyncio.get_event_loop()` before the first use of `loop`";
    if (name === "asyn" || name === "sync") return `add \`import ${name}\` at the top of the script`;
    if (ASYN_NAMES.has(name)) return `add \`from asyn import ${name}\` (or \`from sync import ${name}\`) at the top of the script`;
    if (NOTEBOOK_GLUE.has(name)) return `the notebook never defines ${name}: write it (see "Coming from the notebook" in synccli's README)`;
  }
  return undefined;
}

/** The user's source line the innermost `<stdin>` frame points at. */
function failingLine(lines: string[], source: string | undefined, lineOffset: number): string | undefined {
  if (source === undefined) return undefined;
  let n: number | undefined;
  for (const l of lines) {
    const m = /^\s*File "<stdin>", line (\d+)/.exec(l);
    if (m) n = Number(m[1]) - lineOffset;
  }
  return n === undefined ? undefined : source.split("\n")[n - 1];
}

function topLevelAwait(code: string | undefined): string {
  const m = code === undefined ? null : /^\s*((?:[\w.]+\s*=\s*)?)await\s+(.+?)\s*(?:#.*)?$/.exec(code);
  if (m) return `\`await\` works only inside \`async def\`: write \`${m[1]}asyncio.run(${m[2]})\` instead`;
  return "`await` works only inside `async def`: wrap the call in `asyncio.run(...)`, or move the code into `async def main():` and end the script with `asyncio.run(main())`";
}

function missingFromAsyncio(name: string, imported: boolean): string | undefined {
  if (FROM_SYNC.has(name)) {
    const how = imported ? "" : ` and write \`${name}(...)\` for \`asyncio.${name}(...)\``;
    return `MicroPython's asyncio has no ${name}: \`from sync import ${name}\`${how} (synccli installs sync)`;
  }
  if (name === "wait") return "MicroPython's asyncio has no wait(): use `await asyncio.gather(*aws)` (the coroutines as arguments, not a list)";
  return undefined;
}
