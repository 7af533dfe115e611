/**
 * Uploaded decks after parsing: stored ready to use (v2), read without re-validating, v1 still
 * read; ids made from file names carry a random suffix; ownership checks read storage; the upload
 * limit names its setting. Through the webhook where a learner or lecturer would see it.
 */
import { shareDeck } from "../support/classes";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { allCards, cardFront, decodeDeck, deckKey, deckKeyV1, encodeDeck, UploadedDecks } from "../../src/store/decks";
import { loadDeck } from "../../src/decks/registry";
import { parseUpload } from "../../src/decks/parsers";
import { FREE_PLAN_UPLOAD_CARDS, uploadMaxCards } from "../../src/decks/limits";
import type { Deck } from "../../src/decks/schema";
import type { Deps } from "../../src/deps";

const ADMIN = 900; // ADMIN_USER_IDS in vitest.config.ts
const alpha = makeDeck("alpha", 6);
const utf8 = (s: string) => new TextEncoder().encode(s);

async function lecturer(h: Harness, id: number) {
  await h.send(ADMIN, `/lecturer ${id}`);
  h.advance(1500);
}

async function upload(h: Harness, uid: number, fileName: string, text: string, caption?: string) {
  h.advance(1500);
  await h.deliver(h.tg.uploadDocument(uid, { fileName, bytes: text, ...(caption ? { caption } : {}) }));
  return h.lastBotMessage(uid)!.text!;
}

function quizDeck(id: string, n: number): Deck {
  const r = parseUpload(`${id}.csv`, utf8(`front,back,distractors,tags,quote\n${Array.from({ length: n }, (_, i) => `"Question ""${i}"", with a comma?",Answer ${i},w${i}a|w${i}b|w${i}c,t${i % 3} week,Quote ${i} ✓`).join("\n")}\n`), { maxCards: 5000 });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.deck;
}

describe("the stored form (v2)", () => {
  const deck = quizDeck("stored", 300);

  it("is one JSON value: parsed whole it is the deck and its owner", () => {
    const text = encodeDeck({ owner: 42, updated: 7, deck });
    const whole = JSON.parse(text) as { v: number; owner: number; updated: number; deck: Deck };
    expect(whole).toMatchObject({ v: 2, owner: 42, updated: 7 });
    expect(whole.deck).toEqual(deck);
  });

  it("reads back ids, quiz flags and every card without parsing them up front", () => {
    const r = decodeDeck(encodeDeck({ owner: 42, updated: 7, deck }));
    if (!r.ok) throw new Error(r.problem);
    const loaded = r.deck;
    expect(loaded.owner).toBe(42);
    expect(loaded.bundled).toBe(false);
    expect(loaded.cardIds).toEqual(deck.cards.map((c) => c.id));
    expect(loaded.quiz).toEqual(deck.cards.map(() => true));
    expect(loaded.index.get(deck.cards[123]!.id)).toBe(123);
    expect(loaded.deck.cards.length).toBe(300);
    expect(loaded.deck.cards[299]).toEqual(deck.cards[299]);
    expect(loaded.deck.cards[0]).toBe(loaded.deck.cards[0]); // parsed once
    expect(loaded.deck.cards[300]).toBeUndefined();
    expect([...loaded.deck.cards]).toEqual(deck.cards);
    expect(loaded.deck.cards.filter((c) => c.distractors).length).toBe(300);
    expect(JSON.parse(JSON.stringify(loaded.deck))).toEqual(deck);
    const { cards: _cards, ...meta } = deck;
    expect(loaded.deck).toMatchObject(meta);
  });

  it("an export reads every card in one pass, or only the fronts, and gets what a card-by-card read gets", () => {
    // Fronts with quotes, backslashes, a line break, non-Latin text and an escaped slash; one card
    // whose stored text does not begin id, front (read whole instead).
    const odd = [`He said "no" \\ twice`, "line\nbreak ✓ — 日本語", "a/b </script>", "plain"];
    const cards = deck.cards.slice(0, 8).map((c, i) => (i < odd.length ? { ...c, front: odd[i]! } : c));
    const { front: _old, ...rest } = cards[5]!;
    void _old;
    cards[5] = { front: "front first", ...rest };
    const stored = encodeDeck({ owner: 1, updated: 1, deck: { ...deck, cards } });
    const read = () => {
      const r = decodeDeck(stored);
      if (!r.ok) throw new Error(r.problem);
      return r.deck;
    };
    expect(stored).toContain(`{"front":"front first","id":`); // the card read whole
    const a = read();
    expect(cards.map((_, i) => cardFront(a, i))).toEqual(cards.map((c) => c.front));
    const b = read();
    expect(allCards(b)).toEqual(cards);
    expect(allCards(b)[3]).toBe(b.deck.cards[3]); // the same parsed cards, not a second copy
    const c = read();
    const first = c.deck.cards[2]; // parsed alone before the list
    expect(allCards(c)[2]).toBe(first);
    // A bundled (plain) deck: its own cards.
    expect(allCards(loadDeck(alpha, true))).toBe(alpha.cards);
    expect(cardFront(loadDeck(alpha, true), 1)).toBe(alpha.cards[1]!.front);
  });

  it("refuses a value whose header does not match it", () => {
    const text = encodeDeck({ owner: 42, updated: 7, deck });
    expect(decodeDeck(`${text} `)).toMatchObject({ ok: false, problem: expect.stringContaining("header says") });
    expect(decodeDeck(text.replace(deck.cards[5]!.id, "c-0000000000"))).toMatchObject({ ok: false, problem: "ids do not match their check" });
    expect(decodeDeck(`{"v":1,${text.slice(7)}`)).toMatchObject({ ok: false, problem: "not version 2" });
    // The same length, a card's text changed: found when that card is read.
    const at = text.lastIndexOf(`"id":"${deck.cards[10]!.id}"`);
    const bad = decodeDeck(`${text.slice(0, at + 7)}x${text.slice(at + 8)}`);
    if (!bad.ok) throw new Error(bad.problem);
    expect(bad.deck.deck.cards[9]).toEqual(deck.cards[9]);
    expect(() => bad.deck.deck.cards[10]).toThrow(/card 10 does not match its header/);
  });
});

describe("uploaded decks in storage", () => {
  it("a deck named by its file gets a random suffix; a stranger cannot guess it; a re-upload keeps it", async () => {
    const lect = 9501, stranger = 9502;
    const h = createHarness({ users: [user(ADMIN), user(lect), user(stranger)], decks: [alpha] });
    await lecturer(h, lect);
    const csv = "front,back\nWhat is on the midterm?,Everything\nWhen is it?,Friday\n";
    const first = await upload(h, lect, "Midterm answers.csv", csv);
    const id = /Saved as deck "(midterm-answers-[a-z0-9]{6})"/.exec(first)?.[1];
    expect(id, first).toBeDefined();
    expect(first).toContain(`(id: ${id})`);
    expect(await env.KV.get(deckKey(id!))).not.toBeNull();
    expect(await env.KV.get(deckKey("midterm-answers"))).toBeNull();
    await h.send(stranger, "/review midterm-answers");
    expect(h.lastBotMessage(stranger)!.text).not.toMatch(/What is on the midterm/);
    // The same file again (same title): the same id, so learners keep their progress.
    const again = await upload(h, lect, "Midterm answers.csv", `${csv}Where?,Room 4\n`);
    expect(again).toContain(`Replaced your deck "${id}": 2 of its cards are unchanged`);
    // A different title is a different deck.
    const other = await upload(h, lect, "Midterm answers.csv", csv, "title: Midterm answers (resit)");
    expect(other).toMatch(/Saved as deck "midterm-answers-[a-z0-9]{6}"/);
    expect(other).not.toContain(id!);
    // An id the lecturer chose is kept as chosen.
    expect(await upload(h, lect, "x.csv", csv, "id: week-1")).toContain('Saved as deck "week-1"');
  });

  it("the ownership check reads storage: a cached 'not found' does not hand over an id", async () => {
    const a = 9511, b = 9512;
    const h = createHarness({ users: [user(ADMIN), user(a), user(b)], decks: [alpha] });
    await lecturer(h, b);
    UploadedDecks.clearCache();
    await h.send(b, "/review fresh-id"); // caches "not found" in this isolate
    expect(h.lastBotMessage(b)!.text).not.toMatch(/Show answer/);
    // Meanwhile a's upload of that id lands (as from another isolate).
    await env.KV.put(deckKey("fresh-id"), encodeDeck({ owner: a, updated: h.clock.now, deck: { ...makeDeck("fresh-id", 2) } }));
    const report = await upload(h, b, "x.csv", "front,back\nQ,A\n", "id: fresh-id");
    expect(report).toMatch(/taken by another lecturer/);
    expect(JSON.parse((await env.KV.get(deckKey("fresh-id")))!).owner).toBe(a);
  });

  it("a v1 deck is still read, and its owner's re-upload moves it to v2", async () => {
    const lect = 9521, student = 9522;
    const h = createHarness({ users: [user(ADMIN), user(lect), user(student)], decks: [alpha] });
    await lecturer(h, lect);
    UploadedDecks.clearCache();
    const old = makeDeck("old-deck", 3);
    await env.KV.put(deckKeyV1("old-deck"), JSON.stringify({ v: 1, owner: lect, updated: 1, deck: old }));
    await shareDeck(h, lect, [student], "old-deck");
    await h.send(student, "/review old-deck");
    expect(h.lastBotMessage(student)!.text).toContain(old.cards[0]!.front);
    const report = await upload(h, lect, "x.csv", `front,back\n${old.cards[0]!.front},${old.cards[0]!.back}\n`, "id: old-deck");
    expect(report).toMatch(/Replaced your deck "old-deck"/);
    expect(await env.KV.get(deckKeyV1("old-deck"))).toBeNull();
    expect(decodeDeck((await env.KV.get(deckKey("old-deck")))!).ok).toBe(true);
  });

  it("a damaged v2 value is validated in full: served if it is a valid deck, refused if not", async () => {
    const h = createHarness({ users: [user(9531)], decks: [alpha] });
    const deck = makeDeck("damaged", 3);
    const text = encodeDeck({ owner: 1, updated: 1, deck });
    await env.KV.put(deckKey("damaged"), `${text} `); // length no longer matches the header
    const deps = { now: () => h.clock.now, log: (l: Record<string, unknown>) => void h.logs.push(l), randomBytes: (n: number) => new Uint8Array(n), sleep: async () => {} };
    const store = new UploadedDecks(env.KV, deps as unknown as Deps);
    UploadedDecks.clearCache();
    expect((await store.get("damaged"))?.deck.cards).toEqual(deck.cards);
    expect(h.logs).toContainEqual(expect.objectContaining({ t: "bad-value", key: "v2:deck" }));
    await env.KV.put(deckKey("damaged2"), text.replace('"back":"Answer 1"', '"back":""').replace(/"check":"/, '"check":"x'));
    expect(await store.get("damaged2")).toBeNull();
    // A value stored under another deck's key is not that deck.
    await env.KV.put(deckKey("elsewhere"), text);
    expect(await store.get("elsewhere")).toBeNull();
    // Unservable values still have an owner for the ownership check; an unreadable one, nobody.
    expect(await store.getFresh("damaged2")).toMatchObject({ deck: null, version: 2, owner: 1 });
    await env.KV.put(deckKey("damaged3"), "not json at all");
    expect((await store.getFresh("damaged3")).owner).toBeNaN();
    expect(await store.getFresh("nothing-here")).toEqual({ deck: null, version: null, owner: null });
  });

  it("another lecturer cannot take the id of a stored deck that cannot be served", async () => {
    const a = 9571, b = 9572;
    const h = createHarness({ users: [user(ADMIN), user(a), user(b)], decks: [alpha] });
    await lecturer(h, b);
    const text = encodeDeck({ owner: a, updated: 1, deck: makeDeck("broken-deck", 2) });
    await env.KV.put(deckKey("broken-deck"), text.replace('"back":"Answer 1"', '"back":""').replace(/"check":"/, '"check":"x'));
    expect(await upload(h, b, "x.csv", "front,back\nQ,A\n", "id: broken-deck")).toMatch(/taken by another lecturer/);
  });
});

describe("the upload limit", () => {
  it("is the free-plan figure unless UPLOAD_MAX_CARDS says otherwise (at most a deck's 5,000)", () => {
    expect(uploadMaxCards({})).toBe(FREE_PLAN_UPLOAD_CARDS);
    expect(uploadMaxCards({ UPLOAD_MAX_CARDS: "" })).toBe(FREE_PLAN_UPLOAD_CARDS);
    expect(uploadMaxCards({ UPLOAD_MAX_CARDS: "many" })).toBe(FREE_PLAN_UPLOAD_CARDS);
    expect(uploadMaxCards({ UPLOAD_MAX_CARDS: "2500" })).toBe(2500);
    expect(uploadMaxCards({ UPLOAD_MAX_CARDS: "99999" })).toBe(5000);
    expect(FREE_PLAN_UPLOAD_CARDS).toBeGreaterThanOrEqual(1000);
  });

  it("refuses a bigger file in chat, naming the limit and the setting that lifts it", async () => {
    const lect = 9541;
    const h = createHarness({ users: [user(ADMIN), user(lect)], decks: [alpha] });
    await lecturer(h, lect);
    const limit = uploadMaxCards(h.env);
    const rows = Array.from({ length: limit + 1 }, (_, i) => `Question ${i}?,Answer ${i}`);
    const report = await upload(h, lect, "big.csv", `front,back\n${rows.join("\n")}\n`, "id: big-deck");
    expect(report).toContain(`too many cards: the file has ${limit + 1} cards but an upload takes at most ${limit} cards`);
    expect(report).toContain("UPLOAD_MAX_CARDS");
    expect(await env.KV.get(deckKey("big-deck"))).toBeNull();
    // At the limit it is accepted.
    expect(await upload(h, lect, "big.csv", `front,back\n${rows.slice(0, limit).join("\n")}\n`, "id: big-deck")).toContain(`${limit} cards accepted`);
  });

  it("with UPLOAD_MAX_CARDS raised, the same file is accepted", async () => {
    const lect = 9551;
    const h = createHarness({ users: [user(ADMIN), user(lect)], decks: [alpha], env: { UPLOAD_MAX_CARDS: "3000" } });
    await lecturer(h, lect);
    const rows = Array.from({ length: FREE_PLAN_UPLOAD_CARDS + 1 }, (_, i) => `Question ${i}?,Answer ${i}`);
    expect(await upload(h, lect, "big.csv", `front,back\n${rows.join("\n")}\n`, "id: big-paid")).toContain(`${FREE_PLAN_UPLOAD_CARDS + 1} cards accepted`);
  });
});

describe("decks uploaded before ids had a suffix", () => {
  it("a re-upload of the same file by its owner replaces the old deck, keeping its id", async () => {
    const lect = 9561;
    const h = createHarness({ users: [user(ADMIN), user(lect)], decks: [alpha] });
    await lecturer(h, lect);
    // Stored the old way: the id is the file name's slug, listed in the lecturer's record.
    expect(await upload(h, lect, "Week 3.csv", "front,back\nQ1,A1\n", "id: week-3\ntitle: Week 3")).toContain('Saved as deck "week-3"');
    const again = await upload(h, lect, "Week 3.csv", "front,back\nQ1,A1\nQ2,A2\n");
    expect(again).toContain('Replaced your deck "week-3": 1 of its cards are unchanged');
  });
});
