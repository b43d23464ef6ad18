// The WebAssembly MicroPython runs asyncio on the JS event loop and has no
// asyncio.run(). Board scripts end with `asyncio.run(main())` and expect it to
// block until main() finishes, so outside function bodies we turn that call
// into `await asyncio.run(...)` (top-level await is allowed there). Line
// numbers are unchanged, so tracebacks still point at the user's lines.

const RUN_CALL = /^(\s*)((?:[A-Za-z_][\w.]*\s*=\s*)?)((?:u?asyncio\.run|[A-Za-z_][\w.]*\.run_until_complete)\s*\()/;
const BLOCK = /^(\s*)(?:async\s+def|def|class)\b/;

export function rewriteTopLevelRuns(source: string): string {
  const lines = source.split("\n");
  const blocks: number[] = []; // indents of enclosing def/class bodies
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const indent = line.length - line.trimStart().length;
    while (blocks.length && indent <= blocks[blocks.length - 1]) blocks.pop();
    const block = BLOCK.exec(line);
    if (block) {
      blocks.push(indent);
      continue;
    }
    if (blocks.length) continue;
    const m = RUN_CALL.exec(line);
    if (m) lines[i] = `${m[1]}${m[2]}await ${m[3]}${line.slice(m[0].length)}`;
  }
  return lines.join("\n");
}
