/**
 * A group quiz's answers reach each member's own schedule (the member's record has one writer:
 * their own updates). A member's first answer in a quiz marks their record (`gq`); the answers
 * themselves go to the quiz's answer sheet through the answer queue (jobs/gsheet.ts). On the
 * member's next update after the quiz ended (the sheet says so, or the quiz is older than
 * QUIZ_LIFE_MS), their answers are read from the sheet once and applied as quiz answers: the day's
 * figures now, the schedule through `pend` (applied, in order, when the deck's shard is next read),
 * and the mark becomes "applied" — saved by that update's own write.
 */
import type { Learner, LearnerIO } from "./learner";
import { QUIZ_LIFE_MS, SHEET_TTL_DAYS, type Sheet } from "../store/group-quiz";
import { localDay } from "../srs/days";
import { applyGrade, type DayStat } from "../srs/session";
import type { CardState } from "../srs/card-state";
import type { Grade } from "../srs/sm2";

/** Group quizzes a record remembers at once (waiting or applied). */
export const MAX_MARKS = 16;
/** After a quiz's end (or its life), answers still in the queue are filed within a minute: wait this long. */
export const SETTLE_MS = 5 * 60_000;

export type Mark = [chat: number, started: number, state: 0 | 1];

/** A sheet outlives its quiz's start by at most this (the quiz's life plus the sheet's TTL). */
const SHEET_TTL_MS = QUIZ_LIFE_MS + SHEET_TTL_DAYS * 86_400_000;

/** The learner's mark for a quiz, if any. */
export function markOf(learner: Learner, chat: number, started: number): Mark | undefined {
  return learner.doc.gq?.find((m) => m[0] === chat && m[1] === started) as Mark | undefined;
}

/** True while answers to a quiz started at `started` are taken (it is not older than its life). */
export function quizOpen(started: number, now: number): boolean {
  return now - started <= QUIZ_LIFE_MS;
}

/**
 * Applies the answers of every marked group quiz that has ended (one sheet read per waiting mark)
 * and drops the marks of old quizzes. True if the record changed (the caller's save writes it; an
 * update that saves nothing leaves the marks for the next one).
 */
export async function applyGroupAnswers(io: LearnerIO, learner: Learner): Promise<boolean> {
  const marks = learner.doc.gq as Mark[] | undefined;
  if (!marks?.length) return false;
  const now = learner.now;
  const keep: Mark[] = [];
  let changed = false;
  for (const mark of marks) {
    const [chat, started, state] = mark;
    const age = now - started;
    if (state === 1) {
      // Applied: kept while the sheet is (so no answer is taken twice, and /forget finds the sheet).
      if (age > SHEET_TTL_MS) changed = true;
      else keep.push(mark);
      continue;
    }
    const sheet = await io.stores.groupQuiz.sheet(chat, started);
    const over = sheet?.end !== undefined || age > QUIZ_LIFE_MS + SETTLE_MS;
    if (!over) {
      keep.push(mark);
      continue;
    }
    if (!sheet) {
      // Nothing filed (yet): wait for the sheet while it could still come, then give up.
      if (age <= SHEET_TTL_MS) keep.push(mark);
      else changed = true;
      continue;
    }
    changed = true;
    await takeAnswers(io, learner, sheet);
    keep.push([chat, started, 1]);
  }
  if (!changed) return false;
  if (keep.length) learner.doc.gq = keep;
  else delete learner.doc.gq;
  return true;
}

/** Moves the learner's answers on a sheet into their record: the days' figures and `pend`. */
async function takeAnswers(io: LearnerIO, learner: Learner, sheet: Sheet): Promise<void> {
  const mine = [...(sheet.a[String(learner.id)] ?? [])].sort((x, y) => x[2] - y[2]);
  if (mine.length === 0) return;
  const deck = await io.decks.get(sheet.deck);
  if (!deck) return; // the deck is gone: nothing to schedule
  const t = learner.tableIndex(deck.deck.id);
  if (t < 0) return; // a full deck table of decks with progress: nowhere to put them
  const entry = learner.doc.decks[t]!;
  entry.sub = true;
  // The cards' states before these answers, for the day's figures (new card or review): the stored
  // shard, read as it is — loading it through the learner would apply `pend` now, before a review
  // session's grades still in its buttons.
  const stored = entry.s && entry.s.seen > 0 && learner.stored ? await io.users.getProgress(learner.id, deck.deck.id, deck.cardIds, entry.w ?? 0) : null;
  const states = new Map<number, CardState | undefined>();
  const days = new Map<number, DayStat>();
  const pend = [...(learner.doc.pend ?? [])];
  for (const [q, g, at] of mine) {
    const cardId = sheet.c[String(q)];
    const i = cardId === undefined ? undefined : deck.index.get(cardId);
    if (i === undefined) continue; // the card left the deck
    const day = localDay(at, learner.doc.tz);
    let stat = days.get(day);
    if (!stat) days.set(day, (stat = learner.day(day)));
    const r = applyGrade(states.has(i) ? states.get(i) : stored?.get(i), g as Grade, day, stat.presses, stat);
    states.set(i, r.state);
    stat.quizAnswered++;
    if (g >= 4) stat.quizCorrect++;
    pend.push([t, cardId!, g, day, at]);
  }
  // In the order they were given (the private quiz's answers wait in the same list).
  learner.doc.pend = pend.sort((x, y) => x[4] - y[4]);
  for (const day of [...days.keys()].sort((a, b) => a - b)) {
    const streak = { ...learner.doc.streak };
    learner.saveDay(day, days.get(day)!);
    // An answer from before the streak's last day does not move the streak back.
    if (day < streak.last) learner.doc.streak = streak;
  }
}
