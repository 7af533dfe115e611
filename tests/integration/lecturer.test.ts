/// <reference path="../fixtures/uploads/raw.d.ts" />
import { shareDeck } from "../support/classes";
import { recordWithProgress } from "../support/progress";
/** Lecturers through the webhook and the HTTP API: roles, uploads (good and bad), tokens, classes, pushes. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { userKey, type UserDoc } from "../../src/store/users";
import { deckKey } from "../../src/store/decks";
import { blockedKey, ownKey, roleInviteKey } from "../../src/store/people";
import { UploadedDecks } from "../../src/store/decks";
import expected from "../fixtures/uploads/bad/expected.json";

const ADMIN = 900; // ADMIN_USER_IDS in vitest.config.ts
const alpha = makeDeck("alpha", 6);
const files = import.meta.glob<string>("../fixtures/uploads/bad/*", { query: "?raw", import: "default", eager: true });
const bad = Object.entries(files).map(([p, t]) => [p.split("/").pop()!, t] as const).filter(([n]) => n !== "expected.json");
const good = import.meta.glob<string>("../fixtures/uploads/good/*", { query: "?raw", import: "default", eager: true });

async function record(id: number) {
  return recordWithProgress(env.KV, id);
}

function bytesOf(name: string, text: string): Uint8Array {
  if (!name.endsWith(".b64")) return new TextEncoder().encode(text);
  return Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}

async function makeLecturer(h: Harness, id: number) {
  await h.send(ADMIN, `/lecturer ${id}`);
  expect(h.lastBotMessage(ADMIN)!.text).toMatch(new RegExp(`${id} is now a lecturer`));
  h.advance(1500);
}

async function upload(h: Harness, uid: number, fileName: string, bytes: Uint8Array | string, caption?: string) {
  h.advance(1500);
  await h.deliver(h.tg.uploadDocument(uid, { fileName, bytes, ...(caption ? { caption } : {}) }));
  return h.lastBotMessage(uid)!.text!;
}

describe("roles", () => {
  it("an admin appoints a lecturer; a student cannot; the role is checked from storage each time", async () => {
    const lect = 9101, student = 9102;
    const h = createHarness({ users: [user(ADMIN, "Admin"), user(lect, "Lee"), user(student, "Sam")], decks: [alpha] });
    await h.send(student, "/lecturer 9102");
    expect(h.lastBotMessage(student)!.text).toMatch(/Only administrators/);
    await h.send(student, "/newclass Sneaky");
    expect(h.lastBotMessage(student)!.text).toMatch(/That is for lecturers/);
    await makeLecturer(h, lect);
    await h.send(lect, "/newclass Criminology 101");
    expect(h.lastBotMessage(lect)!.text).toMatch(/Class Criminology 101 created/);
    // The admin takes the role away: the next lecturer action is refused.
    h.advance(1500);
    await h.send(ADMIN, `/lecturer remove ${lect}`);
    h.advance(1500);
    await h.send(lect, "/classes"); // listing own classes is fine…
    await h.send(lect, "/newclass Another");
    expect(h.lastBotMessage(lect)!.text).toMatch(/That is for lecturers/); // …creating is not
  });

  it("a one-time invite link makes one person a lecturer", async () => {
    const a = 9111, b = 9112;
    const h = createHarness({ users: [user(ADMIN), user(a), user(b)], decks: [alpha] });
    await h.send(ADMIN, "/lecturer invite");
    const link = /start=lect_([A-Za-z0-9_-]+)/.exec(h.lastBotMessage(ADMIN)!.text!)![1]!;
    await h.send(a, `/start lect_${link}`);
    expect(h.lastBotMessage(a)!.text).toMatch(/You are now a lecturer/);
    await h.send(b, `/start lect_${link}`);
    expect(h.lastBotMessage(b)!.text).toMatch(/not valid: it was used already/);
    expect(await env.KV.get(roleInviteKey(a))).not.toBeNull();
    expect(await env.KV.get(roleInviteKey(b))).toBeNull();
    expect(await record(b)).toBeNull();
  });
});

describe("uploads in chat", () => {
  it("accepts each good format and stores the deck; a student's upload is refused", async () => {
    const lect = 9201, student = 9202;
    const h = createHarness({ users: [user(ADMIN), user(lect), user(student)], decks: [alpha] });
    await makeLecturer(h, lect);
    const names = Object.keys(good).map((p) => p.split("/").pop()!);
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const [path, text] of Object.entries(good)) {
      const name = path.split("/").pop()!;
      const id = `up-${name.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`.slice(0, 40).replace(/-+$/, "");
      const report = await upload(h, lect, name, text, `id: ${id}`);
      expect(report, name).toMatch(/^✓ \d+ cards? accepted/);
      expect(await env.KV.get(deckKey(id)), name).not.toBeNull();
    }
    const report = await upload(h, student, "cards.csv", "front,back\nQ,A\n");
    expect(report).toMatch(/Only lecturers can upload/);
    expect(JSON.parse((await env.KV.get(ownKey(lect)))!).decks.length).toBe(names.length);
  });

  it(`rejects every file of the bad corpus (${bad.length} files) with its specific problem, storing nothing`, async () => {
    const lect = 9211;
    const h = createHarness({ users: [user(ADMIN), user(lect)], decks: [alpha] });
    await makeLecturer(h, lect);
    const before = await env.KV.get(userKey(lect));
    const want = expected as Record<string, { line: number | null; message: string }>;
    expect(bad.length).toBeGreaterThanOrEqual(30);
    for (const [name, text] of bad) {
      const keysBefore = (await env.KV.list()).keys.length;
      const report = await upload(h, lect, name.replace(/\.b64$/, ""), bytesOf(name, text));
      expect(report, name).toMatch(/^✗ \d+ problems? — nothing was saved/);
      expect(report, name).toContain(want[name]!.message);
      if (want[name]!.line !== null) expect(report, name).toContain(`line ${want[name]!.line}`);
      expect((await env.KV.list()).keys.length, name).toBe(keysBefore);
    }
    expect(await env.KV.get(userKey(lect))).toBe(before);
  });

  it("a file over 1 MiB is refused before it is downloaded", async () => {
    const lect = 9221;
    const h = createHarness({ users: [user(ADMIN), user(lect)], decks: [alpha] });
    await makeLecturer(h, lect);
    const big = "front,back\n" + "q,a\n".repeat(300_000);
    const report = await upload(h, lect, "big.csv", big);
    expect(report).toMatch(/at most 1 MiB — nothing was saved/);
    expect(h.tg.calls.some((c) => c.method === "getFile")).toBe(false);
  });

  it("re-uploading a deck keeps students' progress on unchanged cards; another lecturer cannot take the id", async () => {
    const lect = 9231, other = 9232, student = 9233;
    const h = createHarness({ users: [user(ADMIN), user(lect), user(other), user(student)], decks: [alpha] });
    await makeLecturer(h, lect);
    await makeLecturer(h, other);
    await upload(h, lect, "bio.csv", "front,back\nWhat is a cell?,The unit of life\nWhat is DNA?,Genetic material\n", "id: bio");
    await shareDeck(h, lect, [student], "bio"); // uploaded decks are private: shared through a class
    await h.send(student, "/review bio");
    let msg = h.lastBotMessage(student)!;
    h.advance(2000);
    await h.press(student, student, msg.message_id, button(msg, "👀 Show answer"));
    msg = h.lastBotMessage(student)!;
    h.advance(2000);
    await h.press(student, student, msg.message_id, button(msg, /^Good/));
    msg = h.lastBotMessage(student)!;
    await h.press(student, student, msg.message_id, button(msg, "⏹ Stop"));
    const progress = (await record(student))!.progress.bio!;
    const cellId = Object.keys(progress)[0]!;
    // The lecturer edits the second card's back and adds a card.
    UploadedDecks.clearCache();
    const report = await upload(h, lect, "bio.csv", "front,back\nWhat is a cell?,The basic unit of life\nWhat is DNA?,Genetic material\nWhat is RNA?,A nucleic acid\n", "id: bio");
    expect(report).toMatch(/Replaced your deck "bio": 2 of its cards are unchanged/);
    const stored = JSON.parse((await env.KV.get(deckKey("bio")))!);
    expect(stored.deck.cards.map((c: { id: string }) => c.id)).toContain(cellId);
    const taken = await upload(h, other, "bio.csv", "front,back\nQ,A\n", "id: bio");
    expect(taken).toMatch(/taken by another lecturer/);
    const builtIn = await upload(h, other, "x.csv", "front,back\nQ,A\n", "id: alpha");
    expect(builtIn).toMatch(/id of a built-in deck/);
  });
});

describe("the HTTP API", () => {
  async function api(h: Harness, token: string | null, body: string, query = "name=cards.csv") {
    const headers: Record<string, string> = { "content-type": "text/csv" };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const res = await h.app.fetch(new Request(`https://lectern.test/api/decks?${query}`, { method: "POST", headers, body }), h.env, { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext);
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it("uploads with a good token; refuses a missing, wrong or revoked token and a student", async () => {
    const lect = 9301;
    const h = createHarness({ users: [user(ADMIN), user(lect)], decks: [alpha] });
    await makeLecturer(h, lect);
    await h.send(lect, "/token");
    const token = /(lct_[A-Za-z0-9_-]{43})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
    // Stored hashed only.
    expect(JSON.stringify((await env.KV.list()).keys)).not.toContain(token);
    const ok = await api(h, token, "front,back\nQ1,A1\nQ2,A2\n", "name=cards.csv&id=api-deck");
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ ok: true, format: "csv", deck: { id: "api-deck", cards: 2 } });
    const invalid = await api(h, token, "front,back\nQ1,\n", "name=cards.csv&id=api-bad");
    expect(invalid.status).toBe(422);
    expect((invalid.json.problems as { line?: number; message: string }[])[0]).toMatchObject({ line: 2, message: expect.stringMatching(/back/i) });
    expect(await env.KV.get(deckKey("api-bad"))).toBeNull();
    expect((await api(h, null, "front,back\nQ,A\n")).status).toBe(401);
    expect((await api(h, "lct_" + "x".repeat(43), "front,back\nQ,A\n")).status).toBe(401);
    expect((await api(h, "nonsense", "front,back\nQ,A\n")).status).toBe(401);
    h.advance(1500);
    await h.send(lect, "/token revoke");
    expect(h.lastBotMessage(lect)!.text).toMatch(/revoked/);
    const revoked = await api(h, token, "front,back\nQ,A\n", "name=cards.csv&id=api-deck2");
    expect(revoked.status).toBe(401);
    expect(await env.KV.get(deckKey("api-deck2"))).toBeNull();
  });
});

describe("classes and pushes", () => {
  it("a class: create, join by link and by code, push through the queue, class stats, authorization", async () => {
    const lect = 9401, s1 = 9402, s2 = 9403, outsider = 9404;
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(s1, "Alice"), user(s2, "Bob"), user(outsider, "Eve")], decks: [alpha] });
    await makeLecturer(h, lect);
    await h.send(lect, "/newclass Criminology 101");
    const text = h.lastBotMessage(lect)!.text!;
    const code = /start=join_([A-Za-z0-9_-]{12})/.exec(text)![1]!;
    expect(text).toContain(`/join ${code}`);
    await h.send(s1, `/start join_${code}`);
    // The link asks first (issue 13), naming the lecturer by first name.
    const ask = h.lastBotMessage(s1)!;
    expect(ask.text).toMatch(/Join the class Criminology 101 by Carol\?/);
    await h.press(s1, s1, ask.message_id, button(ask, /Join/));
    expect(h.lastBotMessage(s1)!.text).toMatch(/You joined Criminology 101/);
    await h.send(s2, `/join ${code}`);
    await h.send(s2, `/join ${code}`);
    expect(h.lastBotMessage(s2)!.text).toMatch(/already in/);
    // Students cannot act on the class.
    await h.send(s1, "/push alpha Criminology 101");
    expect(h.lastBotMessage(s1)!.text).toMatch(/That is for lecturers/);
    await h.send(outsider, "/classstats Criminology 101");
    expect(h.lastBotMessage(outsider)!.text).toMatch(/That is for lecturers/);
    // Push.
    h.advance(1500);
    const pushUpdate = h.tg.sendText(lect, "/push alpha Criminology 101");
    await h.deliver(pushUpdate);
    expect(h.lastBotMessage(lect)!.text).toMatch(/Sending “Deck alpha” to every student/);
    await h.deliver(pushUpdate); // a redelivered /push starts nothing new
    await h.drainQueue();
    for (const s of [s1, s2]) {
      const notes = h.botMessages(s).filter((m) => /shared a deck/.test(m.text ?? ""));
      expect(notes).toHaveLength(1);
      expect(notes[0]!.text).toMatch(/Carol shared a deck with Criminology 101/);
      // The push wrote nothing of the student's: their next /decks folds the class's new deck in.
      expect((await record(s))!.decks).toEqual([]);
      h.advance(1500);
      await h.send(s, "/decks");
      expect((await record(s))!.decks.map(({ id, sub }) => ({ id, sub }))).toEqual([{ id: "alpha", sub: true }]);
    }
    expect(h.botMessages(outsider).some((m) => /shared a deck/.test(m.text ?? ""))).toBe(false);
    expect(h.lastBotMessage(lect)!.text).toMatch(/Push report[\s\S]*2 of 2 students notified/);
    // Alice reviews a card; then the class stats.
    let msg = h.botMessages(s1).find((m) => /shared a deck/.test(m.text ?? ""))!;
    await h.press(s1, s1, msg.message_id, button(msg, "▶️ Start reviewing"));
    msg = h.lastBotMessage(s1)!;
    h.advance(2000);
    await h.press(s1, s1, msg.message_id, button(msg, "👀 Show answer"));
    msg = h.lastBotMessage(s1)!;
    h.advance(2000);
    await h.press(s1, s1, msg.message_id, button(msg, /^Good/));
    msg = h.lastBotMessage(s1)!;
    await h.press(s1, s1, msg.message_id, button(msg, "⏹ Stop"));
    h.advance(1500);
    await h.send(lect, "/classstats crim");
    await h.drainQueue();
    const report = h.lastBotMessage(lect)!.text!;
    expect(report).toMatch(/Criminology 101 — 2 students/);
    expect(report).toMatch(/Alice — 1 cards reviewed \(7 d\) · 0 due · 100% Good\/Easy · active 2026-11-02/);
    // The hardest cards are always there: here none was graded Again yet, and the report says so.
    expect(report).toMatch(/Hardest cards[\s\S]*None yet: no card of the class's decks has been graded Again\./);
    expect(report).toMatch(/Bob — 0 cards reviewed \(7 d\) · 0 due · — Good\/Easy · not started/);
    h.advance(1500);
    await h.send(lect, "/classexport Criminology 101");
    await h.drainQueue();
    const doc = h.tg.messages(lect).filter((m) => m.document).at(-1)!;
    const csv = new TextDecoder().decode(h.tg.fileInfo(doc.document!.file_id)!.bytes);
    expect(csv.split("\n")[0]).toBe("student,telegram_id,cards_reviewed_7d,cards_due,cards_reviewed_30d,good_easy_30d,good_easy_share_30d,last_active");
    expect(csv).toContain(`Alice,${s1},1,0,1,1,1.00,`);
    // Remove a student; rename; close: nobody new can join.
    h.advance(1500);
    await h.send(lect, `/removestudent Criminology 101 ${s2}`);
    expect(h.lastBotMessage(lect)!.text).toMatch(/Removed Bob/);
    // The lecturer's removal writes only the roster; Bob's own /classes then drops the class from his record.
    expect(await env.KV.get(`v1:member:${code}:${s2}`)).toBeNull();
    h.advance(1500);
    await h.send(s2, "/classes");
    expect(h.lastBotMessage(s2)!.text).toMatch(/removed you from this class/);
    expect((await record(s2))!.classes).toEqual([]);
    h.advance(1500);
    await h.send(lect, "/renameclass Criminology 101 = Crim 1");
    h.advance(1500);
    await h.send(lect, "/closeclass Crim 1");
    await h.send(outsider, `/join ${code}`);
    expect(h.lastBotMessage(outsider)!.text).toMatch(/closed/);
  });

  it("a class of 500 receives a push through the queue with injected 429s and 403s: each notified once or marked blocked", async () => {
    const lect = 9501;
    const students = Array.from({ length: 500 }, (_, i) => 20_000 + i);
    const h = createHarness({ users: [user(ADMIN), user(lect), ...students.map((id) => user(id))], decks: [alpha] });
    await makeLecturer(h, lect);
    await h.send(lect, "/newclass Big lecture");
    const code = /join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
    for (const s of students) await h.send(s, `/join ${code}`);
    const blockedIds = students.filter((_, i) => i % 50 === 7); // 10 students blocked the bot
    for (const s of blockedIds) await h.deliver(h.tg.blockBot(s));
    let n = 0;
    h.tg.setFault((method) => (method === "sendMessage" && ++n % 23 === 0 ? { error_code: 429, retry_after: 3 } : undefined));
    h.advance(1500);
    await h.send(lect, "/push alpha Big lecture");
    await h.drainQueue();
    h.tg.setFault(undefined);
    let notifiedOnce = 0;
    for (const s of students) {
      const notes = h.tg.calls.filter((c) => c.method === "sendMessage" && c.ok && c.params.chat_id === s && /shared a deck/.test(String(c.params.text)));
      const doc = (await record(s))!;
      if (blockedIds.includes(s)) {
        expect(notes).toHaveLength(0);
        expect(await env.KV.get(blockedKey(s))).not.toBeNull();
      } else {
        expect(notes, `student ${s}`).toHaveLength(1);
        expect(doc.rev).toBeGreaterThan(0);
        notifiedOnce++;
      }
    }
    const rate = h.tg.calls.filter((c) => c.method === "sendMessage" && !c.ok && c.error?.error_code === 429).length;
    console.log(`[push] 500 students: ${notifiedOnce} notified once, ${blockedIds.length} blocked, ${rate} answers 429 retried, ${h.queue.batches} batches, dead letters ${h.queue.dead.length}`);
    expect(rate).toBeGreaterThan(0);
    expect(h.queue.dead).toHaveLength(0);
    expect(h.lastBotMessage(lect)!.text).toMatch(/490 of 500 students notified[\s\S]*10 students blocked the bot/);
  });
});
