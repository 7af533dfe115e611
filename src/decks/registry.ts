/**
 * Where decks come from: the bundled decks (part of the Worker bundle — no KV read to show a
 * card) and decks lecturers uploaded (one KV value each, read when a learner uses them).
 */
import { isQuizCapable, type Deck } from "./schema";

export interface LoadedDeck {
  deck: Deck;
  /** Card id → index in deck.cards. */
  index: Map<string, number>;
  /** Card ids in deck order (the session's view). */
  cardIds: string[];
  /** quiz[i]: card i can be asked as a quiz poll. */
  quiz: boolean[];
  bundled: boolean;
  /** Uploaded decks: the lecturer who owns it. */
  owner?: number;
}

export function loadDeck(deck: Deck, bundled: boolean, owner?: number): LoadedDeck {
  const index = new Map<string, number>();
  deck.cards.forEach((c, i) => index.set(c.id, i));
  const loaded: LoadedDeck = { deck, index, cardIds: deck.cards.map((c) => c.id), quiz: deck.cards.map(isQuizCapable), bundled };
  if (owner !== undefined) loaded.owner = owner;
  return loaded;
}

export interface UploadedDeckSource {
  /** An uploaded deck by id, or null. */
  get(id: string): Promise<LoadedDeck | null>;
}

/** Bundled decks are loaded once per isolate, not per registry (one is built per invocation). */
const loadedBundles = new WeakMap<readonly Deck[], Map<string, LoadedDeck>>();

function bundle(decks: readonly Deck[]): Map<string, LoadedDeck> {
  let m = loadedBundles.get(decks);
  if (!m) {
    m = new Map(decks.map((d) => [d.id, loadDeck(d, true)]));
    loadedBundles.set(decks, m);
  }
  return m;
}

export class DeckRegistry {
  private readonly bundled: Map<string, LoadedDeck>;

  constructor(
    bundledDecks: readonly Deck[],
    private readonly uploaded?: UploadedDeckSource,
  ) {
    this.bundled = bundle(bundledDecks);
  }

  /** Bundled decks in catalogue order. */
  catalogue(): LoadedDeck[] {
    return [...this.bundled.values()];
  }

  isBundled(id: string): boolean {
    return this.bundled.has(id);
  }

  async get(id: string): Promise<LoadedDeck | null> {
    return this.bundled.get(id) ?? (this.uploaded ? this.uploaded.get(id) : null);
  }

  /** Several decks by id (bundled ones without I/O), skipping ids that no longer exist. */
  async getMany(ids: readonly string[]): Promise<Map<string, LoadedDeck>> {
    const out = new Map<string, LoadedDeck>();
    for (const id of ids) {
      const d = await this.get(id);
      if (d) out.set(id, d);
    }
    return out;
  }
}
