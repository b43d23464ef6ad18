// Opening a serial port: real hardware through node-serialport's SerialPort
// (its platform binding), or the virtual board through the same stream class
// with our binding. Either way the caller gets the same stream type.
import { SerialPortStream } from "@serialport/stream";
import { SerialPort } from "serialport";
import type { BindingInterface } from "./binding-types.js";
import { statSync } from "node:fs";
import { EXIT, UserError, notASerialPort, portBusy, permissionDenied, portNotFound } from "../errors.js";

export { DEFAULT_BAUD, DEFAULT_PORT } from "./defaults.js";

export interface OpenPortOptions {
  path: string;
  baudRate: number;
  /** Opt into the ESP auto-reset pulse on open (default: never reset the board). */
  reset?: boolean;
  binding?: BindingInterface;
}

export type Port = SerialPortStream;

/** Turns the binding's open errors into the one-line errors users see. */
export function classifyOpenError(path: string, err: Error, platform: NodeJS.Platform = process.platform): UserError {
  const m = err.message;
  if (/No such file|ENOENT|cannot find the file|File not found/i.test(m)) return portNotFound(path);
  // Windows answers "Access denied" when another program holds the COM port.
  if (platform === "win32" && /Access (is )?denied/i.test(m)) return portBusy(path);
  if (/Permission denied|EACCES|Access denied/i.test(m)) return permissionDenied(path);
  if (/lock|busy|EBUSY|temporarily unavailable|EAGAIN/i.test(m)) return portBusy(path);
  // A character device that is no terminal (/dev/null): the line settings fail.
  if (/Inappropriate ioctl|ENOTTY|Not a typewriter/i.test(m)) return notASerialPort(path, "it takes no line settings");
  return new UserError(`cannot open ${path}: ${m.replace(/^Error:\s*/, "")}`, "check the port name with `synccli list`", 3);
}

/** What can be told about a port name before opening it (hardware only). */
export function checkPortPath(path: string): void {
  if (!path.trim())
    throw new UserError("the port name is empty", "give the board's serial port, e.g. --port /dev/ttyUSB0 (`synccli list` shows them), or add --sim", EXIT.usage);
  let st;
  try {
    st = statSync(path);
  } catch {
    return; // missing (the open says so) or a name the OS resolves itself (COM3)
  }
  if (st.isDirectory()) throw notASerialPort(path, "it is a directory");
  if (st.isFile()) throw notASerialPort(path, "it is a regular file");
}

export async function openPort(opts: OpenPortOptions): Promise<Port> {
  if (!opts.binding) checkPortPath(opts.path);
  // hupcl false: keep DTR where it is on close; dropping it resets many ESP boards.
  const settings = { path: opts.path, baudRate: opts.baudRate, autoOpen: false, hupcl: false };
  const port: Port = opts.binding ? new SerialPortStream({ ...settings, binding: opts.binding } as never) : new SerialPort(settings);
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(classifyOpenError(opts.path, err)) : resolve())));
  // Deassert both lines together: on ESP auto-reset wiring that leaves EN and
  // IO0 alone. Pseudo-terminals refuse modem-control ioctls; that is harmless.
  await setLines(port, { dtr: false, rts: false }).catch(() => {});
  if (opts.reset) await hardReset(port).catch(async (err) => (await closePort(port), Promise.reject(err)));
  return port;
}

export function setLines(port: Port, lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => port.set(lines, (err) => (err ? reject(err) : resolve())));
}

/** The usual ESP auto-reset pulse: EN low through RTS, then released. */
export async function hardReset(port: Port): Promise<void> {
  try {
    await setLines(port, { dtr: false, rts: true });
    await new Promise((r) => setTimeout(r, 100));
    await setLines(port, { dtr: false, rts: false });
  } catch (err) {
    throw new UserError(
      `cannot pulse the reset line on ${port.path}: ${(err as Error).message.replace(/^(Error:\s*)+/, "")}`,
      "this port has no DTR/RTS control (a pseudo-terminal, or a bridge without them): press the board's reset button instead",
      EXIT.usage,
    );
  }
}

export function closePort(port: Port): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}
