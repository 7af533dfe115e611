/**
 * A learner's state for one card, and its compact storage form (a short array of integers, so a
 * deck's progress stays small in KV and cheap to parse).
 */

export interface CardState {
  /** SM-2 repetition count n. */
  n: number;
  /** SM-2 interval in days. */
  i: number;
  /** SM-2 easiness in hundredths (250 = 2.5). */
  ef: number;
  /** Local day number the card is next due. */
  due: number;
  /** Local day number of the latest grade. */
  last: number;
  /** Latest grade (of any press that day, re-drills included). */
  g: number;
  /** Times the card was failed (first grade of a day below 3). A leech at LEECH_LAPSES. */
  lapses: number;
  /** Local day the card was first graded. */
  intro: number;
  /** Today's press number at which the card was last graded below 4 (re-drill spacing). */
  rs: number;
  /** 1 when the learner suspended the card (it leaves sessions and quizzes). */
  susp: number;
  /** Scheduled reviews so far (first grades of a day), for success rates. */
  reps: number;
}

export const LEECH_LAPSES = 8;
/** Stored fields; records written before `reps` existed have 10 (reps is then estimated). */
const FIELDS = 11;

export type PackedCard = number[];

export function packCard(c: CardState): PackedCard {
  return [c.n, c.i, c.ef, c.due, c.last, c.g, c.lapses, c.intro, c.rs, c.susp, c.reps];
}

/** Positions in a packed card state. */
export const F = { n: 0, i: 1, ef: 2, due: 3, last: 4, g: 5, lapses: 6, intro: 7, rs: 8, susp: 9, reps: 10 } as const;

/** True when a stored value is a well-formed packed card state (checked without allocating). */
export function packedValid(a: unknown): a is number[] {
  if (!Array.isArray(a) || (a.length !== FIELDS && a.length !== FIELDS - 1)) return false;
  for (let k = 0; k < a.length; k++) if (!Number.isSafeInteger(a[k])) return false;
  const ef = a[F.ef] as number, g = a[F.g] as number, susp = a[F.susp];
  return a[F.n] >= 0 && a[F.i] >= 0 && ef >= 130 && ef <= 1000 && g >= 0 && g <= 5 && a[F.lapses] >= 0 && (susp === 0 || susp === 1);
}

/** Reads a stored card; anything malformed gives undefined (the caller logs and treats it as new). */
export function unpackCard(a: unknown): CardState | undefined {
  if (!packedValid(a)) return undefined;
  const [n, i, ef, due, last, g, lapses, intro, rs, susp, reps] = a;
  return { n: n!, i: i!, ef: ef!, due: due!, last: last!, g: g!, lapses: lapses!, intro: intro!, rs: rs!, susp: susp!, reps: reps ?? n! + lapses! };
}

export type CardPhase = "new" | "learning" | "young" | "mature";

/**
 * new: never graded; learning: failed or not yet past the first two steps (n < 2);
 * young: interval < 21 days; mature: interval ≥ 21 days.
 */
export function phaseOf(c: CardState | undefined): CardPhase {
  if (!c) return "new";
  if (c.n < 2) return "learning";
  return c.i >= 21 ? "mature" : "young";
}

export function isLeech(c: CardState | undefined): boolean {
  return !!c && c.lapses >= LEECH_LAPSES;
}
