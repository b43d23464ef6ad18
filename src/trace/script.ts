// Turning tracing on for a script run on the board: one line before the
// user's code starts sync.trace (which also makes `run` install the library).
// One line, so tracebacks are shifted back by exactly `lineOffset`.
export const TRACE_PRELUDE = "import sync.trace as _sync_trace; _sync_trace.start()\n";

export function tracedSource(source: string): { code: string; lineOffset: number } {
  return { code: TRACE_PRELUDE + source, lineOffset: 1 };
}
