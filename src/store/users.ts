/**
 * The learner's head record, `v2:user:<telegram user id>`: settings, the deck table with a small
 * summary per deck, recent sessions, daily figures, the streak and the running quiz. Progress on
 * cards lives in one binary shard per deck (`v2:prog:<id>:<deck>`, srs/progress.ts), so an update
 * reads the head and the one shard it works on, whatever the size of the collection.
 *
 * Writer: only the learner's own updates. Jobs, lecturers and admins write keys of their own
 * (roles, ownership, the daily job's quiz, push deliveries) — see ARCHITECTURE.md's key table.
 * Records of the first version (`v1:user:<id>`, everything in one value) are read and migrated lazily.
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { packedValid } from "../srs/card-state";
import { DeckProgress, type DeckSummary } from "../srs/progress";
import { emptyDay, type DayStat } from "../srs/session";
import { Kv, MIN_WRITE_GAP_MS, writeGap } from "./kv";

export const USER_VERSION = 2;
export const V1_USER_VERSION = 1;
/** Daily review counts kept for the year heatmap. */
export const KEEP_HISTORY = 371;
/** Daily figures are kept this many days (stats look back 30). */
export const KEEP_DAYS = 62;
/** Sessions whose applied-grade count is remembered (for redelivered and old buttons). */
export const KEEP_SESSIONS = 8;

const int = v.pipe(v.number(), v.safeInteger());
// The large, regular parts of the record (progress, daily figures, sessions) are checked by
// plain loops: a valibot pipe per number would cost more than the rest of an update.
const isNonNegInt = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
const nonNeg = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

export const SettingsSchema = v.object({
  newPerDay: v.pipe(nonNeg, v.maxValue(200)),
  reviewsPerDay: v.pipe(nonNeg, v.minValue(1), v.maxValue(1000)),
  quizLength: v.pipe(int, v.minValue(1), v.maxValue(20)),
  dailyOn: v.boolean(),
  /** Local time of the daily quiz, minutes after midnight. */
  dailyAt: v.pipe(int, v.minValue(0), v.maxValue(1439)),
});
export type Settings = v.InferOutput<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = { newPerDay: 10, reviewsPerDay: 100, quizLength: 5, dailyOn: false, dailyAt: 19 * 60 };

const QuizQuestionSchema = v.object({
  /** Deck table index and card id. */
  d: nonNeg,
  c: v.string(),
  /** Telegram poll id, once sent. */
  poll: v.optional(v.string()),
  /** Earlier poll ids of this question, when it was sent again (/quiz while it runs, a redelivered /quiz): answers to those count too. */
  was: v.optional(v.array(v.string())),
  /** Index of the correct option. */
  ok: nonNeg,
  /** Grade given (4 correct / 1 wrong), once answered. */
  g: v.optional(int),
  /** The card when the quiz chose it: 0 new, 1 a review, 2 a review of a mature card (for the day's figures). */
  k: v.optional(v.picklist([0, 1, 2])),
});

export const QuizSchema = v.object({
  id: v.string(),
  /** Local day it started, and the chat it runs in. */
  day: int,
  chat: int,
  /** Questions in order; the running one is the first without a grade. */
  qs: v.array(QuizQuestionSchema),
  /** Deck scope: deck table index, or -1 for all subscribed decks. */
  scope: int,
  started: int,
  daily: v.optional(v.boolean()),
  /** Message id of what started it (the /quiz, or the message whose button was pressed), so a redelivery starts nothing more. */
  from: v.optional(int),
});
export type QuizState = v.InferOutput<typeof QuizSchema>;

const SummarySchema = v.custom<DeckSummary>((x) => {
  if (!x || typeof x !== "object") return false;
  const s = x as DeckSummary;
  return isNonNegInt(s.seen) && isNonNegInt(s.cards) && Number.isSafeInteger(s.due) && Number.isSafeInteger(s.day) && isNonNegInt(s.redrill) &&
    Array.isArray(s.ph) && s.ph.length === 5 && s.ph.every(isNonNegInt) && Array.isArray(s.fc) && s.fc.every(isNonNegInt);
}, "a deck summary");

export const UserSchema = v.object({
  v: v.literal(USER_VERSION),
  rev: nonNeg,
  /** Time of the last write (ms), for the 1 write/s rule. */
  at: nonNeg,
  created: nonNeg,
  tz: v.string(),
  settings: SettingsSchema,
  /**
   * Deck table: append-only, so an index is a stable short reference (callback data). `t` the
   * deck's title and `s` a summary of the learner's shard (written with it), so choosing the deck
   * of an all-decks session, /decks and the forecast need no other read.
   */
  decks: v.array(v.object({ id: v.string(), sub: v.boolean(), t: v.optional(v.string()), s: v.optional(SummarySchema), w: v.optional(nonNeg) })),
  /** [session id, grades applied, cards reviewed, of which Good/Easy] of recent review sessions. */
  sessions: v.custom<[string, number, number, number][]>(
    (x) => Array.isArray(x) && x.every((t) => Array.isArray(t) && t.length === 4 && typeof t[0] === "string" && isNonNegInt(t[1]) && isNonNegInt(t[2]) && isNonNegInt(t[3])),
    "sessions must be [id, applied, reviewed, goodEasy] entries",
  ),
  /** Daily figures by local day number (see DayStat). */
  days: v.custom<Record<string, number[]>>(
    (x) => {
      if (!x || typeof x !== "object" || Array.isArray(x)) return false;
      for (const a of Object.values(x)) {
        if (!Array.isArray(a)) return false;
        for (const n of a) if (!isNonNegInt(n)) return false;
      }
      return true;
    },
    "days must map day numbers to lists of counts",
  ),
  /** Streak: the last local day with activity and the run of consecutive days ending there. */
  streak: v.object({ last: int, len: nonNeg }),
  quiz: v.optional(QuizSchema),
  /** Last quizzes finished (poll ids), so late answers to them are recognised and ignored. */
  daily: v.object({
    lastSent: int, lastCaughtUp: int, slot: v.optional(v.string()),
    /** Message id of the last bare /daily (a toggle), so a redelivered one does not toggle back. */
    toggled: v.optional(int),
  }),
  classes: v.array(v.string()),
  /** Recent group-quiz polls this learner answered (a redelivered answer grades nothing twice). */
  gpolls: v.optional(v.array(v.string())),
  /** Daily review counts (first grades of a day) for the year heatmap: `c[k]` is day `base + k`. */
  hist: v.optional(v.object({ base: int, c: v.array(nonNeg) })),
  /** Classes' pushed decks already folded into the deck table, per class code (count of class decks seen). */
  cseen: v.optional(v.record(v.string(), nonNeg)),
  /**
   * Quiz answers not yet applied to their deck's progress shard: [deck-table index, card id, grade,
   * local day, time (ms)]. A quiz answer writes only this record; the next update that reads the
   * deck's shard applies them (in order, SM-2 on the answer's day; ordered against a review
   * session's unsaved grades by time) and writes the shard with its next save.
   */
  pend: v.optional(v.array(v.tuple([nonNeg, v.string(), int, int, nonNeg]))),
  /** Daily quizzes (ids) whose answers this record has taken over from the daily job's key. */
  dq: v.optional(v.array(v.string())),
  /**
   * Group quizzes this learner answered: [chat id, quiz start (ms), 0 waiting | 1 applied]. Written
   * at the learner's first answer of a quiz; once the quiz's answer sheet says it ended, the
   * learner's next update applies their answers from it as quiz answers (`pend`) and marks it 1
   * (later answers to that quiz are ignored, so nothing counts twice); dropped when the quiz is old.
   */
  gq: v.optional(v.array(v.tuple([int, nonNeg, v.picklist([0, 1])]))),
});
export type UserDoc = v.InferOutput<typeof UserSchema>;

export function newUser(now: number): UserDoc {
  return {
    v: USER_VERSION, rev: 0, at: 0, created: now, tz: "UTC", settings: { ...DEFAULT_SETTINGS }, decks: [],
    sessions: [], days: {}, streak: { last: -1, len: 0 }, daily: { lastSent: -1, lastCaughtUp: -1 }, classes: [],
  };
}

/** Storage order of DayStat's fields; new fields are appended (older records read them as 0). */
const DAY_FIELDS: (keyof DayStat)[] = ["presses", "reviews", "reviewsOk", "introduced", "goodEasy", "mature", "matureOk", "quizAnswered", "quizCorrect", "extraNew"];

export function readDay(doc: UserDoc, day: number): DayStat {
  const a = doc.days[String(day)];
  const stat = emptyDay();
  if (a) DAY_FIELDS.forEach((k, i) => (stat[k] = a[i] ?? 0));
  return stat;
}

export function writeDay(doc: UserDoc, day: number, stat: DayStat): void {
  doc.days[String(day)] = DAY_FIELDS.map((k) => stat[k]);
  const cutoff = day - KEEP_DAYS;
  for (const k of Object.keys(doc.days)) if (Number(k) < cutoff) delete doc.days[k];
  recordHistory(doc, day, stat.reviews + stat.introduced);
  const active = stat.presses > 0 || stat.quizAnswered > 0;
  if (active && doc.streak.last !== day) {
    doc.streak = { last: day, len: doc.streak.last === day - 1 ? doc.streak.len + 1 : 1 };
  }
}

/** Sets day `day`'s review count in the year history (kept KEEP_HISTORY days). */
export function recordHistory(doc: UserDoc, day: number, count: number): void {
  const h = (doc.hist ??= { base: day, c: [] });
  if (day < h.base) return; // older than the history: nothing to keep
  while (h.base + h.c.length <= day) h.c.push(0);
  h.c[day - h.base] = count;
  const drop = h.c.length - KEEP_HISTORY;
  if (drop > 0) {
    h.c.splice(0, drop);
    h.base += drop;
  }
}

/** Daily review counts from `from` to `to` (inclusive), 0 where nothing is kept. */
export function historyCounts(doc: UserDoc, from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = from; d <= to; d++) out.push(doc.hist ? doc.hist.c[d - doc.hist.base] ?? 0 : 0);
  return out;
}

/** The streak as of `today`: still alive if the last active day is today or yesterday. */
export function currentStreak(doc: UserDoc, today: number): number {
  return doc.streak.last >= today - 1 ? doc.streak.len : 0;
}

export const userKey = (id: number) => `v2:user:${id}`;
export const legacyUserKey = (id: number) => `v1:user:${id}`;
export const progressKey = (id: number, deckId: string) => `v2:prog:${id}:${deckId}`;
export const progressPrefix = (id: number) => `v2:prog:${id}:`;

/** What a first-version record held besides the head's fields (moved to keys of their own). */
export interface LegacyParts {
  progress: Record<string, Record<string, number[]>>;
  role?: "lecturer";
  owns?: { classes: { code: string; name: string; closed?: boolean }[]; decks: { id: string; title: string; cards: number }[]; token?: string };
}

export class UserStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  /** The head record, or null if none (or if it could not be read as a valid record — logged). */
  async get(id: number): Promise<UserDoc | null> {
    const text = await this.kv.getText(userKey(id));
    if (text === null) return null;
    return this.kv.parse(userKey(id), text, UserSchema) ?? salvage(text, this.deps.now());
  }

  /**
   * The head record, or — for a learner not yet migrated — the first-version record read as a head
   * plus the parts that now live elsewhere (one extra read, only while no v2 head exists).
   */
  async load(id: number): Promise<{ doc: UserDoc; legacy?: LegacyParts } | null> {
    const doc = await this.get(id);
    if (doc) return { doc };
    const text = await this.kv.getText(legacyUserKey(id));
    if (text === null) return null;
    return readLegacy(text, this.deps.now());
  }

  /**
   * Writes the head (rev + 1). Keeps at least MIN_WRITE_GAP_MS since this record's previous
   * write — waiting if needed, which costs wall time, not CPU.
   */
  async put(id: number, doc: UserDoc): Promise<void> {
    doc.at = await writeGap(this.deps, doc.at);
    doc.rev++;
    await this.kv.put(userKey(id), doc);
  }

  /** True if a write now would keep the 1 write/s rule without waiting. */
  canWriteNow(doc: UserDoc): boolean {
    return doc.at === 0 || this.deps.now() - doc.at >= MIN_WRITE_GAP_MS;
  }

  /** One deck's progress shard, decoded for the deck's current card ids (null: none stored or unreadable — logged). */
  async getProgress(id: number, deckId: string, cardIds: readonly string[], known?: number): Promise<DeckProgress | null> {
    const buf = await this.kv.getBuffer(progressKey(id, deckId));
    if (buf === null) return null;
    const p = DeckProgress.decode(buf, cardIds, known);
    if (!p) this.deps.log({ t: "bad-value", key: "v2:prog", problem: "not a progress shard" });
    return p;
  }

  async putProgress(id: number, deckId: string, p: DeckProgress): Promise<void> {
    await this.kv.putRaw(progressKey(id, deckId), p.encode());
    p.saved();
  }

  async deleteProgress(id: number, deckId: string): Promise<void> {
    await this.kv.delete(progressKey(id, deckId));
  }

  async deleteLegacy(id: number): Promise<void> {
    await this.kv.delete(legacyUserKey(id));
  }

  async delete(id: number): Promise<void> {
    await this.kv.delete(userKey(id));
  }
}

/**
 * A record that failed validation (logged by the caller): keep every top-level field that is
 * still valid on its own and reset the rest to defaults, rather than lose the learner's progress.
 */
function salvage(text: string, now: number, version = USER_VERSION): UserDoc | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== "object" || (json as { v?: unknown }).v !== version) return null;
  const doc = newUser(now) as unknown as Record<string, unknown>;
  const entries = UserSchema.entries as Record<string, v.GenericSchema>;
  for (const [k, schema] of Object.entries(entries)) {
    if (k === "v") continue;
    const r = v.safeParse(schema, (json as Record<string, unknown>)[k]);
    if (r.success && r.output !== undefined) doc[k] = r.output;
  }
  return doc as unknown as UserDoc;
}

const LegacyOwns = v.object({
  classes: v.array(v.object({ code: v.string(), name: v.string(), closed: v.optional(v.boolean()) })),
  decks: v.array(v.object({ id: v.string(), title: v.string(), cards: v.number() })),
  token: v.optional(v.string()),
});

/**
 * A first-version record (`v1:user:<id>`, everything in one value): its head fields as a v2 head
 * (valid fields kept, the rest defaults), its progress map (valid card states only) and the role
 * and ownership that now live in keys of their own.
 */
export function readLegacy(text: string, now: number): { doc: UserDoc; legacy: LegacyParts } | null {
  const doc = salvage(text, now, V1_USER_VERSION);
  if (!doc) return null;
  const json = JSON.parse(text) as Record<string, unknown>;
  const progress: LegacyParts["progress"] = {};
  const raw = json.progress;
  if (raw && typeof raw === "object" && !Array.isArray(raw)) {
    for (const [deck, cards] of Object.entries(raw as Record<string, unknown>)) {
      if (!cards || typeof cards !== "object" || Array.isArray(cards)) continue;
      const kept: Record<string, number[]> = {};
      for (const [card, a] of Object.entries(cards as Record<string, unknown>)) if (packedValid(a)) kept[card] = a;
      progress[deck] = kept;
    }
  }
  const legacy: LegacyParts = { progress };
  if (json.role === "lecturer") legacy.role = "lecturer";
  const owns = v.safeParse(LegacyOwns, json.owns);
  if (owns.success) legacy.owns = owns.output;
  doc.at = 0;
  return { doc, legacy };
}
