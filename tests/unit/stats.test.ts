/** /stats figures, views, callback data and export files, on hand-made progress histories. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { KEEP_DAYS, newUser, writeDay, currentStreak, type UserDoc } from "../../src/store/users";
import { emptyDay, type DayStat } from "../../src/srs/session";
import { packCard, type CardState } from "../../src/srs/card-state";
import { DeckProgress } from "../../src/srs/progress";
import { loadDeck, type LoadedDeck } from "../../src/decks/registry";
import { makeDeck } from "../support/fixtures";
import {
  dayLabel, deckBreakdown, findLeeches, findSuspended, forecast, forecastChart, percent, retention, streakFigure, streakFromDays, todayFigures,
  type TableDeck,
} from "../../src/stats/figures";
import { statsView, suspendedView, MAX_LEECHES, type StatsInput } from "../../src/stats/view";
import {
  cardTag, packCardAction, packForgetNo, packForgetYes, packSuspendedPage, unpackCardAction, unpackForget, unpackSuspendedPage,
} from "../../src/stats/callbacks";
import { ankiTsv, csvCell, progressCsv, tsvField, ANKI_HEADER } from "../../src/stats/export";
import { parseAnki } from "../../src/decks/parsers/anki";
import { byteLength } from "../../src/learner/callback-data";

const DAY = 86_400_000;
/** Monday 2 November 2026. */
const TODAY = Date.UTC(2026, 10, 2) / DAY;

function day(over: Partial<DayStat>): DayStat {
  return { ...emptyDay(), ...over };
}

/** A record with these daily figures, written in day order (as the bot writes them). */
function history(days: Record<number, Partial<DayStat>>): UserDoc {
  const doc = newUser(0);
  for (const k of Object.keys(days).map(Number).sort((a, b) => a - b)) writeDay(doc, k, day(days[k]!));
  return doc;
}

function card(over: Partial<CardState>): CardState {
  return { n: 2, i: 6, ef: 250, due: TODAY + 1, last: TODAY - 5, g: 4, lapses: 0, intro: TODAY - 20, rs: -1, susp: 0, reps: 3, ...over };
}

/** A loaded fixture deck and a state map for it. */
function fixture(id: string, states: (CardState | undefined)[], title?: string) {
  const deck = loadDeck(makeDeck(id, states.length, title ? { title } : {}), true);
  const map = new Map<string, CardState | undefined>(deck.cardIds.map((cid, i) => [cid, states[i]]));
  return { deck, map };
}

function input(doc: UserDoc, decks: { deck: LoadedDeck; map: Map<string, CardState | undefined> }[]): StatsInput {
  const byId = new Map(decks.map((d) => [d.deck.deck.id, d.map]));
  return {
    doc, today: TODAY,
    decks: decks.map((d, table) => ({ table, deck: d.deck })),
    state: (deckId, cardId) => byId.get(deckId)?.get(cardId),
  };
}

describe("today's figures", () => {
  it("reads reviewed (first grades + new), presses and the quiz score from days[today]", () => {
    const doc = history({
      [TODAY - 1]: { presses: 40, reviews: 30, reviewsOk: 28, introduced: 5 },
      [TODAY]: { presses: 17, reviews: 9, reviewsOk: 7, introduced: 3, goodEasy: 8, quizAnswered: 5, quizCorrect: 4 },
    });
    expect(todayFigures(doc, TODAY)).toEqual({ reviewed: 12, reviews: 9, newCards: 3, presses: 17, quizAnswered: 5, quizCorrect: 4 });
    expect(todayFigures(doc, TODAY + 1)).toEqual({ reviewed: 0, reviews: 0, newCards: 0, presses: 0, quizAnswered: 0, quizCorrect: 0 });
  });
});

describe("the streak", () => {
  it("counts consecutive active days; alive through yesterday, broken after a missed day", () => {
    const doc = history({ [TODAY - 3]: { presses: 4 }, [TODAY - 2]: { quizAnswered: 1 }, [TODAY - 1]: { presses: 1 } });
    expect(streakFigure(doc, TODAY)).toEqual({ days: 3, today: false, atRisk: true });
    expect(streakFromDays(doc, TODAY)).toBe(3);
    writeDay(doc, TODAY, day({ presses: 2 }));
    expect(streakFigure(doc, TODAY)).toEqual({ days: 4, today: true, atRisk: false });
    expect(streakFromDays(doc, TODAY)).toBe(4);
    // Two days later without activity: gone.
    expect(streakFigure(doc, TODAY + 2)).toEqual({ days: 0, today: false, atRisk: false });
    expect(streakFromDays(doc, TODAY + 2)).toBe(0);
  });

  it("a day with only extra new cards allowed (no press, no quiz) is not active", () => {
    const doc = history({ [TODAY - 2]: { presses: 3 }, [TODAY - 1]: { extraNew: 5 } });
    expect(streakFigure(doc, TODAY).days).toBe(0);
    expect(streakFromDays(doc, TODAY)).toBe(0);
    expect(streakFigure(doc, TODAY - 1).days).toBe(1);
  });

  it("agrees with a recount from the daily figures on any history within the kept days", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { maxLength: 40 }), fc.integer({ min: 0, max: 3 }), (back, later) => {
        const days: Record<number, Partial<DayStat>> = {};
        for (const b of back) days[TODAY - b] = b % 2 ? { presses: 1 } : { quizAnswered: 1 };
        const doc = history(days);
        const asOf = TODAY + later;
        expect(currentStreak(doc, asOf)).toBe(streakFromDays(doc, asOf));
      }),
    );
  });
});

describe("retention", () => {
  it("mature: matureOk/mature over the kept days; last 30 days: reviewsOk/reviews", () => {
    const doc = history({
      [TODAY - 45]: { presses: 1, reviews: 10, reviewsOk: 5, mature: 10, matureOk: 5 }, // kept, but older than 30 days
      [TODAY - 29]: { presses: 1, reviews: 20, reviewsOk: 18, mature: 4, matureOk: 4 }, // the 30th day back
      [TODAY]: { presses: 1, reviews: 10, reviewsOk: 6, mature: 6, matureOk: 3 },
    });
    const r = retention(doc, TODAY);
    expect(r.mature).toEqual({ ok: 12, of: 20 });
    expect(r.month).toEqual({ ok: 24, of: 30 });
    expect(percent(r.mature)).toBe("60%");
    expect(percent(r.month)).toBe("80%");
    // A day outside the window is not counted: 31 days back.
    expect(retention(doc, TODAY + 2).month).toEqual({ ok: 6, of: 10 });
  });

  it("days older than the kept window are ignored even if still stored; no data gives —", () => {
    const doc = history({ [TODAY - KEEP_DAYS - 5]: { presses: 1, reviews: 4, reviewsOk: 4, mature: 4, matureOk: 4 } });
    expect(retention(doc, TODAY)).toEqual({ mature: { ok: 0, of: 0 }, month: { ok: 0, of: 0 } });
    expect(percent({ ok: 0, of: 0 })).toBe("—");
    expect(retention(newUser(0), TODAY)).toEqual({ mature: { ok: 0, of: 0 }, month: { ok: 0, of: 0 } });
  });
});

describe("cards per phase", () => {
  it("new / learning / young / mature, and suspended apart", () => {
    const states = [
      undefined, undefined, // new
      card({ n: 0, i: 1 }), card({ n: 1, i: 1 }), // learning
      card({ n: 2, i: 6 }), card({ n: 3, i: 20 }), // young
      card({ n: 4, i: 21 }), // mature
      card({ n: 5, i: 40, susp: 1 }), // suspended (mature, but out of the phases)
    ];
    const { deck, map } = fixture("phases", states);
    expect(deckBreakdown(deck.cardIds, (id) => map.get(id))).toEqual({ total: 8, new: 2, learning: 2, young: 2, mature: 1, suspended: 1, seen: 6 });
  });
});

describe("the 7-day forecast", () => {
  it("counts today (with overdue cards) and the next six days; suspended and new cards are left out", () => {
    const { deck, map } = fixture("fc", [
      card({ due: TODAY - 3 }), card({ due: TODAY }), card({ due: TODAY + 1 }), card({ due: TODAY + 1 }), card({ due: TODAY + 1 }),
      card({ due: TODAY + 6 }), card({ due: TODAY + 7 }), card({ due: TODAY, susp: 1 }), undefined,
      card({ due: TODAY, last: TODAY }), // graded today with due today: counts tomorrow
    ]);
    const rows = forecast([{ cardIds: deck.cardIds, state: (id) => map.get(id) }], TODAY);
    expect(rows.map((r) => r.day)).toEqual([0, 1, 2, 3, 4, 5, 6].map((k) => TODAY + k));
    expect(rows.map((r) => r.count)).toEqual([2, 4, 0, 0, 0, 0, 1]);
  });

  it("draws one line per day, scaled to the busiest day", () => {
    expect(dayLabel(TODAY)).toBe("Mon 02.11");
    expect(dayLabel(TODAY + 6)).toBe("Sun 08.11");
    const chart = forecastChart([
      { day: TODAY, count: 12 }, { day: TODAY + 1, count: 6 }, { day: TODAY + 2, count: 0 }, { day: TODAY + 3, count: 1 },
    ]);
    expect(chart.split("\n")).toEqual([
      "Mon 02.11 ▇▇▇▇▇▇▇▇▇▇ 12",
      "Tue 03.11 ▇▇▇▇▇       6",
      "Wed 04.11             0",
      "Thu 05.11 ▇           1",
    ]);
    expect(forecastChart([{ day: TODAY, count: 0 }])).toBe("Mon 02.11            0");
  });
});

describe("leeches and suspended cards", () => {
  it("lists cards failed 8 times or more (not suspended), most lapses first, with deck and front", () => {
    const a = fixture("lee", [card({ lapses: 8 }), card({ lapses: 7 }), card({ lapses: 12 }), card({ lapses: 9, susp: 1 }), undefined]);
    const decks: TableDeck[] = [{ table: 3, deck: a.deck }];
    const state = (_d: string, c: string) => a.map.get(c);
    const leeches = findLeeches(decks, state);
    expect(leeches.map((l) => [l.cardId, l.lapses, l.index, l.table])).toEqual([["lee-c2", 12, 2, 3], ["lee-c0", 8, 0, 3]]);
    expect(leeches[0]).toMatchObject({ deckId: "lee", deckTitle: "Deck lee", front: "Question 2 of lee?", suspended: false });
    expect(findSuspended(decks, state).map((l) => l.cardId)).toEqual(["lee-c3"]);
  });
});

describe("the /stats message", () => {
  it("has every figure, escapes deck text, draws the chart in <pre>, and offers reset/suspend per leech", () => {
    const doc = history({
      [TODAY - 1]: { presses: 5, reviews: 5, reviewsOk: 4, mature: 2, matureOk: 2 },
      [TODAY]: { presses: 9, reviews: 6, reviewsOk: 5, introduced: 2, quizAnswered: 5, quizCorrect: 3 },
    });
    const a = fixture("alpha", [card({ due: TODAY, lapses: 9 }), card({ due: TODAY + 2, i: 30, n: 4 }), card({ susp: 1 }), undefined], "Alpha <facts> & more");
    const v = statsView(input(doc, [a]));
    expect(v.text).toContain("Cards reviewed: <b>8</b> (6 reviews · 2 new) · 9 button presses");
    expect(v.text).toContain("Quiz: <b>3/5</b> correct");
    expect(v.text).toContain("Streak: <b>2 days</b>");
    expect(v.text).toMatch(/Mature cards \(interval ≥ 21 days\), last 62 days: <b>100%<\/b> \(2\/2\)/);
    expect(v.text).toMatch(/All reviews, last 30 days: <b>82%<\/b> \(9\/11\)/);
    expect(v.text).toContain("<b>Alpha &lt;facts&gt; &amp; more</b> · 4 cards");
    expect(v.text).toContain("▓▓▓▓▓▓▓▓░░ 75% seen · 25% mature");
    expect(v.text).toContain("new 1 · learning 0 · young 1 · mature 1 · suspended 1");
    expect(v.text).toContain("<pre>Mon 02.11 ▇▇▇▇▇▇▇▇▇▇ 1\nTue 03.11            0\nWed 04.11 ▇▇▇▇▇▇▇▇▇▇ 1");
    expect(v.text).toMatch(/Leeches[\s\S]*1\. <i>Alpha &lt;facts&gt; &amp; more<\/i>: Question 0 of alpha\? — 9 lapses/);
    expect(v.text).toContain("1 suspended card");
    const buttons = v.keyboard.inline_keyboard.flat().map((b) => [b.text, "callback_data" in b ? b.callback_data : ""]);
    expect(buttons).toEqual([
      ["↺ Reset 1", packCardAction("r", 0, 0, "alpha", "alpha-c0")],
      ["⏸ Suspend 1", packCardAction("s", 0, 0, "alpha", "alpha-c0")],
      ["⏸ Suspended cards (1)", "Ll0"],
      ["▶️ Review 1 due card", "R:*"],
    ]);
  });

  it("with no data says — and suggests decks", () => {
    const v = statsView(input(newUser(0), []));
    expect(v.text).toContain("Cards reviewed: <b>0</b>");
    expect(v.text).toContain("Quiz: none yet today");
    expect(v.text).toMatch(/last 62 days: <b>—<\/b>/);
    expect(v.text).toMatch(/last 30 days: <b>—<\/b>/);
    expect(v.text).toContain("pick one in /decks");
    expect(v.keyboard.inline_keyboard.flat().map((b) => b.text)).toEqual(["📚 Browse decks"]);
  });

  it("stays within 4096 characters with 64 long-titled decks and many leeches", () => {
    const doc = history({ [TODAY]: { presses: 1 } });
    const decks = Array.from({ length: 64 }, (_, k) =>
      fixture(`deck-${k}`, Array.from({ length: 5 }, (_, i) => card({ lapses: i === 0 ? 10 : 0 })), `${"A long & <verbose> deck title ".repeat(3).slice(0, 76)}${k}`),
    );
    const v = statsView(input(doc, decks));
    expect(v.text.length).toBeLessThanOrEqual(4096);
    expect(v.text).toMatch(/…and \d+ more decks \(see \/decks\)/);
    expect(v.text).toContain(`…and ${64 - MAX_LEECHES} more`);
    expect(v.text).toContain("<pre>");
    expect(v.keyboard.inline_keyboard.flat()).toHaveLength(2 * MAX_LEECHES);
    // A few decks fit in full.
    const few = statsView(input(doc, decks.slice(0, 3)));
    expect(few.text).not.toContain("more decks");
    expect(few.text).toContain("% seen");
  });

  it("the suspended list pages by 8 with an Unsuspend button per card", () => {
    const a = fixture("sus", Array.from({ length: 11 }, (_, i) => card({ susp: i === 4 ? 0 : 1 })));
    const doc = newUser(0);
    const p0 = suspendedView(input(doc, [a]), 0);
    expect(p0.text).toContain("Suspended cards</b> (10)");
    expect(p0.text).toContain("Page 1 of 2");
    const b0 = p0.keyboard.inline_keyboard.flat().map((b) => b.text);
    expect(b0.filter((t) => t.startsWith("▶️ Unsuspend"))).toHaveLength(8);
    expect(b0.slice(-2)).toEqual(["Next »", "« Back to stats"]);
    const p1 = suspendedView(input(doc, [a]), 5); // clamped to the last page
    expect(p1.text).toContain("9. <i>Deck sus</i>: Question 9 of sus?");
    expect(p1.keyboard.inline_keyboard.flat().map((b) => b.text)).toEqual(["▶️ Unsuspend 9", "▶️ Unsuspend 10", "« Previous", "« Back to stats"]);
    expect(suspendedView(input(doc, []), 0).text).toContain("None");
  });
});

describe("callback data", () => {
  it("card actions round-trip, fit 64 bytes and are parsed strictly", () => {
    const longId = `c${"x".repeat(63)}`;
    const data = packCardAction("s", 63, 4999, "d".repeat(40), longId);
    expect(byteLength(data)).toBeLessThanOrEqual(64);
    expect(unpackCardAction(data)).toEqual({ op: "s", deck: 63, card: 4999, tag: cardTag("d".repeat(40), longId) });
    expect(unpackCardAction(packCardAction("r", 0, 0, "a", "b"))).toMatchObject({ op: "r", deck: 0, card: 0 });
    for (const bad of ["Lx:0:0:abcd", "Ls:0:00:abcd", "Ls:0:1000:abcd", "Ls:0:0:abc", "Ls:0:0:ABCD", "Ls:!:0:abcd", "Ls:0:0:abcd:", "Ls::0:abcd", "Lv"]) {
      expect(unpackCardAction(bad), bad).toBeNull();
    }
    expect(cardTag("alpha", "alpha-c0")).toMatch(/^[0-9a-z]{4}$/);
    expect(cardTag("alpha", "alpha-c0")).not.toBe(cardTag("alpha", "alpha-c1"));
  });

  it("suspended pages and /forget buttons", () => {
    expect(unpackSuspendedPage(packSuspendedPage(3))).toBe(3);
    expect(unpackSuspendedPage("Ll01")).toBeNull();
    expect(unpackSuspendedPage("Ll1000")).toBeNull();
    const yes = packForgetYes(1234567890123, 29_000_000);
    expect(byteLength(yes)).toBeLessThanOrEqual(64);
    expect(unpackForget(yes)).toEqual({ confirm: true, uid: 1234567890123, minute: 29_000_000 });
    expect(unpackForget(packForgetNo(42))).toEqual({ confirm: false, uid: 42 });
    for (const bad of ["F:y:42", "F:y:0:1", "F:y:-1:1", "F:n:abc", "F:y:42:1:2", "F:x:42"]) expect(unpackForget(bad), bad).toBeNull();
  });
});

describe("export files", () => {
  const deck = loadDeck(
    {
      ...makeDeck("exp", 3),
      cards: [
        { id: "exp-c0", front: 'Say "hi",\nplease', back: "Hi\there", tags: ["two words", "x"] },
        { id: "exp-c1", front: "=SUM(A1:A2)", back: "# not a comment" },
        { id: "exp-c2", front: "The {{c1::UNTOC}} was adopted in 2000.", back: "UNTOC" },
      ],
    },
    true,
  );

  it("progress CSV: one row per graded card in deck order, ISO dates, easiness with two decimals, safe cells", () => {
    const progress = new DeckProgress(deck.cardIds);
    progress.set(2, card({ n: 3, i: 15, ef: 236, due: TODAY + 4, last: TODAY - 11, lapses: 2 }));
    progress.set(0, card({ n: 0, i: 1, ef: 170, due: TODAY, last: TODAY - 1, lapses: 9 }));
    progress.set(1, card({ last: -1 }));
    // A shard written for a deck that has since lost a card and gained none: its state is dropped.
    const old = loadDeck({ ...deck.deck, id: "exp", cards: [...deck.deck.cards, { id: "old-card", front: "Old", back: "x" }] }, false);
    const before = new DeckProgress(old.cardIds);
    before.set(3, card({ n: 1, i: 1, due: TODAY - 40, last: TODAY - 41 }));
    const after = DeckProgress.decode(before.encode(), deck.cardIds)!;
    expect(after.has(0)).toBe(false);
    const out = progressCsv([{ deck, progress }]);
    expect(out.rows).toBe(3);
    expect(out.decks).toBe(1);
    expect(out.csv.startsWith("\uFEFF")).toBe(true);
    expect(out.csv.slice(1).split("\n")).toEqual([
      "deck,card,front,repetition,interval_days,easiness,due_date,lapses,last_review",
      'exp,exp-c0,"Say ""hi"",',
      'please",0,1,1.70,2026-11-02,9,2026-11-01',
      "exp,exp-c1,'=SUM(A1:A2),2,6,2.50,2026-11-03,0,",
      "exp,exp-c2,The {{c1::UNTOC}} was adopted in 2000.,3,15,2.36,2026-11-06,2,2026-10-22",
      "",
    ]);
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell("-5")).toBe("'-5");
  });

  it("Anki TSV: the header lines, one note per line with tabs and breaks replaced; Lectern reads it back", () => {
    const tsv = ankiTsv(deck);
    const lines = tsv.split("\n");
    expect(lines.slice(0, 4)).toEqual([...ANKI_HEADER]);
    expect(lines[2]).toBe("#columns:Front\tBack\tTags");
    expect(lines.slice(4)).toEqual([
      '"Say ""hi"", please"\tHi here\ttwo_words x',
      '=SUM(A1:A2)\t"# not a comment"\t',
      "The {{c1::UNTOC}} was adopted in 2000.\tUNTOC\t",
      "",
    ]);
    expect(tsvField("a\t\tb\r\nc")).toBe("a b c");
    const back = parseAnki(tsv, "lectern-exp-anki.txt", { deckId: "exp2", title: "Exp" });
    expect(back.ok, JSON.stringify(back)).toBe(true);
    if (!back.ok) return;
    expect(back.deck.cards.map((c) => [c.front, c.back, c.tags ?? []])).toEqual([
      ['Say "hi", please', "Hi here", ["two_words", "x"]],
      ["=SUM(A1:A2)", "# not a comment", []],
      ["The {{c1::UNTOC}} was adopted in 2000.", "UNTOC", []],
    ]);
  });
});
