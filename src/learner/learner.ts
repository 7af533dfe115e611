/**
 * The learner model, shared by bot updates, jobs, quizzes and stats: their head record (one KV
 * read), the progress shards an update loads (one read each, on demand), their local day, views of
 * their progress that the pure session code reads, and the save (shards, then the head). Nothing
 * here imports bot/: loading the sender of an update is bot/learner.ts.
 */
import { newUser, readDay, writeDay, type LegacyParts, type UserDoc, type UserStore } from "../store/users";
import type { Stores } from "../store/stores";
import type { OwnsDoc } from "../store/people";
import type { ClassDoc } from "../store/classes";
import { asOneWrite, withoutUserLimit, type Writer } from "../store/write-guard";
import { DeckProgress, summaryDueNow, type DeckSummary } from "../srs/progress";
import type { Deps } from "../deps";
import { isAdmin, type Env } from "../env";
import { localDay } from "../srs/days";
import { unpackCard, type CardState } from "../srs/card-state";
import { applyGrade, emptyDay, type DayStat, type DeckView } from "../srs/session";
import type { Grade } from "../srs/sm2";
import type { DeckRegistry, LoadedDeck } from "../decks/registry";
import { MAX_DECKS } from "./review-state";

export class Learner {
  /** Loaded progress shards by deck id, and those changed since they were read. */
  private shards = new Map<string, DeckProgress>();
  private loadedDecks = new Map<string, LoadedDeck>();
  private dirty = new Set<string>();
  /** A lecturer's classes, decks and token (`v2:own:<id>`), when the update loaded them. */
  owns?: OwnsDoc;
  /**
   * Quiz answers given at or after this time (ms) wait when a shard is read: a review session's
   * grades not yet saved came first, so they are applied first (applyLaterPending after them).
   */
  pendBefore?: number;
  /** When the update being handled was made (ms): an update from before a /forget writes nothing. */
  since: number;
  /** The learner's classes (and their memberships) as this update read them: each is read once per update. */
  readonly classCache = new Map<string, Promise<ClassDoc | null>>();
  readonly memberCache = new Map<string, Promise<boolean>>();
  /**
   * Uploaded decks of the learner's table that an entry point found no longer shared with them
   * (made private, or the class left): unsubscribed in memory, their progress kept. The caller
   * saves the record and says so in one line.
   */
  lost: { id: string; title: string }[] = [];

  constructor(
    readonly id: number,
    readonly doc: UserDoc,
    /** False until the record has been written once. */
    readonly stored: boolean,
    readonly now: number,
    /** A first-version record still to migrate (its progress is moved into shards on the next save). */
    public legacy?: LegacyParts,
  ) {
    this.since = now;
  }

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

  /** True if the learner has progress on the deck (as far as the head record or a loaded shard knows). */
  hasProgress(deckId: string): boolean {
    const p = this.shards.get(deckId);
    if (p) return p.any();
    const e = this.doc.decks.find((d) => d.id === deckId);
    return !!e?.s?.seen || !!this.legacy?.progress[deckId];
  }

  /** The deck's table index, adding it (unsubscribed) if absent; -1 if the table is full. */
  tableIndex(deckId: string, add = true): number {
    let i = this.doc.decks.findIndex((d) => d.id === deckId);
    if (i < 0 && add) {
      if (this.doc.decks.length >= MAX_DECKS) {
        // Reuse the slot of an unsubscribed deck without progress.
        i = this.doc.decks.findIndex((d) => !d.sub && !this.hasProgress(d.id));
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

  /** The deck's summary from the head record (undefined: never written). */
  summary(deckId: string): DeckSummary | undefined {
    return this.doc.decks.find((d) => d.id === deckId)?.s;
  }

  isLoaded(deckId: string): boolean {
    return this.shards.has(deckId);
  }

  /**
   * Reads the learner's progress shard for a deck (one KV read, once per update). A learner whose
   * head says they never graded the deck costs no read; a first-version record's progress is
   * converted here.
   */
  async load(io: LearnerIO, deck: LoadedDeck): Promise<DeckProgress> {
    const id = deck.deck.id;
    const have = this.shards.get(id);
    if (have) return have; // once per update: later reads see (and keep) its changes
    let p: DeckProgress | null = null;
    const old = this.legacy?.progress[id];
    if (old) {
      p = new DeckProgress(deck.cardIds);
      for (const [cardId, a] of Object.entries(old)) {
        const i = deck.index.get(cardId);
        const s = unpackCard(a);
        if (i !== undefined && s) p.set(i, s);
      }
      this.dirty.add(id);
    } else if (this.stored && this.hasStoredShard(id)) {
      p = await io.users.getProgress(this.id, id, deck.cardIds, this.doc.decks.find((d) => d.id === id)?.w ?? 0);
    }
    p ??= new DeckProgress(deck.cardIds);
    this.shards.set(id, p);
    this.loadedDecks.set(id, deck);
    this.applyPending(id, deck, p);
    return p;
  }

  /** Applies the quiz answers waiting for this deck (doc.pend), in the order they were given. */
  private applyPending(deckId: string, deck: LoadedDeck, p: DeckProgress): void {
    const pend = this.doc.pend;
    if (!pend?.length) return;
    const table = this.doc.decks.findIndex((d) => d.id === deckId);
    const rest: typeof pend = [];
    for (const e of pend) {
      if (e[0] !== table || (this.pendBefore !== undefined && e[4] >= this.pendBefore)) {
        rest.push(e);
        continue;
      }
      const i = deck.index.get(e[1]);
      if (i === undefined) continue; // the card left the deck
      // The day's figures were counted when the answer came; only the schedule changes here.
      const r = applyGrade(p.get(i), e[2] as Grade, e[3], 0, emptyDay());
      p.set(i, r.state);
    }
    if (rest.length !== pend.length) {
      this.dirty.add(deckId);
      if (rest.length) this.doc.pend = rest;
      else delete this.doc.pend;
    }
  }

  /** Applies the quiz answers held back by `pendBefore` to every loaded deck (after the session's grades). */
  applyLaterPending(): void {
    this.pendBefore = undefined;
    for (const [id, p] of this.shards) this.applyPending(id, this.loadedDecks.get(id)!, p);
  }

  /** True if quiz answers wait to be applied to this deck. */
  hasPending(deckId: string): boolean {
    const table = this.doc.decks.findIndex((d) => d.id === deckId);
    return !!this.doc.pend?.some((e) => e[0] === table);
  }

  private hasStoredShard(deckId: string): boolean {
    const e = this.doc.decks.find((d) => d.id === deckId);
    // A shard is written with its summary: no summary, no shard (the deck was never graded).
    return !!e?.s && e.s.seen > 0;
  }

  /** Loads several decks' shards. */
  async loadAll(io: LearnerIO, decks: Iterable<LoadedDeck>): Promise<void> {
    for (const d of decks) await this.load(io, d);
  }

  private shard(deckId: string): DeckProgress {
    const p = this.shards.get(deckId);
    if (!p) throw new Error(`progress of deck ${deckId} was not loaded`);
    return p;
  }

  private cardIndex(deckId: string, cardId: string): number | undefined {
    return this.loadedDecks.get(deckId)?.index.get(cardId);
  }

  state(deckId: string, cardId: string): CardState | undefined {
    const p = this.shard(deckId);
    const i = this.cardIndex(deckId, cardId);
    return i === undefined ? undefined : p.get(i);
  }

  setState(deckId: string, cardId: string, s: CardState): void {
    const p = this.shard(deckId);
    const i = this.cardIndex(deckId, cardId);
    if (i === undefined) return;
    p.set(i, s);
    this.dirty.add(deckId);
  }

  /** Forgets a card's state: it is new again. */
  deleteState(deckId: string, cardId: string): void {
    const p = this.shard(deckId);
    const i = this.cardIndex(deckId, cardId);
    if (i === undefined) return;
    p.clear(i);
    this.dirty.add(deckId);
  }

  /** The loaded shard of a deck (for figures and exports). */
  progress(deckId: string): DeckProgress | undefined {
    return this.shards.get(deckId);
  }

  view(deck: LoadedDeck, eligible?: (i: number) => boolean): DeckView {
    const v: DeckView = { cardIds: deck.cardIds, rows: this.shard(deck.deck.id).rows };
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

  /** Decks whose shard changed in memory (written by saveLearner). */
  changed(): { id: string; progress: DeckProgress; deck: LoadedDeck }[] {
    return [...this.dirty].map((id) => ({ id, progress: this.shards.get(id)!, deck: this.loadedDecks.get(id)! }));
  }

  markSaved(): void {
    this.dirty.clear();
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
 * table indexes — loaded through the registry (bundled: no I/O) with the learner's progress shards.
 * Decks that no longer exist are left out; null when `index` names no deck of the learner's table.
 *
 * `pick`: for an all-decks scope, load only the decks the next `pick` cards can come from, chosen
 * by the summaries in the head record (srs/progress.ts): decks with re-drills pending today, the
 * `pick` most overdue decks, and the first decks with new cards — so a press costs the same with 2
 * decks or 64. The others are `summarised` (not loaded; their summary stands for them).
 *
 * Access follows the grant (mayRead): an entry point (starting a session or a quiz, the daily job,
 * the dashboard) leaves out the uploaded decks the learner may no longer open — unsubscribed in
 * memory and listed in `learner.lost` — and chooses again among the rest. A press inside a session
 * an entry point started passes `press: true` and is not checked again (a class check would cost
 * reads on every press; a session lasts at most its day).
 */
export async function scopeDecks(io: LearnerIO, learner: Learner, index: number, carried: readonly number[] = [], opts: { pick?: number; press?: boolean } = {}): Promise<ScopeDeck[] | null> {
  if (index >= 0 && learner.deckIdAt(index) === undefined) return null;
  const loaded = new Map<string, LoadedDeck>();
  for (let round = 0; ; round++) {
    const own: [number, string][] = index < 0 ? learner.subscribed() : [[index, learner.deckIdAt(index)!]];
    const extra: [number, string][] = [];
    if (index < 0) {
      for (const t of new Set(carried)) {
        const id = learner.deckIdAt(t);
        if (id !== undefined && !own.some(([i]) => i === t)) extra.push([t, id]);
      }
    }
    let wanted = own;
    if (index < 0 && opts.pick !== undefined && own.length > 1) wanted = chooseDecks(learner, own, new Set(carried), opts.pick);
    const all = [...wanted, ...extra];
    for (const [id, d] of await io.decks.getMany(all.map(([, id]) => id).filter((id) => !loaded.has(id)))) loaded.set(id, d);
    let refused = false;
    if (!opts.press) {
      for (const [table, id] of wanted) {
        const d = loaded.get(id);
        if (!d || (await mayRead(io, learner, d))) continue;
        loaded.delete(id);
        learner.lost.push({ id, title: d.deck.title });
        learner.doc.decks[table]!.sub = false;
        refused = true;
      }
    }
    // A refused deck of an all-decks scope may have been the one chosen: choose again without it.
    if (refused && index < 0 && opts.pick !== undefined && round < MAX_DECKS) continue;
    const usable = all.filter(([, id]) => loaded.has(id));
    await learner.loadAll(io, usable.map(([, id]) => loaded.get(id)!));
    return all.flatMap(([table, id], k) => (loaded.has(id) ? [{ table, deck: loaded.get(id)!, ...(k >= wanted.length ? { carried: true } : {}) }] : []));
  }
}

/**
 * Decks lecturers pushed to the learner's classes since the learner last looked (the class's deck
 * list is the lecturer's key; the learner's deck table is the learner's): subscribes the learner
 * to them in memory. One read per class; true if anything changed (the caller saves).
 */
export async function foldClassDecks(io: LearnerIO, learner: Learner): Promise<boolean> {
  let changed = false;
  for (const code of learner.doc.classes) {
    const cls = await classOf(io, learner, code);
    if (!cls) continue;
    const seen = learner.doc.cseen?.[code] ?? 0;
    if (cls.decks.length <= seen) continue;
    for (const id of cls.decks.slice(seen)) {
      const i = learner.tableIndex(id);
      if (i >= 0) learner.doc.decks[i]!.sub = true;
    }
    (learner.doc.cseen ??= {})[code] = cls.decks.length;
    changed = true;
  }
  return changed;
}

/** One of the learner's classes, read at most once per update. */
function classOf(io: LearnerIO, learner: Learner, code: string): Promise<ClassDoc | null> {
  let p = learner.classCache.get(code);
  if (!p) learner.classCache.set(code, (p = io.stores.classes.get(code)));
  return p;
}

/** Whether the class's roster still holds the learner (a lecturer's /removestudent deletes it), once per update. */
function inRoster(io: LearnerIO, learner: Learner, code: string): Promise<boolean> {
  let p = learner.memberCache.get(code);
  if (!p) learner.memberCache.set(code, (p = io.stores.classes.member(code, learner.id).then((m) => m !== null)));
  return p;
}

/**
 * Who may open a deck — access follows the grant, checked at every entry point: a bundled deck,
 * anyone; an uploaded deck, its owner, anyone while its owner has it marked public, and the
 * students of a class it was pushed to while they are in that class (their record lists the class
 * and the class's roster still has them). Having the deck in one's table grants nothing: a deck
 * made private again, or a class left, is no longer served — the learner's progress on it is kept.
 * Costs no read for bundled, own and public decks (the flag is in the deck's value); else one read
 * per class of the learner (once per update, shared with foldClassDecks) and one of the roster
 * key of a class that has the deck.
 */
export async function mayRead(io: LearnerIO, learner: Learner, deck: LoadedDeck): Promise<boolean> {
  if (deck.bundled || deck.owner === learner.id || deck.public) return true;
  const id = deck.deck.id;
  for (const code of learner.doc.classes) {
    const cls = await classOf(io, learner, code);
    if (cls?.decks.includes(id) && (await inRoster(io, learner, code))) return true;
  }
  return false;
}

/**
 * A deck by id for an entry point: `deck` when the learner may open it; else null, with `lost`
 * set when the deck is in the learner's table (they had it: tell them it is no longer shared —
 * anyone else is answered exactly as for an unknown id).
 */
export async function openDeck(io: LearnerIO, learner: Learner, id: string): Promise<{ deck: LoadedDeck | null; lost?: LoadedDeck }> {
  const d = await io.decks.get(id);
  if (!d) return { deck: null };
  if (await mayRead(io, learner, d)) return { deck: d };
  return learner.doc.decks.some((e) => e.id === id) ? { deck: null, lost: d } : { deck: null };
}

/** A deck by id, only if the learner may read it (else null, as for an unknown id). */
export async function readableDeck(io: LearnerIO, learner: Learner, id: string): Promise<LoadedDeck | null> {
  return (await openDeck(io, learner, id)).deck;
}

/**
 * Unsubscribes the learner (in memory) from a deck no longer shared with them and gives the one
 * line that says so; their progress on it is kept and counts again if the deck is shared again.
 */
export function loseDeck(learner: Learner, deck: LoadedDeck): string {
  const e = learner.doc.decks.find((d) => d.id === deck.deck.id);
  if (e) e.sub = false;
  return lostLine([deck.deck.title]);
}

/** "“Midterm answers” is no longer shared with you — …" for one or more deck titles (plain text). */
export function lostLine(titles: readonly string[]): string {
  const names = titles.map((t) => `“${t}”`).join(", ");
  return titles.length === 1
    ? `${names} is no longer shared with you — your progress on it is kept.`
    : `${names} are no longer shared with you — your progress on them is kept.`;
}

/** Due and new cards of the subscribed decks this update did not load, from their summaries. */
export function unloadedCounts(learner: Learner, today: number): { dueNow: number; unseen: number } {
  let dueNow = 0, unseen = 0;
  for (const d of learner.doc.decks) {
    if (!d.sub || learner.isLoaded(d.id)) continue;
    if (!d.s) continue; // never graded and not loaded: counted when it is
    dueNow += summaryDueNow(d.s, today);
    unseen += Math.max(0, d.s.cards - d.s.seen);
  }
  return { dueNow, unseen };
}

/** The subscribed decks worth loading for the next `pick` cards (see scopeDecks). */
export function chooseDecks(learner: Learner, own: [number, string][], carried: ReadonlySet<number>, pick: number): [number, string][] {
  const today = learner.today;
  const keep = new Set<number>(carried);
  const due: [number, number][] = [];
  let fresh = 0;
  for (const [t] of own) {
    const s = learner.doc.decks[t]!.s;
    if (learner.legacy) {
      keep.add(t); // a record still to migrate: its summaries are not written yet
      continue;
    }
    if (!s) {
      // Never graded: all its cards are new.
      if (fresh < pick) keep.add(t), fresh++;
      continue;
    }
    if (s.day === today && s.redrill > 0) keep.add(t);
    if (s.due >= 0 && s.due <= today) due.push([s.due, t]);
    if (s.seen < s.cards && fresh < pick) {
      keep.add(t);
      fresh++;
    }
  }
  due.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [, t] of due.slice(0, pick)) keep.add(t);
  return own.filter(([t]) => keep.has(t));
}

/** A lecturer: an administrator (ADMIN_USER_IDS), or given the role — read from storage each time (admins' keys). */
export async function isLecturer(env: Env, io: { stores: Stores }, id: number): Promise<boolean> {
  if (isAdmin(env, id)) return true;
  return io.stores.people.isLecturer(id, (by) => isAdmin(env, by));
}

/** What the learner code needs from its surroundings (a bot update, a cron run, a queue job). */
export interface LearnerIO {
  users: UserStore;
  deps: Deps;
  stores: Stores;
  decks: DeckRegistry;
  /** Whose writes a save is (an update's sender, an API request's token): counted against their limit. */
  writer?: Writer;
}

/**
 * Loads a learner's head record (one KV read; a first-version record costs one more, once). A new
 * learner gets a fresh, unsaved record.
 */
export async function readLearner(io: LearnerIO, id: number): Promise<Learner> {
  const got = await io.users.load(id);
  const now = io.deps.now();
  if (!got) return new Learner(id, newUser(now), false, now);
  return new Learner(id, got.doc, got.legacy === undefined, now, got.legacy);
}

/**
 * Writes what the learner's update changed: the progress shards first, then the head (keeping
 * ≥1 s since its previous write) with the shards' summaries. A first-version record is migrated
 * here: all its progress into shards, its role and ownership into their own keys, then it is deleted.
 * A learner who deleted their data (/forget) is not written back by an update from before that.
 */
export async function saveLearner(io: LearnerIO, learner: Learner): Promise<void> {
  if (learner.legacy) return withoutUserLimit(io.writer, () => writeLearner(io, learner));
  return asOneWrite(io.writer, () => writeLearner(io, learner));
}

async function writeLearner(io: LearnerIO, learner: Learner): Promise<void> {
  if (!learner.stored && !learner.legacy) {
    const gone = await io.stores.people.gone(learner.id);
    if (gone && gone.at >= learner.since) throw new GoneError();
  }
  const legacy = learner.legacy;
  if (legacy) {
    for (const deckId of Object.keys(legacy.progress)) {
      if (learner.isLoaded(deckId)) continue;
      const deck = await io.decks.get(deckId);
      if (deck) {
        learner.tableIndex(deckId);
        await learner.load(io, deck);
      }
    }
  }
  const today = learner.today;
  for (const { id, progress, deck } of learner.changed()) {
    const e = learner.doc.decks.find((d) => d.id === id);
    progress.wc = (e?.w ?? progress.wc) + 1;
    await io.users.putProgress(learner.id, id, progress);
    if (e) {
      e.s = progress.summary(today);
      e.t = deck.deck.title;
      e.w = progress.wc;
    }
  }
  learner.markSaved();
  await io.users.put(learner.id, learner.doc);
  if (legacy) {
    if (legacy.role === "lecturer" && !(await io.stores.people.role(learner.id))) await io.stores.people.setRole(learner.id, "lecturer", 0);
    if (legacy.owns && !(await io.stores.people.owns(learner.id))) await io.stores.people.putOwns(learner.id, { v: 1, ...legacy.owns });
    await io.users.deleteLegacy(learner.id);
    learner.legacy = undefined;
  }
}

/** An update from before the learner's /forget tried to write: nothing is written. */
export class GoneError extends Error {
  override name = "GoneError";
  constructor() {
    super("the learner deleted their data");
  }
}
