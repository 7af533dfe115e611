/**
 * A learner as one update sees them: their stored record (one KV read), their local day, and
 * views of their progress that the pure session code reads and the flush writes back.
 */
import type { BotContext } from "./context";
import { newUser, readDay, writeDay, type UserDoc, type UserStore } from "../store/users";
import type { Deps } from "../deps";
import { isAdmin, type Env } from "../env";
import { localDay } from "../srs/days";
import { packCard, packedValid, unpackCard, type CardState } from "../srs/card-state";
import { applyGrade, type DayStat, type DeckView } from "../srs/session";
import type { Grade } from "../srs/sm2";
import type { DeckRegistry, LoadedDeck } from "../decks/registry";
import { MAX_DECKS } from "./review-state";

export class Learner {
  /** Per-deck memo of unpacked card states. */
  private memo = new Map<string, Map<string, CardState | undefined>>();
  private badCards = 0;

  constructor(
    readonly id: number,
    readonly doc: UserDoc,
    /** False until the record has been written once. */
    readonly stored: boolean,
    readonly now: number,
  ) {}

  get today(): number {
    return localDay(this.now, this.doc.tz);
  }

  /** Deck-table entries the learner is subscribed to, as [table index, deck id]. */
  subscribed(): [number, string][] {
    const out: [number, string][] = [];
    this.doc.decks.forEach((d, i) => d.sub && out.push([i, d.id]));
    return out;
  }

  isSubscribed(deckId: string): boolean {
    return this.doc.decks.some((d) => d.id === deckId && d.sub);
  }

  /** The deck's table index, adding it (unsubscribed) if absent; -1 if the table is full. */
  tableIndex(deckId: string, add = true): number {
    let i = this.doc.decks.findIndex((d) => d.id === deckId);
    if (i < 0 && add) {
      if (this.doc.decks.length >= MAX_DECKS) {
        // Reuse the slot of an unsubscribed deck without progress.
        i = this.doc.decks.findIndex((d) => !d.sub && !this.doc.progress[d.id]);
        if (i < 0) return -1;
        this.doc.decks[i] = { id: deckId, sub: false };
      } else {
        this.doc.decks.push({ id: deckId, sub: false });
        i = this.doc.decks.length - 1;
      }
    }
    return i;
  }

  deckIdAt(index: number): string | undefined {
    return this.doc.decks[index]?.id;
  }

  state(deckId: string, cardId: string): CardState | undefined {
    let m = this.memo.get(deckId);
    if (!m) this.memo.set(deckId, (m = new Map()));
    if (m.has(cardId)) return m.get(cardId);
    const raw = this.doc.progress[deckId]?.[cardId];
    const s = raw === undefined ? undefined : unpackCard(raw);
    if (raw !== undefined && !s) this.badCards++;
    m.set(cardId, s);
    return s;
  }

  setState(deckId: string, cardId: string, s: CardState): void {
    (this.doc.progress[deckId] ??= {})[cardId] = packCard(s);
    let m = this.memo.get(deckId);
    if (!m) this.memo.set(deckId, (m = new Map()));
    m.set(cardId, s);
  }

  /** Forgets a card's state: it is new again. */
  deleteState(deckId: string, cardId: string): void {
    const cards = this.doc.progress[deckId];
    if (cards) {
      delete cards[cardId];
      if (Object.keys(cards).length === 0) delete this.doc.progress[deckId];
    }
    this.memo.get(deckId)?.set(cardId, undefined);
  }

  view(deck: LoadedDeck, eligible?: (i: number) => boolean): DeckView {
    const id = deck.deck.id;
    const v: DeckView = {
      cardIds: deck.cardIds,
      packed: (cardId) => {
        const a = this.doc.progress[id]?.[cardId];
        return a !== undefined && packedValid(a) ? a : undefined;
      },
      state: (cardId) => this.state(id, cardId),
    };
    if (eligible) v.eligible = eligible;
    return v;
  }

  day(day = this.today): DayStat {
    return readDay(this.doc, day);
  }

  /** Applies one grade to the record in memory (SM-2 only for the card's first grade that day). */
  grade(deckId: string, cardId: string, grade: Grade, day: number, stat: DayStat): { scheduled: boolean; state: CardState } {
    const r = applyGrade(this.state(deckId, cardId), grade, day, stat.presses, stat);
    this.setState(deckId, cardId, r.state);
    return r;
  }

  saveDay(day: number, stat: DayStat): void {
    writeDay(this.doc, day, stat);
  }

  /** Malformed stored card states met so far (treated as new cards; logged by the caller). */
  get malformedCards(): number {
    return this.badCards;
  }
}

export interface ScopeDeck {
  /** Deck-table index (the short reference in callback data). */
  table: number;
  deck: LoadedDeck;
  /** Kept only for unsaved grades that name it (unsubscribed meanwhile): offers no cards. */
  carried?: boolean;
}

/**
 * The decks of a scope — one deck-table index, or every subscribed deck (-1) plus the `carried`
 * table indexes — loaded through the registry (bundled: no I/O). Decks that no longer exist are left
 * out; null when `index` names no deck of the learner's table.
 */
export async function scopeDecks(registry: DeckRegistry, learner: Learner, index: number, carried: readonly number[] = []): Promise<ScopeDeck[] | null> {
  const own: [number, string][] = index < 0 ? learner.subscribed() : learner.deckIdAt(index) !== undefined ? [[index, learner.deckIdAt(index)!]] : [];
  if (index >= 0 && own.length === 0) return null;
  const extra: [number, string][] = [];
  if (index < 0) {
    for (const t of new Set(carried)) {
      const id = learner.deckIdAt(t);
      if (id !== undefined && !own.some(([i]) => i === t)) extra.push([t, id]);
    }
  }
  const all = [...own, ...extra];
  const loaded = await registry.getMany(all.map(([, id]) => id));
  return all.flatMap(([table, id], k) => (loaded.has(id) ? [{ table, deck: loaded.get(id)!, ...(k >= own.length ? { carried: true } : {}) }] : []));
}

/** A lecturer: an administrator (ADMIN_USER_IDS), or given the role — read from storage each time. */
export function isLecturer(env: Env, learner: Learner): boolean {
  return isAdmin(env, learner.id) || learner.doc.role === "lecturer";
}

/** What the learner code needs from its surroundings (a bot update, a cron run, a queue job). */
export interface LearnerIO {
  users: UserStore;
  deps: Deps;
}

/** Loads a learner's record (one KV read); a new learner gets a fresh, unsaved record. */
export async function readLearner(io: LearnerIO, id: number): Promise<Learner> {
  const doc = await io.users.get(id);
  return new Learner(id, doc ?? newUser(io.deps.now()), doc !== null, io.deps.now());
}

/** Loads the sender's record. */
export async function loadLearner(ctx: BotContext, id = ctx.from!.id): Promise<Learner> {
  return readLearner(ctx, id);
}

/** Writes the learner's record (keeping ≥1 s since its previous write). */
export async function saveLearner(io: LearnerIO, learner: Learner): Promise<void> {
  if (learner.malformedCards) io.deps.log({ t: "bad-value", key: "v1:user", problem: `${learner.malformedCards} malformed card states read as new` });
  await io.users.put(learner.id, learner.doc);
}
