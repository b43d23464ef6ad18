import { collect, summary } from "./commands.js";
import { localFiles } from "./fs.js";
import type { Command } from "commander";
import { readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { EXIT, UserError } from "../errors.js";
import { globals, openSession, runStreaming } from "./context.js";
import { prepareForScript, withPrepareOptions, type PrepareOptions } from "./install.js";
import { checkOutputs, finishRun, wantsTrace, withVisualOptions, writeVisuals, type VisualOptions } from "./visuals.js";
import { loadScript, showHeader, withDemoOptions } from "./demo-options.js";
import { RecordSplitter, type TraceEvent } from "../trace/events.js";
import { tracedSource } from "../trace/script.js";
import type { DemoOptions } from "../demos/catalog.js";
import { parseOutput } from "../demos/format.js";

export type RunOptions = PrepareOptions & VisualOptions & DemoOptions;

/**
 * Before the board is opened: every --with path is a module or package the
 * board can import from its root folder, and none takes another's place.
 * Returns the Python sources among them (do they import the library?).
 */
function checkWith(paths: string[] | undefined): string[] {
  const usage = (p: string, why: string, hint: string) => new UserError(`--with ${p}: ${why}`, hint, EXIT.usage);
  const names = new Map<string, string>();
  const sources: string[] = [];
  for (const p of paths ?? []) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) throw usage(p, "no such file or folder on this computer", "give the path of a module the script imports, e.g. --with helpers.py");
    const name = basename(resolve(p));
    const stem = st.isDirectory() ? name : name.replace(/\.(py|mpy)$/, "");
    if (st.isDirectory() && !/^[A-Za-z_]\w*$/.test(name))
      throw usage(p, `a folder goes to the board as a package, and "${name}" is not a package name`, "give the package folder (e.g. --with shapes) or the module files (--with util.py)");
    if (/^(boot|main)\.py$/.test(name)) throw usage(p, `would replace the board's ${name}, which runs at every boot`, `put it there on purpose with \`synccli fs cp ${p} :${name}\``);
    if (stem === "sync" || stem === "asyn") throw usage(p, `would hide the board's ${stem} library (/lib/${stem}${stem === "asyn" ? ".py" : ""})`, "rename your module");
    const other = names.get(name);
    if (other !== undefined) throw usage(p, `goes to the same place on the board (/${name}) as --with ${other}`, "give each module once, with different names");
    names.set(name, p);
    if (st.isDirectory()) sources.push(...pythonFiles(p).map((f) => readFileSync(f, "utf8")));
    else if (name.endsWith(".py")) sources.push(readFileSync(p, "utf8"));
  }
  return sources;
}

function pythonFiles(dir: string): string[] {
  return localFiles(dir)
    .filter((f) => !f.dir && f.rel.endsWith(".py"))
    .map((f) => join(dir, f.rel));
}

export function registerRun(program: Command) {
  withDemoOptions(
    withVisualOptions(
      withPrepareOptions(
        program
          .command("run")
          .argument("<script>", "a .py file, or a demo name (e.g. lock-demo; `synccli demos` lists them)")
          .description(summary("run")),
      ),
    ),
  )
    .option("--host", "run the demo's TypeScript mirror on this computer instead (no board)")
    .option("--with <path>", "a module (file or package folder) the script imports: put in the board's root folder first, unchanged files skipped; repeat for more", collect)
    .action(async (arg: string, opts: RunOptions & { host?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      checkOutputs(opts);
      const withSources = checkWith(opts.with);
      const script = loadScript(arg, opts);
      showHeader(script, { ...opts, json: g.json });
      if (opts.host) {
        const { runHost } = await import("./compare.js");
        process.exitCode = await runHost(arg, g, opts);
        return;
      }
      const tracing = wantsTrace(opts);
      const { code, lineOffset } = tracing ? tracedSource(script.source) : { code: script.source, lineOffset: 0 };
      const events: TraceEvent[] = [];
      // The output is kept (records taken out) for the picture's printed lines.
      let printed = "";
      const split = new RecordSplitter((e) => events.push(e));
      const keep = (text: string) => (tracing && (printed += text), text);
      const session = await openSession(g);
      try {
        await prepareForScript(session, [code, ...withSources], { ...opts, json: g.json });
        process.exitCode = await runStreaming(session, code, {
          source: script.source,
          name: script.name,
          json: g.json,
          lineOffset,
          // Records are taken out even when not asked for: tracing left on by
          // an earlier run (--no-soft-reset) or started by the script itself.
          filter: { push: (s) => keep(split.push(s)), end: () => keep(split.end()) },
        });
      } finally {
        await session.close();
      }
      if (tracing) {
        const title = `${script.demo?.name ?? script.name}${opts.broken ? " (broken)" : ""} on the board`;
        await writeVisuals([finishRun("board", events, parseOutput(printed))], opts, { title, watchFor: script.demo && (opts.broken ? script.demo.broken : script.demo.watchFor), json: g.json });
      }
    });
}
