/**
 * Issue 13: "A 10-question group quiz in a 100-member group costs ≈1,000 writes" — group quiz
 * answers are batched per question. A 10-question quiz with 100 members walks through the webhook
 * and the answer queue; the KV writes are counted, then every member's schedule is checked.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, createHarness, user, type Harness } from "../support/harness";
import { FakeQueue } from "../support/queue";
import { makeDeck } from "../support/fixtures";
import { recordWithProgress } from "../support/progress";
import { readDay, userKey, type UserDoc } from "../../src/store/users";
import { sheetKey, type Sheet } from "../../src/store/group-quiz";
import { unpackCard } from "../../src/srs/card-state";
import { localDay } from "../../src/srs/days";

const alpha = makeDeck("alpha", 30);
const QUESTIONS = 10;

/** A group of `members` (the first `withRecord` have used the bot), a lecturer and an administrator. */
function setUp(base: number, members: number, withRecord: number, env: Record<string, string> = {}) {
  const ADMIN = 900, LECT = base, GROUP = -base;
  const ids = Array.from({ length: members }, (_, k) => base + 1 + k);
  // The answer queue as wrangler.toml configures it: up to 100 messages a batch.
  const start = Date.UTC(2026, 10, 2, 9, 0, 0);
  let h!: Harness;
  const answers = new FakeQueue(() => h.clock.now, 100);
  h = createHarness({
    start,
    users: [user(ADMIN, "Ada"), user(LECT, "Carol"), ...ids.map((id, k) => user(id, `M${k}`))],
    groups: [{ id: GROUP, title: "Big class", members: [ADMIN, LECT, ...ids] }],
    decks: [alpha],
    env: { GQUIZ: answers.binding, ...env },
  });
  const drainAnswers = () =>
    answers.drain(
      (batch) => h.worker.queue(batch, h.env),
      (ms) => {
        h.clock.now = Math.max(h.clock.now, ms);
      },
    );
  return { h, answers, drainAnswers, ADMIN, LECT, GROUP, ids, recorded: ids.slice(0, withRecord), strangers: ids.slice(withRecord) };
}

/** Member k answers question q right unless (k + q) is a multiple of 3. */
const rightAnswer = (k: number, q: number) => (k + q) % 3 !== 0;

describe("group quiz answers are batched per question", () => {
  it("10 questions × 100 members: about members + questions writes, every answer in each member's own schedule once", async () => {
    const { h, answers, drainAnswers, ADMIN, LECT, GROUP, ids, recorded, strangers } = setUp(96_000, 100, 80);
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/start");
    for (const id of recorded) await h.send(id, "/daily"); // a record with the bot
    const polls = () => h.tg.messages(GROUP).filter((m) => m.poll);

    const w0 = { ...h.kv.total };
    const t0 = h.kv.touched.length;
    let redelivered = 0;
    await h.send(LECT, `/quiz alpha ${QUESTIONS}`, GROUP);
    for (let q = 0; q < QUESTIONS; q++) {
      const poll = polls()[q]!.poll!;
      const right = poll.correct_option_ids![0]!;
      for (const [k, id] of ids.entries()) {
        h.advance(50);
        const u = h.tg.answerPoll(id, poll.id, [rightAnswer(k, q) ? right : (right + 1) % poll.options.length]);
        await h.deliver(u);
        if (k % 10 === 0) {
          await h.deliver(u); // Telegram redelivers it
          redelivered++;
        }
      }
      // The answers of one question arrive within seconds: one batch (the queue waits up to 60 s).
      await drainAnswers();
      h.advance(7_000); // 2 messages a question: within the group's 20 a minute
      await h.send(LECT, q === QUESTIONS - 1 ? "/quiz stop" : "/quiz next", GROUP);
    }
    await drainAnswers();
    const quiz = { ...h.kv.total };
    const writes = quiz.writes - w0.writes;
    const during = h.kv.touched.slice(t0);
    const sheetWrites = during.filter((t) => t.op === "put" && t.key.startsWith("v1:gsheet:")).length;
    const markWrites = during.filter((t) => t.op === "put" && t.key.startsWith("v2:user:") && ids.includes(Number(t.key.slice(8)))).length;
    console.log(
      `[group quiz] ${QUESTIONS} questions × ${ids.length} members (${recorded.length} with a record, ${redelivered} answers redelivered): ` +
        `${writes} KV writes (${markWrites} marks, ${sheetWrites} sheet writes, the rest the quiz and its polls), ${quiz.reads - w0.reads} reads, ` +
        `${answers.sent} queue messages in ${answers.batches} batches`,
    );
    expect(polls()).toHaveLength(QUESTIONS);
    expect(h.lastBotMessage(GROUP)!.text).toMatch(/Quiz over/);
    // One mark per member with a record; one sheet write per question and one for the end; the
    // lecturer's quiz and poll references: two per question.
    expect(markWrites).toBe(recorded.length);
    expect(sheetWrites).toBe(QUESTIONS + 1);
    expect(writes).toBe(recorded.length + QUESTIONS + 1 + 2 * QUESTIONS);
    expect(h.kv.writesWithin(1000).filter((w) => w.key.startsWith("v1:gsheet:"))).toEqual([]);
    expect(answers.dead).toEqual([]);

    // The sheet: every member's answer to every question once, redeliveries included.
    const started = Number(h.kv.touched.find((t) => t.key.startsWith("v1:gsheet:"))!.key.split(":").at(-1));
    const sheet = (await env.KV.get<Sheet>(sheetKey(GROUP, started), "json"))!;
    expect(sheet.end).toBeGreaterThan(started);
    expect(Object.keys(sheet.a).sort()).toEqual(recorded.map(String).sort());
    for (const id of recorded) expect(sheet.a[String(id)]!.map((e) => e[0])).toEqual([...Array(QUESTIONS).keys()]);

    // Strangers (never used the bot) got no record.
    for (const id of strangers) expect(await env.KV.get(userKey(id))).toBeNull();

    // Each member's next update applies their answers (saved with its own write)…
    const w1 = h.kv.total.writes;
    for (const id of recorded) await h.send(id, "/daily");
    expect(h.kv.total.writes - w1).toBe(recorded.length); // the record, as /daily writes anyway (turning it off deletes the schedule entry)
    const today = localDay(h.clock.now, "UTC");
    for (const [k, id] of recorded.entries()) {
      const r = (await recordWithProgress(env.KV, id))!;
      expect(r.gq).toEqual([[GROUP, started, 1]]);
      const stat = readDay(r as UserDoc, today);
      const rights = Array.from({ length: QUESTIONS }, (_, q) => rightAnswer(k, q)).filter(Boolean).length;
      // …once each, though some were delivered twice.
      expect({ answered: stat.quizAnswered, correct: stat.quizCorrect, introduced: stat.introduced }).toEqual({ answered: QUESTIONS, correct: rights, introduced: QUESTIONS });
      const progress = r.progress.alpha!;
      expect(Object.keys(progress)).toHaveLength(QUESTIONS);
      for (let q = 0; q < QUESTIONS; q++) {
        const card = unpackCard(progress[sheet.c[String(q)]!]!)!;
        expect(card, `member ${k}, question ${q}`).toMatchObject(rightAnswer(k, q) ? { n: 1, reps: 1, lapses: 0 } : { n: 0, reps: 1, lapses: 1 });
      }
    }
    // …and a later update applies nothing again.
    await h.send(recorded[0]!, "/daily");
    expect(readDay((await env.KV.get<UserDoc>(userKey(recorded[0]!), "json"))!, today).quizAnswered).toBe(QUESTIONS);
    for (const id of strangers) await h.send(id, "/help");
    for (const id of strangers) expect(await env.KV.get(userKey(id))).toBeNull();
  });

  it("near the day's write quota the quiz pauses, and the answers already given still reach the schedules", async () => {
    const { h, drainAnswers, ADMIN, LECT, GROUP, ids } = setUp(97_000, 40, 40, { RATE_LIMITS: "on", DAILY_WRITE_QUOTA: "150" });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/start");
    for (const id of ids) await h.send(id, "/daily"); // 80 writes
    const polls = () => h.tg.messages(GROUP).filter((m) => m.poll);
    await h.send(LECT, "/quiz alpha 5", GROUP);
    let q = 0;
    for (; q < 5; q++) {
      const poll = polls()[q]!.poll!;
      for (const id of ids) {
        h.advance(50);
        await h.deliver(h.tg.answerPoll(id, poll.id, [poll.correct_option_ids![0]!]));
      }
      await drainAnswers();
      h.advance(13_000);
      const before = polls().length;
      await h.send(LECT, "/quiz next", GROUP);
      if (polls().length === before) break;
    }
    // The marks (40) pushed the day past 80% of 150: the quiz did not go on, and said why — privately.
    expect(q).toBe(0);
    expect(polls()).toHaveLength(1);
    expect(h.lastBotMessage(LECT)!.text).toMatch(/close to today's storage limit/);
    // It can still be ended; the answers given are filed and applied.
    h.advance(2_000);
    await h.send(LECT, "/quiz stop", GROUP);
    expect(h.lastBotMessage(GROUP)!.text).toMatch(/Quiz over/);
    await drainAnswers();
    for (const id of ids.slice(0, 5)) {
      h.advance(1_100);
      await h.send(id, "/daily");
      const r = (await recordWithProgress(env.KV, id))!;
      expect(Object.values(r.progress.alpha ?? {}).map((p) => unpackCard(p)!.n)).toEqual([1]);
    }
  });

  it("/forget takes a member's answers off the quiz's sheet, also an answer still in the queue", async () => {
    const { h, drainAnswers, ADMIN, LECT, GROUP, ids } = setUp(98_000, 3, 3);
    const [m0, m1, m2] = ids as [number, number, number];
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/start");
    for (const id of ids) await h.send(id, "/daily");
    await h.send(LECT, "/quiz alpha 2", GROUP);
    const poll = () => h.tg.messages(GROUP).filter((m) => m.poll).at(-1)!.poll!;
    for (const id of ids) await h.deliver(h.tg.answerPoll(id, poll().id, [0]));
    await drainAnswers();
    h.advance(7_000);
    await h.send(LECT, "/quiz next", GROUP);
    for (const id of ids) await h.deliver(h.tg.answerPoll(id, poll().id, [0])); // still in the queue…
    for (const id of [m0, m1]) {
      h.advance(1_500);
      await h.send(id, "/forget"); // …when two members delete their data
      const ask = h.lastBotMessage(id)!;
      await h.press(id, id, ask.message_id, button(ask, "Yes, delete everything"));
      expect(h.callbackTexts().at(-1)).toBe("Deleted.");
    }
    await drainAnswers();
    const started = Number(h.kv.touched.find((t) => t.key.startsWith(`v1:gsheet:${GROUP}:`))!.key.split(":").at(-1));
    const sheet = (await env.KV.get<Sheet>(sheetKey(GROUP, started), "json"))!;
    expect(Object.keys(sheet.a)).toEqual([String(m2)]);
    expect(sheet.a[String(m2)]!.map((e) => e[0])).toEqual([0, 1]);
    expect(JSON.stringify(sheet.a)).not.toMatch(new RegExp(`${m0}|${m1}`));
    expect(sheet.gone?.sort()).toEqual([m0, m1].sort());
    expect(await env.KV.get(userKey(m0))).toBeNull();
  });
});
