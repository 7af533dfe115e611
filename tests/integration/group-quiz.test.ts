/** Group quizzes: a lecturer's quiz in a group, members' answers feed their own schedules. */
import { recordWithProgress } from "../support/progress";
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createHarness, user } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { userKey, type UserDoc } from "../../src/store/users";
import { unpackCard } from "../../src/srs/card-state";

const ADMIN = 900, LECT = 9601, A = 9602, B = 9603, N = 9604, GROUP = -1009600;
const alpha = makeDeck("alpha", 30);

async function record(id: number) {
  return recordWithProgress(env.KV, id);
}

describe("group quiz", () => {
  it("posts polls, grades each member's own schedule once after the quiz, paces to 20 messages a minute, and sums up", async () => {
    const h = createHarness({
      users: [user(ADMIN), user(LECT, "Carol"), user(A, "Alice"), user(B, "Bob"), user(N, "Nina")],
      groups: [{ id: GROUP, title: "Class group", members: [ADMIN, LECT, A, B, N] }],
      decks: [alpha],
    });
    await h.send(A, "/start");
    await h.send(A, "/daily"); // a record with the bot (/start alone stores nothing)
    await h.send(B, "/daily");
    await h.send(A, "/quiz alpha", GROUP);
    expect(h.botMessages(GROUP)).toHaveLength(0); // not in the group…
    expect(h.lastBotMessage(A)!.text).toMatch(/Only a lecturer can run a group quiz/); // …but privately
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/start"); // so the bot may write to Carol privately
    await h.send(LECT, "/quiz alpha 20", GROUP);
    const polls = () => h.tg.messages(GROUP).filter((m) => m.poll);
    expect(polls()).toHaveLength(1);
    const p1 = polls()[0]!.poll!;
    expect(p1.type).toBe("quiz");
    expect(p1.is_anonymous).toBe(false);
    const right = p1.correct_option_ids![0]!;
    h.advance(3000);
    const aAnswer = h.tg.answerPoll(A, p1.id, [right]);
    await h.deliver(aAnswer);
    await h.deliver(aAnswer); // redelivered
    h.advance(1000);
    await h.deliver(h.tg.answerPoll(B, p1.id, [(right + 1) % 4]));
    await h.deliver(h.tg.answerPoll(N, p1.id, [right])); // never started the bot
    // Answers wait on the queue and in the quiz's sheet; each member's record holds only a mark.
    const marked = (await env.KV.get<UserDoc>(userKey(A), "json"))!;
    expect(marked.gq).toEqual([[GROUP, expect.any(Number), 0]]);
    expect(marked.decks).toEqual([]);
    expect(marked.pend).toBeUndefined();
    expect(await env.KV.get(userKey(N))).toBeNull();
    // A student cannot press the lecturer's buttons.
    const pollMsg = polls()[0]!;
    await h.press(A, GROUP, pollMsg.message_id, "G:n");
    expect(h.callbackTexts().at(-1)).toMatch(/Only a lecturer/);
    // The lecturer moves on quickly: after 20 messages in a minute the bot asks to wait.
    let refused = 0;
    for (let k = 0; k < 12; k++) {
      h.advance(1000);
      await h.send(LECT, "/quiz next", GROUP);
      if (/20 messages a minute/.test(h.lastBotMessage(LECT)!.text ?? "")) refused++;
    }
    expect(refused).toBeGreaterThan(0);
    const times = h.tg.calls.filter((c) => c.ok && c.params.chat_id === GROUP && ["sendMessage", "sendPoll", "stopPoll"].includes(c.method)).map((c) => c.at);
    for (let i = GROUP_LIMIT; i < times.length; i++) expect(times[i]! - times[i - GROUP_LIMIT]!, `message ${i}`).toBeGreaterThanOrEqual(60_000 - 0);
    h.advance(61_000);
    await h.send(LECT, "/quiz stop", GROUP);
    const summary = h.lastBotMessage(GROUP)!.text!;
    expect(summary).toMatch(/Quiz over — Deck alpha/);
    expect(summary).toMatch(/1\. Answer \d+ — 2\/3 correct/);
    await h.drainQueue();
    // Each member's next update applies their answers (and saves them with its own write).
    await h.send(A, "/daily");
    await h.send(B, "/daily");
    await h.send(N, "/help");
    const a = (await record(A))!;
    const cardId = Object.keys(a.progress.alpha ?? {})[0]!;
    expect(Object.keys(a.progress.alpha!)).toEqual([cardId]);
    expect(unpackCard(a.progress.alpha![cardId])).toMatchObject({ n: 1, reps: 1 });
    expect(a.decks.map(({ id, sub }) => ({ id, sub }))).toEqual([{ id: "alpha", sub: true }]);
    expect(a.gq).toEqual([[GROUP, expect.any(Number), 1]]);
    expect(unpackCard((await record(B))!.progress.alpha![cardId])).toMatchObject({ n: 0, lapses: 1 });
    expect(await env.KV.get(userKey(N))).toBeNull();
    await h.send(LECT, "/quiz stop", GROUP);
    expect(h.lastBotMessage(GROUP)!.text).toMatch(/No quiz is running/);
  });
});

const GROUP_LIMIT = 20;
