/**
 * A review session, computed rather than stored: the next card follows from the learner's
 * progress (with the session's not-yet-saved grades applied), the day and the limits. Pure: no
 * KV, no clock, no randomness.
 *
 * Order: (1) cards failed earlier today whose re-drill gap has passed (SM-2 step 7), oldest first;
 * (2) due cards, most overdue first, up to the daily review cap; (3) new cards in deck order, up to
 * the daily new-card limit; (4) remaining re-drills even if their gap has not passed. None left:
 * the session is complete.
 */
import { F, packCard, type CardState } from "./card-state";
import { W } from "./progress";
import { sm2Hundredths, type Grade } from "./sm2";

/** A re-drilled card comes back after at least this many other presses, if there are any. */
export const REDRILL_GAP = 4;

export interface DayStat {
  /** Every grade press, re-drills included. */
  presses: number;
  /** First grades of the day on cards seen before (reviews). */
  reviews: number;
  /** Reviews graded ≥3. */
  reviewsOk: number;
  /** Cards graded for the first time. */
  introduced: number;
  /** First grades of the day that were Good or Easy (≥4). */
  goodEasy: number;
  /** Reviews of mature cards (interval ≥21 before the grade), and those graded ≥3. */
  mature: number;
  matureOk: number;
  /** Quiz polls answered, and answered correctly. */
  quizAnswered: number;
  quizCorrect: number;
  /** New cards allowed today beyond the daily limit ("learn 5 more"). */
  extraNew: number;
}

export const emptyDay = (): DayStat => ({
  presses: 0, reviews: 0, reviewsOk: 0, introduced: 0, goodEasy: 0, mature: 0, matureOk: 0, quizAnswered: 0, quizCorrect: 0, extraNew: 0,
});

export interface Limits {
  newPerDay: number;
  reviewsPerDay: number;
}

export const DEFAULT_LIMITS: Limits = { newPerDay: 10, reviewsPerDay: 100 };

export interface GradeResult {
  state: CardState;
  /** True when this grade changed the schedule (the card's first grade of the day). */
  scheduled: boolean;
}

/**
 * Applies a grade given on local day `day` at the day's press number `press` to a card, and counts
 * it in `stat`. Only a card's first grade of the day runs SM-2; later ones (re-drills) only record
 * the latest grade, so a card is never scheduled twice in one day.
 */
export function applyGrade(prev: CardState | undefined, grade: Grade, day: number, press: number, stat: DayStat): GradeResult {
  stat.presses++;
  if (prev && prev.last === day) {
    const state = { ...prev, g: grade, rs: grade < 4 ? press : prev.rs };
    return { state, scheduled: false };
  }
  const base = prev ?? { n: 0, i: 0, ef: 250, due: day, last: -1, g: 0, lapses: 0, intro: day, rs: -1, susp: 0, reps: 0 };
  const r = sm2Hundredths(base.n, base.i, base.ef, grade);
  if (!prev) stat.introduced++;
  else {
    stat.reviews++;
    if (grade >= 3) stat.reviewsOk++;
    if (prev.i >= 21) {
      stat.mature++;
      if (grade >= 3) stat.matureOk++;
    }
  }
  if (grade >= 4) stat.goodEasy++;
  const state: CardState = {
    n: r.n, i: r.interval, ef: r.ef100, due: day + r.interval, last: day, g: grade,
    lapses: base.lapses + (grade < 3 ? 1 : 0), intro: prev ? prev.intro : day, rs: grade < 4 ? press : base.rs, susp: base.susp,
    reps: base.reps + 1,
  };
  return { state, scheduled: true };
}

/**
 * One deck as the session sees it: its card ids in deck order and the learner's states — packed
 * (the stored arrays, read without allocating: the fast path for large decks) or as objects.
 */
export interface DeckView {
  cardIds: readonly string[];
  /** The learner's progress shard rows (srs/progress.ts: W int32 per card in deck order, n < 0 = new): the fast path. */
  rows?: Int32Array;
  /** The learner's valid packed state for a card id (undefined: never graded or unreadable). */
  packed?(cardId: string): readonly number[] | undefined;
  /** The same as an object (used when `packed` is absent). */
  state?(cardId: string): CardState | undefined;
  /** Restrict to quiz-capable cards (for quizzes): a predicate on the card index. */
  eligible?: (index: number) => boolean;
}

export interface Pick {
  deck: number;
  card: number;
  kind: "redrill" | "due" | "new";
}

/** The view's states as shard rows (W int32 per card, n < 0 = new): the shard itself, or built once. */
function rowsOf(v: DeckView): Int32Array {
  if (v.rows) return v.rows;
  const n = v.cardIds.length;
  const rows = new Int32Array(n * W);
  for (let c = 0; c < n; c++) {
    const id = v.cardIds[c]!;
    let a: readonly number[] | undefined;
    if (v.packed) a = v.packed(id);
    else {
      const s = v.state!(id);
      a = s ? packCard(s) : undefined;
    }
    if (a) for (let k = 0; k < W; k++) rows[c * W + k] = a[k] ?? 0;
    else rows[c * W] = -1;
  }
  return rows;
}

/** The next card of a session over `decks`, or null when the session is complete. */
export function pickNext(decks: readonly DeckView[], today: number, stat: DayStat, limits: Limits): Pick | null {
  let ready: Pick | null = null, readyAt = Infinity;
  let waiting: Pick | null = null, waitingAt = Infinity;
  let due: Pick | null = null, dueDay = Infinity;
  let fresh: Pick | null = null;
  const canReview = stat.reviews < limits.reviewsPerDay;
  const canIntroduce = stat.introduced < limits.newPerDay;
  for (let d = 0; d < decks.length; d++) {
    const { cardIds, eligible } = decks[d]!;
    const r = rowsOf(decks[d]!);
    for (let c = 0; c < cardIds.length; c++) {
      if (eligible && !eligible(c)) continue;
      const o = c * W;
      if (r[o]! < 0) {
        if (canIntroduce && !fresh) fresh = { deck: d, card: c, kind: "new" };
        continue;
      }
      if (r[o + F.susp]) continue;
      if (r[o + F.last] === today) {
        if (r[o + F.g]! < 4) {
          const rs = r[o + F.rs]!;
          if (stat.presses - rs >= REDRILL_GAP) {
            if (rs < readyAt) (ready = { deck: d, card: c, kind: "redrill" }), (readyAt = rs);
          } else if (rs < waitingAt) (waiting = { deck: d, card: c, kind: "redrill" }), (waitingAt = rs);
        }
        continue;
      }
      const dueOn = r[o + F.due]!;
      if (canReview && dueOn <= today && dueOn < dueDay) (due = { deck: d, card: c, kind: "due" }), (dueDay = dueOn);
    }
  }
  return ready ?? due ?? fresh ?? waiting;
}

export interface Outlook {
  /** Cards due today or earlier (not yet graded today), before the daily cap. */
  dueNow: number;
  /** New cards never graded. */
  unseen: number;
  /** Cards due on each of the next `days` days (index 0 = tomorrow). */
  upcoming: number[];
  /** The earliest future due day, if any. */
  nextDue: number | null;
  /** Cards graded below Good today: they come back in today's session (re-drills). */
  redrills: number;
}

/** Counts due and upcoming cards — for "nothing due" messages, summaries and the forecast. */
export function outlook(decks: readonly DeckView[], today: number, days = 7): Outlook {
  const upcoming = new Array<number>(days).fill(0);
  let dueNow = 0, unseen = 0, redrills = 0, nextDue: number | null = null;
  for (const view of decks) {
    const { cardIds, eligible } = view;
    const r = rowsOf(view);
    for (let c = 0; c < cardIds.length; c++) {
      if (eligible && !eligible(c)) continue;
      const o = c * W;
      if (r[o]! < 0) {
        unseen++;
        continue;
      }
      if (r[o + F.susp]) continue;
      if (r[o + F.last] === today && r[o + F.g]! < 4) redrills++;
      const dueOn = r[o + F.due]!;
      const effectiveDue = r[o + F.last] === today && dueOn <= today ? today + 1 : dueOn;
      if (effectiveDue <= today) dueNow++;
      else {
        const k = effectiveDue - today - 1;
        if (k < days) upcoming[k]!++;
        if (nextDue === null || effectiveDue < nextDue) nextDue = effectiveDue;
      }
    }
  }
  return { dueNow, unseen, upcoming, nextDue, redrills };
}
