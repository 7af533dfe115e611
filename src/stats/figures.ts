/**
 * The figures a learner sees in /stats, computed from their stored record. Pure: no KV, no clock —
 * `today` (the learner's local day number) is passed in.
 *
 *   today      first grades (reviews + new cards), presses and the quiz score, from days[today]
 *   streak     consecutive local days with a review press or a quiz answer, from `streak`
 *   retention  share of reviews not graded Again (grade ≥ 3): on mature cards (interval ≥ 21 days)
 *              over the kept days, and on all reviews over the last 30 days
 *   decks      cards per phase (new / learning / young / mature) and suspended, per deck
 *   forecast   cards due on each of the next 7 days (today first, overdue counted today)
 *   leeches    cards failed LEECH_LAPSES times or more; suspended cards
 */
import { F, isLeech, LEECH_LAPSES, phaseOf, type CardState } from "../srs/card-state";
import { summaryForecast, W, type DeckSummary } from "../srs/progress";
import { outlook, type DeckView } from "../srs/session";
import { dayToIso } from "../srs/days";
import { currentStreak, KEEP_DAYS, readDay, type UserDoc } from "../store/users";
import { quizQuestion } from "../decks/schema";
import type { LoadedDeck } from "../decks/registry";

/** A learner's record as the figures read it (the whole record works). */
export type StatsDoc = Pick<UserDoc, "days" | "streak">;

// ---- today ---------------------------------------------------------------------------------

export interface TodayFigures {
  /** Cards graded today for the first time today: reviews + new cards. */
  reviewed: number;
  reviews: number;
  newCards: number;
  /** Every grade press, re-drills included. */
  presses: number;
  quizAnswered: number;
  quizCorrect: number;
}

export function todayFigures(doc: StatsDoc, today: number): TodayFigures {
  const d = readDay(doc as UserDoc, today);
  return {
    reviewed: d.reviews + d.introduced,
    reviews: d.reviews,
    newCards: d.introduced,
    presses: d.presses,
    quizAnswered: d.quizAnswered,
    quizCorrect: d.quizCorrect,
  };
}

// ---- streak --------------------------------------------------------------------------------

export interface StreakFigure {
  /** Consecutive active days ending today or yesterday (0 when the run is broken). */
  days: number;
  /** Already active today. */
  today: boolean;
  /** Alive but not yet active today: studying today keeps it going. */
  atRisk: boolean;
}

/** The streak as the record keeps it (`streak {last, len}`, updated on every day's first activity). */
export function streakFigure(doc: StatsDoc, today: number): StreakFigure {
  const days = currentStreak(doc as UserDoc, today);
  const activeToday = doc.streak.last === today;
  return { days, today: activeToday, atRisk: days > 0 && !activeToday };
}

/** Was local day `day` active (a grade press or a quiz answer)? The rule writeDay uses. */
export function activeOn(doc: StatsDoc, day: number): boolean {
  const d = readDay(doc as UserDoc, day);
  return d.presses > 0 || d.quizAnswered > 0;
}

/**
 * The streak recounted from the kept daily figures (for cross-checks: it cannot see further back
 * than KEEP_DAYS, where `streak` can).
 */
export function streakFromDays(doc: StatsDoc, today: number): number {
  let day = activeOn(doc, today) ? today : today - 1;
  let n = 0;
  while (day >= today - KEEP_DAYS && activeOn(doc, day)) {
    n++;
    day--;
  }
  return n;
}

// ---- retention -----------------------------------------------------------------------------

export interface Ratio {
  ok: number;
  of: number;
}

export interface Retention {
  /** Reviews of mature cards (interval ≥ 21 days before the grade) over the kept days. */
  mature: Ratio;
  /** All reviews (first grades of a day on cards seen before) over the last 30 days. */
  month: Ratio;
}

export const RETENTION_DAYS = 30;

export function retention(doc: StatsDoc, today: number): Retention {
  const mature = { ok: 0, of: 0 };
  const month = { ok: 0, of: 0 };
  for (const key of Object.keys(doc.days)) {
    const day = Number(key);
    if (!Number.isSafeInteger(day) || day > today || day < today - KEEP_DAYS) continue;
    const d = readDay(doc as UserDoc, day);
    mature.ok += d.matureOk;
    mature.of += d.mature;
    if (day > today - RETENTION_DAYS) {
      month.ok += d.reviewsOk;
      month.of += d.reviews;
    }
  }
  return { mature, month };
}

/** "87%", or "—" when there is nothing to divide. */
export function percent(r: Ratio): string {
  return r.of > 0 ? `${Math.round((100 * r.ok) / r.of)}%` : "—";
}

// ---- cards per phase -----------------------------------------------------------------------

export interface DeckBreakdown {
  total: number;
  new: number;
  learning: number;
  young: number;
  mature: number;
  /** Suspended cards (any phase; not counted in the phases above). */
  suspended: number;
  /** Cards graded at least once (suspended ones included): total − new. */
  seen: number;
}

export function deckBreakdown(cardIds: readonly string[], state: (cardId: string) => CardState | undefined): DeckBreakdown {
  const b: DeckBreakdown = { total: cardIds.length, new: 0, learning: 0, young: 0, mature: 0, suspended: 0, seen: 0 };
  for (const id of cardIds) {
    const s = state(id);
    if (s?.susp) b.suspended++;
    else b[phaseOf(s)]++;
  }
  b.seen = b.total - b.new;
  return b;
}

/**
 * A deck's phases and its 7-day forecast from a summary of its progress (srs/progress.ts) — the
 * same figures deckBreakdown and forecast count card by card. `total`: the deck's cards now (a
 * stored summary may be of an older version); no summary: every card new.
 */
export function summaryFigures(s: DeckSummary | undefined, total: number, today: number): { b: DeckBreakdown; fc: number[] } {
  if (!s) return { b: { total, new: total, learning: 0, young: 0, mature: 0, suspended: 0, seen: 0 }, fc: new Array<number>(7).fill(0) };
  const [learning, young, mature, suspended] = s.ph;
  return { b: { total, new: Math.max(0, total - s.seen), learning, young, mature, suspended, seen: s.seen }, fc: summaryForecast(s, today, 7) };
}

// ---- forecast ------------------------------------------------------------------------------

export interface ForecastDay {
  day: number;
  count: number;
}

/**
 * Cards due on each of `days` days starting today (today includes overdue cards not yet graded
 * today; suspended and never-seen cards are not counted).
 */
export function forecast(views: readonly DeckView[], today: number, days = 7): ForecastDay[] {
  const o = outlook(views, today, days - 1);
  return [{ day: today, count: o.dueNow }, ...o.upcoming.map((count, k) => ({ day: today + 1 + k, count }))];
}

const WEEKDAYS = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]; // day 0 = Thursday 1970-01-01

/** "Mon 02.11" for a day number. */
export function dayLabel(day: number): string {
  const iso = dayToIso(day);
  return `${WEEKDAYS[((day % 7) + 7) % 7]} ${iso.slice(8, 10)}.${iso.slice(5, 7)}`;
}

/**
 * The forecast as a small bar chart, one line per day, bars scaled to the busiest day:
 * `Mon 02.11 ▇▇▇▇▇▇▇▇▇▇ 12`. Plain text (the caller wraps it in <pre>); any day with cards gets
 * at least one block.
 */
export function forecastChart(rows: readonly ForecastDay[], width = 10): string {
  const max = Math.max(0, ...rows.map((r) => r.count));
  const digits = String(max).length;
  return rows
    .map((r) => {
      const n = max === 0 ? 0 : r.count === 0 ? 0 : Math.max(1, Math.round((r.count / max) * width));
      return `${dayLabel(r.day)} ${"▇".repeat(n)}${" ".repeat(width - n)} ${String(r.count).padStart(digits)}`;
    })
    .join("\n");
}

// ---- leeches and suspended cards -----------------------------------------------------------

/** A deck as /stats sees it: its deck-table index (for callback data) and the loaded deck. */
export interface TableDeck {
  table: number;
  deck: LoadedDeck;
}

export interface CardRow {
  table: number;
  deckId: string;
  deckTitle: string;
  /** Index of the card in the deck (for callback data). */
  index: number;
  cardId: string;
  /** The front as a question (cloze deletions as […]), not escaped. */
  front: string;
  lapses: number;
  suspended: boolean;
}

/**
 * The learner's progress rows of a deck (srs/progress.ts), when loaded: a card that is neither a
 * leech nor suspended is passed over in them without building its state.
 */
export type RowsOf = (deckId: string) => Int32Array | undefined;

function rows(decks: readonly TableDeck[], state: (deckId: string, cardId: string) => CardState | undefined, keep: (s: CardState) => boolean, rowsOf?: RowsOf): CardRow[] {
  const out: CardRow[] = [];
  for (const { table, deck } of decks) {
    const r = rowsOf?.(deck.deck.id);
    deck.cardIds.forEach((cardId, index) => {
      if (r && !(r[index * W]! >= 0 && (r[index * W + F.lapses]! >= LEECH_LAPSES || r[index * W + F.susp]))) return;
      const s = state(deck.deck.id, cardId);
      if (!s || !keep(s)) return;
      out.push({
        table, deckId: deck.deck.id, deckTitle: deck.deck.title, index, cardId,
        front: quizQuestion(deck.deck.cards[index]!.front), lapses: s.lapses, suspended: s.susp === 1,
      });
    });
  }
  return out;
}

/** Leeches not suspended (those are listed with the suspended cards), most lapses first. */
export function findLeeches(decks: readonly TableDeck[], state: (deckId: string, cardId: string) => CardState | undefined, rowsOf?: RowsOf): CardRow[] {
  return rows(decks, state, (s) => isLeech(s) && !s.susp, rowsOf).sort((a, b) => b.lapses - a.lapses);
}

/** Suspended cards, in deck order. */
export function findSuspended(decks: readonly TableDeck[], state: (deckId: string, cardId: string) => CardState | undefined, rowsOf?: RowsOf): CardRow[] {
  return rows(decks, state, (s) => s.susp === 1, rowsOf);
}
