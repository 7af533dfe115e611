/**
 * Cloze deletions `{{c1::answer}}` / `{{c1::answer::hint}}`, found by a linear scanner (no
 * backtracking regular expression: `{{c1::` followed by many `:` or many unclosed openings used to
 * cost quadratic or cubic time). Same matches as the pattern
 * `/\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}/g` (with `multiline`, `.` also crosses line breaks).
 */

export interface ClozeSpan {
  /** Offset of `{{` and the offset just after `}}`. */
  start: number;
  end: number;
  answer: string;
  hint?: string;
}

/**
 * The next occurrence of `needle` at or after `i`, remembered: callers ask with growing `i`, so a
 * text is searched once per needle however many times it is asked.
 */
export function nextFinder(text: string, needle: string): (i: number) => number {
  let from = -1;
  let at = -1;
  return (i: number) => {
    if (from >= 0 && i >= from && (at === -1 || at >= i)) return at;
    from = i;
    at = text.indexOf(needle, i);
    return at;
  };
}

export function clozeSpans(text: string, multiline = false): ClozeSpan[] {
  const spans: ClozeSpan[] = [];
  if (text.indexOf("{{c") === -1) return spans;
  const open = nextFinder(text, "{{c");
  const close = nextFinder(text, "}}");
  const sep = nextFinder(text, "::");
  const newline = nextFinder(text, "\n");
  let i = 0;
  for (;;) {
    const start = open(i);
    if (start === -1) break;
    let p = start + 3;
    while (p < text.length && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) p++;
    if (p === start + 3 || text.charCodeAt(p) !== 58 || text.charCodeAt(p + 1) !== 58) {
      i = start + 1;
      continue;
    }
    const content = p + 2;
    const c = close(content);
    const nl = multiline ? -1 : newline(content);
    if (c === -1 || (nl !== -1 && nl < c)) {
      i = start + 1;
      continue;
    }
    const k = sep(content);
    const span: ClozeSpan = { start, end: c + 2, answer: "" };
    if (k !== -1 && k < c) {
      span.answer = text.slice(content, k);
      span.hint = text.slice(k + 2, c);
    } else {
      span.answer = text.slice(content, c);
    }
    spans.push(span);
    i = c + 2;
  }
  return spans;
}

/** Each deletion replaced by `fill(span)`. */
export function replaceClozes(text: string, fill: (span: ClozeSpan) => string): string {
  const spans = clozeSpans(text);
  if (!spans.length) return text;
  let out = "";
  let at = 0;
  for (const s of spans) {
    out += text.slice(at, s.start) + fill(s);
    at = s.end;
  }
  return out + text.slice(at);
}

/** Non-overlapping `{{` in a text (as `/\{\{/g` counts them). */
export function countOpenings(text: string): number {
  let n = 0;
  for (let i = text.indexOf("{{"); i !== -1; i = text.indexOf("{{", i + 2)) n++;
  return n;
}
// ---- a front as plain text and deletions (rendering and quiz explanations) ----------------------

export type ClozePart = { text: string } | { answer: string; hint?: string };

/** The front as plain text and deletions, in order. Text that is not a well-formed deletion stays text. */
export function clozeParts(front: string): ClozePart[] {
  const out: ClozePart[] = [];
  let plain = 0;
  let i = front.indexOf("{{c");
  while (i >= 0) {
    let j = i + 3;
    while (j < front.length && front.charCodeAt(j) >= 48 && front.charCodeAt(j) <= 57) j++;
    const opens = j > i + 3 && front.startsWith("::", j);
    const close = opens ? front.indexOf("}}", j + 2) : -1;
    if (opens && close < 0) break; // no "}}" after this point: nothing further can close
    if (close < 0) {
      i = front.indexOf("{{c", i + 1);
      continue;
    }
    const inner = front.slice(j + 2, close);
    const sep = inner.indexOf("::");
    if (i > plain) out.push({ text: front.slice(plain, i) });
    out.push(sep < 0 ? { answer: inner } : { answer: inner.slice(0, sep), hint: inner.slice(sep + 2) });
    plain = close + 2;
    i = front.indexOf("{{c", plain);
  }
  if (plain < front.length) out.push({ text: front.slice(plain) });
  return out;
}

/** The answers of a front's deletions (none for a card without deletions). */
export function clozeAnswers(front: string): string[] {
  return clozeParts(front).flatMap((p) => ("answer" in p ? [p.answer] : []));
}
