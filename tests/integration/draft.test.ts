/** The drafter's chat flow: send a document → draft → review (keep/drop/edit) → publish. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, buttons, createHarness, user } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { deckKey } from "../../src/store/decks";
import { draftKey } from "../../src/store/drafts";

const ADMIN = 900, LECT = 9701, STUDENT = 9702;

const TEXT = `# The Lighthouse Service

The Northern Lighthouse Board (NLB) was established in 1786 to build and maintain lighthouses around the coast of Scotland.
A lighthouse keeper is defined as a person employed to tend and care for a lighthouse.
The Bell Rock Lighthouse was completed in 1810 and is the oldest surviving sea-washed lighthouse in the world.
By 1900 the Board operated more than 60 lighthouses.
The International Association of Marine Aids to Navigation and Lighthouse Authorities (IALA) was founded in 1957.
Automation means that the light is operated by machines without a resident keeper.
The last keepers left Fair Isle South lighthouse in 1998.
`;

describe("drafting a deck from a document", () => {
  it("drafts, lets the lecturer keep, drop and edit cards, and publishes only on their word", async () => {
    const h = createHarness({ users: [user(ADMIN), user(LECT, "Carol"), user(STUDENT)], decks: [makeDeck("alpha", 3)] });
    await h.deliver(h.tg.uploadDocument(STUDENT, { fileName: "notes.md", bytes: TEXT, caption: "/draft" }));
    expect(h.lastBotMessage(STUDENT)!.text).toMatch(/That is for lecturers/);
    await h.send(ADMIN, `/lecturer ${LECT}`);
    h.advance(1500);
    await h.deliver(h.tg.uploadDocument(LECT, { fileName: "lighthouses.md", bytes: TEXT, caption: "/draft" }));
    const summary = h.lastBotMessage(LECT)!;
    expect(summary.text).toMatch(/Draft: The Lighthouse Service/);
    expect(summary.text).toMatch(/\d+ cards from \d+ sentences of lighthouses\.md/);
    expect(summary.text).toMatch(/Nothing is published until you say so/);
    const stored = JSON.parse((await env.KV.get(draftKey(LECT)))!);
    const n = stored.deck.cards.length as number;
    expect(n).toBeGreaterThanOrEqual(4);
    // Every card quotes a sentence of the document.
    for (const c of stored.deck.cards) expect(TEXT.replace(/\s+/g, " ")).toContain(c.quote.replace(/\s+/g, " "));
    expect(await env.KV.get(deckKey(stored.deck.id))).toBeNull();

    // Review: keep the first, drop the second, edit the third.
    await h.press(LECT, LECT, summary.message_id, button(summary, "👀 Review card by card"));
    let msg = h.lastBotMessage(LECT)!;
    expect(msg.text).toMatch(new RegExp(`Card 1 of ${n} · undecided`));
    h.advance(1500);
    await h.press(LECT, LECT, msg.message_id, button(msg, "✅ Keep"));
    msg = h.lastBotMessage(LECT)!;
    expect(msg.text).toMatch(new RegExp(`Card 2 of ${n}`));
    h.advance(1500);
    await h.press(LECT, LECT, msg.message_id, button(msg, "🗑 Drop"));
    msg = h.lastBotMessage(LECT)!;
    h.advance(1500);
    await h.press(LECT, LECT, msg.message_id, button(msg, "✏️ Edit"));
    expect(h.lastBotMessage(LECT)!.text).toMatch(/question \| answer/);
    h.advance(1500);
    await h.send(LECT, "When was the Northern Lighthouse Board established? | 1786");
    expect(h.lastBotMessage(LECT)!.text).toMatch(/Card 3 updated and kept[\s\S]*When was the Northern Lighthouse Board established\?/);

    // Download the JSON, then publish.
    const card3 = h.lastBotMessage(LECT)!;
    await h.press(LECT, LECT, card3.message_id, button(card3, "📋 Summary"));
    const sum = h.lastBotMessage(LECT)!;
    expect(sum.text).toMatch(/2 kept, 1 dropped/);
    await h.press(LECT, LECT, sum.message_id, button(sum, "⬇️ Download JSON"));
    const file = h.tg.messages(LECT).filter((m) => m.document).at(-1)!;
    const json = JSON.parse(new TextDecoder().decode(h.tg.fileInfo(file.document!.file_id)!.bytes));
    expect(json.cards).toHaveLength(n - 1);
    h.advance(1500);
    await h.press(LECT, LECT, sum.message_id, button(sum, "✅ Publish deck"));
    expect(h.tg.message(LECT, sum.message_id)!.text).toMatch(new RegExp(`Published The Lighthouse Service as deck ${stored.deck.id} with ${n - 1} cards`));
    const deck = JSON.parse((await env.KV.get(deckKey(stored.deck.id)))!);
    expect(deck.deck.cards).toHaveLength(n - 1);
    expect(deck.deck.cards.some((c: { front: string }) => c.front === "When was the Northern Lighthouse Board established?")).toBe(true);
    expect(await env.KV.get(draftKey(LECT))).toBeNull();
    // The old summary's buttons no longer do anything.
    await h.pressForged(LECT, LECT, sum.message_id, "X:p");
    expect(h.callbackTexts().at(-1)).toMatch(/This draft is gone/);
    // The lecturer can now study or push it.
    await h.send(LECT, `/review ${stored.deck.id}`);
    expect(buttons(h.lastBotMessage(LECT)).map(([t]) => t)).toContain("👀 Show answer");
  });

  it("an edit re-grounds the card, the Edit prompt reads like the card, and the download counts what is kept", async () => {
    const h = createHarness({ users: [user(ADMIN), user(LECT, "Carol")], decks: [makeDeck("alpha", 3)] });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    h.advance(1500);
    await h.deliver(h.tg.uploadDocument(LECT, { fileName: "lighthouses.md", bytes: TEXT, caption: "/draft" }));
    const summary = h.lastBotMessage(LECT)!;
    // counts by kind are singular for one ("1 date", never "1 dates")
    expect(summary.text).not.toMatch(/\b1 (definitions|acronyms|dates|numbers|names|lists|key phrases)\b/);
    const stored = JSON.parse((await env.KV.get(draftKey(LECT)))!);
    const cards = stored.deck.cards as { front: string; back: string; quote?: string }[];
    const n = cards.length;
    const sentences = TEXT.split("\n").filter((l) => l && !l.startsWith("#"));

    // The Edit prompt of a fill-in-the-blank card shows the blank, not the {{c1::…}} markup.
    const cloze = cards.findIndex((c) => c.front.includes("{{c1::"));
    expect(cloze).toBeGreaterThanOrEqual(0);
    h.advance(1500);
    await h.pressForged(LECT, LECT, summary.message_id, `X:r:${cloze}`);
    let msg = h.lastBotMessage(LECT)!;
    expect(msg.text).not.toContain("{{");
    expect(msg.text).toContain("[…]");
    h.advance(1500);
    await h.press(LECT, LECT, msg.message_id, button(msg, "✏️ Edit"));
    const prompt = h.lastBotMessage(LECT)!.text!;
    expect(prompt).not.toContain("{{");
    expect(prompt).toContain(`${cards[cloze]!.front.replace(/\{\{c1::(.*?)\}\}/, "[…]")} | ${cards[cloze]!.back}`);

    // Sent back with its blank and a new answer: still a cloze card, quoting the sentence that holds the new answer.
    h.advance(1500);
    await h.send(LECT, "The International Association of Marine Aids to Navigation and Lighthouse Authorities was founded in […]. | 1957");
    expect(h.lastBotMessage(LECT)!.text).toMatch(/updated and kept/);
    let now = JSON.parse((await env.KV.get(draftKey(LECT)))!).deck.cards[cloze];
    expect(now.front).toBe("The International Association of Marine Aids to Navigation and Lighthouse Authorities was founded in {{c1::1957}}.");
    expect(now.quote).toBe(sentences.find((l) => l.includes("1957")));

    // An edit whose answer is in another sentence: the quote moves there.
    const other = cards.findIndex((c, k) => k !== cloze && !c.quote?.includes("1786"));
    h.advance(1500);
    await h.pressForged(LECT, LECT, summary.message_id, `X:e:${other}`);
    h.advance(1500);
    await h.send(LECT, "When was the Northern Lighthouse Board established? | 1786");
    expect(h.lastBotMessage(LECT)!.text).toMatch(/now quotes the sentence of the document that holds the new answer/);
    now = JSON.parse((await env.KV.get(draftKey(LECT)))!).deck.cards[other];
    expect(now.quote).toBe(sentences[0]);
    expect(now.distractors).toBeUndefined(); // wrong options chosen for the old answer are gone

    // An answer that no sentence holds: the card says it has no quote, and has none.
    const third = cards.findIndex((k, i) => i !== cloze && i !== other);
    h.advance(1500);
    await h.pressForged(LECT, LECT, summary.message_id, `X:e:${third}`);
    h.advance(1500);
    await h.send(LECT, "Who painted the Bell Rock in 1819? | J. M. W. Turner");
    const reply = h.lastBotMessage(LECT)!.text!;
    expect(reply).toMatch(/No sentence of the document holds the new answer, so the card has no quote/);
    expect(reply).toMatch(/No quote: no sentence of the document holds this answer/);
    now = JSON.parse((await env.KV.get(draftKey(LECT)))!).deck.cards[third];
    expect(now.quote).toBeUndefined();

    // Drop one card: the download's description counts the cards it holds.
    h.advance(1500);
    await h.pressForged(LECT, LECT, summary.message_id, `X:d:${n - 1}`);
    const download = async () => {
      h.advance(1500);
      await h.pressForged(LECT, LECT, summary.message_id, "X:j");
      const file = h.tg.messages(LECT).filter((m) => m.document).at(-1)!;
      return JSON.parse(new TextDecoder().decode(h.tg.fileInfo(file.document!.file_id)!.bytes));
    };
    let json = await download();
    expect(json.cards).toHaveLength(n - 1);
    expect(json.description).toContain(`: ${n - 1} cards, ${n - 2} of them quoting the sentence they came from.`);
    // … down to one card: "1 card", not "1 cards"
    for (let k = 0; k < n - 1; k++) {
      if (k === cloze) continue;
      h.advance(1500);
      await h.pressForged(LECT, LECT, summary.message_id, `X:d:${k}`);
    }
    json = await download();
    expect(json.cards).toHaveLength(1);
    expect(json.description).toContain(": 1 card, quoting the sentence it came from.");
  });

  it("a text longer than DRAFT_MAX_CHARS is refused by its length before anything reads it", async () => {
    const BIG = 9703; // a lecturer of its own: KV persists across the tests of a file
    const h = createHarness({ users: [user(ADMIN), user(BIG)], decks: [makeDeck("alpha", 3)] });
    await h.send(ADMIN, `/lecturer ${BIG}`);
    h.advance(1500);
    // 500 KB of punctuation: no "words", so only the character cap can stop it
    const punctuation = ".,;:!?-()\"'…".repeat(50_000).slice(0, 500_000);
    const started = Date.now();
    await h.deliver(h.tg.uploadDocument(BIG, { fileName: "dots.txt", bytes: punctuation, caption: "/draft" }));
    expect(h.lastBotMessage(BIG)!.text).toMatch(/That text is 500,000 characters long; this bot drafts up to 16,000 characters at a time/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await env.KV.get(draftKey(BIG))).toBeNull();
    h.advance(1500);
    await h.send(BIG, `/draft ${"The committee met. ".repeat(900)}`);
    expect(h.lastBotMessage(BIG)!.text).toMatch(/characters long; this bot drafts up to 16,000 characters/);
  });

  it("pasted text works; unsupported files and too little text are explained", async () => {
    const h = createHarness({ users: [user(ADMIN), user(LECT)], decks: [makeDeck("alpha", 3)] });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/draft Too short.");
    expect(h.lastBotMessage(LECT)!.text).toMatch(/too little text/);
    await h.deliver(h.tg.uploadDocument(LECT, { fileName: "slides.pdf", bytes: "%PDF-1.4", caption: "/draft" }));
    expect(h.lastBotMessage(LECT)!.text).toMatch(/I can draft from \.txt, \.md and \.html files/);
    h.advance(1500);
    await h.deliver(h.tg.uploadDocument(LECT, { fileName: "book.txt", bytes: "The committee met in 1999. ".repeat(400), caption: "/draft" }));
    expect(h.lastBotMessage(LECT)!.text).toMatch(/about 2,000 words; this bot drafts up to 1,000 words/);
    h.advance(1500);
    await h.send(LECT, `/draft ${TEXT}`);
    expect(h.lastBotMessage(LECT)!.text).toMatch(/Draft: The Lighthouse Service/);
    // Over the HTTP API, with the lecturer's token: the deck JSON comes back, nothing is stored.
    h.advance(1500);
    await h.send(LECT, "/token");
    const token = /(lct_[A-Za-z0-9_-]{43})/.exec(h.lastBotMessage(LECT)!.text!)![1]!;
    const res = await h.app.fetch(
      new Request("https://lectern.test/api/draft?name=beacon-notes.md", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: TEXT }),
      h.env,
      { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; deck: { id: string; cards: unknown[] } };
    expect(body.ok).toBe(true);
    expect(body.deck.cards.length).toBeGreaterThan(3);
    expect(await env.KV.get(deckKey(body.deck.id))).toBeNull();
    const anon = await h.app.fetch(new Request("https://lectern.test/api/draft?name=x.md", { method: "POST", body: TEXT }), h.env, { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext);
    expect(anon.status).toBe(401);
    // the character cap holds on the API too, before any drafting
    const long = await h.app.fetch(
      new Request("https://lectern.test/api/draft?name=dots.txt", { method: "POST", headers: { authorization: `Bearer ${token}` }, body: ".".repeat(16_001) }),
      h.env,
      { waitUntil() {}, passThroughOnException() {} } as unknown as ExecutionContext,
    );
    expect(long.status).toBe(413);
    expect(((await long.json()) as { error: string }).error).toBe("the document has 16001 characters; this deployment drafts up to 16000 (DRAFT_MAX_CHARS)");
  });
});
