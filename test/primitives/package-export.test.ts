// Users import the mirror as "synccli/primitives": the package `exports`
// entry must resolve at run time and carry type declarations.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe('"synccli/primitives" export', () => {
  it("resolves at run time with every primitive", () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", "const m = await import('synccli/primitives'); console.log(Object.keys(m).sort().join(','))"], {
      cwd: root,
      encoding: "utf8",
    });
    for (const name of ["Lock", "Event", "Semaphore", "BoundedSemaphore", "Barrier", "BrokenBarrierError", "Queue", "QueueEmpty", "QueueFull", "Condition"])
      expect(out.trim().split(",")).toContain(name);
  });

  it("type-checks a consumer under NodeNext resolution", () => {
    // Inside the package so that "synccli" self-references through `exports`.
    const dir = mkdtempSync(join(root, "test", ".consumer-"));
    writeFileSync(
      join(dir, "use.ts"),
      `import { Lock, Queue, QueueEmpty } from "synccli/primitives";
const q = new Queue<number>(2);
export async function f(): Promise<number> {
  const l = new Lock();
  await l.acquire({ timeoutMs: 10 });
  l.release();
  await q.put(1);
  return q.getNowait();
}
export const e: unknown = QueueEmpty;
// @ts-expect-error a Queue<number> takes numbers only
q.putNowait("x");
`,
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    // @ts-expect-error above fails the check if the declarations were missing (everything `any`).
    try {
      execFileSync(process.execPath, [tsc, "--ignoreConfig", "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "node", join(dir, "use.ts")], { cwd: root, encoding: "utf8" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
