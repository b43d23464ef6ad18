// `synccli demos`: the demos as teaching material. Without an argument, one
// line per demo (name and what it shows); with a name, what to watch for
// and what its broken variant (--broken) shows. --json: the DemoInfo data.
import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { join, relative } from "node:path";
import { globals } from "./context.js";
import { FIRMWARE_DIR } from "../board/scripts.js";
import { demoInfo, listDemos, type DemoInfo } from "../demos/catalog.js";

const WIDTH = 78;
const PACKAGE_DIR = join(FIRMWARE_DIR, "..");

/** Words of `text` in lines of at most `width` characters, each starting with `indent`. */
export function wrap(text: string, width: number, indent = ""): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

/** The one-line listing: names padded to one column, then the description. */
export function renderList(demos: readonly DemoInfo[]): string {
  const width = Math.max(0, ...demos.map((d) => d.name.length));
  return demos.map((d) => `${d.name.padEnd(width)}  ${d.description}`).join("\n");
}

/** One demo in full: where it lives, its description, what to watch for, what --broken shows. */
export function renderDemo(d: DemoInfo, label: (s: string) => string = (s) => s): string {
  // Wrapped as plain text, then the label (first words) styled.
  const para = (head: string, body: string) => {
    const text = wrap(`${head} ${body}`, WIDTH);
    return label(head) + text.slice(head.length);
  };
  return [
    `${label(d.name)} (${relative(PACKAGE_DIR, d.file)})`,
    wrap(d.description, WIDTH),
    "",
    para("Watch for:", d.watchFor),
    "",
    para("Broken (--broken):", d.broken),
    "",
    `run it: synccli run ${d.name} --sim   (on a board: --port <path>; on this computer: --host)`,
  ].join("\n");
}

export function registerDemos(program: Command) {
  program
    .command("demos")
    .argument("[demo]", "a demo name (e.g. lock-demo): what to watch for and what --broken shows")
    .description(summary("demos"))
    .action((name: string | undefined, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      if (name !== undefined) {
        const d = demoInfo(name);
        process.stdout.write(g.json ? JSON.stringify(d) + "\n" : renderDemo(d, (s) => chalk.bold(s)) + "\n");
        return;
      }
      const demos = listDemos();
      process.stdout.write(g.json ? JSON.stringify(demos) + "\n" : renderList(demos) + "\n");
    });
}
