// Finding the board without --port: SYNCCLI_PORT, else the one ESP-like port
// that `list` finds (here in a fake /dev + sysfs tree), else exit 3 naming the ports.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { expandPort } from "../../src/transport/defaults.js";
import { findBoardPort, listPorts, resolvePort, type ListedPort } from "../../src/transport/list.js";
import { EXIT, UserError } from "../../src/errors.js";

const trees: string[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** A /dev and /sys with the given tty nodes; USB ones get a device with idVendor/idProduct two levels up, as Linux lays them out. */
function fakeTree(ttys: { name: string; usb?: { vid: string; pid: string; manufacturer?: string; serial?: string } }[]) {
  const root = mkdtempSync(join(tmpdir(), "synccli-sysfs-"));
  trees.push(root);
  const dev = join(root, "dev");
  const sys = join(root, "sys");
  mkdirSync(dev);
  mkdirSync(join(sys, "class/tty"), { recursive: true });
  writeFileSync(join(dev, "null"), ""); // not a serial port
  ttys.forEach((t, i) => {
    writeFileSync(join(dev, t.name), "");
    let devdir: string;
    if (t.usb) {
      const usbdev = join(sys, `devices/pci0000:00/usb1/1-${i + 1}`);
      devdir = join(usbdev, `1-${i + 1}:1.0`, t.name);
      mkdirSync(devdir, { recursive: true });
      writeFileSync(join(usbdev, "idVendor"), t.usb.vid + "\n");
      writeFileSync(join(usbdev, "idProduct"), t.usb.pid + "\n");
      if (t.usb.manufacturer) writeFileSync(join(usbdev, "manufacturer"), t.usb.manufacturer + "\n");
      if (t.usb.serial) writeFileSync(join(usbdev, "serial"), t.usb.serial + "\n");
    } else {
      devdir = join(sys, `devices/platform/serial8250/${t.name}`);
      mkdirSync(devdir, { recursive: true });
    }
    mkdirSync(join(sys, "class/tty", t.name));
    symlinkSync(devdir, join(sys, "class/tty", t.name, "device"));
  });
  return { dev, sys };
}

const cp210x = { vid: "10c4", pid: "ea60", manufacturer: "Silicon Labs", serial: "0001" };
const s3 = { vid: "303a", pid: "1001", manufacturer: "Espressif" };
const uno = { vid: "2341", pid: "0043", manufacturer: "Arduino (www.arduino.cc)" };

describe("port shortcuts", () => {
  it("u0, a1, c3 expand; anything else is kept", () => {
    expect(expandPort("u0")).toBe("/dev/ttyUSB0");
    expect(expandPort("A1")).toBe("/dev/ttyACM1");
    expect(expandPort("c3")).toBe("COM3");
    expect(expandPort("u12")).toBe("/dev/ttyUSB12");
    expect(expandPort("/dev/ttyUSB0")).toBe("/dev/ttyUSB0");
    expect(expandPort("COM4")).toBe("COM4");
    expect(expandPort("usb0")).toBe("usb0");
  });
});

describe("listing from a sysfs tree", () => {
  it("reads VID:PID, manufacturer and serial through the device link and marks ESP bridges", async () => {
    const roots = fakeTree([{ name: "ttyS0" }, { name: "ttyUSB0", usb: cp210x }, { name: "ttyACM0", usb: uno }]);
    const ports = await listPorts({ roots });
    expect(ports.map((p) => p.path)).toEqual(["/dev/ttyACM0", "/dev/ttyS0", "/dev/ttyUSB0"]);
    const usb = ports.find((p) => p.path === "/dev/ttyUSB0")!;
    expect(usb).toMatchObject({ vendorId: "10c4", productId: "ea60", manufacturer: "Silicon Labs", serialNumber: "0001" });
    expect(usb.esp).toMatch(/CP210x/);
    expect(ports.find((p) => p.path === "/dev/ttyACM0")!.esp).toBeUndefined();
    expect(ports.find((p) => p.path === "/dev/ttyS0")!.vendorId).toBeUndefined();
  });
});

describe("finding the board", () => {
  const from = (roots: { dev: string; sys: string }) => () => listPorts({ roots });

  it("picks the one ESP-like port among others", async () => {
    const roots = fakeTree([{ name: "ttyS0" }, { name: "ttyACM0", usb: uno }, { name: "ttyACM1", usb: s3 }]);
    expect(await findBoardPort({ env: {}, list: from(roots) })).toBe("/dev/ttyACM1");
    expect(await resolvePort(undefined, { env: {}, list: from(roots) })).toBe("/dev/ttyACM1");
  });

  it("--port wins, then SYNCCLI_PORT (shortcuts work in both); neither lists ports", async () => {
    const list = async (): Promise<ListedPort[]> => {
      throw new Error("should not list");
    };
    expect(await resolvePort("a0", { env: { SYNCCLI_PORT: "u1" }, list })).toBe("/dev/ttyACM0");
    expect(await resolvePort(undefined, { env: { SYNCCLI_PORT: "u1" }, list })).toBe("/dev/ttyUSB1");
    expect(await resolvePort(undefined, { env: { SYNCCLI_PORT: "/dev/cu.usbmodem101" }, list })).toBe("/dev/cu.usbmodem101");
  });

  it("no ESP-like port: exit 3 naming the ports that exist", async () => {
    const roots = fakeTree([{ name: "ttyS0" }, { name: "ttyACM0", usb: uno }]);
    const err = await findBoardPort({ env: {}, list: from(roots) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(EXIT.portNotFound);
    expect((err as UserError).message).toMatch(/no ESP-like serial port.*\/dev\/ttyACM0, \/dev\/ttyS0/);
    expect((err as UserError).hint).toMatch(/--port/);
  });

  it("several ESP-like ports: exit 3 naming them", async () => {
    const roots = fakeTree([{ name: "ttyUSB0", usb: cp210x }, { name: "ttyACM0", usb: s3 }]);
    const err = (await findBoardPort({ env: {}, list: from(roots) }).catch((e: unknown) => e)) as UserError;
    expect(err.exitCode).toBe(EXIT.portNotFound);
    expect(err.message).toMatch(/several ESP-like.*\/dev\/ttyACM0 \(Espressif native USB\), \/dev\/ttyUSB0 \(CP210x/);
  });

  it("no ports at all: exit 3", async () => {
    const roots = fakeTree([]);
    const err = (await findBoardPort({ env: {}, list: from(roots) }).catch((e: unknown) => e)) as UserError;
    expect(err.exitCode).toBe(EXIT.portNotFound);
    expect(err.message).toMatch(/no serial port found/);
  });
});
