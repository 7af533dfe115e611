/**
 * Suite 3 — faults. The journeys of suite 1 (review sessions, quizzes, settings), run once clean
 * and once with faults injected at random points — on roughly 4 of 10 updates, one of:
 *  - KV `get`/`put`/`delete` throwing before the operation (a network error, an error whose
 *    message says 429), or *after* it took effect (the write landed, its answer was lost);
 *  - the Bot API answering 429 (with retry_after), 403, 400 or 500 to one call (a given method or
 *    any), at the first or second such call of the update.
 * What happens next is what happens in production: a webhook answer other than 2xx (the bot
 * answers 503 for a storage fault) makes Telegram post the same Update again — here at once, with
 * the fault cleared; when the bot apologised or a quiz's next poll did not come, the learner does
 * the same thing again (a new update; for a quiz, /quiz brings the question back; a bare /daily is
 * repeated as the "on"/"off" they wanted, since a second toggle would undo the first).
 * Then the namespace must equal the clean run's (minus `rev`/`at` and the timestamps of when
 * something happened, which a retry seconds later legitimately moves), every graded card must hold
 * the state its grades imply — nothing lost, nothing doubled — and every answer must be 200 or 503.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { armFault, checkGrades, deckTables, describeJourney, faultArb, firstDifference, journeyArb, normalizeDump, Runner, type FaultSpec, type Journey } from "./model";
import { decks } from "./redelivery.suite";
import { LONG, runs, SEED, tally } from "./tally";

const UIDS = [201, 202, 203];
const PLAN = 40;

const kindOfFault = (f: FaultSpec) => (f.kind === "kv" ? `kv ${f.op} ${f.when}` : `bot api ${f.code}`);

/**
 * Runs `j` clean (unless given) and with `plan[i]` armed before the i-th original update (cycled),
 * and returns the problems found (empty: the same state, nothing lost or doubled).
 */
async function compare(j: Journey, plan: readonly (FaultSpec | null)[], kinds: Map<string, number>, clean?: Runner): Promise<{ problems: string[]; fired: number; clean: Runner }> {
  const uids = UIDS.slice(0, j.users);
  clean ??= await new Runner({ decks, uids }).run(j);
  let k = 0, fired = 0;
  let armed: { spec: FaultSpec; fault: ReturnType<typeof armFault> } | null = null;
  const log: string[] = [];
  const statuses: number[] = [];
  const faulty: Runner = new Runner({
    decks,
    uids,
    beforeOriginal: () => {
      const spec = plan[k++ % plan.length];
      if (spec) armed = { spec, fault: armFault(faulty.rig, spec) };
    },
    afterOriginal: (d, o) => {
      statuses.push(o.status);
      let hit = false;
      if (armed) {
        hit = armed.fault.fired();
        armed.fault.disarm();
        if (hit) {
          fired++;
          tally.faults++;
          kinds.set(kindOfFault(armed.spec), (kinds.get(kindOfFault(armed.spec)) ?? 0) + 1);
          log.push(`${JSON.stringify(armed.spec)} on update ${d.update.update_id} (${Object.keys(d.update).find((x) => x !== "update_id")}) → HTTP ${o.status}`);
        }
        armed = null;
      }
      if (o.status !== 200) return "redeliver"; // Telegram posts the same update again
      if (hit && (o.errorsLogged || o.missingPoll)) return "repeat"; // the learner tries again
      return "ok";
    },
  });
  await faulty.run(j);
  tally.journeys += 1;
  const cd = clean.rig.dump(), fd = faulty.rig.dump();
  const g = checkGrades(fd, clean.events, decks, deckTables(cd));
  tally.gradesChecked += g.checked;
  tally.gradesLost += g.lost;
  tally.gradesDoubled += g.doubled;
  const diff = firstDifference(normalizeDump(cd, true), normalizeDump(fd, true));
  const problems = [
    ...statuses.filter((s) => s !== 200 && s !== 503).map((s) => `webhook answered ${s}`),
    ...clean.rig.errors().map((e) => `clean run, error: ${JSON.stringify(e)}`),
    ...g.problems,
    ...(diff ? [`namespaces differ at ${diff}`] : []),
  ];
  if (problems.length) problems.push(`--- faults ---\n${log.join("\n")}\n--- journey ---\n${describeJourney(j)}`);
  return { problems, fired, clean };
}

/** A review session past the 7-grade save, a quiz answered right and wrong, settings — two learners. */
const SWEEP: Journey = {
  users: 2,
  dupDelays: [0],
  steps: [
    { k: "text", u: 0, text: "/review alpha", gap: 2000 },
    { k: "text", u: 1, text: "/review beta", gap: 2000 },
    { k: "burst", u: 0, grades: [4, 1, 4, 3, 5, 4, 4, 1, 4], gap: 2000 },
    { k: "burst", u: 1, grades: [4, 3], gap: 2000 },
    { k: "text", u: 0, text: "/quiz alpha", gap: 2000 },
    { k: "poll", u: 0, right: true, gap: 2000 },
    { k: "poll", u: 0, right: false, gap: 2000 },
    { k: "poll", u: 0, right: true, gap: 2000 },
    { k: "text", u: 0, text: "/daily", gap: 2000 },
    { k: "text", u: 0, text: "/settings tz Europe/Vienna", gap: 2000 },
    { k: "burst", u: 0, grades: [1, 4, 5], gap: 2000 },
  ],
};

/** The faults the sweep puts at every update of SWEEP, one at a time. */
const SWEEP_FAULTS: FaultSpec[] = [
  { kind: "tg", method: "editMessageText", code: 500, nth: 0 },
  { kind: "tg", method: "*", code: 429, nth: 0 },
  { kind: "tg", method: "*", code: 403, nth: 1 },
  { kind: "tg", method: "sendPoll", code: 400, nth: 0 },
  { kind: "kv", when: "before", op: "get", nth: 0, message: "KV GET failed: 429 Too Many Requests" },
  { kind: "kv", when: "before", op: "put", nth: 0, message: "KV PUT failed: 429 Too Many Requests" },
  { kind: "kv", when: "after", op: "put", nth: 0, message: "Network connection lost." },
  { kind: "kv", when: "after", op: "put", nth: 1, message: "Network connection lost." },
];

describe("suite 3: faults", () => {
  it(`each of ${SWEEP_FAULTS.length} faults at every update of a review session and a quiz: nothing lost or doubled`, async () => {
    const kinds = new Map<string, number>();
    const clean = await new Runner({ decks, uids: UIDS.slice(0, 2) }).run(SWEEP);
    tally.journeys += 1;
    const updates = clean.deliveries;
    expect(updates).toBeGreaterThan(25);
    const failures: string[] = [];
    let fired = 0;
    for (const spec of SWEEP_FAULTS) {
      for (let i = 0; i < updates; i++) {
        const plan = Array.from({ length: updates + 10 }, (_, k) => (k === i ? spec : null));
        const r = await compare(SWEEP, plan, kinds, clean);
        fired += r.fired;
        if (r.problems.length) failures.push(`${JSON.stringify(spec)} at update #${i}:\n${r.problems.slice(0, 4).join("\n")}`);
      }
    }
    expect(failures.slice(0, 2)).toEqual([]);
    expect(fired).toBeGreaterThan(SWEEP_FAULTS.length * updates * 0.5);
  }, LONG);

  it(`KV and Bot API faults at random points of random journeys lose and double no grade — ${runs(100, 1000)} journeys`, async () => {
    let fired = 0;
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        journeyArb(),
        fc.array(fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: faultArb }), { minLength: PLAN, maxLength: PLAN }),
        async (j, plan) => {
          const r = await compare(j, plan, kinds);
          tally.journeys += 1;
          fired += r.fired;
          if (r.problems.length) throw new Error(r.problems.slice(0, 7).join("\n"));
        },
      ),
      { seed: SEED + 2, numRuns: runs(100, 1000) },
    );
    expect(fired).toBeGreaterThan(runs(100, 1000));
    // Every kind of fault went off.
    for (const kind of ["kv get before", "kv put before", "kv put after", "bot api 429", "bot api 403", "bot api 400", "bot api 500"]) {
      expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(0);
    }
  }, LONG);
});
