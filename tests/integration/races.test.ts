/**
 * Writers racing each other (issue "one writer per key"): a Bot API call of one writer is held
 * open in the Telegram stand-in while another writer acts, then released. Each race below lost an
 * update on the first version (one record per learner, written whole by every writer).
 */
import { grade, stop, type GradeLabel } from "../support/review";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, createHarness, freshUserId, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { recordWithProgress } from "../support/progress";
import { goneKey } from "../../src/store/people";

const ADMIN = 900; // ADMIN_USER_IDS in vitest.config.ts
const alpha = makeDeck("alpha", 20);
const DAY = 86_400_000;
const MIDNIGHT = Date.UTC(2026, 10, 3, 0, 0, 0);

/** Every key in the namespace that names the user (what /forget must leave empty). */
async function keysOf(id: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.KV.list(cursor ? { cursor } : {});
    for (const k of page.keys) if (k.name.split(":").includes(String(id))) out.push(k.name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out.sort();
}

/** Shows and grades the card on screen `n` times. */
async function gradeCards(h: Harness, uid: number, n: number, label: GradeLabel = "Good") {
  for (let i = 0; i < n; i++) await grade(h, uid, label);
}


async function forget(h: Harness, uid: number) {
  h.advance(1500);
  await h.send(uid, "/forget");
  const ask = h.lastBotMessage(uid)!;
  h.advance(1500);
  await h.press(uid, uid, ask.message_id, button(ask, "Yes, delete everything"));
  expect(h.callbackTexts().at(-1)).toBe("Deleted.");
}

async function makeLecturer(h: Harness, id: number) {
  await h.send(ADMIN, `/lecturer ${id}`);
  expect(h.lastBotMessage(ADMIN)!.text).toMatch(new RegExp(`${id} is now a lecturer`));
  h.advance(1500);
}

/** A lecturer with a class, and students who joined it; returns the class code. */
async function classWith(h: Harness, lect: number, students: number[]): Promise<string> {
  await makeLecturer(h, lect);
  await h.send(lect, "/newclass Criminology 101");
  const code = /start=join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
  for (const s of students) {
    h.advance(1500);
    await h.send(s, `/join ${code}`);
    expect(h.lastBotMessage(s)!.text).toMatch(/You joined/);
  }
  h.advance(1500);
  return code;
}

/**
 * The learner reviews `graded` cards of alpha, takes the daily quiz at 10:00, and the 10:00 cron
 * runs until its quiz poll to them is being sent — held open until `poll.release()`.
 */
async function dailyQuizInFlight(h: Harness, uid: number, graded: number) {
  await h.send(uid, "/review alpha");
  if (graded) await gradeCards(h, uid, graded);
  await stop(h, uid);
  await h.send(uid, "/settings time 10:00");
  h.advance(1500);
  await h.send(uid, "/daily on");
  h.clock.now = MIDNIGHT + 10 * 3600_000;
  const poll = h.hold("sendPoll", (p) => p.chat_id === uid);
  const cron = h.runCron(MIDNIGHT + 10 * 3600_000);
  await poll.reached;
  return { poll, cron };
}

describe("the daily job and the learner", () => {
  it("grades made while the daily job's poll is in flight stay: the job writes only its own key", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [user(uid)], decks: [alpha], start: MIDNIGHT + 9 * 3600_000 });
    const { poll, cron } = await dailyQuizInFlight(h, uid, 0); // the job has read the learner and is sending the quiz
    await h.send(uid, "/review");
    await gradeCards(h, uid, 9);
    await stop(h, uid);
    expect(h.lastBotMessage(uid)!.text).toMatch(/Cards reviewed: <b>9<\/b>|Cards reviewed: 9/);
    poll.release();
    await cron;
    expect(h.botMessages(uid).some((m) => m.poll)).toBe(true); // the daily quiz did go out
    expect(h.botMessages(uid).some((m) => /^🗓 Your daily quiz: 5 questions .*\/settings.*\/daily off/.test(m.text ?? ""))).toBe(true);
    h.advance(1500);
    await h.send(uid, "/stats");
    expect(h.lastBotMessage(uid)!.text).toMatch(/Cards reviewed: 9 \(0 reviews · 9 new\)/);
    const doc = (await recordWithProgress(env.KV, uid))!;
    expect(Object.keys(doc.progress.alpha!)).toHaveLength(9);
  });

  it("/forget while the daily job's poll is in flight: nothing of the learner comes back", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [user(uid)], decks: [alpha], start: MIDNIGHT + 9 * 3600_000 });
    const { poll, cron } = await dailyQuizInFlight(h, uid, 2);
    await forget(h, uid);
    poll.release();
    await cron;
    expect(await keysOf(uid)).toEqual([goneKey(uid)]);
    // An answer to that poll, and the next day's cron, bring nothing back either.
    const sent = h.botMessages(uid).filter((m) => m.poll).at(-1)!;
    await h.deliver(h.tg.answerPoll(uid, sent.poll!.id, [0]));
    await h.runCron(MIDNIGHT + DAY + 10 * 3600_000);
    expect(await keysOf(uid)).toEqual([goneKey(uid)]);
  });
});

describe("pushes and the student", () => {
  it("/forget while a push chunk's message is in flight: nothing of the student comes back", async () => {
    const lect = freshUserId(), s1 = freshUserId(), s2 = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(s1, "Alice"), user(s2, "Bob")], decks: [alpha] });
    await classWith(h, lect, [s1, s2]);
    await h.send(s1, "/review alpha");
    await gradeCards(h, s1, 2);
    await stop(h, s1);
    h.advance(1500);
    await h.send(lect, "/push alpha Criminology 101");
    const note = h.hold("sendMessage", (p) => p.chat_id === s1 && /shared a deck/.test(String(p.text)));
    const drain = h.drainQueue();
    await note.reached;
    await forget(h, s1);
    note.release();
    await drain;
    await h.drainQueue();
    expect(await keysOf(s1)).toEqual([goneKey(s1)]);
    expect(h.lastBotMessage(lect)!.text).toMatch(/Push report/);
    // The other student is untouched.
    expect((await keysOf(s2)).length).toBeGreaterThan(0);
  });

  it("a push in flight while the student's review flushes: every grade stays, the push writes nothing of theirs", async () => {
    const lect = freshUserId(), s1 = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(s1, "Alice")], decks: [alpha] });
    await classWith(h, lect, [s1]);
    await h.send(s1, "/review alpha");
    const revBefore = (await recordWithProgress(env.KV, s1))!.rev;
    h.advance(1500);
    await h.send(lect, "/push alpha Criminology 101");
    const note = h.hold("sendMessage", (p) => p.chat_id === s1 && /shared a deck/.test(String(p.text)));
    const drain = h.drainQueue();
    await note.reached;
    await gradeCards(h, s1, 8); // a flush at the 7th grade
    await stop(h, s1);
    const during = (await recordWithProgress(env.KV, s1))!;
    expect(Object.keys(during.progress.alpha!)).toHaveLength(8);
    note.release();
    await drain;
    await h.drainQueue();
    const after = (await recordWithProgress(env.KV, s1))!;
    expect(Object.keys(after.progress.alpha!)).toHaveLength(8);
    expect(after.rev).toBe(during.rev); // the push job never wrote the student's record
    expect(after.rev).toBeGreaterThan(revBefore);
    expect(h.lastBotMessage(lect)!.text).toMatch(/1 of 1 student notified/);
  });
});

describe("class statistics and /forget", () => {
  it("a student who deletes their data while a class-stats run is in flight is not in the report, and no result holds them", async () => {
    const lect = freshUserId(), s1 = freshUserId(), s2 = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(s1, "Alice"), user(s2, "Bob")], decks: [alpha] });
    await classWith(h, lect, [s1, s2]);
    for (const s of [s1, s2]) {
      await h.send(s, "/review alpha");
      await gradeCards(h, s, 2);
      await stop(h, s);
    }
    h.advance(1500);
    await h.send(lect, "/push alpha Criminology 101");
    await h.drainQueue();
    h.advance(1500);
    await h.send(lect, "/classstats Criminology 101");
    // The report is the run's last Bot API call: hold it while the student deletes their data.
    const report = h.hold("sendMessage", (p) => p.chat_id === lect && /📊/.test(String(p.text)));
    const drain = h.drainQueue();
    await report.reached;
    await forget(h, s1);
    report.release();
    await drain;
    await h.drainQueue();
    expect(await keysOf(s1)).toEqual([goneKey(s1)]);
    const runKeys = (await env.KV.list({ prefix: "v1:run:" })).keys.map((k) => k.name);
    for (const k of runKeys) expect(await env.KV.get(k), k).not.toMatch(new RegExp(`"uid":${s1}\\b|Alice`));
    // A later report has only Bob.
    h.advance(1500);
    await h.send(lect, "/classstats Criminology 101");
    await h.drainQueue();
    const text = h.lastBotMessage(lect)!.text!;
    expect(text).toMatch(/Bob/);
    expect(text).not.toMatch(/Alice/);
  });
});

describe("roles", () => {
  it("an admin removes a lecturer while the lecturer's /quiz is in flight: the role stays removed", async () => {
    const lect = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol")], decks: [alpha] });
    await makeLecturer(h, lect);
    await h.send(lect, "/review alpha");
    await stop(h, lect);
    const poll = h.hold("sendPoll", (p) => p.chat_id === lect);
    const quiz = h.send(lect, "/quiz");
    await poll.reached;
    await h.send(ADMIN, `/lecturer remove ${lect}`);
    expect(h.lastBotMessage(ADMIN)!.text).toMatch(/no longer a lecturer/);
    poll.release();
    await quiz;
    h.advance(1500);
    await h.send(lect, "/newclass Sneaky");
    expect(h.lastBotMessage(lect)!.text).toMatch(/That is for lecturers/);
  });

  it("an admin removes a lecturer while the lecturer's upload is in flight: the upload lands, the role stays removed", async () => {
    const lect = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol")], decks: [alpha] });
    await makeLecturer(h, lect);
    const file = h.hold("getFile");
    h.advance(1500);
    const up = h.deliver(h.tg.uploadDocument(lect, { fileName: "cards.csv", bytes: "front,back\nQ1,A1\nQ2,A2\n", caption: "id: race-deck" }));
    await file.reached;
    await h.send(ADMIN, `/lecturer remove ${lect}`);
    file.release();
    await up;
    expect(h.lastBotMessage(lect)!.text).toMatch(/^✓ 2 cards accepted/);
    h.advance(1500);
    await h.send(lect, "/newclass Sneaky");
    expect(h.lastBotMessage(lect)!.text).toMatch(/That is for lecturers/);
    const role = JSON.parse((await env.KV.get(`v2:role:${lect}`))!) as { role: string };
    expect(role.role).toBe("none");
  });
});

describe("one learner, two updates at once", () => {
  it("a quiz answer and a review flush of the same learner at the same time: both are kept", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/review alpha");
    await stop(h, uid);
    h.advance(1500);
    await h.send(uid, "/quiz");
    const first = h.botMessages(uid).filter((m) => m.poll).at(-1)!;
    h.advance(1500);
    await h.send(uid, "/review");
    await gradeCards(h, uid, 6);
    // The 7th grade flushes (head + shard); hold its message edit while the quiz answer comes in.
    h.advance(1500);
    let msg = h.lastBotMessage(uid)!;
    await h.press(uid, uid, msg.message_id, button(msg, "👀 Show answer"));
    msg = h.lastBotMessage(uid)!;
    const edit = h.hold("editMessageText", (p) => p.chat_id === uid);
    h.advance(1500);
    const press = h.press(uid, uid, msg.message_id, button(msg, /^Good ·/));
    await edit.reached; // the flush is written; the answer to the button is in flight
    h.advance(1500);
    await h.deliver(h.tg.answerPoll(uid, first.poll!.id, [first.poll!.correct_option_ids![0]!]));
    edit.release();
    await press;
    const doc = (await recordWithProgress(env.KV, uid))!;
    const quizCard = doc.quiz?.qs[0]?.c;
    expect(doc.quiz?.qs[0]?.g).toBe(4); // the answer is saved
    // Seven review grades and the quiz answer (which may be on one of the same cards) are all there.
    const graded = Object.keys(doc.progress.alpha!);
    expect(graded.length).toBeGreaterThanOrEqual(7);
    expect(graded).toContain(quizCard);
    expect(doc.sessions.at(-1)![1]).toBe(7);
  });
});
