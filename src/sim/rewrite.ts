// The WebAssembly MicroPython runs asyncio on the JS event loop and has no
// asyncio.run(). Board scripts end with `asyncio.run(main())` and expect it to
// block until main() finishes, so outside function bodies we turn that call
// (and loop.run_until_complete / loop.run_forever) into `await asyncio.run(...)`
// wherever it stands on the line (`print(loop.run_until_complete(f()))` gets
// f's result, as on a board). Top-level await is allowed in this build; user
// code itself may not use it (see syntaxError in interpreter.ts). Line numbers
// are unchanged, so tracebacks still point at the user's lines.

const RUN_CALL = /(?:u?asyncio\.run|[A-Za-z_][\w.]*(?:\(\s*\))?\.(?:run_until_complete|run_forever))\s*\(/y;
const BLOCK = /^(\s*)(?:async\s+def|def|class)\b/;

/** Where each blocking run call starts on this line, outside strings and comments. */
function runCalls(line: string, state: { triple: string | null }): number[] {
  const at: number[] = [];
  let i = 0;
  let code = ""; // the line so far with strings blanked (to look back for `await` and `lambda`)
  while (i < line.length) {
    if (state.triple) {
      const end = line.indexOf(state.triple, i);
      if (end < 0) return at;
      i = end + 3;
      state.triple = null;
      code += '""';
      continue;
    }
    const c = line[i];
    if (c === "#") break;
    if (c === '"' || c === "'") {
      if (line.startsWith(c.repeat(3), i)) {
        state.triple = c.repeat(3);
        i += 3;
        continue;
      }
      let j = i + 1;
      while (j < line.length && line[j] !== c) j += line[j] === "\\" ? 2 : 1;
      i = j + 1;
      code += '""';
      continue;
    }
    const prev = i > 0 ? line[i - 1] : " ";
    if (!/[\w.]/.test(prev)) {
      RUN_CALL.lastIndex = i;
      if (RUN_CALL.test(line) && !/\bawait\s*$/.test(code) && !/\blambda\b/.test(code)) at.push(i);
    }
    code += c;
    i++;
  }
  return at;
}

export function rewriteTopLevelRuns(source: string): string {
  const lines = source.split("\n");
  const blocks: number[] = []; // indents of enclosing def/class bodies
  const state = { triple: null as string | null };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const inString = state.triple !== null;
    if (!inString) {
      if (line.trim() === "" || line.trim().startsWith("#")) continue;
      const indent = line.length - line.trimStart().length;
      while (blocks.length && indent <= blocks[blocks.length - 1]) blocks.pop();
      if (BLOCK.test(line)) blocks.push(indent);
    }
    const calls = runCalls(line, state);
    if (blocks.length || calls.length === 0) continue;
    let out = line;
    for (const at of calls.reverse()) out = `${out.slice(0, at)}await ${out.slice(at)}`;
    lines[i] = out;
  }
  return lines.join("\n");
}
