/**
 * The learner's record: one KV value per user, `v1:user:<telegram user id>`, holding settings,
 * deck subscriptions, progress on every card, recent sessions, daily figures and the running quiz.
 * One key means one read per update and one write per flush (see ARCHITECTURE.md).
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { type PackedCard } from "../srs/card-state";
import { emptyDay, type DayStat } from "../srs/session";
import { Kv, MIN_WRITE_GAP_MS, writeGap } from "./kv";

export const USER_VERSION = 1;
/** Daily figures are kept this many days (stats look back 30). */
export const KEEP_DAYS = 62;
/** Sessions whose applied-grade count is remembered (for redelivered and old buttons). */
export const KEEP_SESSIONS = 8;

const int = v.pipe(v.number(), v.safeInteger());
// The large, regular parts of the record (progress, daily figures, sessions) are checked by
// plain loops: a valibot pipe per number would cost more than the rest of an update.
const isNonNegInt = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
const nonNeg = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const packedProgress = v.custom<Record<string, Record<string, PackedCard>>>((x) => {
  if (!x || typeof x !== "object" || Array.isArray(x)) return false;
  for (const deck of Object.values(x)) {
    if (!deck || typeof deck !== "object" || Array.isArray(deck)) return false;
    for (const card of Object.values(deck)) if (!Array.isArray(card)) return false;
  }
  return true;
}, "progress must map deck ids to card states");

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

export const UserSchema = v.object({
  v: v.literal(USER_VERSION),
  rev: nonNeg,
  /** Time of the last write (ms), for the 1 write/s rule. */
  at: nonNeg,
  created: nonNeg,
  tz: v.string(),
  settings: SettingsSchema,
  /** Deck table: append-only, so an index is a stable short reference (callback data). */
  decks: v.array(v.object({ id: v.string(), sub: v.boolean() })),
  progress: packedProgress,
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
  role: v.optional(v.picklist(["lecturer"])),
  /** Lecturers: the classes (join codes) and uploaded decks they own. */
  owns: v.optional(
    v.object({
      classes: v.array(v.object({ code: v.string(), name: v.string(), closed: v.optional(v.boolean()) })),
      decks: v.array(v.object({ id: v.string(), title: v.string(), cards: v.number() })),
      /** SHA-256 (hex) of the lecturer's current API token, so /token revoke can find it. */
      token: v.optional(v.string()),
    }),
  ),
  /** Recent lecturer pushes already delivered to this learner (idempotent fan-out). */
  pushes: v.optional(v.array(v.string())),
  /** Recent group-quiz polls this learner answered (a redelivered answer grades nothing twice). */
  gpolls: v.optional(v.array(v.string())),
  /** Set when Telegram answered 403: the learner blocked the bot. Cleared on their next message. */
  blocked: v.optional(v.boolean()),
});
export type UserDoc = v.InferOutput<typeof UserSchema>;

export function newUser(now: number): UserDoc {
  return {
    v: USER_VERSION, rev: 0, at: 0, created: now, tz: "UTC", settings: { ...DEFAULT_SETTINGS }, decks: [], progress: {},
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
  const active = stat.presses > 0 || stat.quizAnswered > 0;
  if (active && doc.streak.last !== day) {
    doc.streak = { last: day, len: doc.streak.last === day - 1 ? doc.streak.len + 1 : 1 };
  }
}

/** The streak as of `today`: still alive if the last active day is today or yesterday. */
export function currentStreak(doc: UserDoc, today: number): number {
  return doc.streak.last >= today - 1 ? doc.streak.len : 0;
}

export const userKey = (id: number) => `v1:user:${id}`;

export class UserStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  /** The stored record, or null if none (or if it could not be read as a valid record — logged). */
  async get(id: number): Promise<UserDoc | null> {
    const text = await this.kv.getText(userKey(id));
    if (text === null) return null;
    return this.kv.parse(userKey(id), text, UserSchema) ?? salvage(text, this.deps.now());
  }

  /**
   * Writes the record (rev + 1). Keeps at least MIN_WRITE_GAP_MS since this record's previous
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

  async delete(id: number): Promise<void> {
    await this.kv.delete(userKey(id));
  }
}

/**
 * A record that failed validation (logged by the caller): keep every top-level field that is
 * still valid on its own and reset the rest to defaults, rather than lose the learner's progress.
 */
function salvage(text: string, now: number): UserDoc | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (!json || typeof json !== "object" || (json as { v?: unknown }).v !== USER_VERSION) return null;
  const doc = newUser(now) as unknown as Record<string, unknown>;
  const entries = UserSchema.entries as Record<string, v.GenericSchema>;
  for (const [k, schema] of Object.entries(entries)) {
    const r = v.safeParse(schema, (json as Record<string, unknown>)[k]);
    if (r.success && r.output !== undefined) doc[k] = r.output;
  }
  return doc as unknown as UserDoc;
}
