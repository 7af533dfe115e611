/**
 * Cloze deletions (`{{c1::answer}}`, `{{c1::answer::hint}}`) read by a linear scanner: a card's
 * front is split into plain text and deletions without any backtracking pattern.
 */

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
