/** The daily quiz: settings, the slot index, the cron at several times and zones, 403/429, the queue. */
import { recordWithProgress } from "../support/progress";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { userKey, type UserDoc } from "../../src/store/users";
import { slotKey } from "../../src/store/schedule";
import { blockedKey } from "../../src/store/people";

const DAY = 86_400_000;
const alpha = makeDeck("alpha", 12);
const MIDNIGHT = Date.UTC(2026, 10, 2); // Monday 2 November 2026, 00:00 UTC (no DST change near)

async function record(id: number) {
  return (await recordWithProgress(env.KV, id))!;
}

const polls = (h: Harness, chat: number) => h.tg.calls.filter((c) => c.method === "sendPoll" && c.ok && c.params.chat_id === chat).length;

async function setUp(h: Harness, uid: number, time: string, tz: string) {
  await h.send(uid, "/review alpha"); // subscribes
  h.advance(1500);
  await h.send(uid, `/settings tz ${tz}`);
  h.advance(1500);
  await h.send(uid, `/settings time ${time}`);
  h.advance(1500);
  await h.send(uid, "/daily on");
  h.advance(1500);
}

/** Runs every 15-minute cron of the day that starts at `dayStart`. */
async function runDay(h: Harness, dayStart: number) {
  for (let k = 0; k < 96; k++) await h.runCron(dayStart + k * 15 * 60_000);
}

describe("settings", () => {
  it("/settings shows every setting; typed changes are validated with clear errors", async () => {
    const uid = 7001;
    const h = createHarness({ users: [user(uid)], decks: [alpha], start: MIDNIGHT + 9 * 3600_000 });
    await h.send(uid, "/settings");
    const screen = h.lastBotMessage(uid)!.text!;
    for (const s of ["Daily quiz: off", "Quiz time: 19:00", "Timezone: UTC", "Quiz length: 5", "New cards per day: 10", "Reviews per day: at most 100"]) expect(screen).toContain(s);
    await h.send(uid, "/settings tz Mars/Olympus");
    expect(h.lastBotMessage(uid)!.text).toMatch(/Unknown timezone "Mars\/Olympus"/);
    await h.send(uid, "/settings time 25:00");
    expect(h.lastBotMessage(uid)!.text).toMatch(/not a time of day/);
    await h.send(uid, "/settings length 99");
    expect(h.lastBotMessage(uid)!.text).toMatch(/whole number from 1 to 20/);
    await h.send(uid, "/settings colour blue");
    expect(h.lastBotMessage(uid)!.text).toMatch(/don't know the setting “colour”/);
    expect(await env.KV.get(userKey(uid))).toBeNull(); // nothing half-written
    await h.send(uid, "/settings time 7:40");
    expect(h.lastBotMessage(uid)!.text).toMatch(/15-minute steps: set to 07:45/);
    h.advance(2000);
    await h.send(uid, "/settings tz +05:30");
    expect((await record(uid)).tz).toBe("+05:30");
  });

  it("buttons set absolute values, so a double tap does not step twice", async () => {
    const uid = 7002;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/settings");
    const msg = h.lastBotMessage(uid)!;
    const plus = msg.reply_markup!.inline_keyboard.flat().find((b) => b.text === "+1h")!;
    const data = (plus as { callback_data: string }).callback_data;
    await h.press(uid, uid, msg.message_id, data);
    h.advance(1500);
    await h.pressForged(uid, uid, msg.message_id, data);
    expect((await record(uid)).settings.dailyAt).toBe(20 * 60);
    expect(h.callbackTexts().at(-1)).toBe("Already set ✓");
  });
});

describe("the daily cron", () => {
  it("sends each learner one quiz at their local time, across timezones", async () => {
    const vienna = 7101, newYork = 7102, kolkata = 7103, kathmandu = 7104, off = 7105;
    const h = createHarness({ users: [vienna, newYork, kolkata, kathmandu, off].map((id) => user(id)), decks: [alpha], start: MIDNIGHT - 3 * 3600_000 });
    await setUp(h, vienna, "07:30", "Europe/Vienna"); // UTC+1 → 06:30 UTC
    await setUp(h, newYork, "08:00", "America/New_York"); // UTC−5 → 13:00 UTC
    await setUp(h, kolkata, "08:00", "Asia/Kolkata"); // UTC+5:30 → 02:30 UTC
    await setUp(h, kathmandu, "06:00", "+05:45"); // → 00:15 UTC
    await h.send(off, "/review alpha");
    expect(await env.KV.get(slotKey("0630", vienna))).not.toBeNull();
    expect(await env.KV.get(slotKey("1300", newYork))).not.toBeNull();
    expect(await env.KV.get(slotKey("0230", kolkata))).not.toBeNull();
    expect(await env.KV.get(slotKey("0015", kathmandu))).not.toBeNull();

    // Every 15-minute run of the day, in order: each learner exactly once, at their slot.
    for (let k = 0; k < 96; k++) {
      const at = MIDNIGHT + k * 15 * 60_000;
      await h.runCron(at);
      if (k === 25) expect(polls(h, vienna)).toBe(0); // 06:15 UTC
      if (k === 26) {
        expect(polls(h, vienna)).toBe(1); // 06:30 UTC = 07:30 in Vienna
        await h.runCron(at); // the same run again (a retried cron) sends nothing more
        expect(polls(h, vienna)).toBe(1);
      }
    }
    for (const id of [vienna, newYork, kolkata, kathmandu]) expect(polls(h, id)).toBe(1);
    expect(polls(h, off)).toBe(0);
    const sentAt = (id: number) => h.tg.calls.find((c) => c.method === "sendPoll" && c.params.chat_id === id)!.at;
    expect(new Date(sentAt(newYork)).toISOString()).toBe("2026-11-02T13:00:00.000Z");
    expect(new Date(sentAt(kolkata)).toISOString()).toBe("2026-11-02T02:30:00.000Z");
    expect(new Date(sentAt(kathmandu)).toISOString()).toBe("2026-11-02T00:15:00.000Z");
    // The next day, again once each (there are still cards to ask).
    await runDay(h, MIDNIGHT + DAY);
    for (const id of [vienna, newYork, kolkata, kathmandu]) expect(polls(h, id)).toBe(2);
  });

  it("learners with nothing to ask get 'all caught up' at most once a week", async () => {
    const uid = 7201;
    const one = makeDeck("one", 1);
    const h = createHarness({ users: [user(uid)], decks: [one], start: MIDNIGHT });
    await h.send(uid, "/review one");
    const msg = h.lastBotMessage(uid)!;
    await h.press(uid, uid, msg.message_id, (msg.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data);
    h.advance(2000);
    const back = h.lastBotMessage(uid)!;
    await h.press(uid, uid, back.message_id, (back.reply_markup!.inline_keyboard[0]![3] as { callback_data: string }).callback_data); // Easy: 1 day... then 6
    h.advance(2000);
    await h.send(uid, "/settings time 09:00");
    h.advance(2000);
    await h.send(uid, "/daily on");
    const caughtUpDays: number[] = [];
    const quizDays: number[] = [];
    for (let d = 0; d < 12; d++) {
      const before = h.botMessages(uid).length;
      await h.runCron(MIDNIGHT + d * DAY + 9 * 3600_000);
      const fresh = h.tg.messages(uid).slice(-(h.botMessages(uid).length - before) || Infinity).filter((m) => m.from?.is_bot);
      if (fresh.some((m) => /all caught up/.test(m.text ?? ""))) caughtUpDays.push(d);
      const poll = fresh.find((m) => m.poll)?.poll;
      if (poll) {
        quizDays.push(d);
        h.advance(5000);
        await h.deliver(h.tg.answerPoll(uid, poll.id, [poll.correct_option_ids![0]!])); // answers correctly
      }
    }
    // Day 0: graded today, nothing to ask → "all caught up". Day 1: due → quiz (correct: next in
    // 6 days). Day 7: due → quiz. Days 2–6 and 8–11: nothing to ask; the second "all caught up"
    // waits until a week after the first (day 7 has a quiz, so day 8).
    expect(quizDays).toEqual([1, 7]);
    expect(caughtUpDays).toEqual([0, 8]);
  });

  it("a learner who blocked the bot (403) is marked inactive and skipped from then on", async () => {
    const uid = 7301;
    const h = createHarness({ users: [user(uid)], decks: [alpha], start: MIDNIGHT });
    await setUp(h, uid, "10:00", "UTC");
    await h.deliver(h.tg.blockBot(uid));
    const revBefore = (await record(uid)).rev;
    const callsBefore = h.tg.calls.length;
    await h.runCron(MIDNIGHT + 10 * 3600_000);
    // The job marks them in a key of its own; it never writes the learner's record.
    expect(await env.KV.get(blockedKey(uid))).not.toBeNull();
    expect((await record(uid)).rev).toBe(revBefore);
    // One attempt (the quiz's opening line, refused with 403), then nothing more.
    const sends = () => h.tg.calls.slice(callsBefore).filter((c) => (c.method === "sendPoll" || c.method === "sendMessage") && c.params.chat_id === uid).length;
    expect(sends()).toBe(1);
    await h.runCron(MIDNIGHT + DAY + 10 * 3600_000);
    expect(sends()).toBe(1);
  });

  it("429 from Telegram: the job is retried after retry_after and the quiz arrives once", async () => {
    const uid = 7401;
    const h = createHarness({ users: [user(uid)], decks: [alpha], start: MIDNIGHT });
    await setUp(h, uid, "11:00", "UTC");
    h.tg.failNext("sendPoll", { error_code: 429, retry_after: 7 });
    await h.runCron(MIDNIGHT + 11 * 3600_000);
    expect(polls(h, uid)).toBe(0);
    expect(h.queue.pending).toHaveLength(1);
    expect(h.queue.pending[0]!.notBefore).toBe(MIDNIGHT + 11 * 3600_000 + 7000);
    await h.drainQueue();
    expect(polls(h, uid)).toBe(1);
  });

  it("200 learners in one slot go through the queue: each gets exactly one quiz, despite 429s", async () => {
    const ids = Array.from({ length: 200 }, (_, i) => 8000 + i);
    const h = createHarness({ users: ids.map((id) => user(id)), decks: [alpha], start: MIDNIGHT });
    for (const id of ids) {
      await h.send(id, "/review alpha");
      await h.send(id, "/daily on"); // default time 19:00 UTC
    }
    let n = 0;
    h.tg.setFault((method) => (method === "sendPoll" && ++n % 37 === 0 ? { error_code: 429, retry_after: 2 } : undefined));
    const at = MIDNIGHT + 19 * 3600_000;
    const before = { ...h.kv.total };
    await h.runCron(at);
    expect(h.kv.total.lists - before.lists).toBe(1);
    expect(h.queue.sent).toBe(200);
    await h.drainQueue();
    const run = { lists: h.kv.total.lists - before.lists, reads: h.kv.total.reads - before.reads, writes: h.kv.total.writes - before.writes };
    console.log(`[kv] scheduled run, 200 learners (cron + queue): ${run.lists} list, ${run.reads} reads, ${run.writes} writes — ${(run.reads / 200).toFixed(2)} reads and ${(run.writes / 200).toFixed(2)} writes per learner`);
    for (const id of ids) expect(polls(h, id)).toBe(1);
    expect(h.queue.dead).toHaveLength(0);
    const rateLimited = h.tg.calls.filter((c) => c.method === "sendPoll" && !c.ok).length;
    console.log(`[daily] 200 learners: ${h.queue.batches} batches, ${rateLimited} answered 429 and retried, ${h.queue.retries} retries`);
    expect(rateLimited).toBeGreaterThan(0);
    // A second run of the same slot (e.g. a retried cron) sends nothing more.
    await h.runCron(at);
    await h.drainQueue();
    for (const id of ids) expect(polls(h, id)).toBe(1);
  });
});
