// Records byte transcripts of the raw REPL from the virtual board (real
// MicroPython WebAssembly behind src/transport/device.ts), for the host-machine
// tests in this folder. Run after a build:
//
//   npx tsc -p . && node test/transport/record-transcripts.mjs
//
// Each scenario gets a fresh VirtualBoard. The host side is the machine under
// test (src/transport/protocol.ts), driven here the way src/board does it:
// writes and pauses strictly in order, every byte the board transmits fed to
// receive(). A fixture keeps the exact device->host stream (hex), the host's
// writes and pauses, and what the board actually received; the tests replay
// the device stream in every chunking and assert the host independently.
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { VirtualBoard } from "../../dist/sim/virtual-board.js";
import { EnterRawRepl, Exec, SoftReset } from "../../dist/transport/protocol.js";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "transcripts");

const hex = (u8) => Buffer.from(u8).toString("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Drives one host operation against the board, recording both directions. */
async function drive(board, op, { before = () => {}, timeoutMs = 10_000 } = {}) {
  const device = [];
  const received = [];
  const host = [];
  let chain = Promise.resolve();
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const handle = (actions) => {
    for (const a of actions) {
      if (a.type === "write") {
        host.push({ write: hex(a.data) });
        const data = a.data.slice();
        chain = chain.then(() => {
          for (const b of data) received.push(b);
          board.receive(data);
        });
      } else if (a.type === "pause") {
        host.push({ pause: a.ms });
        chain = chain.then(() => sleep(a.ms));
      } else if (a.type === "done") done(a.result);
    }
  };
  board.onTransmit = (d) => {
    for (const b of d) device.push(b);
    handle(op.receive(d));
  };
  before();
  handle(op.start());
  const timer = setTimeout(() => done(undefined), timeoutMs);
  const result = await finished;
  clearTimeout(timer);
  await chain;
  // Anything the board still says right after the operation belongs to nobody.
  await sleep(50);
  board.onTransmit = () => {};
  if (!result) throw new Error(`timed out; device sent ${JSON.stringify(Buffer.from(device).toString("latin1"))}`);
  return { device: Uint8Array.from(device), received: Uint8Array.from(received), host };
}

async function freshBoard(opts) {
  const board = new VirtualBoard(opts);
  board.onTransmit = () => {};
  await board.start();
  board.hold(true);
  return board;
}

/** Pads `body` with a leading comment so the code is exactly `size` bytes. */
function padded(body, size) {
  const pad = size - body.length - 1;
  if (pad < 2) throw new Error("body too long");
  return "#" + "x".repeat(pad - 1) + "\n" + body;
}

const scenarios = [
  {
    name: "enter-raw",
    description: "EnterRawRepl from the friendly REPL of a freshly booted board",
    sim: {},
    op: "enter-raw",
  },
  {
    name: "enter-raw-garbage",
    description: "EnterRawRepl with 64 bytes of boot-ROM garbage sent when the port opened",
    sim: { garbageOnOpen: 64 },
    op: "enter-raw",
  },
  {
    name: "exec-paste",
    description: "Exec in raw-paste mode (window 128), 600 bytes of code, stdout, no error",
    sim: {},
    op: "exec",
    code: padded("for i in range(3):\n    print('line', i)\nprint('end')\n", 600),
  },
  {
    name: "exec-paste-small-window",
    description: "Exec in raw-paste mode with a 16-byte window: many credits",
    sim: { window: 16 },
    op: "exec",
    code: padded("print('small window')\n", 100),
  },
  {
    name: "exec-raise",
    description: "Exec in raw-paste mode; the code prints, then raises (traceback on stderr)",
    sim: {},
    op: "exec",
    code: "print('before')\nraise ValueError('boom')\n",
  },
  {
    name: "exec-raw-fallback",
    description: "Board without raw-paste answers R\\x00: plain raw mode, 256-byte chunks with pauses",
    sim: { rawPaste: "no" },
    op: "exec",
    code: padded("print('fallback')\n", 600),
  },
  {
    name: "exec-raw-forced",
    description: "Exec with rawPaste: false on a board that has raw-paste",
    sim: {},
    op: "exec",
    execOptions: { rawPaste: false },
    code: "print('forced raw')\n",
  },
  {
    name: "exec-legacy",
    description: "Old firmware: the raw-paste request re-enters raw mode (banner starting with 'ra')",
    sim: { rawPaste: "legacy" },
    op: "exec",
    code: padded("print('legacy')\n", 300),
  },
  {
    name: "exec-paste-abort",
    description: "The board aborts the raw-paste after 50 bytes of code (\\x04 during the transfer)",
    sim: { abortPasteAfter: 50 },
    op: "exec",
    code: padded("print('never runs')\n", 300),
  },
  {
    name: "soft-reset",
    description: "SoftReset at the raw prompt: OK, soft reboot, raw banner and prompt",
    sim: {},
    op: "soft-reset",
  },
];

mkdirSync(outDir, { recursive: true });
for (const s of scenarios) {
  const board = await freshBoard(s.sim);
  try {
    // The port opens (an ESP32 may send boot-ROM garbage then), then the host acts.
    let opened = false;
    const open = () => {
      if (!opened) board.hostOpened();
      opened = true;
    };
    if (s.op !== "enter-raw") await drive(board, new EnterRawRepl(), { before: open });
    const op =
      s.op === "enter-raw" ? new EnterRawRepl() : s.op === "soft-reset" ? new SoftReset() : new Exec(s.code, s.execOptions ?? {});
    const t = await drive(board, op, { before: open });
    const fixture = {
      name: s.name,
      description: s.description,
      op: s.op,
      sim: s.sim,
      ...(s.code !== undefined ? { code: s.code } : {}),
      ...(s.execOptions ? { execOptions: s.execOptions } : {}),
      device: hex(t.device),
      host: t.host,
      received: hex(t.received),
    };
    writeFileSync(join(outDir, `${s.name}.json`), JSON.stringify(fixture, null, 2) + "\n");
    console.log(`${s.name}: ${t.device.length} bytes from the board, ${t.received.length} to it`);
    console.log("   ", JSON.stringify(Buffer.from(t.device).toString("latin1")).slice(0, 400));
  } finally {
    await board.stop();
  }
}
