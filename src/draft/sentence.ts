/**
 * One unit, analysed once: what to skip, the spans the extractors use, and its display text (the
 * sentence as a card front shows it: citations cut, a dangling opening pronoun replaced by its
 * referent). Cloze fronts are cut from the display text; quotes stay the verbatim sentence.
 */
import { danglingOpener, looksPlural, mainClause } from "./grammar";
import {
  citationRanges,
  findAcronymDefs,
  findNames,
  findNumbers,
  insideAny,
  overlaps,
  skipRanges,
  type AcronymDef,
  type NameSpan,
  type NumberSpan,
  type Span,
} from "./spans";
import type { Unit } from "./units";
import { squash, upperFirst, words } from "./text";

export interface Edit extends Span {
  text: string;
}

export interface Analysed {
  unit: Unit;
  skip: Span[];
  names: NameSpan[];
  acronyms: AcronymDef[];
  numbers: NumberSpan[];
  /** Edits that turn the sentence into its display text. */
  edits: Edit[];
  display: string;
  /** The display text before whitespace tidying (offsets map through `mapOffset`). */
  exact: string;
  /** False when the sentence opens with a pronoun we could not resolve: no card shows it. */
  readable: boolean;
  /** The referent that replaced an opening pronoun, if any. */
  referent?: string;
}

export function applyEdits(s: string, edits: readonly Edit[]): string {
  let out = "";
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += s.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + s.slice(at);
}

/** Position in the display text of position `i` of the sentence (i must not fall inside an edit). */
export function mapOffset(edits: readonly Edit[], i: number): number {
  let d = 0;
  for (const e of edits) if (e.end <= i) d += e.text.length - (e.end - e.start);
  return i + d;
}

/** The subject of a sentence (for resolving "It"/"They" in the next one), or null. */
export function subjectOf(s: string, from: number): string | null {
  const tries = [from];
  // after an opening adverbial: "For this reason, …, UNTOC does not …"
  let depth = 0;
  for (let i = from; i < s.length && tries.length < 5; i++) {
    const c = s[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0 && s[i + 1] === " ") tries.push(i + 2);
  }
  for (const t of tries) {
    const sub = s.slice(t);
    const fixed = t > from && /^[a-z]/.test(sub) ? upperFirst(sub) : sub;
    const c = mainClause(fixed);
    if (!c) continue;
    const subj = c.subject.text;
    const n = words(subj).length;
    if (n < 1 || n > 8) continue;
    if (/^(It|They|This|These|That|Those|There|Here|You|We|He|She|Such|Both|Each|Some|Many|All)\b/i.test(subj)) continue;
    if (/\b(which|who|that|if|when|because)\b/i.test(subj)) continue;
    return t > from && /^the\b/.test(sub) ? subj.replace(/^The\b/, "the") : subj;
  }
  return null;
}

export function analyse(unit: Unit, prev: Analysed | undefined, heading: string | undefined): Analysed {
  const s = unit.text;
  const skip = skipRanges(s);
  const cites = citationRanges(s);
  const edits: Edit[] = cites.map((r) => ({ ...r, text: "" }));
  const names = findNames(s, unit.bodyStart).filter((n) => !insideAny(n, skip));
  const acronyms = findAcronymDefs(s).filter((a) => !insideAny(a.acrSpan, skip));
  const numbers = findNumbers(s, skip).filter((n) => !names.some((m) => overlaps(m, n) && m.text !== n.text));
  let readable = true;
  let referent: string | undefined;
  const d = danglingOpener(s, unit.bodyStart);
  if (d) {
    readable = false;
    const expletive = d.word === "It" && /^It\s+(?:(?:is|was|will|would|should|could|can|may|might|must|seems|appears)\s+)(?:(?:also|not|often|be|now|still|therefore)\s+)*\w+\s+(?:to|that|for|whether|if)\b/.test(s.slice(unit.bodyStart));
    if (!expletive && /^(It|They|This|These)$/.test(d.word)) {
      let cand: string | null = null;
      if (prev && prev.unit.block === unit.block && prev.readable) cand = subjectOf(applyEdits(prev.unit.text, prev.edits), prev.unit.bodyStart);
      if (!cand && heading && words(heading).length <= 5 && !/[:?]/.test(heading) && !/^(Overview|Introduction|Summary|Conclusions?|Background)\b/i.test(heading)) cand = heading;
      if (cand && looksPlural(cand) === d.plural) {
        referent = cand;
        readable = true;
        const rep = unit.bodyStart > 0 ? cand.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()) : upperFirst(cand);
        edits.push({ start: unit.bodyStart, end: d.end, text: rep });
      }
    }
  }
  // "… is defined in article 3 as:" introduces what follows; on a card it ends the sentence
  const colon = /(?:\s+(?:as|as follows|the following))?:\s*$/.exec(s);
  if (colon && colon.index > unit.bodyStart && !edits.some((e) => e.end > colon.index)) edits.push({ start: colon.index, end: s.length, text: "." });
  edits.sort((a, b) => a.start - b.start);
  const display = squash(applyEdits(s, edits).replace(/\s+([,.;:])/g, "$1"));
  const exact = applyEdits(s, edits);
  return { unit, skip, names, acronyms, numbers, edits, display, exact, readable, ...(referent ? { referent } : {}) };
}

/** The display text with exact offsets (no whitespace squashing), for cloze cutting. */
export function displayExact(a: Analysed): string {
  return a.exact;
}
