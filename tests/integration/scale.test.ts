/**
 * The storage layout at its documented limits, through the webhook: a learner with 50,000 cards of
 * progress in 10 decks of 5,000 cards, and a first-version record migrated with nothing lost.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, createHarness, freshUserId, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { recordWithProgress } from "../support/progress";
import { DeckProgress, deckSig, shardIds } from "../../src/srs/progress";
import { localDay } from "../../src/srs/days";
import { newUser, progressKey, userKey, type UserDoc } from "../../src/store/users";
import { packCard, type CardState } from "../../src/srs/card-state";
import { goneKey, ownKey, roleKey } from "../../src/store/people";

const BIG = Array.from({ length: 10 }, (_, k) => makeDeck(`big${k}`, 5000));

/** A reviewed card: due `due`, seen `n` times. */
function state(today: number, i: number): CardState {
  const due = today - 3 + (i % 40);
  return { n: 2 + (i % 5), i: 6 + (i % 30), ef: 230 + (i % 20), due, last: due - 6, g: 4, lapses: i % 3, intro: today - 200, rs: -1, susp: 0, reps: 3 + (i % 5) };
}

/** Writes a v2 learner with every card of `decks` graded (head with summaries, one shard per deck). */
async function seedLearner(uid: number, decks: typeof BIG, now: number): Promise<void> {
  const today = localDay(now, "UTC");
  const doc: UserDoc = newUser(now - 300 * 86_400_000);
  doc.at = now - 60_000;
  for (const d of decks) {
    const p = new DeckProgress(d.cards.map((c) => c.id));
    for (let i = 0; i < d.cards.length; i++) p.set(i, state(today, i));
    p.wc = 1;
    await env.KV.put(progressKey(uid, d.id), p.encode());
    doc.decks.push({ id: d.id, sub: true, t: d.title, s: p.summary(today), w: 1 });
  }
  await env.KV.put(userKey(uid), JSON.stringify(doc));
}

async function press(h: Harness, uid: number, label: RegExp | string) {
  h.advance(1500);
  const msg = h.lastBotMessage(uid)!;
  await h.press(uid, uid, msg.message_id, button(msg, label));
}

describe("a learner with 50,000 cards of progress", () => {
  it("reviews, quizzes, sees stats and decks, exports and forgets — each update reading the head and at most the shards it works on", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [user(uid)], decks: BIG });
    await seedLearner(uid, BIG, h.clock.now);

    h.kv.resetWindow();
    await h.send(uid, "/review");
    expect(h.kv.resetWindow().reads).toBeLessThanOrEqual(2); // the head and the most overdue deck's shard
    expect(h.lastBotMessage(uid)!.text).toMatch(/· review ·/);
    let maxReads = 0, writes = 0;
    for (let k = 0; k < 8; k++) {
      await press(h, uid, "👀 Show answer");
      maxReads = Math.max(maxReads, h.kv.resetWindow().reads);
      await press(h, uid, /^Good ·/);
      const w = h.kv.resetWindow();
      maxReads = Math.max(maxReads, w.reads);
      writes += w.writes;
    }
    expect(maxReads).toBeLessThanOrEqual(2);
    expect(writes).toBe(2); // one flush (at the 7th grade): the head and one shard
    await press(h, uid, "⏹ Stop");
    expect(h.lastBotMessage(uid)!.text).toMatch(/Cards reviewed: <b>8<\/b>|Cards reviewed: 8/);

    // A quiz: started from the summaries' most overdue decks; an answer reads and writes the head only.
    h.advance(1500);
    await h.send(uid, "/quiz");
    const poll = h.botMessages(uid).filter((m) => m.poll).at(-1)!;
    h.kv.resetWindow();
    h.advance(1500);
    await h.deliver(h.tg.answerPoll(uid, poll.poll!.id, [poll.poll!.correct_option_ids![0]!]));
    expect(h.kv.resetWindow()).toMatchObject({ reads: 1, writes: 1 });

    h.advance(1500);
    await h.send(uid, "/decks");
    expect(h.lastBotMessage(uid)!.text).toMatch(/Deck big0/);
    h.advance(1500);
    await h.send(uid, "/stats");
    const stats = h.lastBotMessage(uid)!.text!;
    expect(stats).toMatch(/Your progress/);
    expect(stats).toMatch(/Deck big9/);

    // /export of 50,000 cards: the request enqueues one job per file; each builds and sends one.
    h.advance(1500);
    const calls = h.tg.calls.length;
    h.kv.resetWindow();
    await h.send(uid, "/export");
    expect(h.kv.resetWindow()).toMatchObject({ reads: 1, writes: 0 });
    expect(h.lastBotMessage(uid)!.text).toMatch(/Your export is on its way: 10 progress files .* 50,?000 cards in all\) and 10 Anki files/);
    await h.drainQueue();
    const files = h.tg.calls.slice(calls).filter((c) => c.method === "sendDocument" && c.ok);
    const csvs = files.map((c) => new TextDecoder().decode(h.tg.fileInfo(c.result.document.file_id)!.bytes)).filter((t) => t.includes("deck,card,front"));
    expect(csvs).toHaveLength(10);
    expect(csvs.reduce((n, t) => n + t.trim().split("\n").length - 1, 0)).toBe(50_000); // every graded card, once
    expect(files).toHaveLength(20);

    h.advance(1500);
    await h.send(uid, "/forget");
    const ask = h.lastBotMessage(uid)!;
    await press(h, uid, "Yes, delete everything");
    void ask;
    for (const d of BIG) expect(await env.KV.get(progressKey(uid, d.id))).toBeNull();
    expect(await env.KV.get(userKey(uid))).toBeNull();
    expect(await env.KV.get(goneKey(uid))).not.toBeNull();
  });
});

describe("a first-version record", () => {
  it("is read as it is, then migrated on its first save with no progress lost (role and decks owned included)", async () => {
    const uid = freshUserId();
    const deck = makeDeck("mig", 30);
    const h = createHarness({ users: [user(uid)], decks: [deck] });
    const today = localDay(h.clock.now, "UTC");
    const v1 = {
      v: 1, rev: 7, at: h.clock.now - 86_400_000, created: h.clock.now - 30 * 86_400_000, tz: "UTC",
      settings: { newPerDay: 10, reviewsPerDay: 100, quizLength: 5, dailyOn: false, dailyAt: 1140 },
      decks: [{ id: "mig", sub: true }],
      progress: {
        mig: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`mig-c${i}`, packCard(state(today, i)).slice(0, i % 2 ? 11 : 10)])),
        gone: { "x-c1": [1, 1, 250, today, today - 1, 4, 0, today - 1, -1, 0] },
      },
      sessions: [["ab12", 7, 7, 5]], days: { [String(today - 1)]: [9, 4, 4, 5, 7, 0, 0, 0, 0, 0] }, streak: { last: today - 1, len: 3 },
      daily: { lastSent: -1, lastCaughtUp: -1 }, classes: [], role: "lecturer",
      owns: { classes: [], decks: [{ id: "old-deck", title: "Old deck", cards: 3 }] },
    };
    await env.KV.put(`v1:user:${uid}`, JSON.stringify(v1));

    // Read as it is: /stats shows the 12 studied cards and yesterday's streak.
    await h.send(uid, "/stats");
    expect(h.lastBotMessage(uid)!.text).toMatch(/Streak: 3 days/);
    expect(h.lastBotMessage(uid)!.text).toMatch(/new 18 · learning/);
    expect(await env.KV.get(userKey(uid))).toBeNull(); // reading writes nothing

    // The first save migrates: every card state moves into the deck's shard, unchanged.
    h.advance(1500);
    await h.send(uid, "/daily on");
    expect(await env.KV.get(`v1:user:${uid}`)).toBeNull();
    const doc = (await recordWithProgress(env.KV, uid))!;
    expect(doc.v).toBe(2);
    expect(doc.streak).toEqual({ last: today - 1, len: 3 });
    expect(doc.sessions).toEqual([["ab12", 7, 7, 5]]);
    for (let i = 0; i < 12; i++) {
      const want = packCard(state(today, i));
      if (i % 2 === 0) want[10] = want[0]! + want[6]!; // a 10-number state: reps estimated as n + lapses
      expect(doc.progress.mig![`mig-c${i}`], `mig-c${i}`).toEqual(want);
    }
    const buf = (await env.KV.get(progressKey(uid, "mig"), "arrayBuffer"))!;
    expect(shardIds(buf)).toEqual(deck.cards.map((c) => c.id));
    expect(deckSig(shardIds(buf)!)).toBeGreaterThan(0);
    expect(JSON.parse((await env.KV.get(roleKey(uid)))!).role).toBe("lecturer");
    expect(JSON.parse((await env.KV.get(ownKey(uid)))!).decks).toEqual([{ id: "old-deck", title: "Old deck", cards: 3 }]);
    h.advance(1500);
    await h.send(uid, "/newclass Migrated class");
    expect(h.lastBotMessage(uid)!.text).toMatch(/created/);
  });
});
