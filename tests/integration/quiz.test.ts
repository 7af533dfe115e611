/** Quizzes through the webhook: native quiz polls, poll_answer grading, redelivery, KV budget. */
import { recordWithProgress } from "../support/progress";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { userKey, type UserDoc } from "../../src/store/users";
import { unpackCard } from "../../src/srs/card-state";
import { buildPoll } from "../../src/quiz/poll";
import { localDay } from "../../src/srs/days";

const DAY = 86_400_000;
const alpha = makeDeck("alpha", 12);

async function record(id: number) {
  return (await recordWithProgress(env.KV, id))!;
}

function lastPoll(h: Harness, chat: number) {
  const m = h.tg.messages(chat).filter((x) => x.poll).at(-1)!;
  return m.poll!;
}

async function answer(h: Harness, uid: number, correct: boolean) {
  h.advance(4000);
  const poll = lastPoll(h, uid);
  const right = poll.correct_option_ids![0]!;
  const choice = correct ? right : (right + 1) % poll.options.length;
  const update = h.tg.answerPoll(uid, poll.id, [choice]);
  await h.deliver(update);
  return update;
}

describe("a private quiz", () => {
  it("sends quiz polls one at a time, grades each answer through SM-2, and sums up", async () => {
    const uid = 6001;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/quiz alpha");
    const sent = h.tg.calls.filter((c) => c.method === "sendPoll");
    expect(sent).toHaveLength(1);
    const p = sent[0]!.params;
    expect(p).toMatchObject({ chat_id: uid, type: "quiz", is_anonymous: false });
    expect(p.correct_option_ids).toHaveLength(1);
    expect(p.correct_option_id).toBeUndefined();
    // Options: the answer and three distractors, in the order the seed gives.
    const doc = await record(uid);
    const quiz = doc.quiz!;
    const card = alpha.cards[0]!;
    const expected = buildPoll(alpha, card, `${quiz.id}:${card.id}`, "1/5 · ");
    expect(p.question).toBe(expected.question);
    expect(p.options.map((o: { text: string }) => o.text)).toEqual(expected.options);
    expect(p.correct_option_ids).toEqual([expected.correct]);
    expect(expected.options).toContain("Answer 0");
    expect(p.explanation.length).toBeLessThanOrEqual(200);
    expect(p.explanation).toContain("Fact number 0 of alpha");

    const reads0 = h.kv.total.reads, writes0 = h.kv.total.writes - 1; // count the start write too
    h.kv.resetWindow();
    let maxReads = 0;
    const pattern = [true, false, true, true, false];
    for (const ok of pattern) {
      await answer(h, uid, ok);
      maxReads = Math.max(maxReads, h.kv.resetWindow().reads);
    }
    const writes = h.kv.total.writes - writes0;
    const reads = h.kv.total.reads - reads0;
    console.log(`[kv] 5-question quiz: ${writes} writes incl. start (${(writes / 5).toFixed(2)} per answer), ${reads} reads (${(reads / 5).toFixed(2)} per answer, max ${maxReads})`);
    expect(writes / 5).toBeLessThanOrEqual(1.2);
    expect(maxReads).toBeLessThanOrEqual(2);
    expect(h.tg.calls.filter((c) => c.method === "sendPoll")).toHaveLength(5);
    const summary = h.lastBotMessage(uid)!;
    expect(summary.text).toMatch(/Quiz done: 3\/5 correct/);
    expect(summary.text).toMatch(/Streak: 1 day/);

    const after = await record(uid);
    expect(after.quiz).toBeUndefined();
    const today = localDay(h.clock.now, "UTC");
    expect(unpackCard(after.progress.alpha!["alpha-c0"])).toMatchObject({ n: 1, i: 1, g: 4, last: today });
    expect(unpackCard(after.progress.alpha!["alpha-c1"])).toMatchObject({ n: 0, i: 1, g: 1, lapses: 1 });
    expect(after.days[String(today)]![7]).toBe(5); // quiz answered
    expect(after.days[String(today)]![8]).toBe(3); // quiz correct
  });

  it("a redelivered answer grades nothing twice; unknown, foreign and expired answers are ignored", async () => {
    const a = 6002, b = 6003;
    const h = createHarness({ users: [user(a), user(b)], decks: [alpha] });
    await h.send(a, "/quiz alpha");
    const first = await answer(h, a, true);
    const saved = await env.KV.get(userKey(a));
    const polls = h.tg.calls.filter((c) => c.method === "sendPoll").length;
    // Telegram redelivers the same update.
    expect((await h.post(first)).status).toBe(200);
    expect(await env.KV.get(userKey(a))).toBe(saved);
    expect(h.tg.calls.filter((c) => c.method === "sendPoll").length).toBe(polls);
    // An answer to a poll that does not exist.
    expect((await h.post({ update_id: 990001, poll_answer: { poll_id: "nope", user: { id: a, is_bot: false, first_name: "A" }, option_ids: [0] } })).status).toBe(200);
    // B "answers" A's current poll (a forged update: B cannot see A's private chat).
    const current = lastPoll(h, a);
    expect((await h.post({ update_id: 990002, poll_answer: { poll_id: current.id, user: { id: b, is_bot: false, first_name: "B" }, option_ids: [0] } })).status).toBe(200);
    expect(await env.KV.get(userKey(a))).toBe(saved);
    expect(await env.KV.get(userKey(b))).toBeNull();
    // Two days later the quiz has expired: a late answer changes nothing.
    h.advance(2 * DAY);
    const late = h.tg.answerPoll(a, current.id, [0]);
    expect((await h.post(late)).status).toBe(200);
    expect(await env.KV.get(userKey(a))).toBe(saved);
  });

  it("/quiz while a quiz runs offers to resume or start over; /quiz with nothing to ask says so", async () => {
    const uid = 6004;
    const tiny = makeDeck("tiny", 1);
    const h = createHarness({ users: [user(uid)], decks: [tiny] });
    await h.send(uid, "/quiz tiny");
    h.advance(5000);
    await h.send(uid, "/quiz");
    expect(h.botMessages(uid).some((m) => /middle of a quiz \(question 1 of 1\)/.test(m.text ?? ""))).toBe(true);
    await answer(h, uid, true);
    expect(h.lastBotMessage(uid)!.text).toMatch(/Quiz done: 1\/1/);
    h.advance(5000);
    await h.send(uid, "/quiz");
    expect(h.lastBotMessage(uid)!.text).toMatch(/all caught up/);
  });

  it("a deck without quiz questions is explained", async () => {
    const uid = 6005;
    const plain = makeDeck("plain", 3, { quiz: false });
    const h = createHarness({ users: [user(uid)], decks: [plain] });
    await h.send(uid, "/quiz plain");
    expect(h.lastBotMessage(uid)!.text).toMatch(/has no quiz questions/);
  });
});
