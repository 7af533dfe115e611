/**
 * Uploaded decks, stored ready to use: validated once at upload, then read without re-validating
 * a card. Read through a small per-isolate cache (KV itself may serve a value up to 60 s old, so
 * caching as long adds no staleness).
 *
 * `v2:deck:<id>` is one JSON value whose header can be read without parsing the cards:
 *   {"v":2,"hl":"<8 digits>","head":{…},"owner":…,"updated":…,"deck":{…,"cards":[…]}}
 * `hl` is the header's length in characters, so it is cut out and parsed alone. The header holds
 * the owner, the deck's own fields, the card ids and quiz flags in deck order (what a review or a
 * quiz needs to pick a card), where each card's text ends, the value's length and a hash of the
 * ids. A read parses the header only and checks it against the value; a card is parsed from its
 * slice the first time it is used. A header that does not check out is not trusted: the whole
 * deck is then validated as an upload is, or refused. Parsed whole, the value is the deck with its
 * owner, as v1 was.
 *
 * `pub: 1` in the header: the owner marked the deck public (/publicdeck). A value without it —
 * every value from before the flag, and v1 values — is private; so is a value read whole because
 * its header did not check out. Toggling rewrites the header only (`withPublic`), so a learner's
 * access check reads the flag with the deck it reads anyway: no extra KV read.
 *
 * `v1:deck:<id>` → { v: 1, owner, updated, deck } is still read (validated with the deck schema).
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { DeckSchema, isQuizCapable, type Card, type Deck } from "../decks/schema";
import { loadDeck, type LoadedDeck, type UploadedDeckSource } from "../decks/registry";
import { shortHash } from "../decks/hash";
import { TransientError } from "./errors";
import { Kv, keyKind, writeGap } from "./kv";

export const deckKey = (id: string) => `v2:deck:${id}`;
export const deckKeyV1 = (id: string) => `v1:deck:${id}`;
const CACHE_MS = 60_000;
const CACHE_MAX = 50;

export const StoredDeckSchema = v.object({
  v: v.literal(1),
  owner: v.number(),
  updated: v.number(),
  deck: DeckSchema,
});
/** What ingest stores: an uploaded deck, already validated, with its owner. */
export interface StoredDeck {
  owner: number;
  updated: number;
  deck: Deck;
  /** Marked public by its owner: anyone may open it by id. Absent (every value from before): private. */
  public?: boolean;
}

interface Header {
  owner: number;
  updated: number;
  deck: Omit<Deck, "cards">;
  ids: string[];
  quiz: string;
  /** Card i is value.slice(at + (i ? ends[i - 1] + 1 : 0), at + ends[i]). */
  at: number;
  ends: number[];
  /** The value's length. */
  length: number;
  check: string;
  /** 1: the owner marked the deck public. Absent: private (so are values written before the flag). */
  pub?: 1;
}

const PREFIX = '{"v":2,"hl":"';
const HEAD_AT = PREFIX.length + 8 + '","head":'.length;

const cache = new Map<string, { at: number; deck: LoadedDeck | null }>();
/**
 * When this isolate last wrote each deck (ms): its next write waits until a second has passed (KV
 * takes one write per second per key) — an upload and a /publicdeck, or on and off, sent together.
 */
const written = new Map<string, number>();

interface Read {
  deck: LoadedDeck | null;
  version: 1 | 2 | null;
  /** Who owns the stored value: null when there is none (see getFresh). */
  owner: number | null;
}

/** The stored text of a deck (exported for tests and the benchmark). */
export function encodeDeck(stored: StoredDeck): string {
  const { cards, ...meta } = stored.deck;
  // One stringify of the list (a call per card costs more), then where each card ends in it.
  const list = JSON.stringify(cards);
  const body = list.slice(1, -1);
  const ends = objectEnds(body);
  if (ends.length !== cards.length) throw new Error(`encodeDeck: found ${ends.length} card texts for ${cards.length} cards`);
  const ids = cards.map((c) => c.id);
  const metaJson = JSON.stringify(meta);
  const middle = `,"owner":${stored.owner},"updated":${stored.updated},"deck":${metaJson.slice(0, -1)},"cards":[`;
  const tail = "]}}";
  const head: Header = {
    owner: stored.owner, updated: stored.updated, deck: meta, ids,
    quiz: cards.map((c) => (isQuizCapable(c) ? "1" : "0")).join(""), at: 0, ends, length: 0, check: idsCheck(ids),
    ...(stored.public ? { pub: 1 as const } : {}),
  };
  return frame(head, middle.length, `${middle}${body}${tail}`);
}

/**
 * The stored text around a header: `rest` is what follows it (the owner, the deck's fields, the
 * cards), the first `before` characters of it coming before the first card. Sets the header's
 * offsets (`at`, `length`), which depend on the header's own width.
 */
function frame(head: Header, before: number, rest: string): string {
  // The header holds its own offsets: measure it with 10-digit placeholders (real offsets are
  // shorter: a KV value is at most 25 MiB), then pad it with spaces to exactly that length.
  head.at = 1e9;
  head.length = 1e9;
  const width = JSON.stringify(head).length;
  head.at = HEAD_AT + width + before;
  head.length = HEAD_AT + width + rest.length;
  const headJson = JSON.stringify(head);
  const headText = `${headJson.slice(0, -1)}${" ".repeat(width - headJson.length)}}`;
  return `${PREFIX}${String(width).padStart(8, "0")}","head":${headText}${rest}`;
}

/**
 * The same stored text with the deck marked public or private: only the header changes (the
 * cards are copied as they are, never parsed). Null when the text is not a checked v2 value.
 */
export function withPublic(text: string, pub: boolean): string | null {
  const r = readHeader(text);
  if (!r.ok) return null;
  const { head, width } = r;
  const rest = text.slice(HEAD_AT + width);
  const before = head.at - HEAD_AT - width;
  if (pub) head.pub = 1;
  else delete head.pub;
  return frame(head, before, rest);
}

/** Offsets just after each top-level `{…}` of a comma-separated list of JSON objects. */
function objectEnds(body: string): number[] {
  const ends: number[] = [];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) ends.push(i + 1);
    }
  }
  return ends;
}

function idsCheck(ids: string[]): string {
  return `${ids.length}-${shortHash(ids.join("\n"))}`;
}

/** The header of a stored text, checked against the text (lengths, where the cards are, the ids' hash). */
function readHeader(text: string): { ok: true; head: Header; width: number } | { ok: false; problem: string } {
  if (!text.startsWith(PREFIX)) return { ok: false, problem: "not version 2" };
  const hl = Number(text.slice(PREFIX.length, PREFIX.length + 8));
  if (!Number.isSafeInteger(hl) || hl < 2 || HEAD_AT + hl > text.length) return { ok: false, problem: "bad header length" };
  let h: Header;
  try {
    h = JSON.parse(text.slice(HEAD_AT, HEAD_AT + hl)) as Header;
  } catch {
    return { ok: false, problem: "header is not JSON" };
  }
  if (!h || typeof h !== "object" || typeof h.owner !== "number" || typeof h.updated !== "number" || !h.deck || typeof h.deck !== "object") {
    return { ok: false, problem: "bad header fields" };
  }
  if (typeof h.deck.id !== "string" || typeof h.deck.title !== "string" || typeof h.deck.description !== "string" || !Array.isArray(h.deck.sources)) {
    return { ok: false, problem: "bad deck fields" };
  }
  if (h.length !== text.length) return { ok: false, problem: `the value is ${text.length} characters, its header says ${h.length}` };
  const { ids, ends, quiz, at } = h;
  const n = Array.isArray(ids) ? ids.length : -1;
  if (n < 1 || !Array.isArray(ends) || ends.length !== n || typeof quiz !== "string" || quiz.length !== n) return { ok: false, problem: "counts differ" };
  if (typeof at !== "number" || text.slice(at - 10, at) !== ',"cards":[' || text.slice(at + ends[n - 1]!) !== "]}}") return { ok: false, problem: "cards are not where the header says" };
  for (let i = 0; i < n; i++) if (typeof ids[i] !== "string") return { ok: false, problem: "bad id list" };
  if (h.check !== idsCheck(ids)) return { ok: false, problem: "ids do not match their check" };
  return { ok: true, head: h, width: hl };
}

/**
 * A stored text → a loaded deck, or the reason it cannot be trusted. Costs a parse of the header
 * and a pass over the ids; the cards stay text until used.
 */
export function decodeDeck(text: string): { ok: true; deck: LoadedDeck } | { ok: false; problem: string } {
  const r = readHeader(text);
  if (!r.ok) return r;
  const h = r.head;
  const { ids, ends, quiz, at } = h;
  const n = ids.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(ids[i]!, i);
  if (index.size !== n) return { ok: false, problem: "duplicate ids" };
  const flags = new Array<boolean>(n);
  for (let i = 0; i < n; i++) flags[i] = quiz.charCodeAt(i) === 49;
  const check = (card: Card, i: number): Card => {
    if (!card || card.id !== ids[i] || typeof card.front !== "string" || typeof card.back !== "string") {
      throw new Error(`stored deck ${h.deck.id}: card ${i} does not match its header`);
    }
    return card;
  };
  const start = (i: number) => at + (i === 0 ? 0 : ends[i - 1]! + 1);
  const cards = lazyCards(n, (i) => check(JSON.parse(text.slice(start(i), at + ends[i]!)) as Card, i), {
    // Every card at once (an export): one JSON.parse of the whole list costs less than one per card.
    all: () => (JSON.parse(text.slice(at - 1, at + ends[n - 1]! + 1)) as Card[]).map(check),
    // A card's front without parsing the card: stored cards begin {"id":<id>,"front":"…" (checked
    // here; anything else is parsed whole).
    front: (i) => {
      // {"id":"<id>","front":" — an id that JSON would escape does not match, and is parsed whole.
      const id = ids[i]!, from = start(i);
      const open = from + 7 + id.length + 11;
      if (!text.startsWith('{"id":"', from) || !text.startsWith(id, from + 7) || !text.startsWith('","front":"', from + 7 + id.length)) return undefined;
      const end = at + ends[i]!;
      let escaped = false;
      for (let k = open; k < end; k++) {
        const c = text.charCodeAt(k);
        if (c === 92) {
          escaped = true;
          k++;
        } else if (c === 34) {
          const raw = text.slice(open, k);
          return escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
        }
      }
      return undefined;
    },
  });
  const deck = { ...h.deck, cards } as Deck;
  const loaded: LoadedDeck = { deck, index, cardIds: ids, quiz: flags, bundled: false, owner: h.owner };
  if (h.pub === 1) loaded.public = true;
  return { ok: true, deck: loaded };
}

/** What a stored deck's lazy card list can do besides parsing one card: all cards at once, a front alone. */
interface Bulk {
  all(): Card[];
  front(i: number): string | undefined;
  slots: (Card | undefined)[];
}
const bulks = new WeakMap<readonly Card[], Bulk>();

/**
 * A read-only array of `n` cards, each parsed from its text the first time it is read: a review
 * or a quiz uses one card of a deck, so a cache miss never parses the other 4,999. An export reads
 * every card through `allCards` (one parse of the list) or only the fronts through `cardFront`.
 */
function lazyCards(n: number, make: (i: number) => Card, bulk: Omit<Bulk, "slots">): Card[] {
  const slots = new Array<Card | undefined>(n).fill(undefined); // no holes: `i in cards` holds
  const proxy = new Proxy(slots, {
    get(target, key, receiver) {
      if (typeof key === "string") {
        const c = key.charCodeAt(0);
        if (c >= 48 && c <= 57) {
          const i = Number(key);
          if (Number.isInteger(i) && i < n) return (target[i] ??= make(i));
        }
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
    set() {
      return false;
    },
    deleteProperty() {
      return false;
    },
  }) as Card[];
  bulks.set(proxy, { ...bulk, slots });
  return proxy;
}

/** Every card of a deck (an export): a stored deck's list parsed in one pass, not card by card. */
export function allCards(deck: LoadedDeck): readonly Card[] {
  const b = bulks.get(deck.deck.cards);
  if (!b) return deck.deck.cards;
  if (b.slots.some((c) => c === undefined)) {
    const all = b.all();
    for (let i = 0; i < all.length; i++) b.slots[i] ??= all[i]!;
  }
  return b.slots as Card[];
}

/** Card `i`'s front (the progress CSV): a stored deck's read from its text without parsing the card. */
export function cardFront(deck: LoadedDeck, i: number): string {
  const b = bulks.get(deck.deck.cards);
  return b?.slots[i]?.front ?? b?.front(i) ?? deck.deck.cards[i]!.front;
}

export class UploadedDecks implements UploadedDeckSource {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  /** An uploaded deck by id, through the per-isolate cache (which remembers "not found" too). */
  async get(id: string): Promise<LoadedDeck | null> {
    const now = this.deps.now();
    const hit = cache.get(id);
    if (hit && now - hit.at < CACHE_MS) return hit.deck;
    const { deck } = await this.read(id);
    remember(id, now, deck);
    return deck;
  }

  /**
   * The deck as storage has it now, never from the cache: for ownership checks (a cached "not
   * found" must never let a second lecturer take an id that was just created). `owner` is also
   * set for a stored value that cannot be served (null: no value; NaN: a value without a
   * readable owner, which nobody may take over).
   */
  async getFresh(id: string): Promise<Read> {
    const r = await this.read(id);
    remember(id, this.deps.now(), r.deck);
    return r;
  }

  private async read(id: string): Promise<Read> {
    const text = await this.kv.getText(deckKey(id));
    if (text !== null) {
      const r = decodeDeck(text);
      if (r.ok && r.deck.deck.id === id) return { deck: r.deck, version: 2, owner: r.deck.owner! };
      // Not what put() writes: trust nothing in it, validate it all as an upload is.
      this.deps.log({ t: "bad-value", key: keyKind(deckKey(id)), problem: r.ok ? "deck id differs from its key" : r.problem });
      const { deck, owner } = this.revalidate(text);
      return { deck: deck && deck.deck.id === id ? deck : null, version: 2, owner };
    }
    const old = await this.kv.getJson(deckKeyV1(id), StoredDeckSchema);
    return old ? { deck: loadDeck(old.deck, false, old.owner), version: 1, owner: old.owner } : { deck: null, version: null, owner: null };
  }

  private revalidate(text: string): { deck: LoadedDeck | null; owner: number } {
    try {
      const whole = JSON.parse(text) as { owner?: unknown; deck?: unknown };
      const owner = typeof whole.owner === "number" ? whole.owner : NaN;
      const r = v.safeParse(DeckSchema, whole.deck);
      return { deck: r.success && !Number.isNaN(owner) ? loadDeck(r.output, false, owner) : null, owner };
    } catch {
      return { deck: null, owner: NaN };
    }
  }

  async put(stored: StoredDeck, replacesV1 = false): Promise<void> {
    const id = stored.deck.id;
    const text = encodeDeck(stored);
    await this.gap(id);
    try {
      await this.kv.kv.put(deckKey(id), text);
    } catch (err) {
      throw new TransientError("KV put failed for v2:deck", { cause: err });
    }
    if (replacesV1) await this.kv.delete(deckKeyV1(id));
    const loaded = loadDeck(stored.deck, false, stored.owner);
    if (stored.public) loaded.public = true;
    remember(id, this.deps.now(), loaded);
  }

  /**
   * Marks `owner`'s deck public or private. Reads storage, never the cache; rewrites only the
   * header of a v2 value (the cards are copied, not parsed); a v1 value, or one whose header does
   * not check out, is stored afresh as v2. This isolate's cache takes the new value at once;
   * other isolates see it when their cached copy expires (CACHE_MS) and KV has spread the write.
   */
  async setPublic(id: string, owner: number, pub: boolean): Promise<{ status: "missing" } | { status: "not-owner" } | { status: "changed" | "unchanged"; deck: LoadedDeck }> {
    const text = await this.kv.getText(deckKey(id));
    let next: string | null = null;
    if (text !== null) {
      const r = decodeDeck(text);
      if (r.ok && r.deck.deck.id === id) {
        if (r.deck.owner !== owner) return { status: "not-owner" };
        if (!!r.deck.public === pub) return { status: "unchanged", deck: r.deck };
        next = withPublic(text, pub);
      }
    }
    if (next === null) {
      // A v1 value or a v2 value that is not what put() writes: validated whole, stored afresh.
      const r = await this.read(id);
      if (r.owner === null || r.deck === null) return { status: "missing" };
      if (r.owner !== owner) return { status: "not-owner" };
      if (!!r.deck.public === pub) return { status: "unchanged", deck: r.deck };
      const deck = { ...r.deck.deck, cards: [...r.deck.deck.cards] };
      await this.put({ owner, updated: this.deps.now(), deck, ...(pub ? { public: true } : {}) }, r.version === 1);
      return { status: "changed", deck: cache.get(id)?.deck ?? r.deck };
    }
    await this.gap(id);
    await this.kv.putRaw(deckKey(id), next);
    const r = decodeDeck(next);
    if (!r.ok) throw new Error(`setPublic: the rewritten deck ${id} does not read back: ${r.problem}`);
    remember(id, this.deps.now(), r.deck);
    return { status: "changed", deck: r.deck };
  }

  /** Waits until this isolate's last write of the deck is a second old, and records this one. */
  private async gap(id: string): Promise<void> {
    const at = await writeGap(this.deps, written.get(id) ?? 0);
    written.delete(id);
    if (written.size >= CACHE_MAX) written.delete(written.keys().next().value as string);
    written.set(id, at);
  }

  /** Forget cached copies (tests; after a delete). */
  static clearCache(): void {
    cache.clear();
  }
}

function remember(id: string, at: number, deck: LoadedDeck | null): void {
  cache.delete(id);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(id, { at, deck });
}
