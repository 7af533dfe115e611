import { describe, expect, it } from "vitest";
import { applyGrade, emptyDay, outlook, pickNext, REDRILL_GAP, type DeckView } from "../../src/srs/session";
import type { CardState } from "../../src/srs/card-state";
import type { Grade } from "../../src/srs/sm2";

const TODAY = 20_400;

function card(over: Partial<CardState>): CardState {
  return { n: 2, i: 6, ef: 250, due: TODAY, last: TODAY - 6, g: 4, lapses: 0, intro: TODAY - 7, rs: -1, susp: 0, reps: 2, ...over };
}

function deck(states: (CardState | undefined)[]): DeckView & { map: Map<string, CardState | undefined> } {
  const map = new Map<string, CardState | undefined>(states.map((s, i) => [`c${i}`, s]));
  return { cardIds: states.map((_, i) => `c${i}`), state: (id) => map.get(id), map };
}

describe("pickNext", () => {
  it("due cards first, most overdue first, then new cards in deck order", () => {
    const d = deck([undefined, card({ due: TODAY - 1 }), card({ due: TODAY - 5 }), card({ due: TODAY + 2 }), undefined]);
    const stat = emptyDay();
    const order: string[] = [];
    for (;;) {
      const p = pickNext([d], TODAY, stat, { newPerDay: 10, reviewsPerDay: 100 });
      if (!p) break;
      order.push(`${p.kind}:c${p.card}`);
      const id = `c${p.card}`;
      d.map.set(id, applyGrade(d.map.get(id), 4, TODAY, stat.presses, stat).state);
    }
    expect(order).toEqual(["due:c2", "due:c1", "new:c0", "new:c4"]);
    expect(stat).toMatchObject({ presses: 4, reviews: 2, introduced: 2, goodEasy: 4 });
  });

  it("respects the daily new-card limit and review cap, counted per local day", () => {
    const d = deck([card({ due: TODAY - 1 }), card({ due: TODAY }), undefined, undefined, undefined]);
    const stat = { ...emptyDay(), reviews: 99, introduced: 9 };
    const p1 = pickNext([d], TODAY, stat, { newPerDay: 10, reviewsPerDay: 100 });
    expect(p1).toEqual({ deck: 0, card: 0, kind: "due" });
    d.map.set("c0", applyGrade(d.map.get("c0"), 4, TODAY, 0, stat).state);
    // The review cap is reached: no more due cards today, one new card left.
    expect(pickNext([d], TODAY, stat, { newPerDay: 10, reviewsPerDay: 100 })).toEqual({ deck: 0, card: 2, kind: "new" });
    d.map.set("c2", applyGrade(undefined, 4, TODAY, 1, stat).state);
    expect(pickNext([d], TODAY, stat, { newPerDay: 10, reviewsPerDay: 100 })).toBeNull();
    // Tomorrow the counters start again.
    expect(pickNext([d], TODAY + 1, emptyDay(), { newPerDay: 10, reviewsPerDay: 100 })?.card).toBe(1);
  });

  it("re-drills cards graded below 4 after REDRILL_GAP other presses, until graded 4+", () => {
    const d = deck([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    const stat = emptyDay();
    const seq: string[] = [];
    const grades: Record<string, Grade[]> = { c0: [1, 3, 4], c1: [3, 5] };
    for (;;) {
      const p = pickNext([d], TODAY, stat, { newPerDay: 20, reviewsPerDay: 100 });
      if (!p) break;
      const id = `c${p.card}`;
      seq.push(`${id}${p.kind === "redrill" ? "*" : ""}`);
      const g = grades[id]?.shift() ?? 4;
      d.map.set(id, applyGrade(d.map.get(id), g, TODAY, stat.presses, stat).state);
    }
    expect(REDRILL_GAP).toBe(4);
    expect(seq).toEqual(["c0", "c1", "c2", "c3", "c0*", "c1*", "c4", "c5", "c0*", "c6"]);
    // Only first grades scheduled: c0 keeps the Again schedule (n 0, I 1) despite the final Good.
    expect(d.map.get("c0")).toMatchObject({ n: 0, i: 1, ef: 196, lapses: 1, g: 4 });
    expect(d.map.get("c1")).toMatchObject({ n: 1, i: 1, ef: 236, g: 5 });
    expect(stat).toMatchObject({ presses: 10, introduced: 7 });
  });

  it("skips suspended cards and cards already done today", () => {
    const d = deck([card({ susp: 1, due: TODAY - 3 }), card({ last: TODAY, due: TODAY + 1 }), card({ due: TODAY })]);
    expect(pickNext([d], TODAY, emptyDay(), { newPerDay: 0, reviewsPerDay: 100 })?.card).toBe(2);
  });

  it("picks across decks by overdue-ness, and honours an eligibility filter", () => {
    const a = deck([card({ due: TODAY - 1 })]);
    const b = deck([card({ due: TODAY - 4 })]);
    expect(pickNext([a, b], TODAY, emptyDay(), { newPerDay: 0, reviewsPerDay: 9 })).toEqual({ deck: 1, card: 0, kind: "due" });
    const onlyA = { ...b, eligible: () => false };
    expect(pickNext([a, onlyA], TODAY, emptyDay(), { newPerDay: 0, reviewsPerDay: 9 })).toEqual({ deck: 0, card: 0, kind: "due" });
  });
});

describe("applyGrade", () => {
  it("runs SM-2 once per card per day and counts the day's figures", () => {
    const stat = emptyDay();
    const mature = card({ n: 4, i: 30, due: TODAY });
    const r1 = applyGrade(mature, 2, TODAY, 0, stat);
    expect(r1.scheduled).toBe(true);
    expect(r1.state).toMatchObject({ n: 0, i: 1, due: TODAY + 1, lapses: 1, rs: 0 });
    const r2 = applyGrade(r1.state, 5, TODAY, 5, stat);
    expect(r2.scheduled).toBe(false);
    expect(r2.state).toMatchObject({ n: 0, i: 1, due: TODAY + 1, g: 5 });
    expect(stat).toEqual({ ...emptyDay(), presses: 2, reviews: 1, reviewsOk: 0, mature: 1, matureOk: 0 });
  });
});

describe("outlook", () => {
  it("counts due now, unseen and the next days", () => {
    const d = deck([card({ due: TODAY - 2 }), card({ due: TODAY + 1 }), card({ due: TODAY + 1 }), card({ due: TODAY + 7 }), undefined, card({ due: TODAY + 30 })]);
    expect(outlook([d], TODAY)).toEqual({ dueNow: 1, unseen: 1, redrills: 0, upcoming: [2, 0, 0, 0, 0, 0, 1], nextDue: TODAY + 1 });
  });
});
