/** /stats, the leech and suspended-card buttons, /export and /forget through the webhook. */
import { grade, answer } from "../support/review";
import { recordWithProgress } from "../support/progress";
import { goneKey } from "../../src/store/people";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, buttons, createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { userKey, type UserDoc } from "../../src/store/users";
import { unpackCard } from "../../src/srs/card-state";
import { localDay } from "../../src/srs/days";
import { cardTag, packCardAction, packForgetYes } from "../../src/stats/callbacks";
import { parseAnki } from "../../src/decks/parsers/anki";

const DAY = 86_400_000;
const alpha = makeDeck("alpha", 12, { title: "Alpha <facts> & more" });
const beta = makeDeck("beta", 3);
const lee = makeDeck("lee", 2);

async function record(id: number) {
  return recordWithProgress(env.KV, id);
}

function screen(h: Harness, uid: number): string {
  return h.lastBotMessage(uid)!.text!;
}



/** A review session in which every card's first grade today is Again (re-drills: Good). */
async function failEverything(h: Harness, uid: number) {
  await h.send(uid, "/review");
  for (let k = 0; k < 20 && !/Session complete/.test(screen(h, uid)); k++) {
    await grade(h, uid, /once more/.test(screen(h, uid)) ? "Good" : "Again");
  }
  expect(screen(h, uid)).toMatch(/Session complete/);
}

/** The HTML the bot sent for a message (the stand-in keeps it). */
function html(h: Harness, uid: number, messageId = h.lastBotMessage(uid)!.message_id): string {
  return h.tg.messageSource(uid, messageId)?.html ?? "";
}

describe("/stats", () => {
  it("after reviews and a quiz: today's figures, streak, retention, decks and the forecast — one KV read, no write", async () => {
    const uid = 8_101_001;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/review alpha");
    await grade(h, uid, "Good");
    await grade(h, uid, "Again"); // c1 fails, comes back later
    await grade(h, uid, "Easy");
    h.advance(1500);
    await h.press(uid, uid, h.lastBotMessage(uid)!.message_id, button(h.lastBotMessage(uid), "⏹ Stop"));
    expect(screen(h, uid)).toMatch(/Session stopped[\s\S]*Cards reviewed: 3/);
    const summary = h.lastBotMessage(uid)!;

    h.advance(5000);
    await h.send(uid, "/quiz");
    for (const ok of [true, false, true, true, false]) await answer(h, uid, ok);
    expect(screen(h, uid)).toMatch(/Quiz done: 3\/5/);

    h.advance(5000);
    h.kv.resetWindow();
    await h.send(uid, "/stats");
    const cost = h.kv.resetWindow();
    console.log(`[kv] /stats: ${cost.reads} reads, ${cost.writes} writes, ${cost.deletes} deletes, ${cost.lists} lists`);
    // The head record and the one subscribed deck's progress shard; nothing written.
    expect(cost).toEqual({ reads: 2, writes: 0, deletes: 0, lists: 0 });

    const msg = h.lastBotMessage(uid)!;
    const text = msg.text!;
    expect(text).toContain("Your progress");
    expect(text).toContain("Cards reviewed: 8 (0 reviews · 8 new) · 8 button presses"); // 3 review grades + 5 quiz answers, all first grades of new cards
    expect(text).toContain("Quiz: 3/5 correct");
    expect(text).toContain("Streak: 1 day");
    expect(text).toContain("Mature cards (interval ≥ 21 days), last 62 days: —");
    expect(text).toContain("All reviews, last 30 days: —"); // only new cards so far
    expect(text).toContain("Alpha <facts> & more · 12 cards");
    expect(text).toContain("▓▓▓▓▓▓▓░░░ 67% seen · 0% mature");
    expect(text).toContain("new 4 · learning 8 · young 0 · mature 0");
    // Every graded card is due tomorrow (Monday 2 November 2026 is today).
    expect(text).toContain("Mon 02.11            0\nTue 03.11 ▇▇▇▇▇▇▇▇▇▇ 8\nWed 04.11            0");
    expect(msg.entities?.some((e) => e.type === "pre")).toBe(true);
    expect(html(h, uid)).toContain("<b>Alpha &lt;facts&gt; &amp; more</b>");
    expect(text).not.toContain("Leeches");
    expect(text.length).toBeLessThanOrEqual(4096);

    // The review summary's 📊 button sends the same figures as a new message, at the same cost.
    const before = h.botMessages(uid).length;
    h.kv.resetWindow();
    await h.press(uid, uid, summary.message_id, button(summary, "📊 Stats"));
    expect(h.kv.resetWindow()).toEqual({ reads: 2, writes: 0, deletes: 0, lists: 0 });
    expect(h.botMessages(uid)).toHaveLength(before + 1);
    expect(screen(h, uid)).toBe(text);
  });

  it("a deck whose stored summary is stale is counted from its loaded progress: the same figures as from a fresh summary", async () => {
    const uid = 8_101_003;
    const h = createHarness({ users: [user(uid)], decks: [alpha, beta] });
    for (const deck of ["alpha", "beta"]) {
      await h.send(uid, `/review ${deck}`);
      for (const g of ["Good", "Again", "Easy", "Hard"] as const) {
        if (!/left/.test(screen(h, uid))) break;
        await grade(h, uid, g);
      }
      h.advance(1500);
      await h.press(uid, uid, h.lastBotMessage(uid)!.message_id, button(h.lastBotMessage(uid), "⏹ Stop"));
      h.advance(2000);
    }
    await h.send(uid, "/stats");
    const fromSummaries = screen(h, uid);
    expect(fromSummaries).toMatch(/Alpha <facts> & more · 12 cards[\s\S]*beta/i);

    // The same record with summaries a month old (a deck not studied since): too stale to count from.
    const doc = (await record(uid))!;
    for (const d of doc.decks) d.s!.day -= 30;
    await env.KV.put(userKey(uid), JSON.stringify(doc));
    h.kv.resetWindow();
    await h.send(uid, "/stats");
    expect(h.kv.resetWindow().reads).toBe(3); // the record and both decks' progress
    expect(screen(h, uid)).toBe(fromSummaries);
  });

  it("in a group it points to the private chat", async () => {
    const uid = 8_101_002;
    const h = createHarness({ users: [user(uid)], decks: [alpha], groups: [{ id: -100123, title: "Class group", members: [uid] }] });
    await h.send(uid, "/stats", -100123);
    expect(h.lastBotMessage(-100123)!.text).toMatch(/private chat/);
    expect(await record(uid)).toBeNull();
  });
});

describe("leeches: flagged after 8 failures; reset, suspend and unsuspend", () => {
  it("through the real review path, with double taps and forged buttons changing nothing", async () => {
    const uid = 8_201_001, other = 8_201_002;
    const h = createHarness({ users: [user(uid), user(other)], decks: [lee] });
    await h.send(uid, "/review lee");
    // Eight days of failing both cards.
    for (let d = 0; d < 8; d++) {
      if (d > 0) h.advance(DAY);
      await failEverything(h, uid);
    }
    let doc = (await record(uid))!;
    expect(unpackCard(doc.progress.lee!["lee-c0"])).toMatchObject({ lapses: 8, susp: 0 });
    expect(unpackCard(doc.progress.lee!["lee-c1"])).toMatchObject({ lapses: 8, susp: 0 });

    h.advance(DAY);
    await h.send(uid, "/stats");
    let stats = h.lastBotMessage(uid)!;
    expect(stats.text).toMatch(/Leeches — cards you failed 8 times or more[\s\S]*1\. Deck lee: Question 0 of lee\? — 8 lapses\n2\. Deck lee: Question 1 of lee\? — 8 lapses/);
    expect(buttons(stats).map(([t]) => t)).toEqual(["↺ Reset 1", "⏸ Suspend 1", "↺ Reset 2", "⏸ Suspend 2", "▶️ Review 2 due cards"]);
    for (const [, data] of buttons(stats)) expect(new TextEncoder().encode(data).length).toBeLessThanOrEqual(64);

    // Suspend card 1 (lee-c0): one read, one write; the message re-renders in place.
    h.advance(2000);
    const suspendC0 = button(stats, "⏸ Suspend 1");
    h.kv.resetWindow();
    await h.press(uid, uid, stats.message_id, suspendC0);
    // The head and the deck's shard, read once and written once each.
    expect(h.kv.resetWindow()).toMatchObject({ reads: 2, writes: 2 });
    expect(h.callbackTexts().at(-1)).toBe("Suspended: it stays out of reviews and quizzes.");
    doc = (await record(uid))!;
    expect(unpackCard(doc.progress.lee!["lee-c0"])).toMatchObject({ lapses: 8, susp: 1 });
    stats = h.lastBotMessage(uid)!;
    expect(stats.text).toMatch(/1\. Deck lee: Question 1 of lee\? — 8 lapses/);
    expect(stats.text).toContain("1 suspended card");
    expect(buttons(stats).map(([t]) => t)).toEqual(["↺ Reset 1", "⏸ Suspend 1", "⏸ Suspended cards (1)", "▶️ Review 1 due card"]);

    // A double tap (the old button again) changes nothing.
    let saved = await env.KV.get(userKey(uid));
    h.advance(2000);
    h.kv.resetWindow();
    await h.pressForged(uid, uid, stats.message_id, suspendC0);
    expect(h.kv.resetWindow()).toMatchObject({ writes: 0, deletes: 0 });
    expect(h.callbackTexts().at(-1)).toBe("Already suspended.");
    expect(await env.KV.get(userKey(uid))).toBe(saved);

    // Reset card 1 (now lee-c1): its state is deleted — it is new again.
    h.advance(2000);
    const resetC1 = button(stats, "↺ Reset 1");
    await h.press(uid, uid, stats.message_id, resetC1);
    expect(h.callbackTexts().at(-1)).toMatch(/^Reset: the card is new again/);
    doc = (await record(uid))!;
    expect(doc.progress.lee!["lee-c1"]).toBeUndefined();
    expect(screen(h, uid)).not.toContain("Leeches");
    saved = await env.KV.get(userKey(uid));
    h.advance(2000);
    await h.pressForged(uid, uid, stats.message_id, resetC1);
    expect(h.callbackTexts().at(-1)).toBe("Already reset — the card is new again.");

    // Forged buttons: another deck slot, a card index out of range, a tag of another card, junk,
    // and another user pressing this learner's button. Nothing changes; each says why.
    h.kv.resetWindow();
    const forged: [number, string, string][] = [
      [uid, "Ls:9:0:abcd", "That card is not in your decks — nothing changed."],
      [uid, `Ls:0:z:${cardTag("lee", "lee-c1")}`, "That button no longer matches one of your cards — nothing changed. Send /stats again."],
      [uid, `Lu:0:1:${cardTag("lee", "lee-c0")}`, "That button no longer matches one of your cards — nothing changed. Send /stats again."],
      [uid, "Lr:0:0", "That button is not valid."],
      [uid, "Lzz", "That button is not valid."],
      [other, packCardAction("u", 0, 0, "lee", "lee-c0"), "That card is not in your decks — nothing changed."],
    ];
    for (const [who, data, why] of forged) {
      h.advance(1500);
      await h.pressForged(who, uid, stats.message_id, data);
      expect(h.callbackTexts().at(-1), data).toBe(why);
    }
    expect(h.kv.resetWindow()).toMatchObject({ writes: 0, deletes: 0 });
    expect(await env.KV.get(userKey(uid))).toBe(saved);
    expect(await record(other)).toBeNull();

    // The suspended card leaves /review: only the reset card comes, as a new card.
    h.advance(2000);
    await h.send(uid, "/review");
    expect(screen(h, uid)).toMatch(/new card[\s\S]*Question 1 of lee\?/);
    await grade(h, uid, "Good");
    expect(screen(h, uid)).toMatch(/Session complete[\s\S]*Cards reviewed: 1 /);

    // Next day: the suspended card is due but /quiz asks only the other one; /review has nothing.
    h.advance(DAY);
    const polls = h.tg.calls.filter((c) => c.method === "sendPoll").length;
    await h.send(uid, "/quiz");
    const sent = h.tg.calls.filter((c) => c.method === "sendPoll").slice(polls);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.params.question).toContain("Question 1 of lee?");
    await answer(h, uid, true);
    h.advance(2000);
    await h.send(uid, "/review");
    expect(screen(h, uid)).toMatch(/Nothing to review right now/);

    // Unsuspend from the suspended-cards list; a double tap does nothing more.
    h.advance(2000);
    await h.send(uid, "/stats");
    stats = h.lastBotMessage(uid)!;
    await h.press(uid, uid, stats.message_id, button(stats, "⏸ Suspended cards (1)"));
    const list = h.lastBotMessage(uid)!;
    expect(list.message_id).toBe(stats.message_id);
    expect(list.text).toMatch(/Suspended cards \(1\)[\s\S]*1\. Deck lee: Question 0 of lee\? — 8 lapses/);
    const unsuspend = button(list, "▶️ Unsuspend 1");
    h.advance(2000);
    await h.press(uid, uid, list.message_id, unsuspend);
    expect(h.callbackTexts().at(-1)).toBe("Unsuspended: it is back in your reviews.");
    expect(unpackCard((await record(uid))!.progress.lee!["lee-c0"])).toMatchObject({ susp: 0, lapses: 8 });
    expect(screen(h, uid)).toContain("Suspended cards (0)");
    saved = await env.KV.get(userKey(uid));
    h.advance(2000);
    await h.pressForged(uid, uid, list.message_id, unsuspend);
    expect(h.callbackTexts().at(-1)).toBe("That card is not suspended — nothing changed.");
    expect(await env.KV.get(userKey(uid))).toBe(saved);
    await h.press(uid, uid, list.message_id, button(h.lastBotMessage(uid), "« Back to stats"));
    expect(screen(h, uid)).toMatch(/Leeches[\s\S]*Question 0 of lee\?/);

    // Back in /review.
    h.advance(2000);
    await h.send(uid, "/review");
    expect(screen(h, uid)).toMatch(/review[\s\S]*Question 0 of lee\?/);
    expect(h.kv.writesWithin(1000)).toEqual([]);
  });
});

describe("/export", () => {
  it("sends the progress CSV and one Anki file per subscribed deck, writing nothing", async () => {
    const uid = 8_301_001;
    const h = createHarness({ users: [user(uid)], decks: [alpha, beta] });
    await h.send(uid, "/review beta");
    await grade(h, uid, "Good");
    await grade(h, uid, "Again");
    h.advance(1500);
    await h.press(uid, uid, h.lastBotMessage(uid)!.message_id, button(h.lastBotMessage(uid), "⏹ Stop"));
    h.advance(2000);
    await h.send(uid, "/review alpha");
    await grade(h, uid, "Easy");
    h.advance(1500);
    await h.press(uid, uid, h.lastBotMessage(uid)!.message_id, button(h.lastBotMessage(uid), "⏹ Stop"));

    const calls = h.tg.calls.length;
    h.kv.resetWindow();
    await h.send(uid, "/export");
    // The head and the two decks' progress shards; nothing written.
    expect(h.kv.resetWindow()).toEqual({ reads: 3, writes: 0, deletes: 0, lists: 0 });
    const docs = h.tg.calls.slice(calls).filter((c) => c.method === "sendDocument" && c.ok);
    expect(docs).toHaveLength(3);
    const files = docs.map((c) => h.tg.fileInfo(c.result.document.file_id)!);
    expect(files.map((f) => f.file_name)).toEqual(["lectern-progress-2026-11-02.csv", "lectern-beta-anki.txt", "lectern-alpha-anki.txt"]);
    const text = (i: number) => new TextDecoder().decode(files[i]!.bytes);

    const today = localDay(h.clock.now, "UTC");
    expect(today).toBe(Date.UTC(2026, 10, 2) / DAY);
    expect(text(0).replace(/^\uFEFF/, "").split("\n")).toEqual([
      "deck,card,front,repetition,interval_days,easiness,due_date,lapses,last_review",
      "beta,beta-c0,Question 0 of beta?,1,1,2.50,2026-11-03,0,2026-11-02",
      "beta,beta-c1,Question 1 of beta?,0,1,1.96,2026-11-03,1,2026-11-02",
      "alpha,alpha-c0,Question 0 of alpha?,1,1,2.60,2026-11-03,0,2026-11-02",
      "",
    ]);
    expect(h.tg.messages(uid).find((m) => m.document?.file_name === "lectern-progress-2026-11-02.csv")?.caption).toMatch(/3 cards in 2 decks/);

    const tsv = text(1).split("\n");
    expect(tsv.slice(0, 4)).toEqual(["#separator:tab", "#html:false", "#columns:Front\tBack\tTags", "#tags column:3"]);
    expect(tsv.slice(4)).toEqual(["Question 0 of beta?\tAnswer 0\t", "Question 1 of beta?\tAnswer 1\t", "Question 2 of beta?\tAnswer 2\t", ""]);
    expect(text(2).split("\n").filter((l) => l && !l.startsWith("#"))).toHaveLength(12);
    const again = parseAnki(text(2), "lectern-alpha-anki.txt", { deckId: "alpha-copy", title: "Copy" });
    expect(again.ok && again.deck.cards.map((c) => c.front)).toEqual(alpha.cards.map((c) => c.front));
  });

  it("says so when there is nothing to export", async () => {
    const uid = 8_301_002;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/export");
    expect(screen(h, uid)).toMatch(/Nothing to export yet/);
    expect(h.tg.calls.filter((c) => c.method === "sendDocument")).toHaveLength(0);
  });
});

describe("/forget", () => {
  it("asks, accepts only the asker's fresh confirmation, then leaves nothing of the learner in KV", async () => {
    const uid = 8_404_017, other = 8_404_018;
    const h = createHarness({ users: [user(uid), user(other)], decks: [alpha] });
    await h.send(uid, "/review alpha");
    await grade(h, uid, "Good");
    h.advance(2000);
    await h.send(uid, "/daily"); // the daily quiz on: a schedule-index key
    const keysOf = async (id: number) => (await env.KV.list()).keys.map((k) => k.name).filter((k) => k.includes(String(id)));
    expect((await keysOf(uid)).sort()).toEqual([expect.stringMatching(/^v1:slot:\d{4}:8404017$/), userKey(uid)].sort());

    // Cancel: nothing happens.
    await h.send(uid, "/forget");
    let ask = h.lastBotMessage(uid)!;
    expect(ask.text).toMatch(/Delete everything Lectern stores about you\?/);
    expect(buttons(ask).map(([t]) => t)).toEqual(["Yes, delete everything", "Cancel"]);
    await h.press(uid, uid, ask.message_id, button(ask, "Cancel"));
    expect(screen(h, uid)).toBe("Cancelled — nothing was deleted.");
    expect(await keysOf(uid)).toHaveLength(2);

    await h.send(uid, "/forget");
    ask = h.lastBotMessage(uid)!;
    const yes = button(ask, "Yes, delete everything");
    // Someone else pressing it (a forged update), and an expired confirmation, delete nothing.
    await h.pressForged(other, uid, ask.message_id, yes);
    expect(h.callbackTexts().at(-1)).toBe("This button belongs to someone else — nothing was deleted.");
    const stale = packForgetYes(uid, Math.floor(h.clock.now / 60_000) - 25 * 60);
    await h.pressForged(uid, uid, ask.message_id, stale);
    expect(h.callbackTexts().at(-1)).toMatch(/expired — nothing was deleted/);
    expect(await keysOf(uid)).toHaveLength(2);
    expect(await keysOf(other)).toHaveLength(0);

    h.kv.resetWindow();
    await h.press(uid, uid, ask.message_id, yes);
    const cost = h.kv.resetWindow();
    console.log(`[kv] /forget confirmed: ${cost.reads} reads, ${cost.deletes} deletes, ${cost.writes} writes`);
    // Reads: the head and the ownership record; one write: the tombstone; then every key deleted.
    expect(cost).toMatchObject({ reads: 2, writes: 1, lists: 0 });
    expect(cost.deletes).toBeGreaterThanOrEqual(2);
    expect(h.callbackTexts().at(-1)).toBe("Deleted.");
    expect(screen(h, uid)).toMatch(/^Everything Lectern stored about you is deleted\./);
    expect(buttons(h.lastBotMessage(uid))).toEqual([]);
    // Only the tombstone is left, and it expires.
    expect(await keysOf(uid)).toEqual([goneKey(uid)]);

    // A double tap: nothing left to delete, nothing written.
    h.kv.resetWindow();
    await h.pressForged(uid, uid, ask.message_id, yes);
    expect(h.kv.resetWindow()).toMatchObject({ writes: 0, deletes: 0, lists: 0 });
    expect(h.callbackTexts().at(-1)).toBe("Already deleted — Lectern holds nothing about you.");
    expect(await keysOf(uid)).toEqual([goneKey(uid)]);

    // Reading commands afterwards store nothing again.
    await h.send(uid, "/stats");
    await h.send(uid, "/export");
    expect(await keysOf(uid)).toEqual([goneKey(uid)]);
  });
});
