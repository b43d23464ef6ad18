// `run main.py --with helpers.py`: a script that imports a second local module
// (or a package folder) works on the board, as it does on this computer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { sharedBoards } from "../helpers/state-dir.js";

const dir = mkdtempSync(join(tmpdir(), "synccli-with-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (p: string) => join(dir, p);
writeFileSync(at("helpers.py"), "def greet(n):\n    return 'hello ' + n\n");
mkdirSync(at("shapes"));
writeFileSync(at("shapes/__init__.py"), "from .square import area\n");
writeFileSync(at("shapes/square.py"), "def area(s):\n    return s * s\n");
writeFileSync(at("main.py"), "import helpers, shapes\nprint(helpers.greet('board'), shapes.area(3))\n");
writeFileSync(at("main-no-helpers.py"), "import helpers\n");

describe("run --with", () => {
  it("puts the modules on the board before the script runs; unchanged ones are not sent again", async () => {
    // A blank virtual board: without the helper, the import fails there as on a new board.
    const bare = await runCli(["--sim", "run", at("main-no-helpers.py")]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/ImportError: no module named 'helpers'/);

    const env = sharedBoards();
    const first = await runCli(["--sim", "run", at("main.py"), "--with", at("helpers.py"), "--with", at("shapes")], { env });
    expect(first.stderr).toContain("--with: copied /helpers.py, /shapes/__init__.py, /shapes/square.py");
    expect(first.stdout).toBe("hello board 9\n");
    expect(first.code).toBe(0);

    // The virtual board keeps its flash: the second run finds them current.
    const again = await runCli(["--sim", "run", at("main.py"), "--with", at("helpers.py"), "--with", at("shapes")], { env });
    expect(again.stderr).toContain("--with: 3 unchanged");
    expect(again.stdout).toBe("hello board 9\n");
  });

  it("modules brought along that import the library get it installed", async () => {
    writeFileSync(at("uses_sync.py"), "from sync import Lock\nL = Lock()\n");
    writeFileSync(at("main-sync.py"), "import uses_sync\nprint(uses_sync.L.locked())\n");
    const r = await runCli(["--sim", "run", at("main-sync.py"), "--with", at("uses_sync.py")]);
    expect(r.stdout).toBe("False\n");
    expect(r.code).toBe(0);
  });

  it("refused before the board is opened: a missing path, boot.py/main.py, a folder that is no package (as \`.\` often is), a module that hides the library, two modules with one name", async () => {
    mkdirSync(at("other"), { recursive: true });
    writeFileSync(at("other/helpers.py"), "");
    writeFileSync(at("sync.py"), "");
    const cases: [string[], RegExp][] = [
      [[at("nope.py")], /no such file or folder on this computer/],
      [[at("main.py")], /would replace the board's main\.py/],
      [[dir], new RegExp(`"${dir.split("/").pop()}" is not a package name`)],
      [[at("sync.py")], /would hide the board's sync library/],
      [[at("helpers.py"), at("other/helpers.py")], /goes to the same place on the board \(\/helpers\.py\)/],
    ];
    const runs = await Promise.all(cases.map(([paths]) => runCli(["--sim", "run", at("helpers.py"), ...paths.flatMap((p) => ["--with", p])])));
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });

  it("a missing path, or boot.py/main.py, is refused before the board is opened", async () => {
    const missing = await runCli(["--sim", "run", at("main.py"), "--with", at("nope.py")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or folder on this computer");
    const boot = await runCli(["--sim", "run", at("helpers.py"), "--with", at("main.py")]);
    expect(boot.code).toBe(2);
    expect(boot.stderr).toMatch(/would replace the board's main\.py/);
  });
});
