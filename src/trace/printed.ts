// Which of a run's printed lines belong to a task, for the pictures that draw
// them in that task's lane (the HTML timeline and the terminal lanes). One
// rule in one place, so the two pictures never disagree about a line.
// Pure.

/** A printed line of a run: `ms` since its start (null when the line has none) and the text after it. */
export interface PrintedLine {
  ms: number | null;
  text: string;
}

/** A printed line drawn as a mark in its task's lane. */
export interface PrintMark {
  t: number;
  task: string;
  /** The line after the task's name. */
  text: string;
}

/** What a task name printed by a script looks like: `task-1`, `producer`, `report_2`, `c.worker`. */
export const TASK_WORD = /^[A-Za-z_][\w.-]{0,39}$/;

/** Lines as given (strings like "  500 ms  task-1  Acquired", or already split) as `PrintedLine`s; anything else as none. */
export function normLines(lines: readonly (string | PrintedLine)[] | undefined): PrintedLine[] {
  if (!Array.isArray(lines)) return [];
  return lines.map((l) => {
    if (typeof l === "string") {
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*ms\b\s*(.*)$/.exec(l);
      return m ? { ms: Number(m[1]), text: m[2]!.trimEnd() } : { ms: null, text: l.trimEnd() };
    }
    const ms = typeof l?.ms === "number" && Number.isFinite(l.ms) ? l.ms : null;
    return { ms, text: String(l?.text ?? "") };
  });
}

/**
 * The printed lines that belong in a task's lane. The demos print
 * `ms  name  event`, but so might any line ("  12 ms  total: 5"), and `main`
 * (code outside any task) prints the introduction and the verdict, which are
 * about the whole run. So a line is a task's only when it has its ms and its
 * first word is a task's name by one of these rules, strictest first:
 * - the run has a trace: a task its trace names (`main` too when main used a
 *   primitive: that lane is drawn anyway);
 * - no trace (a `--broken` variant uses no primitive): a task another run on
 *   the page traces (compare's fixed side is the same script), or else a word
 *   that looks like a name, is not `main`, and starts at least two timed lines
 *   (one stray line is more likely prose than a task).
 */
export function printedMarks(lines: readonly PrintedLine[], traced: ReadonlySet<string>, elsewhere: ReadonlySet<string>): PrintMark[] {
  const split = lines.flatMap((l) => {
    if (l.ms === null) return [];
    const m = /^\s*(\S+)\s*(.*)$/.exec(l.text);
    return m ? [{ t: l.ms, task: m[1]!, text: m[2]!.trimEnd() }] : [];
  });
  let ok: (name: string) => boolean;
  if (traced.size > 0) ok = (name) => traced.has(name);
  else {
    const count = new Map<string, number>();
    for (const p of split) count.set(p.task, (count.get(p.task) ?? 0) + 1);
    ok = (name) => elsewhere.has(name) || (name !== "main" && TASK_WORD.test(name) && (count.get(name) ?? 0) >= 2);
  }
  // Stable sort: lines printed at the same ms keep their printed order.
  return split.filter((p) => ok(p.task)).sort((a, b) => a.t - b.t);
}

/** `printedMarks` for runs drawn together: `traced[i]` are the tasks run i's trace names; each run's "elsewhere" is the others'. */
export function printedMarksOfRuns(lines: readonly (readonly PrintedLine[])[], traced: readonly ReadonlySet<string>[]): PrintMark[][] {
  return lines.map((ls, i) => printedMarks(ls, traced[i] ?? new Set(), new Set(traced.flatMap((ts, j) => (j === i ? [] : [...ts])))));
}

/** `s` without its "(...)" asides: "reads counter = 0 (round 1, no lock)" becomes "reads counter = 0". */
export function withoutAsides(s: string): string {
  const short = s.replace(/\s*\([^()]*\)/g, "").trim();
  return short || s;
}

/** The first and last words of `s` without its asides ("reads counter = 0 (round 1)" becomes "reads … 0"); `s` without asides when it has fewer than three. */
export function firstAndLast(s: string): string {
  const short = withoutAsides(s);
  const words = short.split(/\s+/);
  return words.length < 3 ? short : `${words[0]} … ${words[words.length - 1]!.replace(/[,.;:]$/, "")}`;
}

/** What a line says it did, when nothing longer fits: "reads counter = 0" becomes "reads". */
export function firstWord(s: string): string {
  return withoutAsides(s).split(/\s+/)[0]!.replace(/[,.;:]$/, "");
}
