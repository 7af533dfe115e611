/**
 * Issue 13, "a lecturer may mark a deck public": /publicdeck <id> on|off, and access that follows
 * the grant — bundled, owner, public, or pushed to a class the learner is still in. Having a deck
 * in one's table grants nothing: a stranger who opened a public deck and kept it in their table is
 * refused at every entry point once it is private again, and keeps their progress.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, createHarness, freshUserId, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { grade, stop } from "../support/review";
import { shareDeck } from "../support/classes";
import { decodeDeck, deckKey, encodeDeck, withPublic } from "../../src/store/decks";
import { progressKey, userKey } from "../../src/store/users";

const ADMIN = 900;
const alpha = makeDeck("alpha", 4);
const SECRET = "What is on the midterm";
const CSV = `front,back,distractor,distractor,distractor\n${SECRET} 1?,Answer one,Wrong 1a,Wrong 1b,Wrong 1c\n${SECRET} 2?,Answer two,Wrong 2a,Wrong 2b,Wrong 2c\n`;

async function lecturer(h: Harness, lect: number) {
  h.advance(1500);
  await h.send(ADMIN, `/lecturer ${lect}`);
}

async function upload(h: Harness, lect: number): Promise<{ id: string; report: string }> {
  h.advance(1500);
  await h.deliver(h.tg.uploadDocument(lect, { fileName: "Midterm answers.csv", bytes: CSV }));
  const report = h.lastBotMessage(lect)!.text!;
  expect(report).toMatch(/^✓ 2 cards accepted/);
  return { id: /midterm-answers-[0-9a-z]{6}/.exec(report)![0], report };
}

async function say(h: Harness, uid: number, text: string): Promise<string> {
  h.advance(1500);
  await h.send(uid, text);
  return h.lastBotMessage(uid)!.text!;
}

/** Every Bot API call to `uid` since `from` that carries a card of the deck. */
/** Carol uploads a deck and marks it public; Eve, a stranger, reviews one of its cards (Good) and stops. */
async function eveStudiedPublicDeck() {
  const lect = freshUserId(), eve = freshUserId();
  const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(eve, "Eve")], decks: [alpha] });
  await lecturer(h, lect);
  const { id } = await upload(h, lect);
  await say(h, lect, `/publicdeck ${id} on`);
  expect(await say(h, eve, `/review ${id}`)).toContain(SECRET);
  await grade(h, eve, "Good");
  await stop(h, eve);
  return { h, lect, eve, id };
}

function leaks(h: Harness, uid: number, from: number) {
  return h.callsSince(from).filter((c) => String(c.params.chat_id) === String(uid) && (JSON.stringify(c.params).includes(SECRET) || fileText(h, c).includes(SECRET)));
}

/** The documents sent to `uid` since `from`: each file's name and text. */
function documents(h: Harness, uid: number, from: number): string[] {
  return h.callsSince(from)
    .filter((c) => c.method === "sendDocument" && String(c.params.chat_id) === String(uid))
    .map((c) => fileText(h, c));
}

/** A sent document's name and text ("" for any other call). Multipart calls carry chat_id as a string. */
function fileText(h: Harness, c: { method: string; ok: boolean; result?: unknown }): string {
  const id = (c.result as { document?: { file_id: string } } | undefined)?.document?.file_id;
  const f = c.method === "sendDocument" && c.ok && id ? h.tg.fileInfo(id) : undefined;
  return f ? `${f.file_name}\n${new TextDecoder().decode(f.bytes)}` : "";
}

describe("public decks", () => {
  it("public: a stranger opens it at every entry point and the flag survives a re-upload; private again: refused everywhere, progress kept", async () => {
    const lect = freshUserId(), eve = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(eve, "Eve")], decks: [alpha] });
    await lecturer(h, lect);
    const { id, report } = await upload(h, lect);
    expect(report).toMatch(/It is private/);
    expect(await say(h, eve, `/review ${id}`)).toMatch(/There is no deck called/);

    expect(await say(h, lect, `/publicdeck ${id} on`)).toMatch(/^Public now: “Midterm answers”/);
    expect(await say(h, lect, "/mydecks")).toMatch(new RegExp(`${id} — Midterm answers \\(2 cards, public\\)`));

    // Every entry point serves the public deck to a stranger.
    expect(await say(h, eve, `/start deck_${id}`)).toMatch(/^Midterm answers/);
    expect(await say(h, eve, `/review ${id}`)).toContain(SECRET);
    await grade(h, eve, "Good");
    await stop(h, eve);
    let mark = h.tg.calls.length;
    h.advance(1500);
    await h.send(eve, `/quiz ${id}`);
    expect(h.callsSince(mark).filter((c) => c.method === "sendPoll" && String(c.params.chat_id) === String(eve) && String(c.params.question).includes(SECRET))).toHaveLength(1);
    mark = h.tg.calls.length;
    h.advance(1500);
    await h.send(eve, "/export");
    const files = documents(h, eve, mark);
    expect(files.some((f) => f.startsWith("lectern-progress") && f.includes(`${id},`) && f.includes(SECRET))).toBe(true);
    expect(files.some((f) => f.startsWith(`lectern-${id}-anki.txt`) && f.includes(SECRET))).toBe(true);

    // A re-upload replaces the cards and keeps the flag (the report says so).
    const again = await upload(h, lect);
    expect(again.id).toBe(id);
    expect(again.report).toMatch(/It is public/);
    expect(JSON.parse((await env.KV.get(deckKey(id)))!).head.pub).toBe(1);
    expect(await say(h, eve, "/review")).toContain(SECRET);
    await stop(h, eve);

    // Private again: the stranger still has it in their table, and is refused at every entry point.
    expect(await say(h, lect, `/publicdeck ${id} off`)).toMatch(/^Private now/);
    const progressBefore = await env.KV.get(progressKey(eve, id), "arrayBuffer");
    expect(progressBefore).not.toBeNull();
    mark = h.tg.calls.length;
    for (const probe of [`/review ${id}`, `/start deck_${id}`, `/quiz ${id}`]) {
      expect(await say(h, eve, probe), probe).toMatch(/^“Midterm answers” is no longer shared with you — your progress on it is kept\./);
    }
    // The first refusal unsubscribed it; subscribed again behind the bot's back (as a record from
    // before the grant rule has it), the all-decks entry points refuse it too.
    const resubscribe = async () => {
      const head = JSON.parse((await env.KV.get(userKey(eve)))!) as { decks: { id: string; sub: boolean }[] };
      const entry = head.decks.find((d) => d.id === id)!;
      expect(entry.sub).toBe(false);
      entry.sub = true;
      await env.KV.put(userKey(eve), JSON.stringify(head));
    };
    for (const probe of ["/review", "/quiz", "/decks"]) {
      await resubscribe();
      h.advance(1500);
      await h.send(eve, probe);
      expect(h.botMessages(eve).slice(-2).map((m) => m.text).join("\n"), probe).toMatch(/“Midterm answers” is no longer shared with you/);
    }
    await resubscribe();
    const exportMark = h.tg.calls.length;
    h.advance(1500);
    await h.send(eve, "/export");
    expect(documents(h, eve, exportMark).filter((f) => f.includes(id) || f.includes(SECRET))).toEqual([]);
    expect(h.callsSince(exportMark).some((c) => String(c.params.chat_id) === String(eve) && /no longer shared with you.*Not exported/.test(String(c.params.text)))).toBe(true);
    for (const data of [`d:${id}`, `s:${id}`, `R:${id}`, `Q:${id}`]) {
      h.advance(1500);
      const at = h.tg.calls.length;
      await h.pressForged(eve, eve, 1, data);
      const said = JSON.stringify(h.callsSince(at).map((c) => c.params));
      expect(said, data).toContain("no longer shared with you");
      expect(said, data).not.toContain("Uploaded by a lecturer"); // the deck's description: its page is not shown
    }
    expect(leaks(h, eve, mark)).toEqual([]);

    // Their progress is kept: the shard is untouched, and counts again once the deck is public again.
    expect(new Uint8Array((await env.KV.get(progressKey(eve, id), "arrayBuffer"))!)).toEqual(new Uint8Array(progressBefore!));
    expect(await say(h, lect, `/publicdeck ${id} on`)).toMatch(/^Public now/);
    expect(await say(h, eve, `/start deck_${id}`)).toMatch(/Your progress: .* 50%\nnew 1 · learning 1 /);
  });

  it("an all-decks session or quiz leaves out a deck no longer shared and goes on with the learner's other decks", async () => {
    // The uploaded deck comes first in Eve's table, with new cards left: the session's first pick.
    const { h, lect, eve, id } = await eveStudiedPublicDeck();
    h.advance(1500);
    await h.send(eve, "/start deck_alpha");
    h.advance(1500);
    await h.press(eve, eve, h.lastBotMessage(eve)!.message_id, "s:alpha");
    await say(h, lect, `/publicdeck ${id} off`);
    const mark = h.tg.calls.length;
    const card = await say(h, eve, "/review");
    expect(h.botMessages(eve).at(-2)!.text).toMatch(/^“Midterm answers” is no longer shared with you/);
    expect(card).toMatch(/Question \d of alpha\?/);
    await stop(h, eve);
    h.advance(1500);
    await h.send(eve, "/quiz");
    expect(h.callsSince(mark).filter((c) => c.method === "sendPoll").map((c) => String(c.params.question))).toEqual([expect.stringMatching(/Question \d of alpha\?/)]);
    expect(leaks(h, eve, mark)).toEqual([]);
  });

  it("a large /export (queue jobs, one file each) leaves out a deck no longer shared, and says so", async () => {
    const { h, lect, eve, id } = await eveStudiedPublicDeck();
    await say(h, lect, `/publicdeck ${id} off`);
    // Over EXPORT_INLINE_CARDS graded cards by the record's summary: /export goes through the queue.
    const head = JSON.parse((await env.KV.get(userKey(eve)))!) as { decks: { id: string; sub: boolean; s: { seen: number } }[] };
    const entry = head.decks.find((d) => d.id === id)!;
    expect(entry.sub).toBe(true);
    entry.s.seen = 3001;
    await env.KV.put(userKey(eve), JSON.stringify(head));
    const mark = h.tg.calls.length;
    expect(await say(h, eve, "/export")).toMatch(/Your export is on its way/);
    await h.drainQueue();
    expect(documents(h, eve, mark)).toEqual([]);
    expect(leaks(h, eve, mark)).toEqual([]);
    expect(h.botMessages(eve).filter((m) => /^“Midterm answers” is no longer shared with you — your progress on it is kept\. Not exported\.$/.test(m.text ?? ""))).toHaveLength(1);
  });

  it("only the owner can toggle: another lecturer and a student are refused; a 600-character or wrong argument gets a clear answer", async () => {
    const lect = freshUserId(), other = freshUserId(), student = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(other, "Olga"), user(student, "Sam")], decks: [alpha] });
    await lecturer(h, lect);
    await lecturer(h, other);
    const { id } = await upload(h, lect);

    expect(await say(h, other, `/publicdeck ${id} on`)).toMatch(/is not your deck: only the lecturer who uploaded it/);
    expect(await say(h, student, `/publicdeck ${id} on`)).toMatch(/^That is for lecturers/);
    expect(JSON.parse((await env.KV.get(deckKey(id)))!).head.pub).toBeUndefined();
    expect(await say(h, student, `/review ${id}`)).toMatch(/There is no deck called/);

    const answers: [string, RegExp][] = [
      [`/publicdeck ${"x".repeat(600)}`, /^That is 600 characters; a deck id and on\/off are under 200/],
      [`/publicdeck ${id} ${"on".repeat(300)}`, /^That is 6\d\d characters/],
      [`/publicdeck ${id} maybe`, /^Say “on” or “off” after the deck id, not “maybe”/],
      [`/publicdeck ${id}`, /^Usage: \/publicdeck <deck id> on/],
      ["/publicdeck", /^Usage: \/publicdeck <deck id> on/],
      ["/publicdeck Not_An_Id! on", /^“Not_An_Id!” is not a deck id/],
      [`/publicdeck ${"a".repeat(41)} on`, /is not a deck id \(up to 40/],
      ["/publicdeck no-such-deck on", /^There is no deck “no-such-deck”/],
      ["/publicdeck alpha on", /built-in deck/],
      [`/publicdeck ${id} on off`, /^Usage:/],
    ];
    for (const [text, want] of answers) {
      h.advance(1500);
      const res = await h.post(h.tg.sendText(lect, text));
      expect(res.status, text.slice(0, 40)).toBe(200);
      expect(h.lastBotMessage(lect)!.text, text.slice(0, 40)).toMatch(want);
    }
    expect(JSON.parse((await env.KV.get(deckKey(id)))!).head.pub).toBeUndefined();
    // The owner's own toggle works, and a repeat says so without writing again.
    expect(await say(h, lect, `/publicdeck ${id.toUpperCase()} ON`)).toMatch(/^Public now/);
    const before = h.kv.total.writes;
    expect(await say(h, lect, `/publicdeck ${id} on`)).toMatch(/^Already public/);
    expect(h.kv.total.writes).toBe(before);
    // Off and on again at once: the deck's key is never written twice within a second.
    await h.send(lect, `/publicdeck ${id} off`);
    await h.send(lect, `/publicdeck ${id} on`);
    expect(h.lastBotMessage(lect)!.text).toMatch(/^Public now/);
    for (const key of [deckKey(id), `v2:own:${lect}`]) {
      const times = h.kv.writeTimes.get(key)!;
      expect(times.length, key).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, key).toBeGreaterThanOrEqual(1000);
    }
  });

  it("a class's students lose the deck when they leave the class or are removed from it", async () => {
    const lect = freshUserId(), leaver = freshUserId(), removed = freshUserId(), stays = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(leaver, "Lea"), user(removed, "Rem"), user(stays, "Sam")], decks: [alpha] });
    await lecturer(h, lect);
    const { id } = await upload(h, lect);
    const code = await shareDeck(h, lect, [leaver, removed, stays], id, "Bio");
    for (const s of [leaver, removed, stays]) expect(await say(h, s, `/review ${id}`)).toContain(SECRET);
    await say(h, leaver, `/leave ${code}`);
    await say(h, lect, `/removestudent ${code} ${removed}`);
    for (const s of [leaver, removed]) {
      const mark = h.tg.calls.length;
      expect(await say(h, s, `/review ${id}`)).toMatch(/no longer shared with you/);
      h.advance(1500);
      await h.send(s, `/quiz ${id}`);
      expect(leaks(h, s, mark)).toEqual([]);
    }
    expect(await say(h, stays, `/review ${id}`)).toContain(SECRET);
    // The class is checked when the session starts, not on its presses: each reads at most the
    // learner's record and the deck's progress (the deck is cached).
    for (const label of ["👀 Show answer", /^Good/]) {
      h.advance(1500);
      h.kv.resetWindow();
      const msg = h.lastBotMessage(stays)!;
      await h.press(stays, stays, msg.message_id, button(msg, label));
      expect(h.kv.resetWindow().reads, String(label)).toBeLessThanOrEqual(2);
    }
  });

  it("over the HTTP API: ?public=on|off sets the flag, a re-upload without it keeps it, /api/decks lists it", async () => {
    const lect = freshUserId(), eve = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(eve, "Eve")], decks: [alpha] });
    await lecturer(h, lect);
    h.advance(1500);
    await h.send(lect, "/token");
    const token = /(lct_[A-Za-z0-9_-]{43})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
    const api = async (query: string, method = "POST") => {
      h.advance(1500);
      const res = await h.app.fetch(
        new Request(`https://lectern.test/api/decks?${query}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" }, ...(method === "POST" ? { body: CSV } : {}) }),
        h.env, { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext,
      );
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const deckId = `api-pub-${lect}`;
    expect((await api(`name=m.csv&id=${deckId}&public=yes`)).status).toBe(400);
    expect(await env.KV.get(deckKey(deckId))).toBeNull();
    expect((await api(`name=m.csv&id=${deckId}&public=on`)).json).toMatchObject({ ok: true, deck: { id: deckId, public: true } });
    expect(await say(h, eve, `/review ${deckId}`)).toContain(SECRET);
    await stop(h, eve);
    expect((await api(`name=m.csv&id=${deckId}`)).json).toMatchObject({ ok: true, replaced: true, deck: { public: true } });
    expect((await api("", "GET")).json).toMatchObject({ decks: [{ id: deckId, public: true }] });
    expect((await api(`name=m.csv&id=${deckId}&public=off`)).json).toMatchObject({ deck: { public: false } });
    expect(await say(h, eve, `/review ${deckId}`)).toMatch(/no longer shared with you/);
  });
});

describe("the flag in the stored deck", () => {
  const stored = { owner: 7, updated: 1, deck: makeDeck("flag-deck", 30) };

  it("rewrites only the header: the same cards, the header's offsets right, off again gives the old text", () => {
    const plain = encodeDeck(stored);
    // A value from before the flag reads as private.
    expect(decodeDeck(plain)).toMatchObject({ ok: true, deck: { owner: 7 } });
    expect((decodeDeck(plain) as { deck: { public?: boolean } }).deck.public).toBeUndefined();
    const pub = withPublic(plain, true)!;
    expect(pub).toBe(encodeDeck({ ...stored, public: true }));
    const d = decodeDeck(pub);
    if (!d.ok) throw new Error(d.problem);
    expect(d.deck.public).toBe(true);
    expect(d.deck.deck.cards[29]).toEqual(stored.deck.cards[29]);
    expect(withPublic(pub, false)).toBe(plain);
    expect(withPublic("not a deck", true)).toBeNull();
  });
});
