// Serve a virtual board on a pseudo-terminal so any serial tool can open it.
// Node has no pty API, so a few lines of Python hold the pty pair and relay
// bytes over pipes: stdout carries what the host wrote, stdin what the board sends.
import { spawn, type ChildProcess } from "node:child_process";
import type { HostEnd, SimTarget } from "./binding.js";
import { UserError, EXIT } from "../errors.js";

const RELAY = String.raw`
import os, pty, sys, tty, select, fcntl, errno
m, s = pty.openpty()
tty.setraw(s)
# Keep our own slave fd so the master never sees EIO between clients.
fcntl.fcntl(m, fcntl.F_SETFL, fcntl.fcntl(m, fcntl.F_GETFL) | os.O_NONBLOCK)
sys.stderr.write(os.ttyname(s) + "\n"); sys.stderr.flush()
while True:
    r, _, _ = select.select([m, 0], [], [])
    if m in r:
        try:
            d = os.read(m, 4096)
        except OSError:
            d = b""
        if d:
            os.write(1, d)
    if 0 in r:
        d = os.read(0, 4096)
        if not d:
            break
        try:
            os.write(m, d)
        except OSError as e:
            if e.errno != errno.EAGAIN:
                raise
            # Nobody is reading the port: drop, as a USB bridge does.
`;

export interface PtyServer {
  path: string;
  close(): Promise<void>;
}

export async function servePty(target: SimTarget): Promise<PtyServer> {
  let child: ChildProcess;
  try {
    child = spawn("python3", ["-u", "-c", RELAY], { stdio: ["pipe", "pipe", "pipe"] });
  } catch {
    throw new UserError("cannot create a pseudo-terminal", "`synccli sim` needs python3 (on Windows use --sim instead)", EXIT.usage);
  }
  const path = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.once("error", () =>
      reject(new UserError("cannot create a pseudo-terminal", "`synccli sim` needs python3 on PATH (or use --sim with any command)", EXIT.usage)),
    );
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const nl = err.indexOf("\n");
      if (nl >= 0) resolve(err.slice(0, nl));
    });
    child.once("exit", (code) => reject(new UserError(`pseudo-terminal relay exited (${code}): ${err.trim()}`, "check that python3 works", EXIT.usage)));
  });
  const end: HostEnd = {
    deliver: (d) => child.stdin!.write(d),
    disconnect: () => child.kill(),
  };
  await target.attach(end);
  target.board.hold(true);
  child.stdout!.on("data", (d: Buffer) => target.link.hostWrite(new Uint8Array(d)));
  return {
    path,
    async close() {
      target.detach(end);
      child.kill();
      await target.close();
    },
  };
}
