import { describe, expect, it } from "vitest";
import { espBridge } from "../../src/transport/list.js";

describe("espBridge", () => {
  it("marks the USB bridges ESP boards use", () => {
    expect(espBridge("10c4", "ea60")).toMatch(/CP210x/);
    expect(espBridge("1A86", "7523")).toMatch(/CH340/);
    expect(espBridge("0403", "6001")).toMatch(/FTDI/);
    expect(espBridge("303a", "1001")).toMatch(/Espressif/);
    expect(espBridge("2341", "0043")).toBeUndefined(); // an Arduino Uno
    expect(espBridge(undefined, undefined)).toBeUndefined();
  });
});
