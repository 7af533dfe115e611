/**
 * Suite 4 — bad input: HTML and Markdown in deck text and in people's names. (The malformed-upload
 * corpus runs in tests/integration/lecturer.test.ts.) A deck whose title, description, sources,
 * fronts, backs, quotes and distractors hold `<b>`, `</blockquote>`, `&amp;`, `*bold*`,
 * `[link](http://x)` and a `javascript:` link, and learners and a lecturer whose names hold HTML,
 * go through /start, /decks, a deck page, a review (front, back, summary), a quiz (polls,
 * explanations, summary), /stats with a leech, a class (creation, join messages, a push and its
 * notifications, the class report), a group quiz and an upload. Then:
 *  - every Bot API call succeeded — Telegram's HTML parser (the stand-in's) accepted every message;
 *  - the markup shows as text in what people see: each injected string appears verbatim in the
 *    parsed text of the messages (and in poll questions, options and explanations, which are
 *    plain text), and no link, bold or other entity came from it.
 */
import { describe, expect, it } from "vitest";
import type { Message } from "grammy/types";
import { createRig } from "../support/reliability-rig";
import { validateDeck, type Deck } from "../../src/decks/schema";
import { progressKey, userKey } from "../../src/store/users";
import { SHARD_HEADER_BYTES, shardIds } from "../../src/srs/progress";
import { latin1Bytes } from "../support/reliability-rig";

const ADMIN = 900, LECT = 8801, S1 = 8802, S2 = 8803, S3 = 8804, GROUP = -1008800;

export const TITLE = "<b>Evil</b> & *bold* [link](http://x) </blockquote>";
const DESCRIPTION = "Desc <i>x</i> &amp; _it_ </blockquote>";
const SOURCE = "<script>alert(1)</script> & Co";
const PUBLISHER = "Pub </blockquote> &amp;";
export const front = (i: number) => `Q${i} <b>bold</b> & *star* [l](http://x) </blockquote>?`;
export const back = (i: number) => `A${i} </blockquote><i>&amp;`;
export const quote = (i: number) => `<b>quote ${i}</b> </blockquote> &amp; *md* [link](http://x) <a href="javascript:alert(1)">x</a>`;
const NAMES = { [ADMIN]: "<b>Ada</b>", [LECT]: "<i>Carol</i> & co", [S1]: "<b>Al</b>ice & <script>", [S2]: "*Bob* [x](http://y)", [S3]: "&amp; </blockquote>" } as Record<number, string>;
const CLASS = "<b>Crim</b> & *co* </blockquote>";

export function evilDeck(): Deck {
  const deck = {
    id: "evil",
    title: TITLE,
    description: DESCRIPTION,
    language: "en",
    sources: [{ id: "src", title: SOURCE, publisher: PUBLISHER, year: 2026 }],
    cards: Array.from({ length: 6 }, (_, i) => ({
      id: `evil-c${i}`, front: front(i), back: back(i), source: "src", quote: quote(i),
      distractors: [`D${i}a <b>`, `D${i}b &amp;`, `D${i}c *x* [y](http://z)`],
    })),
  };
  const r = validateDeck(deck);
  if (!r.ok) throw new Error(`evil deck invalid: ${JSON.stringify(r.problems)}`);
  return r.deck;
}

describe("suite 4: HTML and Markdown in deck text and names", () => {
  it("every message is accepted by Telegram's HTML parser and shows the markup as text", async () => {
    const rig = createRig({
      decks: [evilDeck()],
      users: [ADMIN, LECT, S1, S2, S3].map((id) => ({ id, is_bot: false as const, first_name: NAMES[id]!, ...(id === LECT ? { last_name: "</blockquote>" } : {}), language_code: "en" })),
      groups: [{ id: GROUP, title: "Group <b>", members: [LECT, S1, S2, S3] }],
    });
    const post = async (u: unknown) => {
      rig.advance(1500);
      const res = await rig.post(u);
      expect(res.status).toBe(200);
    };
    const say = (uid: number, text: string, chat?: number) => post(rig.tg.sendText(uid, text, chat === undefined ? {} : { chatId: chat }));
    const bot = (chat: number) => rig.tg.messages(chat).filter((m) => m.from?.is_bot);
    const tap = async (uid: number, label: RegExp, chat = uid) => {
      const m = bot(chat).filter((x) => (x.reply_markup?.inline_keyboard ?? []).flat().some((b) => label.test(b.text))).at(-1);
      if (!m) throw new Error(`no ${label} button for ${uid}`);
      const b = m.reply_markup!.inline_keyboard.flat().find((x) => label.test(x.text)) as { callback_data: string };
      await post(rig.tg.pressButton(uid, chat, m.message_id, b.callback_data));
    };
    const answerAll = async (uid: number, chat = uid) => {
      for (let k = 0; k < 10; k++) {
        const open = rig.tg.messages(chat).filter((m) => m.poll && !m.poll.is_closed && !rig.tg.pollVotes(m.poll.id)[uid]).at(-1)?.poll;
        if (!open) return;
        await post(rig.tg.answerPoll(uid, open.id, [k % 2 ? open.correct_option_ids![0]! : (open.correct_option_ids![0]! + 1) % open.options.length]));
      }
    };
    /** What a person saw: the parsed text of every message the bot sent or edited in a chat, from Bot API call `from` on. */
    const seen = (chat: number, from = 0) =>
      rig.tg.calls
        .slice(from)
        .filter((c) => c.ok && (c.result as Message | undefined)?.chat?.id === chat)
        .map((c) => (c.result as Message).text ?? (c.result as Message).caption ?? "")
        .join("\n");

    // Welcome, catalogue, deck page, subscribe.
    for (const s of [S1, S2, S3]) await say(s, "/start");
    await say(S1, "/decks");
    await tap(S1, /Evil/);
    await tap(S1, /Subscribe/);
    // A review: fronts, backs with quote and source, the summary.
    await say(S1, "/review");
    for (let k = 0; k < 3; k++) {
      await tap(S1, /Show answer/);
      await tap(S1, /^Again/);
    }
    await tap(S1, /Stop/);
    // A quiz.
    await say(S1, "/quiz evil");
    await answerAll(S1);
    // /stats, with a leech (its front is listed).
    // Make a card a leech in its progress shard (lapses = 9).
    const shard = latin1Bytes(rig.memory!.data.get(progressKey(S1, "evil"))!.value);
    const ids = shardIds(shard.buffer as ArrayBuffer)!;
    const rows = new Int32Array(shard.buffer as ArrayBuffer, SHARD_HEADER_BYTES, ids.length * 11);
    rows[ids.indexOf("evil-c0") * 11 + 6] = 9;
    await rig.memory!.kv.put(progressKey(S1, "evil"), shard.buffer as ArrayBuffer);
    await say(S1, "/stats");

    // A class: creation, joins, a push, a review by each, the class report.
    await say(ADMIN, `/lecturer ${LECT}`);
    await say(LECT, `/newclass ${CLASS}`);
    const code = /join_([A-Za-z0-9_-]{12})/.exec(bot(LECT).at(-1)!.text!)![1]!;
    for (const s of [S1, S2, S3]) await say(s, `/join ${code}`);
    await say(LECT, `/push evil ${CLASS}`);
    await rig.drainQueue();
    for (const s of [S2, S3]) {
      await tap(s, /Start reviewing/);
      await tap(s, /Show answer/);
      await tap(s, /^Again/);
      await tap(s, /Stop/);
    }
    const reportFrom = rig.tg.calls.length;
    await say(LECT, `/classstats ${CLASS}`);
    await rig.drainQueue();
    // A group quiz, answered, and its results.
    await say(LECT, "/start");
    await say(LECT, "/quiz evil 2", GROUP);
    await answerAll(S1, GROUP);
    await say(LECT, "/quiz next", GROUP);
    await answerAll(S2, GROUP);
    rig.advance(61_000);
    await say(LECT, "/quiz stop", GROUP);
    // An upload whose title holds markup, and /mydecks.
    await post(rig.tg.uploadDocument(LECT, { fileName: "t.csv", bytes: "front,back\n<b>F</b> & *x*,</blockquote> [l](http://x)\n", caption: "id: up-deck\ntitle: <i>Up</i> & *co*" }));
    await say(LECT, "/mydecks");

    // 1. Telegram accepted every call (its HTML parser answers 400 "can't parse entities" otherwise).
    const failed = rig.tg.calls.filter((c) => !c.ok).map((c) => `${c.method}: ${c.error?.description}`);
    expect(failed).toEqual([]);
    const html = rig.tg.calls.filter((c) => c.params.parse_mode === "HTML");
    expect(html.length).toBeGreaterThan(30);

    // 2. The markup is text in what people see.
    const s1 = seen(S1);
    expect(s1).toContain(`Welcome to Lectern, ${NAMES[S1]}!`);
    expect(seen(S2)).toContain(`Welcome to Lectern, ${NAMES[S2]}!`);
    expect(seen(S3)).toContain(`Welcome to Lectern, ${NAMES[S3]}!`);
    for (const part of [TITLE, DESCRIPTION, SOURCE, PUBLISHER]) expect(s1, part).toContain(part); // catalogue, deck page
    for (let i = 0; i < 3; i++) {
      expect(s1).toContain(front(i)); // review fronts
      expect(s1).toContain(back(i)); // backs
    }
    // quotes (a review's blockquote), with the citation
    expect(s1).toContain(quote(0));
    expect(s1).toContain(`— ${SOURCE} (${PUBLISHER}, 2026)`);
    // polls: question, options and explanation are plain text
    const polls = rig.tg.messages(S1).filter((m) => m.poll).map((m) => m.poll!);
    expect(polls.length).toBeGreaterThan(0);
    for (const p of polls) {
      expect(p.question).toMatch(/<b>bold<\/b> & \*star\* \[l\]\(http:\/\/x\) <\/blockquote>\?$/);
      expect(p.question_entities ?? []).toEqual([]);
      expect(p.options.map((o) => o.text).some((t) => /^D\da <b>$/.test(t))).toBe(true);
      expect(p.options.map((o) => o.text).some((t) => /^A\d <\/blockquote><i>&amp;$/.test(t))).toBe(true);
      expect(p.explanation).toMatch(/<b>quote \d<\/b> <\/blockquote> &amp; \*md\* \[link\]\(http:\/\/x\)/);
      expect(p.explanation_entities ?? []).toEqual([]);
    }
    expect(s1).toMatch(/Quiz done/);
    expect(s1).toContain(`${TITLE} · 6 cards`); // /stats: the deck
    expect(s1).toMatch(/🩹 Leeches[\s\S]*1\. <b>Evil<\/b> & \*bold\*[^\n]*: Q0 <b>bold<\/b> & \*star\* \[l\]\(http:\/\/x\)[^\n]* — 9 lapses/); // the leech
    // class: creation (lecturer), joins, push notifications, push report, class report
    expect(seen(LECT)).toContain(`Class ${CLASS} created.`);
    for (const s of [S1, S2, S3]) {
      expect(seen(s)).toContain(`You joined ${CLASS}.`);
      // Students see the lecturer's first name only (never the last name).
      expect(seen(s)).toContain(`${NAMES[LECT]} shared a deck with ${CLASS}:`);
      expect(seen(s)).toContain(`📚 ${TITLE} — 6 cards`);
    }
    expect(seen(LECT)).toMatch(/Push report — evil → <b>Crim<\/b> & \*co\* <\/blockquote>/);
    const report = seen(LECT, reportFrom);
    expect(report).toContain(`${CLASS} — 3 students`);
    for (const s of [S1, S2, S3]) expect(report).toContain(`${NAMES[s]} — `);
    expect(report).toContain(`1. ${front(0).slice(0, 30)}`); // hardest cards: the fronts
    // group quiz: the announcement and the results (backs)
    const group = seen(GROUP);
    expect(group).toContain(`Quiz: ${TITLE}`);
    expect(group).toMatch(/1\. A\d <\/blockquote><i>&amp; — \d\/\d correct/);
    // upload and /mydecks
    expect(seen(LECT)).toContain("<i>Up</i> & *co*");

    // 3. No entity came from the injected markup: the bot's own entities are bold, italic,
    // blockquote, code and pre, and no link at all (the decks here have no source URL).
    const sent = rig.tg.calls.filter((c) => c.ok && (c.result as Message | undefined)?.text !== undefined).map((c) => c.result as Message);
    const types = new Set(sent.flatMap((m) => (m.entities ?? []).map((e) => e.type)));
    expect([...types].filter((t) => !["bold", "italic", "blockquote", "code", "pre"].includes(t))).toEqual([]);
    for (const m of sent) {
      for (const e of m.entities ?? []) {
        const inner = (m.text ?? "").slice(e.offset, e.offset + e.length);
        // what the bot made bold or italic is its own text, never the inside of an injected tag
        expect(inner, `${e.type} in ${JSON.stringify(m.text)}`).not.toMatch(/^(bold|x|Al|Evil|Crim|Carol|Up|F|quote \d|Ada)$/);
      }
    }
  });
});
