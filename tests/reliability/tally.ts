/**
 * Shared counters of the reliability suites (printed as one line at the end of the run, see
 * reliability.test.ts) and the run sizes.
 *
 * Heavy mode: `VITE_LECTERN_RELIABILITY_RUNS=1000 npx vitest run --project workers tests/reliability`
 * (or `npm test` with it set). The variable needs the VITE_ prefix: the tests run inside workerd,
 * where there is no `process.env`; vite hands the test bundle only `VITE_*` variables, as
 * `import.meta.env`. `VITE_LECTERN_RELIABILITY_SEED=<n>` replays other random journeys (the
 * default seed is fixed, so a failure reproduces).
 */
import { rigStats } from "../support/reliability-rig";

const env = ((import.meta as unknown as { env?: Record<string, string | undefined> }).env ?? {}) as Record<string, string | undefined>;
const requested = Number(env.VITE_LECTERN_RELIABILITY_RUNS ?? "");

/** Heavy mode: the variable is set to a positive number. */
export const HEAVY = Number.isFinite(requested) && requested > 0;
export const SEED = Number(env.VITE_LECTERN_RELIABILITY_SEED ?? "") || 20_261_102;

/** `normal` runs by default; in heavy mode at least `heavy` (and at least the number asked for). */
export function runs(normal: number, heavy: number): number {
  return HEAVY ? Math.max(heavy, requested) : normal;
}

/** Per-test timeout of the long suites (vitest.config.ts sets 60 s; heavy mode runs longer). */
export const LONG = HEAVY ? 30 * 60_000 : 180_000;

export const tally = {
  journeys: 0,
  faults: 0,
  gradesLost: 0,
  gradesDoubled: 0,
  crossUser: 0,
  /** Grades compared with the oracle (cards × learners). */
  gradesChecked: 0,
};

export function summaryLine(): string {
  return `[reliability] journeys=${tally.journeys} updates=${rigStats.posts} faults=${tally.faults} grades_lost=${tally.gradesLost} grades_doubled=${tally.gradesDoubled} cross_user=${tally.crossUser} (grades checked=${tally.gradesChecked}, api requests=${rigStats.apiRequests}${HEAVY ? ", heavy mode" : ""})`;
}
