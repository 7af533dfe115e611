import { MAX_LISTED_PROBLEMS, type UploadFormat, type UploadProblem, type UploadResult } from "./types";

/** Collects problems; all are counted, the first MAX_LISTED_PROBLEMS (in line order) are listed. */
export class Problems {
  readonly all: UploadProblem[] = [];
  /** Problems known to exist but not described (e.g. beyond what validateDeck lists). */
  private unlisted = 0;

  add(line: number | undefined, message: string, where?: string): void {
    const p: UploadProblem = { message };
    if (line !== undefined) p.line = line;
    if (where !== undefined) p.where = where;
    this.all.push(p);
  }

  /** Counts problems that are known to exist but have no description. */
  addUnlisted(n: number): void {
    this.unlisted += Math.max(0, n);
  }

  get count(): number {
    return this.all.length + this.unlisted;
  }

  result(format: UploadFormat | undefined): UploadResult {
    // Stable sort: problems without a line (about the whole file) first, then by line.
    const sorted = this.all
      .map((p, i) => ({ p, i }))
      .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
      .map((x) => x.p);
    const r: UploadResult = { ok: false, problems: sorted.slice(0, MAX_LISTED_PROBLEMS), totalProblems: sorted.length + this.unlisted };
    if (format) r.format = format;
    return r;
  }
}

export function fail(format: UploadFormat | undefined, line: number | undefined, message: string): UploadResult {
  const p = new Problems();
  p.add(line, message);
  return p.result(format);
}
