// Port discovery. node-serialport's Linux lister needs udevadm, which minimal
// systems and containers lack; then we fall back to the device nodes and sysfs.
import { SerialPort } from "serialport";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { EXIT, UserError } from "../errors.js";
import { PORT_ENV, expandPort } from "./defaults.js";

export interface ListedPort {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** Which ESP-typical USB bridge this is, if any. */
  esp?: string;
}

const BRIDGES: [vid: string, pid: string | undefined, name: string][] = [
  ["10c4", undefined, "CP210x (Silicon Labs)"],
  ["1a86", undefined, "CH340/CH9102 (WCH)"],
  ["0403", undefined, "FTDI"],
  ["303a", undefined, "Espressif native USB"],
];

export function espBridge(vid?: string, pid?: string): string | undefined {
  if (!vid) return undefined;
  const v = vid.toLowerCase();
  return BRIDGES.find(([bv, bp]) => bv === v && (!bp || bp === pid?.toLowerCase()))?.[2];
}

/** Where the fallback scan looks; a test points these at a fake tree. */
export interface ScanRoots {
  dev: string;
  sys: string;
}

const SYSTEM_ROOTS: ScanRoots = { dev: "/dev", sys: "/sys" };

function sysfsInfo(dev: string, roots: ScanRoots): Partial<ListedPort> {
  // /sys/class/tty/ttyUSB0/device -> .../usb1/1-1/1-1:1.0/ttyUSB0; the USB device is a parent.
  try {
    const top = realpathSync(roots.sys);
    let dir = realpathSync(join(roots.sys, "class/tty", dev, "device"));
    for (let i = 0; i < 4 && dir !== "/" && dir !== top; i++, dir = join(dir, "..")) {
      if (existsSync(join(dir, "idVendor"))) {
        const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8").trim() : undefined);
        return { vendorId: read("idVendor"), productId: read("idProduct"), manufacturer: read("manufacturer"), serialNumber: read("serial") };
      }
    }
  } catch {
    /* not a USB device */
  }
  return {};
}

/** Serial device nodes under `roots.dev`, with USB details from sysfs (listed as /dev/<name>). */
export function scanDev(roots: ScanRoots = SYSTEM_ROOTS): ListedPort[] {
  if (!existsSync(roots.dev)) return [];
  const names = readdirSync(roots.dev)
    .filter((n) => /^(ttyUSB|ttyACM|ttyAMA|ttyS[0-3]$|cu\.|tty\.usb)/.test(n))
    .sort();
  return names.map((n) => ({ path: `/dev/${n}`, ...sysfsInfo(n, roots) }));
}

/** `roots`: scan that tree (dev and sysfs) instead of asking the OS (tests). */
export async function listPorts(opts: { roots?: ScanRoots } = {}): Promise<ListedPort[]> {
  let ports: ListedPort[];
  if (opts.roots) ports = scanDev(opts.roots);
  else {
    try {
      ports = (await SerialPort.list()).map((p) => ({
        path: p.path,
        manufacturer: p.manufacturer,
        vendorId: p.vendorId,
        productId: p.productId,
        serialNumber: p.serialNumber,
      }));
    } catch {
      ports = scanDev();
    }
  }
  // macOS lists the dial-in /dev/tty.* node, which blocks until carrier; the callout /dev/cu.* is the one to open.
  const callout = (path: string) => (process.platform === "darwin" ? path.replace(/^\/dev\/tty\./, "/dev/cu.") : path);
  return ports.map((p) => ({ ...p, path: callout(p.path), esp: espBridge(p.vendorId, p.productId) }));
}

/**
 * The port to open when the user gave none on the command line: SYNCCLI_PORT
 * when set, else the one ESP-like port plugged in. Throws (exit 3) with the
 * ports that exist when there is no single candidate.
 */
export async function findBoardPort(opts: { env?: NodeJS.ProcessEnv; list?: () => Promise<ListedPort[]> } = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const fromEnv = env[PORT_ENV]?.trim();
  if (fromEnv) return expandPort(fromEnv);
  const ports = await (opts.list ?? listPorts)();
  const esp = ports.filter((p) => p.esp);
  if (esp.length === 1) return esp[0].path;
  const describe = (p: ListedPort) => (p.esp ? `${p.path} (${p.esp})` : p.path);
  if (esp.length > 1)
    throw new UserError(
      `several ESP-like serial ports, synccli cannot tell which board to use: ${esp.map(describe).join(", ")}`,
      `choose one with --port (e.g. --port ${esp[0].path}) or set ${PORT_ENV}; --all uses every one of them at once`,
      EXIT.portNotFound,
    );
  throw new UserError(
    ports.length
      ? `no ESP-like serial port found (no CP210x, CH340/CH9102, FTDI or Espressif USB device); ports here: ${ports.map(describe).join(", ")}`
      : "no serial port found: is the board plugged in (with a data cable)?",
    ports.length
      ? `name the board's port with --port (e.g. --port ${ports[0].path}) or set ${PORT_ENV}; --sim uses the virtual board`
      : `plug the board in and run \`synccli list\`, or name its port with --port / ${PORT_ENV}; --sim uses the virtual board`,
    EXIT.portNotFound,
  );
}

/** --port as given (shortcuts expanded), else findBoardPort(). */
export async function resolvePort(given: string | undefined, opts: Parameters<typeof findBoardPort>[0] = {}): Promise<string> {
  if (given !== undefined && given.trim() !== "") return expandPort(given.trim());
  return findBoardPort(opts);
}
