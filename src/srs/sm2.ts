/**
 * SM-2, exactly as SuperMemo 2 defines it, with the easiness factor kept in exact hundredths.
 *
 * State: repetition n (starts 0), interval I in days (starts 0), easiness EF (starts 2.5).
 * After a grade q in 0..5:
 *
 *   q ≥ 3:  I' = 1                      if n = 0
 *           I' = 6                      if n = 1
 *           I' = round(I × EF)          otherwise — EF *before* this update; halves round up
 *           n' = n + 1
 *   q < 3:  n' = 0, I' = 1
 *   always: EF' = max(1.3, EF + 0.1 − (5 − q)(0.08 + (5 − q)·0.02))
 *
 * Every step of EF is a multiple of 0.02, so EF is computed on integer hundredths
 * (EF×100 + 10 − (5−q)(8 + 2(5−q))) and I × EF as the exact integer product I × EF×100 / 100,
 * rounded half up with integer arithmetic. No floating-point drift can ever change an interval.
 *
 * Step 7 of SM-2 (re-drilling cards graded below 4 within the day) is the session's business:
 * see `session.ts`; this function is only ever called for a card's first grade of the day.
 */

export interface Sm2State {
  /** Successful repetitions in a row (n). */
  repetition: number;
  /** Days until the next review (I). */
  interval: number;
  /** Easiness factor (EF), a multiple of 0.01, ≥ 1.3. */
  easiness: number;
}

export type Grade = 0 | 1 | 2 | 3 | 4 | 5;

export const NEW_CARD: Readonly<Sm2State> = Object.freeze({ repetition: 0, interval: 0, easiness: 2.5 });

/** EF in hundredths: 2.5 → 250. Inputs are validated to lie on the hundredths grid. */
export function toHundredths(ef: number): number {
  const h = Math.round(ef * 100);
  if (!Number.isFinite(ef) || Math.abs(h - ef * 100) > 1e-6) throw new RangeError(`easiness ${ef} is not a multiple of 0.01`);
  return h;
}

/** The SM-2 update on integer hundredths: the whole rule without floating point. */
export function sm2Hundredths(n: number, interval: number, ef100: number, q: Grade): { n: number; interval: number; ef100: number } {
  const d = 5 - q;
  const nextEf = Math.max(130, ef100 + 10 - d * (8 + 2 * d));
  if (q < 3) return { n: 0, interval: 1, ef100: nextEf };
  let next: number;
  if (n === 0) next = 1;
  else if (n === 1) next = 6;
  else next = Math.floor((interval * ef100 + 50) / 100); // round(I × EF), halves up
  return { n: n + 1, interval: next, ef100: nextEf };
}

/** The next SM-2 state after grade `grade` (0..5). Pure: no I/O, no clock. */
export function sm2(state: Sm2State, grade: number): Sm2State {
  if (!Number.isInteger(grade) || grade < 0 || grade > 5) throw new RangeError(`grade must be an integer 0..5, got ${grade}`);
  if (!Number.isInteger(state.repetition) || state.repetition < 0) throw new RangeError(`repetition must be a non-negative integer`);
  if (!Number.isInteger(state.interval) || state.interval < 0) throw new RangeError(`interval must be a non-negative integer`);
  const r = sm2Hundredths(state.repetition, state.interval, toHundredths(state.easiness), grade as Grade);
  return { repetition: r.n, interval: r.interval, easiness: r.ef100 / 100 };
}
