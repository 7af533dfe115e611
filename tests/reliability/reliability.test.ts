/**
 * The reliability and security suites, in one file so that they share one summary line:
 *   1 redelivery · 2 fuzz · 3 faults · 4 bad input · 5 access — and regression tests for what
 *   they found. See each suite's header; heavy mode and seeds: tally.ts.
 *
 *   npx vitest run --project workers tests/reliability
 *   VITE_LECTERN_RELIABILITY_RUNS=1000 npx vitest run --project workers tests/reliability
 */
import { afterAll, describe, expect, it } from "vitest";
import "./redelivery.suite";
import "./fuzz.suite";
import "./faults.suite";
import "./bad-input.suite";
import "./access.suite";
import "./findings.suite";
import { summaryLine, tally } from "./tally";

afterAll(() => {
  console.log(summaryLine());
});

describe("summary", () => {
  it("no grade lost or doubled, no cross-user access", () => {
    expect({ lost: tally.gradesLost, doubled: tally.gradesDoubled, crossUser: tally.crossUser }).toEqual({ lost: 0, doubled: 0, crossUser: 0 });
    expect(tally.journeys).toBeGreaterThan(0);
    expect(tally.gradesChecked).toBeGreaterThan(0);
  });
});
