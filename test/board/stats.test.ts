// The answer to files.ts's stat script, as install and `fs sha256sum` read it.
import { expect, it } from "vitest";
import { parseStats, statScript } from "../../src/board/files.js";

it("parseStats: missing paths, folders and files, paths with spaces included; noise lines ignored", () => {
  const out = ["- /lib/gone file.py", "d /lib/my dir", "120 ab12cd /lib/a b.py", "7 - /no hashlib.py", "Traceback? no", ""].join("\r\n");
  expect([...parseStats(out)]).toEqual([
    ["/lib/gone file.py", undefined],
    ["/lib/my dir", { dir: true, size: 0 }],
    ["/lib/a b.py", { size: 120, hash: "ab12cd" }],
    ["/no hashlib.py", { size: 7, hash: undefined }],
  ]);
});

it("statScript lists every path as a Python string literal", () => {
  expect(statScript(["/a", 'b"c'])).toContain('for p in ["/a", "b\\"c"]:');
});
