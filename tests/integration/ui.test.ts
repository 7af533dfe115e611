/**
 * What students and lecturers see (issue 14): quiz explanations around the answer, cloze answers
 * shown once, choosing a timezone by button or shared location, deck ids and /push buttons for
 * lecturers, a lecturer's /start — all through the webhook.
 */
import { describe, expect, it } from "vitest";
import { button, buttons, createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { validateDeck, isQuizCapable, type Deck } from "../../src/decks/schema";
import { BUNDLED_DECKS } from "../../src/decks/bundled";
import { buildPoll } from "../../src/quiz/poll";

/** The comparison a reader makes: case, spacing and curly quotes aside. */
const fold = (s: string) => s.replace(/\s+/g, " ").replace(/[\u2018\u2019]/g, "'").replace(/[\u201C\u201D]/g, '"').toLowerCase();

function deck(d: unknown): Deck {
  const r = validateDeck(d);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.deck;
}

const filler = "The report also reviews national legislation, institutional arrangements and the training of practitioners in many regions of the world. ";
const longQuote = deck({
  id: "longq",
  title: "Long quotes",
  description: "Answers late in long quotes.",
  language: "en",
  sources: [{ id: "s", title: "A report", publisher: "United Nations Office on Drugs and Crime (UNODC)", year: 2012 }],
  cards: [
    {
      id: "late",
      front: "Which body adopted the Convention?",
      back: "The General Assembly",
      quote: `${filler}${filler}In 2000, the Convention and its Protocols were adopted by the General Assembly and entered into force at the end of 2003.`,
      source: "s",
      distractors: ["The Security Council", "The Economic and Social Council", "The Human Rights Council"],
    },
  ],
});

const cloze = deck({
  id: "clozed",
  title: "Cloze cards",
  description: "Cloze cards with and without their own sentence as the quote.",
  language: "en",
  sources: [{ id: "s", title: "A report", publisher: "UNODC", year: 2012 }],
  cards: [
    {
      id: "own",
      front: "The Convention was adopted by the {{c1::General Assembly}} in 2000.",
      back: "General Assembly",
      quote: "The Convention was adopted by the General Assembly in 2000.",
      source: "s",
    },
    {
      id: "wider",
      front: "The Protocols entered into force at the end of {{c1::2003}}.",
      back: "2003",
      quote: "Adopted in 2000, the Protocols entered into force at the end of 2003 once forty States had ratified them.",
      source: "s",
    },
  ],
});

function occurrences(text: string, part: string): number {
  return fold(text).split(fold(part)).length - 1;
}

async function showAnswer(h: Harness, uid: number): Promise<string> {
  h.advance(1500);
  const msg = h.lastBotMessage(uid)!;
  await h.press(uid, uid, msg.message_id, button(msg, "👀 Show answer"));
  return h.lastBotMessage(uid)!.text!;
}

describe("quiz explanations show the part of the quote that holds the answer", () => {
  it("on every bundled deck: each poll whose quote contains the answer shows it, within 200 characters", () => {
    let holds = 0;
    const missing: string[] = [];
    for (const d of BUNDLED_DECKS) {
      for (const c of d.cards) {
        if (!isQuizCapable(c)) continue;
        const p = buildPoll(d, c, `seed:${c.id}`);
        expect(p.explanation.length, c.id).toBeLessThanOrEqual(200);
        if (!c.quote || !fold(c.quote).includes(fold(c.back))) continue;
        holds++;
        if (!fold(p.explanation).includes(fold(c.back))) missing.push(`${c.id}: ${p.explanation}`);
      }
    }
    console.log(`[explanations] ${holds} bundled quiz cards have the answer in their quote; ${holds - missing.length} explanations show it`);
    expect(holds).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it("through the webhook: the poll's explanation reaches an answer that stands late in a long quote, with … where cut", async () => {
    const uid = 14_001;
    const h = createHarness({ users: [user(uid)], decks: [longQuote] });
    await h.send(uid, "/quiz longq");
    const poll = h.tg.calls.find((c) => c.method === "sendPoll")!.params;
    const explanation = poll.explanation as string;
    expect(explanation.length).toBeLessThanOrEqual(200);
    expect(explanation).toContain("adopted by the General Assembly");
    expect(explanation.startsWith("“…")).toBe(true); // cut before
    expect(explanation).toMatch(/— UNODC, 2012$/);
    expect(explanation).not.toContain("The report also reviews national legislation, institutional arrangements and the training");
  });
});

describe("a cloze card after Show answer shows its sentence once", () => {
  it("the sentence as the question, the gap's answer in bold, the quote only when it says more", async () => {
    const uid = 14_002;
    const h = createHarness({ users: [user(uid)], decks: [cloze] });
    await h.send(uid, "/review clozed");
    let text = await showAnswer(h, uid);
    expect(text).toContain("The Convention was adopted by the […] in 2000.");
    expect(occurrences(text, "The Convention was adopted by the")).toBe(1);
    expect(occurrences(text, "General Assembly")).toBe(1); // the answer, once
    expect(text).toContain("A report"); // the citation stays
    const html = h.tg.calls.filter((c) => c.method === "editMessageText").at(-1)!.params.text as string;
    expect(html).toContain("<b>General Assembly</b>");

    h.advance(1500);
    let msg = h.lastBotMessage(uid)!;
    await h.press(uid, uid, msg.message_id, button(msg, /^Good ·/));
    text = await showAnswer(h, uid);
    // The quote holds more than the sentence (context), so it stays — the answer in it, and once in bold.
    expect(occurrences(text, "entered into force at the end of")).toBe(2);
    expect(text).toContain("once forty States had ratified them");
    expect(occurrences(text, "2003")).toBe(2);
    msg = h.lastBotMessage(uid)!;
    expect(buttons(msg).map(([t]) => t)).toContain("⏹ Stop");
  });
});
