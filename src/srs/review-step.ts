/**
 * One press of a review session, decided without Telegram or KV: which of the grades the button
 * carries are already saved, whether the press changes anything, which grades to apply now, when
 * the first of them was given, and whether to save (flush) after it. The review handler
 * (bot/features/review.ts) loads the record, asks this, applies what it says and renders. Pure.
 *
 * The idempotence rule: the learner's record keeps, per recent session, how many of its grades are
 * applied (`applied`); a button carries the grades saved so far (`base`) and those riding unsaved
 * (`logLength`). A press whose grades are all applied changes nothing.
 */

export interface StepInput {
  kind: "a" | "g" | "x";
  /** Grades of the session saved when the button was made. */
  base: number;
  /** Grades the button carries unsaved. */
  logLength: number;
  /** Grades of the session the record says are applied; undefined when the record does not know the session. */
  applied: number | undefined;
  /** False when the learner has no record at all. */
  stored: boolean;
  /** Epoch seconds (mod T_MOD) of the first unsaved grade, as the button carries it (0: none). */
  t: number;
  /** Now, epoch seconds. */
  nowSec: number;
}

export type StepDecision =
  /** The session ended (the record is gone, or too old to remember the session): change nothing. */
  | { do: "ended" }
  /** The record read predates the session's last save (KV is eventually consistent): tap again. */
  | { do: "wait" }
  /** Every grade the button carries is saved and passed (an old button, a late redelivery). */
  | { do: "already" }
  | {
      do: "go";
      /** How many of the carried grades to apply now: the last `fresh` of the log. */
      fresh: number;
      /** The session's grade count after this press. */
      end: number;
      /** The saved count to carry on from. */
      base: number;
      /** A grade press whose grades are exactly the last save (redelivered, or an edit that failed). */
      resaved: boolean;
      /** Epoch seconds of the first grade not yet saved (0: none): quiz answers after it wait. */
      firstUnsaved: number;
    };

/** The full epoch seconds (the latest not after `nowSec`) of a time kept modulo `mod`; 0 stays 0. */
export function unwrapTime(t: number, nowSec: number, mod: number): number {
  if (!t) return 0;
  const full = nowSec - (nowSec % mod) + t;
  return full > nowSec ? full - mod : full;
}

export function reviewStep(i: StepInput, mod: number): StepDecision {
  if (!i.stored && (i.base > 0 || (i.logLength === 0 && i.kind !== "a"))) return { do: "ended" };
  const applied = i.applied ?? 0;
  const end = i.base + i.logLength;
  if (i.base > applied) return i.applied !== undefined || i.base === 0 ? { do: "wait" } : { do: "ended" };
  if ((i.kind === "g" || i.kind === "x") && end < applied) return { do: "already" };
  const fresh = Math.max(0, i.logLength - Math.max(0, applied - i.base));
  const firstUnsaved = fresh <= 0 ? 0 : i.kind === "g" && fresh === 1 ? i.nowSec : unwrapTime(i.t, i.nowSec, mod);
  return { do: "go", fresh, end, base: Math.max(i.base, applied), resaved: i.kind === "g" && end === applied, firstUnsaved };
}

/**
 * Save after this grade? Once `flushAt` grades ride unsaved, if a write is allowed now (KV's one
 * write per second per key); always once more than `maxLog` would have to ride (what fits in 64 bytes).
 */
export function shouldFlush(unsaved: number, flushAt: number, maxLog: number, canWriteNow: boolean): boolean {
  return unsaved >= flushAt && (unsaved > maxLog || canWriteNow);
}
