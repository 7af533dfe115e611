/**
 * A card as a Telegram quiz poll: the question (cloze deletions as […]), the answer and three of
 * its distractors in an order that is shuffled deterministically from a seed, and an explanation
 * that cites the source quote within Telegram's 200 characters.
 */
import { quizQuestion, type Card, type Deck } from "../decks/schema";
import { cut } from "../bot/render";

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

/** The explanation: the quote, cut cleanly, and its source — at most 200 characters. */
export function explanationFor(deck: Deck, card: Card): string {
  const src = card.source === undefined ? undefined : deck.sources.find((s) => s.id === card.source);
  const cite = src ? ` — ${cut(src.publisher.replace(/^.*\((\w+)\)$/, "$1"), 30)}, ${src.year}` : "";
  if (!card.quote) return cut(`Answer: ${card.back}`, POLL_LIMITS.explanation);
  const room = POLL_LIMITS.explanation - cite.length - 2;
  return `“${cut(card.quote, room)}”${cite}`;
}

/** Builds the poll for `card`; `seed` fixes the option order (e.g. quiz id + card id). */
export function buildPoll(deck: Deck, card: Card, seed: string, prefix = ""): QuizPoll {
  const distractors = shuffle(card.distractors ?? [], `${seed}:d`).slice(0, 3);
  const options = shuffle([card.back, ...distractors], seed);
  const q = quizQuestion(card.front);
  const question = prefix && prefix.length + q.length <= POLL_LIMITS.question ? prefix + q : q;
  return { question, options, correct: options.indexOf(card.back), explanation: explanationFor(deck, card) };
}
