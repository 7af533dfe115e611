/**
 * One unit, analysed once: what to skip, the spans the extractors use, and its display text (the
 * sentence as a card front shows it: citations cut, a dangling opening pronoun replaced by its
 * referent). Cloze fronts are cut from the display text; quotes stay the verbatim sentence.
 */
import { danglingOpener, isVerbWord, looksPlural, mainClause } from "./grammar";
import {
  citationRanges,
  findAcronymDefs,
  findNames,
  findNumbers,
  findPersons,
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
    if (/\b(which|who|that|if|when|because)\b/i.test(subj) || /\b(to|of|and|or|in|on|for|with|by|the|a|an)$/i.test(subj)) continue;
    const clean = subj.replace(/\s*\([^()]*\)/g, ""); // "The International Pollinator Alliance (IPA)"
    return t > from && /^the\b/.test(sub) ? clean.replace(/^The\b/, "the") : clean;
  }
  return null;
}

export function analyse(unit: Unit, prev: Analysed | undefined, heading: string | undefined): Analysed {
  const s = unit.text;
  const skip = skipRanges(s);
  const cites = citationRanges(s, skip);
  const edits: Edit[] = cites.map((r) => ({ ...r, text: "" }));
  const people = findPersons(s, unit.bodyStart).filter((n) => !insideAny(n, skip));
  const found = findNames(s, unit.bodyStart).filter((n) => !insideAny(n, skip) && !(n.cls !== "org" && n.cls !== "instrument" && people.some((p) => overlaps(p, n))));
  const names0 = [...found, ...people.filter((p) => !found.some((n) => overlaps(n, p)))].sort((x, y) => x.start - y.start);
  const acronyms = findAcronymDefs(s).filter((a) => !insideAny(a.acrSpan, skip));
  const numbers0 = findNumbers(s, skip);
  // a date wins over a "name" it overlaps ("March 1998"); other figures inside names are part of them
  const names = names0.filter((m) => !numbers0.some((n) => overlaps(m, n) && (n.kind === "date" || n.kind === "year")));
  const numbers = numbers0.filter((n) => n.kind === "date" || n.kind === "year" || !names.some((m) => overlaps(m, n) && m.text !== n.text));
  let readable = true;
  let referent: string | undefined;
  const d = danglingOpener(s, unit.bodyStart);
  if (d) {
    readable = false;
    const expletive = d.word === "It" && /^It\s+(?:(?:is|was|will|would|should|could|can|may|might|must|seems|appears)\s+)(?:(?:also|not|often|be|now|still|therefore)\s+)*(?:\w+\s+){1,3}(?:to|that|for|whether|if)\b/.test(s.slice(unit.bodyStart));
    if (!expletive && /^(It|They|This|These|Its|Their)$/.test(d.word)) {
      let cand: string | null = null;
      if (prev && prev.unit.block === unit.block && prev.readable) cand = subjectOf(applyEdits(prev.unit.text, prev.edits), prev.unit.bodyStart);
      // the heading as a last resort, for a singular "It"/"This" only ("They" is too often someone else)
      if (!cand && !d.plural && heading && words(heading).length <= 5 && !/[:?]/.test(heading) && !/^(Overview|Introduction|Summary|Conclusions?|Background|What|How|Why)\b/i.test(heading)) cand = heading;
      if (cand && looksPlural(cand) === d.plural) {
        referent = cand;
        readable = true;
        let rep = unit.bodyStart > 0 ? cand.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()) : upperFirst(cand);
        if (d.word === "Its" || d.word === "Their") rep = /s$/.test(rep) ? `${rep}’` : `${rep}’s`; // "Its merchants" → "The League’s merchants"
        edits.push({ start: unit.bodyStart, end: d.end, text: rep });
      }
    }
  }
  // "These reactions are …": the previous sentence's subject when its head noun is the same
  // ("The light-independent reactions take place …"); "This splitting of water, …" → "The splitting of water"
  const body = s.slice(unit.bodyStart);
  const demM = readable && !d ? /^(This|These|Those|That)\s+/.exec(body) : null;
  if (demM) {
    // the noun phrase after it: up to three words, ending before "of", a verb or punctuation
    const toks = body.slice(demM[0].length).split(/\s+/, 4);
    let last = -1;
    let of = false;
    for (let k = 0; k < Math.min(3, toks.length); k++) {
      const t = toks[k]!;
      if (t === "of" && k > 0) {
        of = true;
        break;
      }
      if (!/^[a-z][a-z\-]*$/.test(t) || isVerbWord(t)) {
        if (/^[a-z][a-z\-]*[,;:]$/.test(t)) last = k;
        break;
      }
      last = k;
    }
    const noun = last >= 0 ? toks[last]!.replace(/[,;:]$/, "") : "";
    const npEnd = unit.bodyStart + demM[0].length + toks.slice(0, last + 1).join(" ").replace(/[,;:]$/, "").length;
    const prevSubj = noun && prev && prev.unit.block === unit.block && prev.readable ? subjectOf(applyEdits(prev.unit.text, prev.edits), prev.unit.bodyStart) : null;
    const head = prevSubj ? (prevSubj.split(/\s+(?:of|in|on|for|to|with|by|from|at)\s+/)[0] ?? "").split(/\s+/).pop() : undefined;
    if (prevSubj && !of && head === noun && !/^(This|These|Those|That)\b/i.test(prevSubj)) {
      referent = prevSubj;
      edits.push({ start: unit.bodyStart, end: npEnd, text: unit.bodyStart > 0 ? prevSubj : upperFirst(prevSubj) });
    } else if (of && noun) edits.push({ start: unit.bodyStart, end: unit.bodyStart + demM[1]!.length, text: "The" });
  }
  // "In South-East Asia in particular, it conducts …": a pronoun subject after an opening phrase
  // (after a subordinate clause, "If companies refuse …, it will lead to …", "it" is the clause: fine as it is)
  const mid = readable && !d ? /^((?!(?:If|When|Whenever|While|Although|Though|As|Because|Since|Unless|Once|Until|Where|Whether)\b)[A-Z][^,;:()]{1,80}?,\s+)(it|they)\s+([a-z]+)/.exec(s.slice(unit.bodyStart)) : null;
  if (mid && isVerbWord(mid[3]!)) {
    const at = unit.bodyStart + mid[1]!.length;
    const plural = mid[2] === "they";
    let cand: string | null = null;
    if (prev && prev.unit.block === unit.block && prev.readable) cand = subjectOf(applyEdits(prev.unit.text, prev.edits), prev.unit.bodyStart);
    if (cand && looksPlural(cand) === plural && !/^[a-z]/.test(cand.replace(/^the\b/i, "X"))) {
      referent = cand;
      edits.push({ start: at, end: at + mid[2]!.length, text: /^[A-Z]{2,}|^[A-Z][a-z]+\s+[A-Z]/.test(cand) ? cand : cand.replace(/^The\b/, "the") });
    } else readable = false;
  }
  // "… is defined in article 3 as:" introduces what follows; on a card it ends the sentence
  const colon = s.trimEnd().endsWith(":") ? /(?:\s+(?:as|as follows|the following))?:\s*$/.exec(s) : null;
  if (colon && colon.index > unit.bodyStart && !edits.some((e) => e.end > colon.index)) edits.push({ start: colon.index, end: s.length, text: "." });
  // a quotation opened here and closed in another sentence: this one is a fragment of it
  // (a closing quote of a quotation begun earlier is fine: the sentence itself is whole)
  const straight = [...s.matchAll(/"/g)];
  const lastStraight = straight[straight.length - 1];
  const opensStraight = straight.length % 2 === 1 && lastStraight !== undefined && /^"[A-Za-z0-9]/.test(s.slice(lastStraight.index, lastStraight.index + 2)) && /(^|\s)$/.test(s.slice(0, lastStraight.index));
  if (opensStraight || (s.match(/“/g) ?? []).length > (s.match(/”/g) ?? []).length) readable = false;
  edits.sort((a, b) => a.start - b.start);
  const display = squash(applyEdits(s, edits).replace(/\s+([,.;:])/g, "$1"));
  const exact = applyEdits(s, edits);
  return { unit, skip, names, acronyms, numbers, edits, display, exact, readable, ...(referent ? { referent } : {}) };
}

/** The display text with exact offsets (no whitespace squashing), for cloze cutting. */
export function displayExact(a: Analysed): string {
  return a.exact;
}
