// Kept apart from port.ts so `--help` need not load the native serial binding.
export const DEFAULT_PORT = "/dev/ttyUSB0";
export const DEFAULT_BAUD = 115200;
