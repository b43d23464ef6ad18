// Errors a user can cause: one line, a hint, and a distinct exit code each.
// The CLI prints these without a stack trace; anything else is a bug.

export const EXIT = {
  ok: 0,
  /** The code on the board raised (its traceback was shown). */
  boardError: 1,
  usage: 2,
  portNotFound: 3,
  permissionDenied: 4,
  portBusy: 5,
  noAnswer: 6,
  disconnected: 7,
  protocol: 8,
  noFilesystem: 9,
  /** The board reset itself while running the code. */
  boardReset: 10,
  /** Differs between board and host (compare). */
  diverged: 1,
  interrupted: 130,
} as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** An error already shown to the user; only its exit code is left to use. */
export class ReportedError extends Error {
  constructor(readonly exitCode: number) {
    super("reported");
  }
}

export const notASerialPort = (path: string, detail?: string) =>
  new UserError(
    `${path} is not a serial port${detail ? ` (${detail})` : ""}`,
    "give the board's serial device (run `synccli list` to see ports), or add --sim to use the virtual board",
    EXIT.portNotFound,
  );

export const portNotFound = (path: string) =>
  new UserError(`serial port ${path} does not exist`, "run `synccli list` to see ports, or add --sim to use the virtual board", EXIT.portNotFound);

export const permissionDenied = (path: string) =>
  new UserError(
    `permission denied opening ${path}`,
    "add yourself to the port's group (Linux: `sudo usermod -aG dialout $USER`, then log in again)",
    EXIT.permissionDenied,
  );

export const portBusy = (path: string) =>
  new UserError(`serial port ${path} is busy (another program has it open)`, "close other serial monitors (screen, minicom, Thonny, mpremote) and retry", EXIT.portBusy);

export const noAnswer = (what: string, ms: number, garbageBytes = 0) =>
  garbageBytes > 0
    ? new UserError(
        `no answer from the board within ${ms / 1000} s while ${what}, only ${garbageBytes} bytes it could not make sense of`,
        "that is what a wrong baud rate looks like: MicroPython uses --baud 115200 (ESP boot messages use 74880); or press the board's reset button",
        EXIT.noAnswer,
      )
    : new UserError(
        `no answer from the board within ${ms / 1000} s while ${what}`,
        "check --baud (MicroPython uses 115200), that the board runs MicroPython with its REPL on this port, or press its reset button; --timeout sets the wait",
        EXIT.noAnswer,
      );

export const disconnected = (path: string) =>
  new UserError(`board disconnected from ${path}`, "check the USB cable and power; everything received before the disconnect is shown above", EXIT.disconnected);

export const protocolError = (detail: string) =>
  new UserError(`the board answered unexpectedly: ${detail}`, "the line may be noisy or the baud rate wrong; retry, or reset the board", EXIT.protocol);


export const wontStop = (attempts: number) =>
  new UserError(
    `the board did not stop after ${attempts} Ctrl-C`,
    "the code may be stuck in C or have interrupts disabled: press the board's reset button, or run `synccli reset --hard`",
    EXIT.noAnswer,
  );

export const boardReset = (reason: string) =>
  new UserError(
    `the board reset itself while running the code (${reason})`,
    "machine.reset() in the script, a crash, a brownout or a watchdog; everything that arrived before is shown above",
    EXIT.boardReset,
  );

/** The board keeps printing but ignores Ctrl-C: it is running code we cannot stop. */
export const busyBoard = (what: string, ms: number, bytes: number) =>
  new UserError(
    `the board is busy running code and did not stop (it kept printing, ${bytes} bytes in ${ms / 1000} s, while ${what})`,
    "code stuck in C, or firmware that ignores Ctrl-C while it runs: press the board's reset button, or run `synccli reset --hard`",
    EXIT.noAnswer,
  );

/** A byte the raw REPL cannot carry inside a script. */
export const unsendableByte = (byte: number, line: number) =>
  new UserError(
    `the script contains a ${byte === 0 ? "NUL" : byte === 3 ? "Ctrl-C" : "Ctrl-D"} byte (0x${byte.toString(16).padStart(2, "0")}) on line ${line}, which the raw REPL cannot carry`,
    `remove it, or write it as an escape in a string literal ("\\x${byte.toString(16).padStart(2, "0")}")`,
    EXIT.usage,
  );
