// `synccli fs ...`: the board's files, with mpremote's convention that a path
// starting with `:` is on the board (`fs cp main.py :main.py`, `fs cp :data.txt .`).
import { summary } from "./commands.js";
import type { Command } from "commander";
import chalk from "chalk";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileError, globals, openSession, type Session } from "./context.js";
import { EXIT, UserError } from "../errors.js";
import type { Board } from "../board/board.js";
import type { KnownStats } from "../board/fs.js";
import { perBoardFile } from "./fanout.js";
import { progress } from "./progress.js";


const fsMod = () => import("../board/fs.js");

async function withBoard<T>(cmd: Command, fn: (board: Board, session: Session, json: boolean) => Promise<T>): Promise<T> {
  const g = globals(cmd);
  const session = await openSession(g);
  try {
    return await fn(session.board, session, g.json === true);
  } finally {
    await session.close();
  }
}

const out = (s: string): void => void process.stdout.write(s);
const json = (v: unknown): void => out(JSON.stringify(v) + "\n");
const shown = (p: string) => `:${p}`;

export interface CopyReport {
  copied: { from: string; to: string; bytes: number }[];
  unchanged: { from: string; to: string }[];
  bytes: number;
}

interface Planned {
  from: string;
  to: string;
  size: number;
}


/** Everything under a local folder, parents before children, names sorted. */
export function localFiles(root: string): { rel: string; dir: boolean }[] {
  const result: { rel: string; dir: boolean }[] = [];
  const visit = (rel: string) => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(join(root, r)).isDirectory()) {
        result.push({ rel: r, dir: true });
        visit(r);
      } else result.push({ rel: r, dir: false });
    }
  };
  visit("");
  return result;
}

const usage = (message: string, hint: string) => new UserError(message, hint, EXIT.usage);

/** fs cp: this computer → board (checksum skip), board → this computer, or board → board. */
export async function copy(board: Board, sources: string[], dest: string, opts: { recursive?: boolean; bar?: boolean } = {}): Promise<CopyReport> {
  const fs = await fsMod();
  const onBoard = (p: string) => p.startsWith(":");
  const report: CopyReport = { copied: [], unchanged: [], bytes: 0 };
  if (sources.length === 0) throw usage("fs cp needs a source and a destination", "e.g. `synccli fs cp main.py :main.py` (`:` marks the board)");
  const up = sources.every((s) => !onBoard(s));
  const down = sources.every(onBoard);
  if (!up && !down) throw usage("fs cp: the sources must all be on this computer or all on the board (`:path`)", "copy in two steps");
  if (up && !onBoard(dest)) throw usage("fs cp: neither side is on the board", "mark the board's path with `:`, e.g. `synccli fs cp main.py :main.py`");
  const isDirSource = (p: string) => new UserError(`fs cp: ${p} is a directory`, "copy a folder with `fs cp -r`", fs.FS_EXIT.refused);

  if (up) {
    const base = fs.boardPath(dest);
    const there = await fs.stat(board, base);
    const intoDir = dest === ":" || dest.endsWith("/") || sources.length > 1 || there?.type === "dir";
    if (intoDir && !there && sources.length > 1) throw fs.notFound(base);
    const files: (Planned & { data: Uint8Array; checked: boolean })[] = [];
    const dirs: string[] = [];
    for (const src of sources) {
      if (!existsSync(src)) throw fs.notFound(src, "on this computer");
      const target = intoDir ? fs.joinBoard(base, basename(src)) : base;
      if (statSync(src).isDirectory()) {
        if (!opts.recursive) throw usage(`fs cp: ${src} is a folder`, "copy a folder with `fs cp -r`");
        dirs.push(target);
        for (const f of localFiles(src)) {
          if (f.dir) dirs.push(fs.joinBoard(target, f.rel));
          else {
            const data = readFileSync(join(src, f.rel));
            files.push({ from: join(src, f.rel), to: fs.joinBoard(target, f.rel), size: data.length, data, checked: false });
          }
        }
      } else {
        const data = readFileSync(src);
        files.push({ from: src, to: target, size: data.length, data, checked: true });
      }
    }
    const hashes = files.length ? await fs.hashFiles(board, files.map((f) => f.to)) : new Map();
    const { sha256, writeFile } = await import("../board/files.js");
    const toCopy = files.filter((f) => {
      const h = hashes.get(f.to);
      const same = h !== undefined && !h.dir && h.hash !== undefined && h.size === f.size && h.hash === sha256(f.data);
      if (same) report.unchanged.push({ from: f.from, to: shown(f.to) });
      return !same;
    });
    for (const d of dirs) await fs.mkdir(board, d, true);
    const total = toCopy.reduce((n, f) => n + f.size, 0);
    const bar = progress(total, "copying", opts.bar !== false);
    try {
      for (const f of toCopy) {
        const tick = (n: number) => bar.tick(n, basename(f.from));
        // A top-level file may be aimed at a missing folder or at a folder: putFile says which.
        if (f.checked) await fs.putFile(board, f.to, f.data, tick);
        else await writeFile(board, f.to, f.data, tick);
        report.copied.push({ from: f.from, to: shown(f.to), bytes: f.size });
        report.bytes += f.size;
      }
    } finally {
      bar.stop();
    }
    return report;
  }

  if (onBoard(dest)) {
    // board → board: files only, copied by the board itself. Each path is asked
    // about once (a round trip each), whichever check needs it first.
    const known: KnownStats = new Map();
    const base = fs.boardPath(dest);
    const there = await fs.statOnce(board, base, known);
    const intoDir = dest.endsWith("/") || dest === ":" || sources.length > 1 || there?.type === "dir";
    for (const src of sources) {
      const from = fs.boardPath(src);
      const s = await fs.statOnce(board, from, known);
      if (!s) throw fs.notFound(from);
      if (s.type === "dir") throw usage(`fs cp: copying a folder from board to board (${shown(from)}) is not supported`, "copy it to this computer and back, or file by file");
      const to = intoDir ? fs.joinBoard(base, basename(from)) : base;
      // Onto itself (`:x.txt :/`, `:./x.txt :x.txt`) there is nothing to copy. A file holding
      // the same bytes is current too, as in the other directions; on a case-insensitive
      // filesystem (FAT) that is also how `:X.TXT :x.txt` shows to be the same file.
      if (to === from || (await sameContent(board, from, to, s.size, known))) {
        report.unchanged.push({ from: shown(from), to: shown(to) });
        continue;
      }
      const n = await fs.copyOnBoard(board, from, to, known);
      report.copied.push({ from: shown(from), to: shown(to), bytes: n });
      report.bytes += n;
    }
    return report;
  }

  // board → this computer
  const intoDir = sources.length > 1 || dest.endsWith("/") || dest === "." || dest === ".." || (existsSync(dest) && statSync(dest).isDirectory());
  if (intoDir && !existsSync(dest)) throw fs.notFound(dest, "on this computer");
  const plan: Planned[] = [];
  const localDirs: string[] = [];
  for (const src of sources) {
    const from = fs.boardPath(src);
    const s = await fs.stat(board, from);
    if (!s) throw fs.notFound(from);
    // Several boards at once copy into one folder: each board's copy is named after it.
    const target = perBoardFile(intoDir ? join(dest, basename(from) || "board") : dest);
    if (s.type === "dir") {
      if (!opts.recursive) throw isDirSource(shown(from));
      localDirs.push(target);
      for (const e of await fs.walk(board, from)) {
        if (e.type === "dir") localDirs.push(join(target, e.name));
        else plan.push({ from: fs.joinBoard(from, e.name), to: join(target, e.name), size: e.size });
      }
    } else plan.push({ from, to: target, size: s.size });
  }
  const writeLocal = (fn: () => void, path: string) => {
    try {
      fn();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw fs.notFound(path, "on this computer");
      // A folder the copy needs (the destination of `cp -r`, or one above a file) has a file's name.
      const file = code === "EEXIST" || code === "ENOTDIR" ? localFileInTheWay(path) : undefined;
      if (file) throw new UserError(`fs cp: cannot write ${path}: the file ${file} is in the way of a folder`, "remove or rename that file, or copy to another destination", EXIT.usage);
      // This computer's side (a folder in the way, no permission): the user's setup, exit 2 like any local file.
      throw fileError(err) ?? new UserError(`fs cp: cannot write ${path}: ${code ?? (err as Error).message}`, "check the destination on this computer", EXIT.usage);
    }
  };
  for (const d of localDirs) writeLocal(() => mkdirSync(d, { recursive: true }), d);
  // A local copy of the same size may already be current: the board's hashes say (no transfer).
  const sameSize = plan.filter((f) => {
    try {
      const st = statSync(f.to, { throwIfNoEntry: false });
      return st?.isFile() === true && st.size === f.size;
    } catch {
      return false; // a file where a folder above it goes (ENOTDIR): writing it says so
    }
  });
  if (sameSize.length) {
    const hashes = await fs.hashFiles(board, sameSize.map((f) => f.from));
    const { sha256 } = await import("../board/files.js");
    const current = new Set(sameSize.filter((f) => hashes.get(f.from)?.hash === sha256(readFileSync(f.to))));
    for (const f of current) report.unchanged.push({ from: shown(f.from), to: f.to });
    plan.splice(0, plan.length, ...plan.filter((f) => !current.has(f)));
  }
  const bar = progress(
    plan.reduce((n, f) => n + f.size, 0),
    "copying",
    opts.bar !== false,
  );
  try {
    for (const f of plan) {
      const data = await fs.readFile(board, f.from, (n) => bar.tick(n, basename(f.from)));
      writeLocal(() => writeFileSync(f.to, data), f.to);
      report.copied.push({ from: shown(f.from), to: f.to, bytes: data.length });
      report.bytes += data.length;
    }
  } finally {
    bar.stop();
  }
  return report;
}

/** Whether `to` on the board is a file holding what `from` holds (hashed only when the sizes match). */
async function sameContent(board: Board, from: string, to: string, size: number, known: KnownStats): Promise<boolean> {
  const fs = await fsMod();
  const there = await fs.statOnce(board, to, known);
  if (there?.type !== "file" || there.size !== size) return false;
  const hashes = await fs.hashFiles(board, [from, to]);
  const a = hashes.get(from);
  const b = hashes.get(to);
  return a?.hash !== undefined && !a.dir && !b?.dir && a.hash === b?.hash;
}

type CatFile = { path: string; content: string } | { path: string; content: null; contentBase64: string };

/**
 * `fs mkdir -p :x/y`, as with mkdir(1), takes `:x/y` for the port (-p is the global
 * --port) and leaves no path. No port's name starts with `:`, a board path's does:
 * say what happened instead of "missing argument" or "serial port :x/y does not exist".
 */
function mkdirCheck(paths: string[], cmd: Command): void {
  const ports: string[] = globals(cmd).port ?? [];
  const board = ports.find((p) => p.startsWith(":"));
  if (board) throw usage(`fs mkdir: -p ${board} gave a port (-p is --port), not a folder to make`, `use --parents: \`synccli fs mkdir --parents ${board}\``);
  if (paths.length === 0) throw usage("fs mkdir needs a folder to make", "e.g. `synccli fs mkdir :lib` (`--parents` also makes the folders above)");
}

/** A file for `fs cat --json`: text as itself; other bytes in base64, since decoding them as UTF-8 would replace them. */
export function catFile(path: string, data: Uint8Array): CatFile {
  try {
    return { path, content: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(data) };
  } catch {
    return { path, content: null, contentBase64: Buffer.from(data).toString("base64") };
  }
}

/** The first file (not a folder) among `path` and the folders above it on this computer, if there is one. */
function localFileInTheWay(path: string): string | undefined {
  const chain: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of chain) {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (!st.isDirectory()) return p;
  }
  return undefined;
}

function formatSize(n: number): string {
  return n < 10_000 ? `${n}` : n < 10_000_000 ? `${Math.round(n / 1024)}K` : `${Math.round(n / 1024 / 1024)}M`;
}

export function registerFs(program: Command) {
  const fsCmd = program
    .command("fs")
    .description(summary("fs"));

  fsCmd
    .command("ls")
    .argument("[path]", "folder on the board (`:` optional)", ":/")
    .description("list a folder on the board")
    .action(async (path: string, _o, cmd: Command) =>
      withBoard(cmd, async (board, _s, asJson) => {
        const fs = await fsMod();
        const p = fs.boardPath(path);
        const entries = await fs.listDir(board, p);
        if (asJson) return json({ path: p, entries });
        for (const e of entries) out(`${(e.type === "dir" ? "" : String(e.size)).padStart(9)} ${e.name}${e.type === "dir" ? "/" : ""}\n`);
      }),
    );

  fsCmd
    .command("tree")
    .argument("[path]", "folder on the board", ":/")
    .description("everything under a folder on the board")
    .action(async (path: string, _o, cmd: Command) =>
      withBoard(cmd, async (board, _s, asJson) => {
        const fs = await fsMod();
        const p = fs.boardPath(path);
        const entries = await fs.walk(board, p);
        if (asJson) return json({ path: p, entries: entries.map((e) => ({ path: fs.joinBoard(p, e.name), type: e.type, size: e.size })) });
        out(`:${p}\n`);
        const lastAt: boolean[] = [];
        entries.forEach((e, i) => {
          const depth = e.name.split("/").length - 1;
          // The last entry at its depth before the walk climbs back up gets the corner.
          const next = entries.slice(i + 1).find((x) => x.name.split("/").length - 1 <= depth);
          const last = !next || next.name.split("/").length - 1 < depth;
          lastAt[depth] = last;
          const indent = lastAt.slice(0, depth).map((l) => (l ? "    " : "│   ")).join("");
          const name = e.name.split("/").pop()!;
          out(`${indent}${last ? "└── " : "├── "}${name}${e.type === "dir" ? "/" : chalk.dim(`  ${formatSize(e.size)}`)}\n`);
        });
      }),
    );

  fsCmd
    .command("cat")
    .argument("<paths...>", "files on the board")
    .description("print files from the board (their bytes as they are); --json: {files: [{path, content}]}, where a file that is not UTF-8 text has content null and its bytes in contentBase64")
    .action(async (paths: string[], _o, cmd: Command) =>
      withBoard(cmd, async (board, _s, asJson) => {
        const fs = await fsMod();
        const files: CatFile[] = [];
        for (const path of paths) {
          const p = fs.boardPath(path);
          const data = await fs.readFile(board, p);
          if (asJson) files.push(catFile(p, data));
          else process.stdout.write(Buffer.from(data));
        }
        if (asJson) json({ files });
      }),
    );

  fsCmd
    .command("cp")
    .argument("<paths...>", "sources then destination; `:path` is on the board")
    .option("-r, --recursive", "copy folders")
    .description("copy files: `fs cp main.py :main.py`, `fs cp -r lib :`, `fs cp :data.txt .`; unchanged files (same SHA-256) are not copied again, either way")
    .action(async (paths: string[], opts: { recursive?: boolean }, cmd: Command) =>
      withBoard(cmd, async (board, _s, asJson) => {
        if (paths.length < 2) throw usage("fs cp needs a source and a destination", "e.g. `synccli fs cp main.py :main.py` (`:` marks the board)");
        const report = await copy(board, paths.slice(0, -1), paths[paths.length - 1], { recursive: opts.recursive, bar: !asJson });
        if (asJson) return json(report);
        for (const c of report.copied) out(`${c.from} -> ${c.to} (${c.bytes} bytes)\n`);
        for (const u of report.unchanged) out(chalk.dim(`${u.from} = ${u.to} (unchanged)\n`));
        const boot = report.copied.map((c) => c.to).find((t) => /^:\/(main|boot)\.py$/.test(t));
        if (boot) process.stderr.write(chalk.dim(`${boot.slice(2)} runs when the board starts: \`synccli reset\` runs it now\n`));
      }),
    );

  const simple = (
    name: string,
    description: string,
    fn: (board: Board, path: string, opts: Record<string, boolean | undefined>) => Promise<void>,
    flag?: [string, string],
    check?: (paths: string[], cmd: Command) => void,
  ) => {
    // With a check, the paths are checked by it (an empty list too), not by commander.
    const c = fsCmd.command(name).argument(check ? "[paths...]" : "<paths...>", "paths on the board (`:` optional)").description(description);
    if (flag) c.option(flag[0], flag[1]);
    c.action(async (paths: string[], opts: Record<string, boolean | undefined>, cmd: Command) => {
      check?.(paths, cmd);
      return withBoard(cmd, async (board, _s, asJson) => {
        const fs = await fsMod();
        const done: string[] = [];
        for (const path of paths) {
          const p = fs.boardPath(path);
          await fn(board, p, opts);
          done.push(p);
        }
        if (asJson) json({ ok: true, [name === "touch" ? "touched" : name === "rm" || name === "rmdir" ? "removed" : "created"]: done });
      });
    });
  };
  simple("rm", "remove files (with -r, folders and what they hold)", async (board, p, o) => (await fsMod()).remove(board, p, o.recursive === true), ["-r, --recursive", "remove folders and everything in them"]);
  simple("mkdir", "create folders", async (board, p, o) => (await fsMod()).mkdir(board, p, o.parents === true), ["--parents", "also the folders above; no error if it exists (no -p: that is --port)"], mkdirCheck);
  simple("rmdir", "remove empty folders", async (board, p) => (await fsMod()).rmdir(board, p));
  simple("touch", "create empty files (existing ones are left as they are)", async (board, p) => (await fsMod()).touch(board, p));

  fsCmd
    .command("df")
    .argument("[path]", "a path on the filesystem to measure", ":/")
    .description("size and free space of the board's filesystem")
    .action(async (path: string, _o, cmd: Command) =>
      withBoard(cmd, async (board, _s, asJson) => {
        const fs = await fsMod();
        const d = await fs.diskUsage(board, fs.boardPath(path));
        if (asJson) return json(d);
        const pct = d.total ? Math.round((d.used / d.total) * 100) : 0;
        out(`${"size".padStart(10)} ${"used".padStart(10)} ${"free".padStart(10)}  use%  mounted on\n`);
        out(`${String(d.total).padStart(10)} ${String(d.used).padStart(10)} ${String(d.free).padStart(10)}  ${`${pct}%`.padStart(4)}  :${d.path}\n`);
      }),
    );

  fsCmd
    .command("sha256sum")
    .argument("<paths...>", "files on the board")
    .description("SHA-256 of files on the board (what hashlib gives there)")
    .action(async (paths: string[], _o, cmd: Command) =>
      withBoard(cmd, async (board, _s, asJson) => {
        const fs = await fsMod();
        const ps = paths.map((p) => fs.boardPath(p));
        const hashes = await fs.hashFiles(board, ps);
        const files: { path: string; sha256: string | null; size: number }[] = [];
        for (const p of ps) {
          const h = hashes.get(p);
          if (!h) throw fs.notFound(p);
          if (h.dir) throw new UserError(`sha256sum ${p} on the board: is a directory`, "give files; `synccli fs tree` lists a folder", fs.FS_EXIT.refused);
          if (!h.hash) throw new UserError("the board has no hashlib", "a firmware build without hashlib cannot hash files", EXIT.boardError);
          files.push({ path: p, sha256: h.hash, size: h.size });
        }
        if (asJson) return json({ files });
        for (const f of files) out(`${f.sha256}  :${f.path}\n`);
      }),
    );
}

/** `synccli uninstall`: the sync library and asyn off the board. */
export function registerUninstall(program: Command) {
  program
    .command("uninstall")
    .description(summary("uninstall"))
    .action(async (_o, cmd: Command) =>
      withBoard(cmd, async (board, _s, asJson) => {
        const { removed, absent } = await (await fsMod()).uninstallLibrary(board);
        if (asJson) return json({ removed, absent });
        out(removed.length ? `removed ${removed.map(shown).join(", ")}\n` : "the sync library was not on the board\n");
      }),
    );
}
