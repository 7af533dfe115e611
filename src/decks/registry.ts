/**
 * Where decks come from: the bundled decks (shipped with the Worker — no KV read to show a card;
 * their index is always loaded, their texts on first use) and decks lecturers uploaded (one KV
 * value each, read when a learner uses them).
 */
import { isQuizCapable, type Deck } from "./schema";
import type { BundledDecks, BundledIndexEntry, LazyDecks } from "./bundled";

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
  /** Uploaded decks: marked public by their owner (anyone may open them by id). */
  public?: boolean;
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

/**
 * A bundled deck known from the index: id, title and card ids at once; the texts (`deck.cards`,
 * the description, `quiz`) once `load()` has run — before that they throw, naming the fix.
 */
class IndexedDeck implements LoadedDeck {
  readonly bundled = true;
  readonly index: Map<string, number>;
  readonly cardIds: string[];
  private full: { deck: Deck; quiz: boolean[] } | undefined;
  private readonly stub: Deck;
  private readonly missing: () => never;

  constructor(entry: BundledIndexEntry) {
    this.cardIds = entry.cards;
    this.index = new Map(entry.cards.map((id, i) => [id, i]));
    const missing = (this.missing = (): never => {
      throw new Error(`the texts of bundled deck "${entry.id}" are not loaded: get it with \`await decks.get(id)\``);
    });
    this.stub = Object.defineProperties({ id: entry.id, title: entry.title } as Deck, {
      cards: { get: missing }, description: { get: missing }, sources: { get: missing }, language: { get: missing },
    });
  }

  get deck(): Deck {
    return this.full?.deck ?? this.stub;
  }

  get quiz(): boolean[] {
    if (!this.full) return this.missing();
    return this.full.quiz;
  }

  get loaded(): boolean {
    return this.full !== undefined;
  }

  fill(deck: Deck): void {
    const same = deck.cards.length === this.cardIds.length && deck.cards.every((c, i) => c.id === this.cardIds[i]);
    if (!same) throw new Error(`src/decks/bundled-index.json does not match deck "${deck.id}": run \`node scripts/build-lazy.mjs\``);
    this.full = { deck, quiz: deck.cards.map(isQuizCapable) };
  }
}

/** The bundled decks of one source, shared by every registry of the isolate. */
interface Bundle {
  decks: Map<string, LoadedDeck>;
  /** Resolves when deck `id` has its texts (at once for decks given whole). */
  ready(id: string): Promise<void>;
}

/** Bundled decks are loaded once per isolate, not per registry (one is built per invocation). */
const loadedBundles = new WeakMap<BundledDecks, Bundle>();

function isLazy(source: BundledDecks): source is LazyDecks {
  return !Array.isArray(source);
}

function bundle(source: BundledDecks): Bundle {
  let b = loadedBundles.get(source);
  if (b) return b;
  if (isLazy(source)) {
    const entries = new Map(source.index.map((e) => [e.id, new IndexedDeck(e)]));
    // One load per deck: a review loads only its own deck's texts.
    const loading = new Map<string, Promise<void>>();
    const ready = (id: string): Promise<void> => {
      const entry = entries.get(id);
      if (!entry || entry.loaded) return Promise.resolve();
      let p = loading.get(id);
      if (!p) {
        p = source.load(id).then(
          (deck) => {
            if (deck.id !== id) throw new Error(`bundled deck "${id}" loaded as "${deck.id}": run \`node scripts/build-lazy.mjs\``);
            entry.fill(deck);
          },
          (err: unknown) => {
            loading.delete(id); // a failed load is retried by the next update
            throw err;
          },
        );
        loading.set(id, p);
      }
      return p;
    };
    b = { decks: entries, ready };
  } else {
    const decks = new Map((source as readonly Deck[]).map((d) => [d.id, loadDeck(d, true)]));
    b = { decks, ready: () => Promise.resolve() };
  }
  loadedBundles.set(source, b);
  return b;
}

export class DeckRegistry {
  private readonly bundled: Bundle;

  constructor(
    bundledDecks: BundledDecks,
    private readonly uploaded?: UploadedDeckSource,
  ) {
    this.bundled = bundle(bundledDecks);
  }

  /**
   * Bundled decks in catalogue order: id, title and card ids are always there; card texts only
   * once the deck came through `get`/`getMany` (or `loadCatalogue`) in this isolate.
   */
  catalogue(): LoadedDeck[] {
    return [...this.bundled.decks.values()];
  }

  /** Bundled decks in catalogue order, with their texts. */
  async loadCatalogue(): Promise<LoadedDeck[]> {
    await Promise.all([...this.bundled.decks.keys()].map((id) => this.bundled.ready(id)));
    return this.catalogue();
  }

  isBundled(id: string): boolean {
    return this.bundled.decks.has(id);
  }

  async get(id: string): Promise<LoadedDeck | null> {
    const b = this.bundled.decks.get(id);
    if (b) {
      await this.bundled.ready(id);
      return b;
    }
    return this.uploaded ? this.uploaded.get(id) : null;
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
