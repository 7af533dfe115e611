/**
 * Every storage and domain read the Mini App's API makes, in one place (so a change of the
 * storage layout touches this file only). Each function returns plain JSON for the API.
 *
 * KV reads per call (uploaded decks are cached per isolate for a minute; bundled decks cost none):
 *   learnerDashboard   1 (the learner's record) + 1 per subscribed uploaded deck not cached
 *   lecturerClasses    1 (the lecturer's record: role and the classes they own)
 *   classDashboard     3 (the record for the role, the class for its owner, the stored dashboard)
 *   lecturerDecks      1;  lecturerDeck 2 (record, deck)
 *   saveDeck           2 (record, deck) + the upload's own writes (deck, the lecturer's record)
 */
import type { Services } from "../services";
import { isLecturer, readLearner, scopeDecks, type Learner } from "../bot/learner";
import { KEEP_DAYS, readDay } from "../store/users";
import { dayToIso } from "../srs/days";
import {
  deckBreakdown, findLeeches, forecast, retention, streakFigure, todayFigures, type Ratio,
} from "../stats/figures";
import { ingestUpload } from "../decks/ingest";
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
/** Days of the heatmap (a year; the record keeps KEEP_DAYS of them today — the rest read as 0). */
export const HEATMAP_DAYS = 365;
export const MAX_LEECHES = 20;

// ---- the learner ------------------------------------------------------------------------------

export async function learnerDashboard(svc: Services, uid: number): Promise<Answer> {
  const learner = await readLearner(svc, uid);
  const doc = learner.doc;
  const today = learner.today;
  const decks = (await scopeDecks(svc.decks, learner, -1)) ?? [];
  const state = (deckId: string, cardId: string) => learner.state(deckId, cardId);

  const heatmap: { date: string; reviewed: number; presses: number; quiz: number }[] = [];
  for (const key of Object.keys(doc.days)) {
    const day = Number(key);
    if (!Number.isSafeInteger(day) || day > today || day <= today - HEATMAP_DAYS) continue;
    const d = readDay(doc, day);
    heatmap.push({ date: dayToIso(day), reviewed: d.reviews + d.introduced, presses: d.presses, quiz: d.quizAnswered });
  }
  heatmap.sort((a, b) => (a.date < b.date ? -1 : 1));

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
    user: { id: uid, lecturer: isLecturer(svc.env, learner) },
    today: { date: dayToIso(today), ...todayFigures(doc, today) },
    streak: streakFigure(doc, today),
    retention: { ...retention(doc, today), weeks },
    decks: decks.map((d) => ({ id: d.deck.deck.id, title: d.deck.deck.title, ...deckBreakdown(d.deck.cardIds, (id) => state(d.deck.deck.id, id)) })),
    heatmap: { from: dayToIso(today - HEATMAP_DAYS + 1), to: dayToIso(today), keptDays: KEEP_DAYS, days: heatmap },
    forecast: forecast(views, today, FORECAST_DAYS).map((f) => ({ date: dayToIso(f.day), count: f.count })),
    leeches: findLeeches(decks, state).slice(0, MAX_LEECHES).map((r) => ({ deck: r.deckTitle, front: r.front, lapses: r.lapses })),
  });
}

// ---- the lecturer -------------------------------------------------------------------------------

/** The record of a lecturer (role re-read from storage, as in the bot), or the refusal. */
async function lecturer(svc: Services, uid: number): Promise<Learner | Answer> {
  const learner = await readLearner(svc, uid);
  if (!isLecturer(svc.env, learner)) return fail(403, "only lecturers have classes and decks here");
  return learner;
}

export async function lecturerClasses(svc: Services, uid: number): Promise<Answer> {
  const l = await lecturer(svc, uid);
  if ("status" in l) return l;
  return ok({ classes: (l.doc.owns?.classes ?? []).map((c) => ({ code: c.code, name: c.name, closed: !!c.closed })) });
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
  return ok({ decks: l.doc.owns?.decks ?? [] });
}

async function ownDeck(svc: Services, l: Learner, id: string): Promise<Deck | Answer> {
  if (id.length > 64 || !(l.doc.owns?.decks ?? []).some((d) => d.id === id)) return fail(404, "you have no deck with that id");
  const deck = await svc.stores.decks.get(id);
  if (!deck || deck.owner !== l.id) return fail(404, "you have no deck with that id");
  return deck.deck;
}

export async function lecturerDeck(svc: Services, uid: number, id: string): Promise<Answer> {
  const l = await lecturer(svc, uid);
  if ("status" in l) return l;
  const deck = await ownDeck(svc, l, id);
  if ("status" in deck) return deck;
  return ok({ deck, limits: { cards: DECK_LIMITS.cards } });
}

/** Longest request body PUT takes (a 5,000-card deck as JSON fits). */
export const MAX_DECK_BODY = 1024 * 1024;

/**
 * Replaces one of the lecturer's decks with the edited one, validated exactly as an upload (the
 * deck is handed to the upload ingest as a JSON deck file): learners keep their progress on every
 * card whose id is unchanged.
 */
export async function saveDeck(svc: Services, uid: number, id: string, body: Uint8Array): Promise<Answer> {
  const l = await lecturer(svc, uid);
  if ("status" in l) return l;
  const existing = await ownDeck(svc, l, id);
  if ("status" in existing) return existing;
  const out = await ingestUpload(svc, l, `${id}.json`, body, { deckId: id });
  return { status: out.status as Answer["status"], body: { ...out.json, report: out.report } };
}
