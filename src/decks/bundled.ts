/**
 * The bundled decks. The start-up module holds only their index (ids, titles, card ids —
 * src/decks/bundled-index.json, written by scripts/build-lazy.mjs from decks/*.json); each deck's
 * texts load on its first use (src/lazy.ts), with no KV read. They are validated by `npm run decks:check`
 * (part of `npm test`), so the Worker does not re-validate them.
 */
import type { Deck } from "./schema";
import index from "./bundled-index.json";
import { loadBundledDeck } from "../lazy";

/** One bundled deck as the always-loaded index knows it. */
export interface BundledIndexEntry {
  id: string;
  title: string;
  /** Card ids in deck order. */
  cards: string[];
}

/** Decks whose texts load on first use, one deck at a time: the index now, a deck's texts when `load(id)` resolves. */
export interface LazyDecks {
  readonly index: readonly BundledIndexEntry[];
  load(id: string): Promise<Deck>;
}

/** Bundled decks: given whole (tests, the benchmark), or lazily (the Worker). */
export type BundledDecks = readonly Deck[] | LazyDecks;

export const BUNDLED: LazyDecks = { index: index as BundledIndexEntry[], load: loadBundledDeck };
