// The virtual board's root holds only the board's files, as a board's flash
// does: Emscripten's /dev and /proc are neither listed nor reachable, and its
// empty /tmp and /home are gone (a script may make its own).
import { afterEach, describe, expect, it } from "vitest";
import { rawBoard, stopBoards } from "../helpers/virtual-board.js";
import { runCli } from "../helpers/cli.js";
import { sharedBoards } from "../helpers/state-dir.js";

afterEach(stopBoards);

/** stdout of code run in raw mode. */
async function run(b: Awaited<ReturnType<typeof rawBoard>>, code: string): Promise<string> {
  const out = await b.run(code);
  const m = /^OK([^\x04]*)\x04([^\x04]*)\x04>$/.exec(out);
  if (!m) throw new Error(`unexpected answer ${JSON.stringify(out)}`);
  if (m[2]) throw new Error(m[2]);
  return m[1]!.replace(/\r\n/g, "\n");
}

describe("the board's root", () => {
  it("a blank board lists nothing; os.stat of the runtime's folders is ENOENT, by any path", async () => {
    const b = await rawBoard();
    expect(await run(b, "import os\nprint(os.listdir('/'), os.listdir(), list(os.ilistdir('/')))")).toBe("[] [] []\n");
    const probe = `import os
for p in ('/dev', '/proc', '/tmp', '/home', '/dev/null', '/lib/../dev', 'proc'):
    try:
        os.stat(p)
        print(p, 'exists')
    except OSError as e:
        print(p, e.args[0])
`;
    expect(await run(b, probe)).toBe(["/dev 2", "/proc 2", "/tmp 2", "/home 2", "/dev/null 2", "/lib/../dev 2", "proc 2", ""].join("\n"));
  });

  it("files written anywhere still work, /tmp included, and are listed like any other", async () => {
    const b = await rawBoard();
    const code = `import os
os.mkdir('/lib')
open('/lib/a.py', 'w').write('A = 1')
open('/boot.py', 'w').write('')
os.mkdir('/tmp')
open('/tmp/t.txt', 'w').write('t')
print(sorted(os.listdir('/')), os.listdir('/lib'), open('/tmp/t.txt').read())
try:
    open('/dev/x', 'w')
except OSError as e:
    print('dev', e.args[0])
import sys
sys.path.append('/lib')
import a
print(a.A, os.statvfs('/')[0])
`;
    expect(await run(b, code)).toBe("['boot.py', 'lib', 'tmp'] ['a.py'] t\ndev 2\n1 4096\n");
  });

  it("`fs ls :/` shows the board's files only, and a /tmp it made is kept with the rest", async () => {
    const env = sharedBoards();
    let r = await runCli(["--sim", "exec", "import os\nos.mkdir('/tmp')\nopen('/tmp/keep.txt', 'w').write('k')\nopen('/main.py', 'w').write('')"], { env });
    expect(r.code, r.stderr).toBe(0);
    r = await runCli(["--sim", "--json", "fs", "ls", ":/"], { env });
    expect(r.code, r.stderr).toBe(0);
    const names = (JSON.parse(r.stdout) as { entries: { name: string }[] }).entries.map((e) => e.name).sort();
    expect(names).toEqual(["main.py", "tmp"]);
    r = await runCli(["--sim", "fs", "cat", ":/tmp/keep.txt"], { env });
    expect(r.stdout).toBe("k");
  });
});
