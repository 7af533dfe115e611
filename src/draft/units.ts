/**
 * Blocks → study units: sentences from `Intl.Segmenter` (with a few repairs), list items as their
 * own units, and the heading path each unit sits under (the deck title's heading left out).
 */
import type { Block } from "./parse";
import { squash } from "./text";

export interface Unit {
  /** The sentence as it stands in the document (whitespace collapsed). */
  text: string;
  /** Position in the document (0-based over all units). */
  index: number;
  /** Index of the block it came from; `first` when it opens that block. */
  block: number;
  first: boolean;
  kind: "para" | "item";
  /** Headings above the unit, outermost first (the heading used as the deck title is left out). */
  path: string[];
  /** A list item's lead-in label ("Coordination:" → "Coordination"), on the item's first unit. */
  label?: string;
  /** Offset of the sentence body after the label (0 without one). */
  bodyStart: number;
}

const ABBREVIATIONS = new Set(
  "mr mrs ms dr prof st jr sr gen gov rep sen rev hon capt col lt sgt fig figs no nos vol vols p pp ch chap sec sect art arts para paras cf vs al approx est dept univ inc ltd co corp e.g i.e u.s u.k u.n a.m p.m jan feb mar apr jun jul aug sep sept oct nov dec"
    .split(" "),
);

let segmenter: Intl.Segmenter | undefined;

/** Letters, digits, spaces and punctuation that never ends a sentence. */
const SAFE_SENTENCE = /^[A-Za-z0-9\u00C0-\u024F ,;:'"()\-–—’‘“”/&%$€£+*=#@]*$/;
/** Where the closing stops and quotes of a text begin ("…end.”" → the index of "."). */
function trailingStops(s: string): number {
  let i = s.length;
  while (i > 0 && "\"”’)".includes(s.charAt(i - 1))) i--;
  const quotes = i;
  while (i > 0 && ".!?…".includes(s.charAt(i - 1))) i--;
  return i === quotes ? s.length : i;
}

/** Sentences of one block of text, verbatim (trimmed). */
export function splitSentences(text: string): string[] {
  // one sentence with no stop inside it (a heading-like line, a list item): no need to ask ICU
  const whole = text.trim();
  if (SAFE_SENTENCE.test(whole.slice(0, trailingStops(whole)))) return whole ? [squash(whole)] : [];
  segmenter ??= new Intl.Segmenter("en", { granularity: "sentence" });
  const raw: string[] = [];
  for (const s of segmenter.segment(text)) {
    const t = s.segment.trim();
    if (t) raw.push(t);
  }
  // Repair 1: the segmenter breaks after abbreviations and initials ("Dr. Smith", "the U.S. Army").
  // (pieces are joined once at the end: re-joining a growing sentence per piece costs its length each time)
  const groups: string[][] = [];
  for (const s of raw) {
    const group = groups[groups.length - 1];
    if (group !== undefined && endsWithAbbreviation(`${group.length > 1 ? " " : ""}${group[group.length - 1]}`) && /^[A-Za-z0-9(]/.test(s)) group.push(s);
    else groups.push([s]);
  }
  const merged = groups.map((g) => g.join(" "));
  // Repair 2: it does not break before a sentence that opens with a figure ("… this issue. 170 countries …").
  // One pass over each sentence (the word before the stop must start at a word boundary: linear time).
  const out: string[] = [];
  for (const s of merged) {
    if (!/[.!?]["”’)]?\s+\d/.test(s)) {
      out.push(s);
      continue;
    }
    const m = /(?<![A-Za-z])([A-Za-z]{2,})([.!?])(["”’)]?)\s+(?=\d)/g;
    let from = 0;
    for (let mm = m.exec(s); mm; mm = m.exec(s)) {
      if (mm[2] === "." && ABBREVIATIONS.has(mm[1]!.toLowerCase())) continue;
      const cut = mm.index + mm[1]!.length + mm[2]!.length + mm[3]!.length;
      const piece = s.slice(from, cut).trim();
      if (piece) out.push(piece);
      from = cut;
    }
    const rest = s.slice(from).trim();
    if (rest) out.push(rest);
  }
  return out.map(squash);
}

function endsWithAbbreviation(s0: string): boolean {
  // only the end matters: look at the last 40 characters (a "#" stands for a cut-off word before them)
  const s = s0.length <= 40 ? s0 : `${/[\s(]/.test(s0.charAt(s0.length - 41)) ? " " : "#"}${s0.slice(-40)}`;
  const m = /(?:^|[\s(])((?:[A-Za-z]\.)+[A-Za-z]?|[A-Za-z]+)\.$/.exec(s);
  if (!m) return false;
  const w = m[1]!.toLowerCase();
  if (/^[a-z]$/.test(w)) return /[\s(][A-Z]\.$/.test(s); // an initial such as "J."
  return ABBREVIATIONS.has(w.replace(/\.$/, ""));
}

const LABEL = /^([A-Z][A-Za-z0-9'’ ,&\-]{1,60}?)\s*:\s+(?=\S)/;

export function toUnits(blocks: readonly Block[], titleBlock: number): Unit[] {
  const units: Unit[] = [];
  let path: string[] = [];
  const levels: number[] = [];
  blocks.forEach((b, bi) => {
    if (b.kind === "heading") {
      if (bi === titleBlock) {
        // what precedes the title (a date line, a blurb) heads nothing
        path = [];
        levels.length = 0;
        return;
      }
      while (levels.length && levels[levels.length - 1]! >= b.level) {
        levels.pop();
        path = path.slice(0, -1);
      }
      levels.push(b.level);
      path = [...path, b.text];
      return;
    }
    const sentences = splitSentences(b.text);
    let label: string | undefined;
    const lm = b.kind === "item" ? LABEL.exec(b.text) : null;
    if (lm && lm[1]!.split(/\s+/).length <= 6) label = lm[1]!.trim();
    sentences.forEach((text, si) => {
      const bodyStart = si === 0 && label && lm ? Math.min(lm[0].length, text.length) : 0;
      units.push({
        text,
        index: units.length,
        block: bi,
        first: si === 0,
        kind: b.kind === "item" ? "item" : "para",
        path: label ? [...path, label] : path,
        ...(si === 0 && label ? { label } : {}),
        bodyStart,
      });
    });
  });
  return units;
}

/**
 * Which block names the document: the first level-1 heading when the document opens with
 * headings (Markdown/HTML), else the longest heading-like line before the first paragraph.
 * Returns -1 when the document opens with prose.
 */
export function findTitleBlock(blocks: readonly Block[]): number {
  let best = -1;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    if (b.kind !== "heading") break;
    if (best < 0 || b.level < blocks[best]!.level || (b.level === blocks[best]!.level && b.level === 1 && b.text.length > blocks[best]!.text.length && allLevel1(blocks, i))) best = i;
  }
  if (best >= 0) return best;
  const h1 = blocks.findIndex((b) => b.kind === "heading" && b.level === 1);
  return h1 >= 0 && blocks.filter((b) => b.kind === "heading" && b.level === 1).length === 1 ? h1 : -1;
}

function allLevel1(blocks: readonly Block[], upto: number): boolean {
  for (let i = 0; i <= upto; i++) if (blocks[i]!.level !== 1) return false;
  return true;
}
