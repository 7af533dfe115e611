/**
 * What students and lecturers see (issue 14): quiz explanations around the answer, cloze answers
 * shown once, choosing a timezone by button or shared location, deck ids and /push buttons for
 * lecturers, a lecturer's /start — all through the webhook.
 */
import { describe, expect, it } from "vitest";
import type { Update } from "grammy/types";
import { button, buttons, createHarness, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { validateDeck, isQuizCapable, type Deck } from "../../src/decks/schema";
import BUNDLED_DECKS from "../../src/decks/bundled-texts";
import { buildPoll } from "../../src/quiz/poll";
import { CITIES, ZONES, zoneForLocation } from "../../src/bot/zones";
import { parseTimezone } from "../../src/srs/days";

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

describe("choosing a timezone", () => {
  const alpha = makeDeck("alpha", 3);

  function locationUpdate(h: Harness, uid: number, latitude: number, longitude: number, updateId: number): Update {
    return {
      update_id: updateId,
      message: {
        message_id: 50_000 + (updateId % 10_000),
        date: Math.floor(h.clock.now / 1000),
        chat: { id: uid, type: "private", first_name: `User${uid}` },
        from: { id: uid, is_bot: false, first_name: `User${uid}` },
        location: { latitude, longitude },
      },
    } as Update;
  }

  it("every zone of the buttons and the city table is one the bot accepts", () => {
    for (const tz of [...ZONES.map((z) => z.tz), ...CITIES.map((c) => c[3])]) expect(parseTimezone(tz).ok, tz).toBe(true);
    for (const tz of ["+05:00", "-12:00", "+12:00", "UTC"]) expect(parseTimezone(tz).ok).toBe(true);
    expect(zoneForLocation(91, 0)).toBeNull();
    expect(zoneForLocation(Number.NaN, 0)).toBeNull();
  });

  it("🌍 Set my timezone offers common zones as buttons; one tap sets it (absolute, so a repeat changes nothing) and moves the daily quiz", async () => {
    const uid = 14_101;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/daily on");
    await h.send(uid, "/settings");
    let msg = h.lastBotMessage(uid)!;
    await h.press(uid, uid, msg.message_id, button(msg, "🌍 Set my timezone"));
    msg = h.lastBotMessage(uid)!;
    expect(msg.text).toContain("Your timezone");
    const zones = buttons(msg).filter(([, d]) => d.startsWith("S:z:"));
    expect(zones.length).toBeGreaterThanOrEqual(20);
    for (const [, d] of zones) expect(d).toMatch(/^S:z:\d{1,2}$/);
    expect(buttons(msg).map(([t]) => t)).toContain("📍 Share my location");

    const tokyo = button(msg, /^Tokyo · \d\d:\d\d$/);
    // 09:00 UTC is 18:00 in Tokyo: the label shows the time there now.
    expect(buttons(msg).find(([, d]) => d === tokyo)![0]).toBe("Tokyo · 18:00");
    await h.press(uid, uid, msg.message_id, tokyo);
    msg = h.lastBotMessage(uid)!;
    expect(msg.text).toContain("Timezone: Asia/Tokyo (it is 18:00 there now)");
    expect(h.callbackTexts().at(-1)).toBe("Timezone: Tokyo ✓");
    // The daily quiz at 19:00 (the default) Tokyo time is the 10:00 UTC slot now.
    expect(await h.env.KV.get(`v1:slot:1000:${uid}`)).toBe("1");
    expect(await h.env.KV.get(`v1:slot:1900:${uid}`)).toBeNull();

    const writes = h.kv.total.writes;
    await h.deliver(h.forgeCallback(uid, uid, msg.message_id, tokyo)); // an old picker pressed again
    expect(h.callbackTexts().at(-1)).toBe("Already set ✓");
    expect(h.kv.total.writes).toBe(writes);

    for (const bad of ["S:z:99", "S:z:x", "S:z:-1"]) {
      expect((await h.pressForged(uid, uid, msg.message_id, bad)).status).toBe(200);
      expect(h.callbackTexts().at(-1)).toBe("That button is not valid.");
    }
    expect(h.kv.total.writes).toBe(writes);
  });

  it("accepts a shared location: the zone of the nearest known city, the reply keyboard removed, the location not stored", async () => {
    const uid = 14_102;
    const h = createHarness({ users: [user(uid)], decks: [alpha] });
    await h.send(uid, "/settings tz");
    let msg = h.lastBotMessage(uid)!;
    await h.press(uid, uid, msg.message_id, button(msg, "📍 Share my location"));
    const ask = h.tg.calls.filter((c) => c.method === "sendMessage").at(-1)!.params;
    const markup = typeof ask.reply_markup === "string" ? JSON.parse(ask.reply_markup) : ask.reply_markup;
    expect(markup.keyboard[0][0]).toEqual({ text: "📍 Share my location", request_location: true });

    await h.deliver(locationUpdate(h, uid, 38.7, -9.2, 777_001)); // near Lisbon (UTC+0, not Madrid's UTC+1)
    msg = h.lastBotMessage(uid)!;
    expect(msg.text).toMatch(/Timezone set to Europe\/Lisbon — it is 09:00 there now \(the nearest city I know is Lisbon, \d+ km away\)/);
    const reply = h.tg.calls.filter((c) => c.method === "sendMessage").at(-1)!.params;
    const removed = typeof reply.reply_markup === "string" ? JSON.parse(reply.reply_markup) : reply.reply_markup;
    expect(removed).toEqual({ remove_keyboard: true });
    const stored = (await h.env.KV.get(`v2:user:${uid}`))!;
    expect(JSON.parse(stored).tz).toBe("Europe/Lisbon");
    expect(stored).not.toMatch(/38\.7|-9\.2/);

    await h.deliver(locationUpdate(h, uid, -33.9, 151.2, 777_002)); // Sydney
    expect(h.lastBotMessage(uid)!.text).toContain("Australia/Sydney");
    await h.deliver(locationUpdate(h, uid, -48.9, -123.4, 777_003)); // open sea, far from every city: the longitude's offset
    expect(h.lastBotMessage(uid)!.text).toMatch(/Timezone set to -08:00 .*used your longitude's offset/);

    // A client that cannot share a location sends the button's label as text.
    await h.send(uid, "📍 Share my location");
    expect(h.lastBotMessage(uid)!.text).toContain("Your location did not come through");
  });
});

describe("lecturers find deck ids, push with buttons and see their tools", () => {
  const ADMIN = 900;
  const alpha = makeDeck("alpha", 4, { title: "Alpha facts" });
  const beta = makeDeck("beta", 3, { title: "Beta facts" });

  it("/decks and a deck's page show the id to a lecturer, not to a student", async () => {
    const LECT = 14_201, STUDENT = 14_202;
    const h = createHarness({ users: [user(ADMIN), user(LECT), user(STUDENT)], decks: [alpha, beta] });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/decks");
    let msg = h.lastBotMessage(LECT)!;
    expect(msg.text).toContain("Alpha facts — 4 cards · alpha");
    expect(msg.text).toContain("Beta facts — 3 cards · beta");
    await h.press(LECT, LECT, msg.message_id, button(msg, "Alpha facts"));
    msg = h.lastBotMessage(LECT)!;
    expect(msg.text).toContain("Deck id: alpha — send it to a class with /push alpha <class>");
    expect(buttons(msg).map(([t]) => t)).toContain("📣 Push to a class");

    await h.send(STUDENT, "/decks");
    msg = h.lastBotMessage(STUDENT)!;
    expect(msg.text).toContain("Alpha facts — 4 cards");
    expect(msg.text).not.toContain("· alpha");
    await h.press(STUDENT, STUDENT, msg.message_id, button(msg, "Alpha facts"));
    expect(h.lastBotMessage(STUDENT)!.text).not.toContain("Deck id");
  });

  it("/push with no arguments offers the decks, then the classes; the push reaches the class once, however often the button is pressed", async () => {
    const LECT = 14_211, S1 = 14_212, S2 = 14_213, STRANGER = 14_214;
    const h = createHarness({ users: [user(ADMIN), user(LECT), user(S1), user(S2), user(STRANGER)], decks: [alpha, beta] });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/push");
    expect(h.lastBotMessage(LECT)!.text).toContain("You have no open class to push to");
    await h.send(LECT, "/newclass Criminology 101");
    const code = /join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(LECT)!.text!)![1]!;
    h.advance(1500);
    await h.send(LECT, "/newclass Evening group");
    for (const s of [S1, S2]) await h.send(s, `/join ${code}`);

    h.advance(1500);
    await h.send(LECT, "/push");
    let msg = h.lastBotMessage(LECT)!;
    expect(msg.text).toContain("step 1 of 2: which deck?");
    expect(buttons(msg)).toEqual([["Alpha facts", "P:alpha"], ["Beta facts", "P:beta"]]);
    await h.press(LECT, LECT, msg.message_id, "P:beta");
    msg = h.lastBotMessage(LECT)!;
    expect(msg.text).toContain("Push “Beta facts” (beta) — step 2 of 2: to which class?");
    expect(buttons(msg)).toEqual([["Criminology 101", `P:beta:${code}`], ["Evening group", expect.stringMatching(/^P:beta:[A-Za-z0-9_-]{12}$/)], ["« Decks", "P"]]);

    // A student pressing (forging) the lecturer's buttons is refused.
    await h.pressForged(STRANGER, STRANGER, msg.message_id, `P:beta:${code}`);
    expect(h.callbackTexts().at(-1)).toMatch(/That is for lecturers/);

    const pickerId = msg.message_id;
    const update = h.tg.pressButton(LECT, LECT, pickerId, `P:beta:${code}`);
    await h.deliver(update);
    expect(h.lastBotMessage(LECT)!.text).toContain("Sending “Beta facts” to every student of “Criminology 101”");
    h.advance(1500);
    await h.deliver({ ...update, update_id: update.update_id + 500_000 }); // a double tap: another update, same button
    await h.drainQueue();
    for (const s of [S1, S2]) {
      const notes = h.tg.calls.filter((c) => c.method === "sendMessage" && c.ok && c.params.chat_id === s && /shared a deck/.test(String(c.params.text)));
      expect(notes, `student ${s}`).toHaveLength(1);
    }
    expect(h.lastBotMessage(LECT)!.text).toMatch(/2 of 2 students notified/);

    for (const bad of ["P:", "P:Beta", "P:beta:short", `P:beta:${code}x`, "P:nosuchdeck"]) {
      expect((await h.pressForged(LECT, LECT, pickerId, bad)).status).toBe(200);
    }
    expect(h.callbackTexts().slice(-5)).toEqual(["That button is not valid.", "That button is not valid.", "That button is not valid.", "That button is not valid.", "You have no such deck."]);
  });

  it("a lecturer's /start shows the lecturer's tools; a student's does not", async () => {
    const LECT = 14_221, STUDENT = 14_222;
    const h = createHarness({ users: [user(ADMIN), user(LECT), user(STUDENT)], decks: [alpha] });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/start");
    let msg = h.lastBotMessage(LECT)!;
    expect(msg.text).toContain("Welcome to Lectern");
    expect(msg.text).toContain("Your lecturer tools");
    expect(msg.text).toMatch(/\/newclass <name>/);
    expect(buttons(msg).map(([t]) => t)).toContain("📣 Push a deck to a class");
    await h.send(STUDENT, "/start");
    msg = h.lastBotMessage(STUDENT)!;
    expect(msg.text).toContain("Welcome to Lectern");
    expect(msg.text).not.toContain("lecturer tools");
    expect(buttons(msg).map(([t]) => t)).not.toContain("📣 Push a deck to a class");
    // After the role is taken away, /start is the student's again (the role is read from storage).
    await h.send(ADMIN, `/lecturer remove ${LECT}`);
    await h.send(LECT, "/start");
    expect(h.lastBotMessage(LECT)!.text).not.toContain("lecturer tools");
  });
});
