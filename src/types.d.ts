declare module "@micropython/micropython-webassembly-pyscript" {
  export function loadMicroPython(options: object): Promise<unknown>;
}
