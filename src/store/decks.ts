/**
 * Uploaded decks: `v1:deck:<id>` → { v, owner, updated, deck }. Read through a small per-isolate
 * cache (KV itself may serve a value up to 60 s old, so caching as long adds no staleness).
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { DeckSchema } from "../decks/schema";
import { loadDeck, type LoadedDeck, type UploadedDeckSource } from "../decks/registry";
import { Kv } from "./kv";

export const deckKey = (id: string) => `v1:deck:${id}`;
const CACHE_MS = 60_000;
const CACHE_MAX = 50;

export const StoredDeckSchema = v.object({
  v: v.literal(1),
  owner: v.number(),
  updated: v.number(),
  deck: DeckSchema,
});
export type StoredDeck = v.InferOutput<typeof StoredDeckSchema>;

const cache = new Map<string, { at: number; deck: LoadedDeck | null }>();

export class UploadedDecks implements UploadedDeckSource {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  async get(id: string): Promise<LoadedDeck | null> {
    const now = this.deps.now();
    const hit = cache.get(id);
    if (hit && now - hit.at < CACHE_MS) return hit.deck;
    const stored = await this.kv.getJson(deckKey(id), StoredDeckSchema);
    const deck = stored ? loadDeck(stored.deck, false, stored.owner) : null;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(id, { at: now, deck });
    return deck;
  }

  async put(stored: StoredDeck): Promise<void> {
    await this.kv.put(deckKey(stored.deck.id), stored);
    cache.set(stored.deck.id, { at: this.deps.now(), deck: loadDeck(stored.deck, false, stored.owner) });
  }

  /** Forget cached copies (tests; after a delete). */
  static clearCache(): void {
    cache.clear();
  }
}
