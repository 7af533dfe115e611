/** Fixture decks for tests: small, predictable, valid by the deck schema. */
import type { Deck } from "../../src/decks/schema";
import { validateDeck } from "../../src/decks/schema";

export function makeDeck(id: string, n: number, opts: { title?: string; quiz?: boolean; text?: (i: number) => string } = {}): Deck {
  const text = opts.text ?? ((i: number) => `Fact number ${i} of ${id}`);
  const deck = {
    id,
    title: opts.title ?? `Deck ${id}`,
    description: `A fixture deck with ${n} cards.`,
    language: "en",
    sources: [{ id: "fixture-source", title: "Fixture source", publisher: "Lectern tests", year: 2026 }],
    cards: Array.from({ length: n }, (_, i) => ({
      id: `${id}-c${i}`,
      front: `Question ${i} of ${id}?`,
      back: `Answer ${i}`,
      source: "fixture-source",
      quote: text(i),
      ...(opts.quiz === false ? {} : { distractors: [`Wrong ${i}a`, `Wrong ${i}b`, `Wrong ${i}c`] }),
    })),
  };
  const r = validateDeck(deck);
  if (!r.ok) throw new Error(`fixture deck ${id} is invalid: ${JSON.stringify(r.problems)}`);
  return r.deck;
}
