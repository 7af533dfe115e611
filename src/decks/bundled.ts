/**
 * The bundled decks. The start-up module holds only their index (ids, titles, card ids —
 * src/decks/bundled-index.json, written by scripts/build-lazy.mjs from decks/*.json); the texts
 * load on first use (src/lazy.ts), with no KV read. They are validated by `npm run decks:check`
 * (part of `npm test`), so the Worker does not re-validate them.
 */
import type { Deck } from "./schema";
import index from "./bundled-index.json";
import { loadBundledDecks } from "../lazy";

/** One bundled deck as the always-loaded index knows it. */
export interface BundledIndexEntry {
  id: string;
  title: string;
  /** Card ids in deck order. */
  cards: string[];
}

/** Decks whose texts load on first use: the index now, the texts when `load()` resolves. */
export interface LazyDecks {
  readonly index: readonly BundledIndexEntry[];
  load(): Promise<readonly Deck[]>;
}

/** Bundled decks: given whole (tests, the benchmark), or lazily (the Worker). */
export type BundledDecks = readonly Deck[] | LazyDecks;

export const BUNDLED: LazyDecks = { index: index as BundledIndexEntry[], load: loadBundledDecks };
