/**
 * A card as a Telegram quiz poll: the question (cloze deletions as […]), the answer and three of
 * its distractors in an order that is shuffled deterministically from a seed, and an explanation
 * that cites the source quote within Telegram's 200 characters.
 */
import { quizQuestion, type Card, type Deck } from "../decks/schema";
import { clozeAnswers } from "../decks/cloze";
import { cut } from "../learner/render";

export const POLL_LIMITS = { question: 300, option: 100, explanation: 200 } as const;

/** FNV-1a, 32 bits. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], seed: string): T[] {
  const out = [...items];
  const rnd = prng(hash32(seed));
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface QuizPoll {
  question: string;
  options: string[];
  /** Index of the correct option. */
  correct: number;
  explanation: string;
}

/** Straight quotes for curly ones, lower case: a one-to-one fold, so indexes stay those of the text. */
function fold(text: string): string {
  return text.replace(/[\u2018\u2019\u201A\u2032]/g, "'").replace(/[\u201C\u201D\u201E\u2033]/g, '"').replace(/[\u2010-\u2015\u2212]/g, "-").toLowerCase();
}

/** Where the answer stands in `text` (already whitespace-collapsed), as [from, to); null when it does not. */
export function answerSpan(text: string, answers: readonly string[]): [number, number] | null {
  const hay = fold(text);
  for (const a of answers) {
    const needle = fold(a.replace(/\s+/g, " ").trim().replace(/[.;:,]+$/, ""));
    if (!needle) continue;
    const at = hay.indexOf(needle);
    if (at >= 0) return [at, at + needle.length];
  }
  return null;
}

const isSpace = (c: string | undefined) => c === " ";
const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** The first word start at or after `at` (0 at most), never past `limit`. */
function wordStart(t: string, at: number, limit: number): number {
  if (at <= 0) return 0;
  if (isSpace(t[at - 1])) return at;
  const sp = t.indexOf(" ", at);
  return sp >= 0 && sp + 1 <= limit ? sp + 1 : limit;
}

/**
 * At most `max` characters of `text` (whitespace-collapsed) that hold [from, to): from the start
 * when the answer is near it, else from the start of the sentence holding the answer, else
 * centred on it — cut at word boundaries, with "…" on each side that was cut.
 */
export function windowAround(text: string, from: number, to: number, max: number): string {
  const t = text;
  if (t.length <= max) return t;
  if (from > 0 && isHigh(t.charCodeAt(from - 1))) from--; // never half an emoji
  if (to < t.length && isHigh(t.charCodeAt(to - 1))) to++;
  if (to - from > max - 2) return cut(t, max);
  let s: number;
  if (to <= max - 1) s = 0;
  else {
    // The latest sentence start at or before the answer that still leaves room for it.
    let best = -1;
    for (let k = from - 1; k >= 1; k--) {
      if (to - k > max - 2) break;
      if (isSpace(t[k - 1]) && /[.!?;]/.test(t[k - 2] ?? "")) {
        best = k;
        break;
      }
    }
    if (best >= 0) s = best;
    else {
      s = wordStart(t, from - Math.floor((max - 2 - (to - from)) / 2), from);
    }
  }
  let e = s + max - (s > 0 ? 1 : 0);
  if (e >= t.length) {
    e = t.length;
    // The end is reached: use the room left to show more before the answer.
    if (s > 0) s = Math.min(s, wordStart(t, t.length - (max - 1), from));
  } else {
    e -= 1; // room for the trailing "…"
    const sp = t.lastIndexOf(" ", e);
    if (sp >= to) e = sp;
    if (isHigh(t.charCodeAt(e - 1))) e--; // never half an emoji
  }
  let body = t.slice(s, e);
  if (e < t.length) body = body.replace(/[\s,;:\-–—]+$/, "");
  return `${s > 0 ? "…" : ""}${body}${e < t.length ? "…" : ""}`;
}

/**
 * The explanation: the part of the quote that holds the answer (the whole quote when it fits),
 * and its source — at most 200 characters.
 */
export function explanationFor(deck: Deck, card: Card): string {
  const src = card.source === undefined ? undefined : deck.sources.find((s) => s.id === card.source);
  const cite = src ? ` — ${cut(src.publisher.replace(/^.*\((\w+)\)$/, "$1"), 30)}, ${src.year}` : "";
  if (!card.quote) return cut(`Answer: ${card.back}`, POLL_LIMITS.explanation);
  const room = POLL_LIMITS.explanation - cite.length - 2;
  const quote = card.quote.replace(/\s+/g, " ").trim();
  const span = answerSpan(quote, [card.back, ...clozeAnswers(card.front)]);
  return `“${span ? windowAround(quote, span[0], span[1], room) : cut(quote, room)}”${cite}`;
}

/** Builds the poll for `card`; `seed` fixes the option order (e.g. quiz id + card id). */
export function buildPoll(deck: Deck, card: Card, seed: string, prefix = ""): QuizPoll {
  const distractors = shuffle(card.distractors ?? [], `${seed}:d`).slice(0, 3);
  const options = shuffle([card.back, ...distractors], seed);
  const q = quizQuestion(card.front);
  const question = prefix && prefix.length + q.length <= POLL_LIMITS.question ? prefix + q : q;
  return { question, options, correct: options.indexOf(card.back), explanation: explanationFor(deck, card) };
}
