/**
 * The Mini App's API (/app/api/*) inside workerd: init-data authentication before any storage
 * read, and the dashboards' figures checked against what /stats and /classstats say for the same
 * reviews, quizzes and class push; the deck editor's save keeps learners' progress.
 */
import { grade, stop, answer } from "../support/review";
import { shareDeck } from "../support/classes";
import { env, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { signInitData } from "../../src/miniapp/init-data";
import { userKey } from "../../src/store/users";
import { recordWithProgress } from "../support/progress";
import { classDashKey } from "../../src/store/class-dash";

const ADMIN = 900;
const alpha = makeDeck("alpha", 12);

async function initData(h: Harness, uid: number, opts: { token?: string; age?: number; name?: string } = {}) {
  return signInitData(opts.token ?? env.BOT_TOKEN, {
    query_id: "AAHdF6IQAAAAAN0XohDhrOrc",
    user: JSON.stringify({ id: uid, first_name: opts.name ?? `User${uid}`, language_code: "en" }),
    auth_date: String(Math.floor((h.clock.now - (opts.age ?? 60_000)) / 1000)),
  });
}

async function call(h: Harness, method: string, path: string, auth?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (auth !== undefined) headers.authorization = auth;
  if (body !== undefined) headers["content-type"] = "application/json";
  const ctx = createExecutionContext();
  const res = await h.app.fetch(
    new Request(`https://lectern.test/app/api${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
    h.env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function record(id: number) {
  return (await recordWithProgress(env.KV, id))!;
}




async function makeLecturer(h: Harness, id: number) {
  await h.send(ADMIN, `/lecturer ${id}`);
  expect(h.lastBotMessage(ADMIN)!.text).toMatch(new RegExp(`${id} is now a lecturer`));
  h.advance(1500);
}

const num = (text: string, re: RegExp) => {
  const m = re.exec(text);
  if (!m) throw new Error(`${re} not in:\n${text}`);
  return m.slice(1).map(Number);
};

describe("authentication: Authorization: tma <initData>", () => {
  it("no header, a wrong scheme, a tampered hash, another bot's signature or an expired auth_date are 401 with nothing read", async () => {
    const uid = 7_701_001;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    const good = await initData(h, uid);
    const tampered = good.replace(encodeURIComponent(`"id":${uid}`), encodeURIComponent(`"id":${uid + 1}`));
    expect(tampered).not.toBe(good);
    const hash = new URLSearchParams(good).get("hash")!;
    const flipped = good.replace(hash, (hash[0] === "a" ? "b" : "a") + hash.slice(1));
    const cases: [string, string | undefined][] = [
      ["no header", undefined],
      ["bearer scheme", `Bearer ${good}`],
      ["other user id, same hash", `tma ${tampered}`],
      ["one hash digit changed", `tma ${flipped}`],
      ["signed with another bot's token", `tma ${await initData(h, uid, { token: "999:other-token" })}`],
      ["auth_date 25 hours old", `tma ${await initData(h, uid, { age: 25 * 3600_000 })}`],
      ["no hash", `tma ${good.replace(/&?hash=[0-9a-f]+/, "")}`],
      ["huge header", `tma ${"a".repeat(100_000)}`],
    ];
    for (const path of ["/me", "/classes", "/decks", "/classes/AAAAAAAAAAAA"]) {
      for (const [what, auth] of cases) {
        h.kv.resetWindow();
        const r = await call(h, "GET", path, auth);
        expect(r.status, `${what} ${path}`).toBe(401);
        expect(typeof r.json.error, what).toBe("string");
        expect(h.kv.resetWindow(), `${what} ${path}: no KV access`).toEqual({ reads: 0, writes: 0, deletes: 0, lists: 0 });
      }
    }
    h.kv.resetWindow();
    const ok = await call(h, "PUT", "/decks/alpha", undefined, { cards: [] });
    expect(ok.status).toBe(401);
    expect(h.kv.resetWindow()).toEqual({ reads: 0, writes: 0, deletes: 0, lists: 0 });
    // 23 hours old is still fine.
    expect((await call(h, "GET", "/me", `tma ${await initData(h, uid, { age: 23 * 3600_000 })}`)).status).toBe(200);
  });
});

describe("the learner's dashboard", () => {
  it("after reviews and a quiz: the same figures as /stats, one KV read, nothing written", async () => {
    const uid = 7_702_001;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/review alpha");
    await grade(h, uid, "Good");
    await grade(h, uid, "Again");
    await grade(h, uid, "Easy");
    await stop(h, uid);
    h.advance(5000);
    await h.send(uid, "/quiz");
    for (const ok of [true, false, true, true, false]) await answer(h, uid, ok);
    h.advance(5000);
    await h.send(uid, "/stats");
    const stats = h.lastBotMessage(uid)!.text!;

    h.kv.resetWindow();
    const r = await call(h, "GET", "/me", `tma ${await initData(h, uid)}`);
    const cost = h.kv.resetWindow();
    console.log(`[kv] GET /app/api/me: ${cost.reads} reads, ${cost.writes} writes`);
    // The head record, the one deck's progress shard, and the two role keys (is there a lecturer view).
    expect(cost).toEqual({ reads: 4, writes: 0, deletes: 0, lists: 0 });
    expect(r.status).toBe(200);
    const me = r.json;
    const [reviewed, reviews, newCards, presses] = num(stats, /Cards reviewed: (\d+) \((\d+) reviews? · (\d+) new\) · (\d+) button press/);
    expect(me.today).toMatchObject({ date: "2026-11-02", reviewed, reviews, newCards, presses });
    const [correct, answered] = num(stats, /Quiz: (\d+)\/(\d+) correct/);
    expect(me.today).toMatchObject({ quizCorrect: correct, quizAnswered: answered });
    expect(me.streak.days).toBe(num(stats, /Streak: (\d+) day/)[0]);
    const [nNew, learning, young, mature] = num(stats, /new (\d+) · learning (\d+) · young (\d+) · mature (\d+)/);
    expect(me.decks).toHaveLength(1);
    expect(me.decks[0]).toMatchObject({ id: "alpha", total: 12, new: nNew, learning, young, mature });
    // The forecast's first 7 days are /stats's chart.
    const chart = [...stats.matchAll(/^\w{3} \d\d\.\d\d [▇ ]+ (\d+)$/gm)].map((m) => Number(m[1]));
    expect(chart).toHaveLength(7);
    expect(me.forecast).toHaveLength(30);
    expect(me.forecast.slice(0, 7).map((f: { count: number }) => f.count)).toEqual(chart);
    expect(me.forecast[0].date).toBe("2026-11-02");
    // The heatmap: today, with the cards reviewed today.
    expect(me.heatmap.days).toEqual([{ date: "2026-11-02", reviewed, presses, quiz: answered }]);
    expect(me.heatmap.to).toBe("2026-11-02");
    expect(me.retention.weeks.length).toBeGreaterThan(4);
    expect(me.retention.month).toEqual({ ok: 0, of: 0 }); // only new cards so far, as /stats says "—"
    expect(stats).toContain("All reviews, last 30 days: —");
    expect(me.user).toEqual({ id: uid, lecturer: false });
    expect(me.leeches).toEqual([]);
  });

  it("a learner never seen before gets an empty dashboard and nothing is stored", async () => {
    const uid = 7_702_002;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    const r = await call(h, "GET", "/me", `tma ${await initData(h, uid)}`);
    expect(r.status).toBe(200);
    expect(r.json.today.reviewed).toBe(0);
    expect(r.json.decks).toEqual([]);
    expect(await env.KV.get(userKey(uid))).toBeNull();
  });
});

describe("the lecturer's class dashboard and deck editor", () => {
  it("after a push, reviews and /classstats: the same figures as the report, a few KV reads, for the class's lecturer only", async () => {
    const lect = 7_703_001, other = 7_703_002, s1 = 7_703_011, s2 = 7_703_012, s3 = 7_703_013;
    const h = createHarness({
      users: [user(ADMIN), user(lect, "Carol"), user(other, "Olga"), user(s1, "Alice"), user(s2, "Bob"), user(s3, "Cleo")],
      decks: [alpha],
    });
    await makeLecturer(h, lect);
    await makeLecturer(h, other);
    await h.send(lect, "/newclass Criminology 101");
    const code = /start=join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
    for (const s of [s1, s2, s3]) await h.send(s, `/join ${code}`);
    h.advance(1500);
    await h.send(lect, "/push alpha Criminology 101");
    await h.drainQueue();
    // Each student fails the first card once (three scheduled reviews, three failures: the hardest card);
    // Alice also passes two more.
    for (const s of [s1, s2, s3]) {
      await h.send(s, "/review alpha");
      await grade(h, s, "Again");
      if (s === s1) {
        await grade(h, s, "Good");
        await grade(h, s, "Easy");
      }
      await stop(h, s);
    }
    h.advance(1500);
    // Before any class stats run: the class is listed, its dashboard says how to get figures.
    const lectAuth = `tma ${await initData(h, lect)}`;
    const before = await call(h, "GET", `/classes/${code}`, lectAuth);
    expect(before.status).toBe(200);
    expect(before.json.dashboard).toBeNull();
    expect(before.json.note).toMatch(/\/classstats/);

    await h.send(lect, "/classstats Criminology 101");
    const ask = h.lastBotMessage(lect)!;
    expect(ask.text).toMatch(/Preparing the figures/);
    await h.drainQueue();
    const report = h.lastBotMessage(lect)!.text!;
    expect(report).toMatch(/Criminology 101 — 3 students/);
    expect(await env.KV.get(classDashKey(code))).not.toBeNull();

    h.kv.resetWindow();
    const list = await call(h, "GET", "/classes", lectAuth);
    expect(h.kv.resetWindow().reads).toBe(3); // the two role keys and the ownership record
    expect(list.json.classes).toEqual([{ code, name: "Criminology 101", closed: false }]);

    h.kv.resetWindow();
    const r = await call(h, "GET", `/classes/${code}`, lectAuth);
    const cost = h.kv.resetWindow();
    console.log(`[kv] GET /app/api/classes/:code: ${cost.reads} reads, ${cost.writes} writes (3 students)`);
    // The two role keys, the ownership record, the class (for its owner) and the stored dashboard.
    expect(cost).toEqual({ reads: 5, writes: 0, deletes: 0, lists: 0 });
    expect(r.status).toBe(200);
    const dash = r.json.dashboard;
    expect(dash.name).toBe("Criminology 101");
    expect(dash.complete).toBe(true);
    expect(dash.students.map((s: { name: string }) => s.name)).toEqual(["Alice", "Bob", "Cleo"]);
    for (const s of dash.students) {
      const line = new RegExp(`${s.name} — (\\d+) cards reviewed \\(7 d\\) · (\\d+) due · (\\d+%|—) Good/Easy · (?:active (\\S+)|not started)`).exec(report)!;
      expect(line, s.name).not.toBeNull();
      expect(s.reviews7).toBe(Number(line[1]));
      expect(s.due).toBe(Number(line[2]));
      expect(s.graded30 ? `${Math.round((100 * s.good30) / s.graded30)}%` : "—").toBe(line[3]);
      expect(s.lastActive).toBe(line[4] ?? "");
      expect(s.weeks).toHaveLength(dash.weeks);
      expect(s.weeks[0]).toBe(s.reviews7);
    }
    expect(dash.students[0]).toMatchObject({ reviews7: 3, graded30: 3, good30: 2 });
    // The hardest cards: the report's list, in its order, with the same figures.
    const hard = [...report.matchAll(/^\d+\. (.+) — (\d+)× Again in (\d+) reviews?$/gm)].map((m) => ({ front: m[1], lapses: Number(m[2]), reviews: Number(m[3]) }));
    expect(hard.length).toBeGreaterThan(0);
    expect(dash.hardest.slice(0, hard.length).map((c: { front: string; lapses: number; reviews: number }) => ({ front: c.front, lapses: c.lapses, reviews: c.reviews }))).toEqual(hard);
    expect(dash.hardest[0]).toMatchObject({ deck: "alpha", reviews: 3, lapses: 3, rate: 0 });
    // The decks pushed and how far the class is through them.
    expect(dash.decks).toEqual([{ id: "alpha", title: "Deck alpha", cards: 12, started: 3, seen: 5 }]);

    // Nobody else sees it: a student of the class, another lecturer; an unknown code is 404.
    for (const [who, status] of [[s1, 403], [other, 403]] as const) {
      const x = await call(h, "GET", `/classes/${code}`, `tma ${await initData(h, who)}`);
      expect(x.status, `user ${who}`).toBe(status);
      expect(x.json.dashboard).toBeUndefined();
    }
    expect((await call(h, "GET", "/classes/AAAAAAAAAAAA", lectAuth)).status).toBe(404);
    expect((await call(h, "GET", "/classes", `tma ${await initData(h, s1)}`)).status).toBe(403);
    expect((await call(h, "GET", "/decks", `tma ${await initData(h, s1)}`)).status).toBe(403);
    // The role is re-read: once removed, the lecturer's own dashboard is refused.
    await h.send(ADMIN, `/lecturer remove ${lect}`);
    expect((await call(h, "GET", `/classes/${code}`, lectAuth)).status).toBe(403);
  });

  it("/stats and /classstats carry the web_app button when APP_URL is set, and not otherwise", async () => {
    const uid = 7_704_001, lect = 7_704_002;
    const withUrl = createHarness({ users: [user(uid), user(ADMIN), user(lect)], decks: [alpha], env: { APP_URL: "https://lectern.example/app/" } });
    await withUrl.send(uid, "/stats");
    const kb = withUrl.lastBotMessage(uid)!.reply_markup!.inline_keyboard.flat();
    expect(kb).toContainEqual({ text: "📈 Open dashboard", web_app: { url: "https://lectern.example/app/" } });
    await makeLecturer(withUrl, lect);
    await withUrl.send(lect, "/newclass Web");
    const code = /start=join_([A-Za-z0-9_-]{12})/.exec(withUrl.lastBotMessage(lect)!.text!)![1]!;
    withUrl.advance(1500);
    await withUrl.send(lect, "/classstats Web");
    const ask = withUrl.tg.messages(lect).filter((m) => /Preparing the figures/.test(m.text ?? "")).at(-1)!;
    expect(ask.reply_markup!.inline_keyboard.flat()).toContainEqual({ text: "📈 Open dashboard", web_app: { url: `https://lectern.example/app/?class=${code}` } });

    const without = createHarness({ users: [user(uid + 10)], decks: [alpha] });
    await without.send(uid + 10, "/stats");
    const none = (without.lastBotMessage(uid + 10)!.reply_markup?.inline_keyboard ?? []).flat();
    expect(none.some((b) => "web_app" in b)).toBe(false);
  });

  it("the deck editor: list, read, save an edited deck (validated like an upload), learners keep their progress", async () => {
    const lect = 7_705_001, other = 7_705_002, student = 7_705_011;
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(other, "Olga"), user(student, "Alice")], decks: [alpha] });
    await makeLecturer(h, lect);
    await makeLecturer(h, other);
    const deck = makeDeck("ed-deck", 4, { quiz: false });
    h.advance(1500);
    await h.deliver(h.tg.uploadDocument(lect, { fileName: "ed-deck.json", bytes: new TextEncoder().encode(JSON.stringify(deck)) }));
    expect(h.lastBotMessage(lect)!.text).toMatch(/Saved as deck "ed-deck"/);
    // A student of a class it was pushed to studies two of its cards.
    await shareDeck(h, lect, [student], "ed-deck");
    await h.send(student, "/review ed-deck");
    await grade(h, student, "Good");
    await grade(h, student, "Easy");
    await stop(h, student);
    const progressBefore = (await record(student)).progress["ed-deck"]!;
    expect(Object.keys(progressBefore)).toHaveLength(2);

    const auth = `tma ${await initData(h, lect)}`;
    const list = await call(h, "GET", "/decks", auth);
    expect(list.json.decks).toEqual([{ id: "ed-deck", title: "Deck ed-deck", cards: 4 }]);
    const got = await call(h, "GET", "/decks/ed-deck", auth);
    expect(got.status).toBe(200);
    const edited = structuredClone(got.json.deck);
    expect(edited.cards).toHaveLength(4);

    // Invalid: an empty front, reported like an upload; nothing changes.
    const bad = structuredClone(edited);
    bad.cards[2].front = "   ";
    const refused = await call(h, "PUT", "/decks/ed-deck", auth, bad);
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.json.problems)).toMatch(/front is empty/);
    expect((await call(h, "GET", "/decks/ed-deck", auth)).json.deck.cards[2].front).toBe(deck.cards[2]!.front);

    // Valid: edit card 2's back, delete card 3, add a card.
    edited.cards[2].back = "A better answer";
    edited.cards.splice(3, 1);
    edited.cards.push({ id: "ed-new-1", front: "A new question?", back: "A new answer" });
    h.advance(1500);
    const saved = await call(h, "PUT", "/decks/ed-deck", auth, edited);
    expect(saved.status).toBe(200);
    expect(saved.json).toMatchObject({ ok: true, replaced: true, kept_progress_cards: 3, deck: { id: "ed-deck", cards: 4 } });
    const after = (await call(h, "GET", "/decks/ed-deck", auth)).json.deck;
    expect(after.cards.map((c: { id: string }) => c.id)).toEqual(["ed-deck-c0", "ed-deck-c1", "ed-deck-c2", "ed-new-1"]);
    expect(after.cards[2].back).toBe("A better answer");
    expect((await record(student)).progress["ed-deck"]).toEqual(progressBefore);
    // The student's /stats still counts the two cards seen, of the deck's 4.
    h.advance(1500);
    await h.send(student, "/review ed-deck");
    await stop(h, student);
    h.advance(1500);
    await h.send(student, "/stats");
    expect(h.lastBotMessage(student)!.text).toMatch(/Deck ed-deck · 4 cards[\s\S]*new 2 · learning 2/);

    // Someone else's deck, a built-in deck, an unknown deck: 404; a student: 403.
    const otherAuth = `tma ${await initData(h, other)}`;
    expect((await call(h, "GET", "/decks/ed-deck", otherAuth)).status).toBe(404);
    expect((await call(h, "PUT", "/decks/ed-deck", otherAuth, edited)).status).toBe(404);
    expect((await call(h, "PUT", "/decks/alpha", auth, { ...edited, id: "alpha" })).status).toBe(404);
    expect((await call(h, "GET", "/decks/nope", auth)).status).toBe(404);
    expect((await call(h, "PUT", "/decks/ed-deck", `tma ${await initData(h, student)}`, edited)).status).toBe(403);
  });
});
