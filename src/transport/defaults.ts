// Kept apart from port.ts so `--help` need not load the native serial binding.
/** Where synccli looks when neither --port nor SYNCCLI_PORT names a port and `list` finds no single ESP-like one. */
export const DEFAULT_PORT = "/dev/ttyUSB0";
export const DEFAULT_BAUD = 115200;
/** Serial baud rates a UART can be set to: whole numbers, from 300 (slowest standard) to 5 Mbaud (ESP32's UART maximum). */
export const BAUD_RANGE = [300, 5_000_000] as const;
/** --timeout, in seconds: silence allowed while waiting for a protocol reply. */
export const DEFAULT_TIMEOUT = 10;
/** Environment variable naming the port when --port is not given. */
export const PORT_ENV = "SYNCCLI_PORT";

/**
 * Port shortcuts: `u0` → /dev/ttyUSB0, `a1` → /dev/ttyACM1, `c3` → COM3
 * (any number). Anything else is returned as given.
 */
export function expandPort(name: string): string {
  const m = /^([uac])(\d+)$/i.exec(name.trim());
  if (!m) return name;
  const kind = m[1].toLowerCase();
  return kind === "u" ? `/dev/ttyUSB${m[2]}` : kind === "a" ? `/dev/ttyACM${m[2]}` : `COM${m[2]}`;
}
