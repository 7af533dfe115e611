/**
 * Every storage and domain read the Mini App's API makes, in one place (so a change of the
 * storage layout touches this file only). Each function returns plain JSON for the API.
 *
 * KV reads per call (uploaded decks are cached per isolate for a minute; bundled decks cost none):
 *   learnerDashboard   1 (the learner's head record) + 1 progress shard per subscribed deck the learner
 *                      has graded + 1 per subscribed uploaded deck not cached (+ the learner's classes and a
 *                      roster key when such a deck is neither theirs nor public: the access check)
 *   lecturerClasses    3 (the two role keys, the lecturer's ownership record)
 *   classDashboard     5 (role keys, ownership, the class for its owner, the stored dashboard)
 *   lecturerDecks      3;  lecturerDeck 4 (+ the deck)
 *   saveDeck           5 (+ the head record) + the upload's own writes (the deck, the ownership record)
 */
import type { Services } from "../services";
import { isLecturer, Learner, readLearner, scopeDecks } from "../learner/learner";
import { historyCounts, KEEP_DAYS, KEEP_HISTORY, newUser, readDay } from "../store/users";
import { dayToIso } from "../srs/days";
import {
  deckBreakdown, findLeeches, forecast, retention, streakFigure, todayFigures, type Ratio,
} from "../stats/figures";
import { ingestUpload } from "../uploads/ingest";
import { DECK_LIMITS, type Deck } from "../decks/schema";
import type { ClassDash } from "../store/class-dash";

/** What a handler answers: a status and a JSON body. */
export interface Answer {
  status: 200 | 201 | 400 | 403 | 404 | 409 | 413 | 422;
  body: Record<string, unknown>;
}

const ok = (body: Record<string, unknown>): Answer => ({ status: 200, body: { ok: true, ...body } });
const fail = (status: Answer["status"], error: string): Answer => ({ status, body: { ok: false, error } });

export const FORECAST_DAYS = 30;
/** Days of the heatmap: a year (the record keeps KEEP_HISTORY days of review counts). */
export const HEATMAP_DAYS = 365;
export const MAX_LEECHES = 20;

// ---- the learner ------------------------------------------------------------------------------

export async function learnerDashboard(svc: Services, uid: number): Promise<Answer> {
  const learner = await readLearner(svc, uid);
  const doc = learner.doc;
  const today = learner.today;
  const decks = (await scopeDecks(svc, learner, -1)) ?? [];
  const state = (deckId: string, cardId: string) => learner.state(deckId, cardId);

  // A year of daily review counts (`hist`); presses and quiz answers where the daily figures are kept.
  const heatmap: { date: string; reviewed: number; presses: number; quiz: number }[] = [];
  const first = today - HEATMAP_DAYS + 1;
  historyCounts(doc, first, today).forEach((reviewed, k) => {
    const day = first + k;
    const d = readDay(doc, day);
    const n = Math.max(reviewed, d.reviews + d.introduced);
    if (n > 0 || d.presses > 0 || d.quizAnswered > 0) heatmap.push({ date: dayToIso(day), reviewed: n, presses: d.presses, quiz: d.quizAnswered });
  });

  // Retention per week (reviews not graded Again), oldest first, over the days the record keeps.
  const weeks: { from: string; to: string; all: Ratio; mature: Ratio }[] = [];
  for (let k = Math.floor(KEEP_DAYS / 7) - 1; k >= 0; k--) {
    const to = today - 7 * k, from = to - 6;
    const all = { ok: 0, of: 0 }, mature = { ok: 0, of: 0 };
    for (let day = from; day <= to; day++) {
      const d = readDay(doc, day);
      all.ok += d.reviewsOk;
      all.of += d.reviews;
      mature.ok += d.matureOk;
      mature.of += d.mature;
    }
    weeks.push({ from: dayToIso(from), to: dayToIso(to), all, mature });
  }

  const views = decks.map((d) => ({ cardIds: d.deck.cardIds, state: (id: string) => state(d.deck.deck.id, id) }));
  return ok({
    user: { id: uid, lecturer: await isLecturer(svc.env, svc, uid) },
    today: { date: dayToIso(today), ...todayFigures(doc, today) },
    streak: streakFigure(doc, today),
    retention: { ...retention(doc, today), weeks },
    decks: decks.map((d) => ({ id: d.deck.deck.id, title: d.deck.deck.title, ...deckBreakdown(d.deck.cardIds, (id) => state(d.deck.deck.id, id)) })),
    heatmap: { from: dayToIso(today - HEATMAP_DAYS + 1), to: dayToIso(today), keptDays: Math.min(HEATMAP_DAYS, KEEP_HISTORY), days: heatmap },
    forecast: forecast(views, today, FORECAST_DAYS).map((f) => ({ date: dayToIso(f.day), count: f.count })),
    leeches: findLeeches(decks, state).slice(0, MAX_LEECHES).map((r) => ({ deck: r.deckTitle, front: r.front, lapses: r.lapses })),
  });
}

// ---- the lecturer -------------------------------------------------------------------------------

/**
 * A lecturer (role re-read from storage, as in the bot) with what they own, or the refusal. The
 * head record is read only when the caller needs it (a deck save goes through the upload ingest).
 */
async function lecturer(svc: Services, uid: number, withRecord = false): Promise<Learner | Answer> {
  if (!(await isLecturer(svc.env, svc, uid))) return fail(403, "only lecturers have classes and decks here");
  const learner = withRecord ? await readLearner(svc, uid) : new Learner(uid, newUser(svc.deps.now()), false, svc.deps.now());
  learner.owns = (await svc.stores.people.owns(uid)) ?? { v: 1, classes: [], decks: [] };
  return learner;
}

export async function lecturerClasses(svc: Services, uid: number): Promise<Answer> {
  const l = await lecturer(svc, uid);
  if ("status" in l) return l;
  return ok({ classes: (l.owns?.classes ?? []).map((c) => ({ code: c.code, name: c.name, closed: !!c.closed })) });
}

export async function classDashboard(svc: Services, uid: number, code: string): Promise<Answer> {
  const l = await lecturer(svc, uid);
  if ("status" in l) return l;
  const cls = await svc.stores.classes.get(code);
  if (!cls) return fail(404, "no such class");
  if (cls.owner !== uid) return fail(403, "only the class's lecturer sees its dashboard");
  const dash: ClassDash | null = await svc.stores.classDash.get(code);
  return ok({
    class: { code: cls.code, name: cls.name, closed: !!cls.closed, decks: cls.decks.length },
    dashboard: dash && { ...dash, at: new Date(dash.at).toISOString() },
    ...(dash ? {} : { note: "No figures yet: send /classstats in the chat to compute them (they arrive in a minute)." }),
  });
}

export async function lecturerDecks(svc: Services, uid: number): Promise<Answer> {
  const l = await lecturer(svc, uid);
  if ("status" in l) return l;
  return ok({ decks: l.owns?.decks ?? [] });
}

async function ownDeck(svc: Services, l: Learner, id: string): Promise<{ deck: Deck; public: boolean } | Answer> {
  if (id.length > 64 || !(l.owns?.decks ?? []).some((d) => d.id === id)) return fail(404, "you have no deck with that id");
  const deck = await svc.stores.decks.get(id);
  if (!deck || deck.owner !== l.id) return fail(404, "you have no deck with that id");
  return { deck: deck.deck, public: !!deck.public };
}

export async function lecturerDeck(svc: Services, uid: number, id: string): Promise<Answer> {
  const l = await lecturer(svc, uid);
  if ("status" in l) return l;
  const own = await ownDeck(svc, l, id);
  if ("status" in own) return own;
  // `public`: whether anyone may open the deck by id (/publicdeck in the chat; a save keeps it).
  return ok({ deck: own.deck, public: own.public, limits: { cards: DECK_LIMITS.cards } });
}

/** Longest request body PUT takes (a 5,000-card deck as JSON fits). */
export const MAX_DECK_BODY = 1024 * 1024;

/**
 * Replaces one of the lecturer's decks with the edited one, validated exactly as an upload (the
 * deck is handed to the upload ingest as a JSON deck file): learners keep their progress on every
 * card whose id is unchanged.
 */
export async function saveDeck(svc: Services, uid: number, id: string, body: Uint8Array): Promise<Answer> {
  const l = await lecturer(svc, uid, true);
  if ("status" in l) return l;
  const existing = await ownDeck(svc, l, id);
  if ("status" in existing) return existing;
  const out = await ingestUpload(svc, l, `${id}.json`, body, { deckId: id });
  return { status: out.status as Answer["status"], body: { ...out.json, report: out.report } };
}
