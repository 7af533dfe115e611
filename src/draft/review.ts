/**
 * What the lecturer's review of a draft needs beyond drafting: the deck description counted from
 * the cards actually kept, readable counts by kind, and re-grounding an edited card — its quote
 * becomes the document sentence that holds the new answer, or it has no quote. Pure.
 */
import { normalizeForQuote, quizQuestion, type Card } from "../decks/schema";
import { contentStems, cutWords, jaccard } from "./text";

/** Content-word stems (not the drafter's memo table: this runs outside a drafting call). */
const stems = (s: string): ReadonlySet<string> => new Set(contentStems(s));

/** The draft deck's description, for the cards it holds now. */
export function draftDescription(sourceTitle: string, cards: readonly Card[]): string {
  const n = cards.length;
  const quoted = cards.filter((c) => c.quote).length;
  const what = `${n} ${n === 1 ? "card" : "cards"}`;
  const quoting =
    quoted === n ? (n === 1 ? "quoting the sentence it came from" : "each quoting the sentence it came from") : `${quoted} of them quoting the sentence they came from`;
  return cutWords(`Drafted automatically from “${sourceTitle}”: ${what}, ${quoting}. Review before publishing.`, 600);
}

const KIND_NAMES: Record<string, [string, string]> = {
  definition: ["definition", "definitions"],
  term: ["term", "terms"],
  acronym: ["acronym", "acronyms"],
  date: ["date", "dates"],
  number: ["number", "numbers"],
  name: ["name", "names"],
  enumeration: ["list", "lists"],
  phrase: ["key phrase", "key phrases"],
};

/** "3 definitions, 1 date, 2 names" (kinds with no card left out). */
export function kindSummary(byKind: Readonly<Record<string, number>>): string {
  return Object.entries(byKind)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => {
      const [one, many] = KIND_NAMES[k] ?? [k, k];
      return `${n} ${n === 1 ? one : many}`;
    })
    .join(", ");
}

/** The front as a lecturer reads and edits it: a cloze deletion shown as a blank "[…]". */
export function readableFront(front: string): string {
  return quizQuestion(front);
}

/**
 * The front from a lecturer's edit: one blank "[…]" (or "[...]") becomes a cloze deletion of the
 * answer, so a cloze card edited as it was shown stays a cloze card.
 */
export function frontFromEdit(front: string, back: string): string {
  const blanks = front.match(/\[(?:…|\.\.\.)\]/g) ?? [];
  if (blanks.length !== 1 || /\{\{|\}\}/.test(back)) return front;
  return front.replace(/\[(?:…|\.\.\.)\]/, () => `{{c1::${back}}}`);
}

/** Where `needle` stands in `hay` as whole words (both already normalised and lower-cased). */
function holdsWords(hay: string, needle: string): boolean {
  if (!needle) return false;
  const letter = (c: string) => /[\p{L}\p{N}]/u.test(c);
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = at > 0 ? hay.charAt(at - 1) : " ";
    const after = hay.charAt(at + needle.length) || " ";
    if ((!letter(needle.charAt(0)) || !letter(before)) && (!letter(needle.charAt(needle.length - 1)) || !letter(after))) return true;
  }
  return false;
}

export interface Regrounded {
  card: Card;
  /** The sentence now quoted, or null when no sentence of the document holds the answer. */
  quote: string | null;
}

/**
 * The card with a new front and back, quoting the document sentence that holds the new answer:
 * of the sentences holding it, the one sharing most words with the question (the old quote wins
 * a tie, then the earlier sentence). No sentence holds it → no quote. The wrong options of a quiz
 * card were chosen for the old answer: a new answer drops them (the card becomes review-only).
 */
export function regroundCard(card: Card, front: string, back: string, sentences: readonly string[]): Regrounded {
  const answer = normalizeForQuote(back).toLowerCase();
  const question = stems(quizQuestion(front));
  let best: { s: string; score: number } | null = null;
  for (const s of sentences) {
    if (!holdsWords(normalizeForQuote(s).toLowerCase(), answer)) continue;
    const score = jaccard(question, stems(s)) + (s === card.quote ? 1e-6 : 0);
    if (!best || score > best.score) best = { s, score };
  }
  const next: Card = { ...card, front, back };
  const sameAnswer = normalizeForQuote(card.back).toLowerCase() === answer;
  if (!sameAnswer || next.distractors?.some((x) => normalizeForQuote(x).toLowerCase() === answer)) delete next.distractors;
  if (best) next.quote = best.s;
  else delete next.quote;
  return { card: next, quote: best?.s ?? null };
}
