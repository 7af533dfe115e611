/**
 * Suite 1 — redelivery. Random journeys of 2–3 learners (/start, /decks and deck pages, subscribe,
 * /review with every button, /quiz answers right and wrong, /settings by buttons and typed, /daily,
 * the next day) are run twice on fresh namespaces: once as they are, once with every update posted
 * a second time — the same Update JSON, as Telegram retries it — at a random later point. Then the
 * two namespaces must be equal (minus `rev`/`at`, see normalizeDump), every learner's cards must
 * hold exactly the SM-2 state their grades imply (each card scheduled once a day, by its first
 * grade), every answer must be 200 and no handler may fail.
 *
 * "Later" follows Telegram's delivery rule: updates of one chat come in order, and while one is
 * being retried the chat's later updates wait (https://grammy.dev/guide/deployment-types — "if an
 * update delivery fails for a chat, the subsequent updates will be queued"). So a duplicate comes
 * after any number of *other* learners' updates, before its own learner's next one, and within the
 * same day. A second property drops that rule (a duplicate may come after the same learner's later
 * presses — a stale replay, which Telegram does not do): there the namespaces may differ (a stale
 * press re-renders an older screen; a stale settings tap sets its older value), but still no card
 * may be scheduled twice in a day, no grade may appear that was never given, and nothing may fail.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { makeDeck } from "../support/fixtures";
import { checkGrades, checkNoDoubles, deckTables, describeJourney, firstDifference, journeyArb, normalizeDump, Runner } from "./model";
import { LONG, runs, SEED, tally } from "./tally";

export const decks = [makeDeck("alpha", 12), makeDeck("beta", 6)];
const UIDS = [101, 102, 103];

function statusProblems(r: Runner): string[] {
  return [...r.statuses].filter(([s]) => s !== 200).map(([s, n]) => `${n}× HTTP ${s}`);
}

describe("suite 1: redelivery", () => {
  it(`each update delivered twice (Telegram's order) ends in the same state as once — ${runs(200, 1000)} journeys`, async () => {
    let duplicates = 0;
    await fc.assert(
      fc.asyncProperty(journeyArb(), async (j) => {
        const uids = UIDS.slice(0, j.users);
        const clean = await new Runner({ decks, uids }).run(j);
        const dup = await new Runner({ decks, uids, dups: { delays: j.dupDelays, inOrder: true } }).run(j);
        tally.journeys += 2;
        duplicates += dup.duplicates;
        const cd = clean.rig.dump(), dd = dup.rig.dump();
        const tables = deckTables(cd);
        const g0 = checkGrades(cd, clean.events, decks, tables);
        const g1 = checkGrades(dd, clean.events, decks, tables);
        tally.gradesChecked += g0.checked + g1.checked;
        tally.gradesLost += g0.lost + g1.lost;
        tally.gradesDoubled += g0.doubled + g1.doubled;
        const diff = firstDifference(normalizeDump(cd), normalizeDump(dd));
        const problems = [
          ...statusProblems(clean).map((p) => `without duplicates: ${p}`),
          ...statusProblems(dup).map((p) => `with duplicates: ${p}`),
          ...clean.rig.errors().map((e) => `without duplicates, error: ${JSON.stringify(e)}`),
          ...dup.rig.errors().map((e) => `with duplicates, error: ${JSON.stringify(e)}`),
          ...g0.problems.map((p) => `without duplicates: ${p}`),
          ...g1.problems.map((p) => `with duplicates: ${p}`),
          ...(diff ? [`namespaces differ at ${diff}`] : []),
        ];
        if (problems.length) throw new Error(`${problems.slice(0, 6).join("\n")}\n--- journey ---\n${describeJourney(j)}`);
      }),
      { seed: SEED, numRuns: runs(200, 1000) },
    );
    expect(duplicates).toBeGreaterThan(0);
  }, LONG);

  it(`stale duplicates (after the learner's later presses) never schedule a card twice or fail — ${runs(60, 500)} journeys`, async () => {
    await fc.assert(
      fc.asyncProperty(journeyArb({ maxDelay: 12 }), async (j) => {
        const uids = UIDS.slice(0, j.users);
        const dup = await new Runner({ decks, uids, dups: { delays: j.dupDelays, inOrder: false } }).run(j);
        tally.journeys += 1;
        const dd = dup.rig.dump();
        const g = checkNoDoubles(dd, dup.events, decks, deckTables(dd));
        tally.gradesChecked += g.checked;
        tally.gradesDoubled += g.doubled;
        const problems = [...statusProblems(dup), ...dup.rig.errors().map((e) => `error: ${JSON.stringify(e)}`), ...g.problems];
        if (problems.length) throw new Error(`${problems.slice(0, 6).join("\n")}\n--- journey ---\n${describeJourney(j)}`);
      }),
      { seed: SEED + 1, numRuns: runs(60, 500) },
    );
  }, LONG);
});
