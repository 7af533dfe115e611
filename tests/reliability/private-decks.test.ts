/**
 * Uploaded decks are private (issue "nothing anyone sends … can reach what isn't theirs"): a
 * stranger who knows — or guesses — an uploaded deck's id reads nothing of it through any entry
 * point, and is told exactly what an unknown id gets; the owner and the students of a class it was
 * pushed to can use it.
 */
import { describe, expect, it } from "vitest";
import { createHarness, freshUserId, user, type Harness } from "../support/harness";
import { makeDeck } from "../support/fixtures";

const ADMIN = 900;
const alpha = makeDeck("alpha", 4);
const SECRET_FRONT = "What is on the midterm";

async function upload(h: Harness, lect: number) {
  h.advance(1500);
  const csv = `front,back\n${SECRET_FRONT} 1?,Answer one\n${SECRET_FRONT} 2?,Answer two\n`;
  await h.deliver(h.tg.uploadDocument(lect, { fileName: "Midterm answers.csv", bytes: csv }));
  const report = h.lastBotMessage(lect)!.text!;
  expect(report).toMatch(/^✓ 2 cards accepted/);
  return /midterm-answers-[0-9a-z]{6}/.exec(report)![0];
}

describe("uploaded decks are private", () => {
  it("a file name makes an id with a random suffix; a stranger reaches nothing of the deck by any entry point", async () => {
    const lect = freshUserId(), stranger = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(stranger, "Eve")], decks: [alpha] });
    await h.send(ADMIN, `/lecturer ${lect}`);
    const id = await upload(h, lect);
    const seen = () => h.tg.calls.filter((c) => c.params.chat_id === stranger && JSON.stringify(c.params).includes("midterm")).map((c) => c.method);
    const unknown = (text: string) => expect(text, text).toMatch(/There is no deck|no longer exists/);

    for (const probe of [`/review ${id}`, `/quiz ${id}`, `/review midterm-answers`, `/start deck_${id}`]) {
      h.advance(1500);
      await h.send(stranger, probe);
      unknown(h.lastBotMessage(stranger)!.text!);
    }
    for (const data of [`d:${id}`, `s:${id}`, `R:${id}`, `Q:${id}`]) {
      h.advance(1500);
      await h.pressForged(stranger, stranger, 1, data);
      expect(h.tg.calls.filter((c) => c.params.chat_id === stranger && JSON.stringify(c.params).includes(SECRET_FRONT))).toEqual([]);
    }
    h.advance(1500);
    await h.send(stranger, "/export");
    // Documents go as multipart: their chat_id arrives as a string.
    expect(h.tg.calls.filter((c) => c.method === "sendDocument" && String(c.params.chat_id) === String(stranger))).toEqual([]);
    // Nothing the bot sent the stranger holds a card of the deck.
    expect(h.tg.calls.some((c) => c.params.chat_id === stranger && JSON.stringify(c.params).includes(SECRET_FRONT))).toBe(false);
    void seen;

    // The owner can review it; a student gets it through a push to their class.
    h.advance(1500);
    await h.send(lect, `/review ${id}`);
    expect(h.lastBotMessage(lect)!.text).toContain(SECRET_FRONT);
  });

  it("a student of a class the deck was pushed to can open, review and quiz it", async () => {
    const lect = freshUserId(), student = freshUserId();
    const h = createHarness({ users: [user(ADMIN), user(lect, "Carol"), user(student, "Sam")], decks: [alpha] });
    await h.send(ADMIN, `/lecturer ${lect}`);
    const id = await upload(h, lect);
    h.advance(1500);
    await h.send(lect, "/newclass Bio");
    const code = /start=join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
    h.advance(1500);
    await h.send(student, `/join ${code}`);
    h.advance(1500);
    await h.send(lect, `/push ${id} Bio`);
    await h.drainQueue();
    h.advance(1500);
    await h.send(student, `/start deck_${id}`);
    expect(h.lastBotMessage(student)!.text).toMatch(/Midterm answers/);
    h.advance(1500);
    await h.send(student, `/review ${id}`);
    expect(h.lastBotMessage(student)!.text).toContain(SECRET_FRONT);
  });
});
