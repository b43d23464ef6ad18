// Port discovery. node-serialport's Linux lister needs udevadm, which minimal
// systems and containers lack; then we fall back to the device nodes and sysfs.
import { autoDetect } from "@serialport/bindings-cpp";
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";

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

function sysfsInfo(dev: string): Partial<ListedPort> {
  // /sys/class/tty/ttyUSB0/device -> .../usb1/1-1/1-1:1.0/ttyUSB0; the USB device is a parent.
  try {
    let dir = realpathSync(`/sys/class/tty/${dev}/device`);
    for (let i = 0; i < 4 && dir !== "/"; i++, dir = join(dir, "..")) {
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

function scanDev(): ListedPort[] {
  if (!existsSync("/dev")) return [];
  const names = readdirSync("/dev").filter((n) => /^(ttyUSB|ttyACM|ttyAMA|ttyS[0-3]$|cu\.|tty\.usb)/.test(n));
  return names.map((n) => ({ path: `/dev/${n}`, ...sysfsInfo(n) }));
}

export async function listPorts(): Promise<ListedPort[]> {
  let ports: ListedPort[];
  try {
    ports = (await autoDetect().list()).map((p) => ({
      path: p.path,
      manufacturer: p.manufacturer,
      vendorId: p.vendorId,
      productId: p.productId,
      serialNumber: p.serialNumber,
    }));
  } catch {
    ports = scanDev();
  }
  // macOS lists the dial-in /dev/tty.* node, which blocks until carrier; the callout /dev/cu.* is the one to open.
  const callout = (path: string) => (process.platform === "darwin" ? path.replace(/^\/dev\/tty\./, "/dev/cu.") : path);
  return ports.map((p) => ({ ...p, path: callout(p.path), esp: espBridge(p.vendorId, p.productId) }));
}
