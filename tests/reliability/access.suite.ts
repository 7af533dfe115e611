/**
 * Suite 5 — access. A student calls every lecturer command (and group /quiz and its buttons); a
 * lecturer names another lecturer's class by its code; learners press buttons whose callback data
 * names another learner's session, another deck or another learner's /forget; the HTTP API is
 * called without a token, with malformed and wrong ones, with a revoked one, and with the token of a
 * lecturer whose role was taken away. Each time: nothing in KV changes (the namespace is compared
 * key by key before and after), no key of another learner is read, and the answer says why.
 */
import { describe, expect, it } from "vitest";
import { createRig, type Rig } from "../support/reliability-rig";
import { user } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { userKey } from "../../src/store/users";
import { facts, violations } from "./fuzz";
import { tally } from "./tally";

const ADMIN = 900, L1 = 9801, L2 = 9802, S1 = 9803, S2 = 9804, GROUP = -1009800;
const alpha = makeDeck("alpha", 8);
const beta = makeDeck("beta", 4);

async function world() {
  const rig = createRig({
    decks: [alpha, beta],
    users: [ADMIN, L1, L2, S1, S2].map((id) => ({ ...user(id, `P${id}`), started: true })),
    groups: [{ id: GROUP, title: "Class group", members: [L1, S1, S2] }],
  });
  const say = async (uid: number, text: string, chat?: number) => {
    rig.advance(1500);
    const res = await rig.post(rig.tg.sendText(uid, text, chat === undefined ? {} : { chatId: chat }));
    expect(res.status, text).toBe(200);
  };
  const last = (chat: number) => rig.tg.messages(chat).filter((m) => m.from?.is_bot).at(-1)!;
  await say(ADMIN, `/lecturer ${L1}`);
  await say(ADMIN, `/lecturer ${L2}`);
  await say(L1, "/newclass Crim");
  const code1 = /join_([A-Za-z0-9_-]{12})/.exec(last(L1).text!)![1]!;
  await say(L2, "/newclass Law");
  const code2 = /join_([A-Za-z0-9_-]{12})/.exec(last(L2).text!)![1]!;
  await say(S1, `/join ${code1}`);
  await say(S2, `/join ${code2}`);
  await say(L1, "/token");
  const token = /(lct_[A-Za-z0-9_-]{43})/.exec(last(L1).text!)![1]!;
  await say(L1, "/quiz alpha 3", GROUP);
  await say(S1, "/review alpha");
  return { rig, say, last, code1, code2, token };
}

/** Runs `act`, then checks that KV is unchanged and that no other learner's key was touched. */
async function unchanged(rig: Rig, sender: number | undefined, act: () => Promise<void>, text?: string) {
  const before = rig.dump();
  const f = facts(rig);
  const mark = rig.kv.touched.length;
  await act();
  expect(rig.dump()).toEqual(before);
  const v = violations(rig.kv.touched.slice(mark), { ...(sender !== undefined ? { sender } : {}), ...(text !== undefined ? { text } : {}) }, f, facts(rig), () => undefined);
  tally.crossUser += v.length;
  expect(v).toEqual([]);
}

describe("suite 5: access", () => {
  it("a student calling lecturer commands changes nothing and is told why", async () => {
    const { rig, say, last, code1 } = await world();
    const commands: [string, RegExp, number?][] = [
      ["/newclass Sneaky", /That is for lecturers/],
      ["/push alpha Crim", /That is for lecturers/],
      [`/push alpha ${code1}`, /That is for lecturers/],
      ["/classstats Crim", /That is for lecturers/],
      [`/classstats ${code1}`, /That is for lecturers/],
      [`/classexport ${code1}`, /That is for lecturers/],
      [`/removestudent ${code1} ${S1}`, /That is for lecturers/],
      [`/renameclass ${code1} = Mine`, /That is for lecturers/],
      [`/closeclass ${code1}`, /That is for lecturers/],
      ["/token", /That is for lecturers/],
      ["/token revoke", /That is for lecturers/],
      ["/mydecks", /That is for lecturers/],
      ["/publicdeck alpha on", /That is for lecturers/],
      ["/draft some text", /That is for lecturers/],
      [`/lecturer ${S2}`, /Only administrators/],
      [`/lecturer remove ${L1}`, /Only administrators/],
      ["/lecturer invite", /Only administrators/],
    ];
    for (const [text, why] of commands) {
      await unchanged(rig, S2, () => say(S2, text), text);
      expect(last(S2).text, text).toMatch(why);
    }
    // group /quiz and the group quiz's buttons
    await unchanged(rig, S2, () => say(S2, "/quiz beta", GROUP));
    expect(last(S2).text).toMatch(/Only a lecturer can run a group quiz/);
    await unchanged(rig, S2, () => say(S2, "/quiz stop", GROUP));
    const poll = rig.tg.messages(GROUP).filter((m) => m.poll).at(-1)!;
    for (const data of ["G:n", "G:x"]) {
      await unchanged(rig, S2, async () => {
        rig.advance(1500);
        expect((await rig.post(rig.tg.pressButton(S2, GROUP, poll.message_id, data))).status).toBe(200);
      });
      expect(rig.tg.callbackAnswers.at(-1)!.text).toMatch(/Only a lecturer can run a group quiz/);
    }
    // an upload
    await unchanged(rig, S2, async () => {
      rig.advance(1500);
      await rig.post(rig.tg.uploadDocument(S2, { fileName: "x.csv", bytes: "front,back\nQ,A\n", caption: "id: alpha" }));
    });
    expect(last(S2).text).toMatch(/Only lecturers can upload/);
  });

  it("a lecturer naming another lecturer's class by its code changes nothing and is told why", async () => {
    const { rig, say, last, code1 } = await world();
    for (const text of [`/push alpha ${code1}`, `/classstats ${code1}`, `/classexport ${code1}`, `/removestudent ${code1} ${S1}`, `/renameclass ${code1} = Mine`, `/closeclass ${code1}`]) {
      await unchanged(rig, L2, () => say(L2, text), text);
      expect(last(L2).text, text).toMatch(/You have no class called/);
    }
    // and a student of their own class who is not in it
    await unchanged(rig, L2, () => say(L2, `/removestudent Law ${S1}`), `/removestudent Law ${S1}`);
    expect(last(L2).text).toMatch(new RegExp(`${S1} is not in “Law”`));
    await rig.drainQueue();
    expect(rig.tg.messages(L2).some((m) => /Push report|Crim —/.test(m.text ?? ""))).toBe(false);
  });

  it("forged callback data (another learner's session, another deck, another learner's /forget) changes nothing", async () => {
    const { rig, last } = await world();
    const session = last(S1);
    const s1Buttons = session.reply_markup!.inline_keyboard.flat().map((b) => (b as { callback_data: string }).callback_data);
    // S2 presses S1's session buttons (on S2's own last message, as a modified client could).
    const target = last(S2);
    const forged: [string, RegExp][] = [
      ...s1Buttons.map((d): [string, RegExp] => [d, /not valid|session has ended|no longer available/]),
      [`F:y:${S1}:${Math.floor(rig.clock.now / 60_000).toString(36)}`, /belongs to someone else/],
      [`F:n:${S1}`, /belongs to someone else/],
      ["Lr:0:0:0000", /not in your decks|no longer matches/],
      ["Ls:0:0:0000", /not in your decks|no longer matches/],
      ["S:t:7", /not valid/],
      ["S:q:99", /not valid/],
      ["d:no-such-deck", /no longer exists/],
      ["s:no-such-deck", /no longer exists/],
      ["X:p", /That is for lecturers/],
    ];
    for (const [data, why] of forged) {
      await unchanged(rig, S2, async () => {
        rig.advance(1500);
        const n = rig.logs.length;
        const u = { update_id: 990_000 + n, callback_query: { id: `f${n}`, from: { id: S2, is_bot: false, first_name: "B" }, message: target, chat_instance: "ci", data } };
        expect((await rig.post(u)).status).toBe(200);
      });
      const answer = rig.tg.calls.filter((c) => c.method === "answerCallbackQuery").at(-1)!.params.text as string | undefined;
      expect(answer, data).toMatch(why);
    }
    // S2's record was never created by any of it; S1's is untouched (checked by `unchanged`).
    expect(rig.dump()[userKey(S2)]).toBeDefined(); // S2 joined a class in the setup
  });

  it("the HTTP API refuses a missing, malformed, wrong or revoked token and a former lecturer, and says why", async () => {
    const { rig, say, token } = await world();
    const body = "front,back\nQ1,A1\n";
    const cases: [string, { token?: string | null; authorization?: string }, number, RegExp][] = [
      ["no header", { token: null }, 401, /missing bearer token/],
      ["Basic", { authorization: "Basic dXNlcjpwYXNz" }, 401, /missing bearer token/],
      ["Bearer without token", { authorization: "Bearer" }, 401, /missing bearer token/],
      ["two tokens", { authorization: `Bearer ${token} ${token}` }, 401, /missing bearer token/],
      ["not a token", { token: "hunter2" }, 401, /invalid or revoked token/],
      ["wrong token", { token: `lct_${"A".repeat(43)}` }, 401, /invalid or revoked token/],
      ["token with a changed character", { token: token.slice(0, -1) + (token.endsWith("A") ? "B" : "A") }, 401, /invalid or revoked token/],
    ];
    for (const [name, auth, status, why] of cases) {
      for (const [method, path] of [["POST", "/decks?name=x.csv&id=api-deck"], ["GET", "/decks"], ["POST", "/draft?name=x.txt"]] as const) {
        await unchanged(rig, undefined, async () => {
          const res = await rig.api(path, { method, ...auth, ...(method === "POST" ? { body } : {}) });
          expect(res.status, `${name} ${method} ${path}`).toBe(status);
          expect(String(res.json.error), name).toMatch(why);
        });
      }
    }
    // The good token works…
    expect((await rig.api("/decks?name=x.csv&id=api-deck", { token, body })).status).toBe(201);
    // …until it is revoked.
    await say(L1, "/token revoke");
    await unchanged(rig, L1, async () => {
      const res = await rig.api("/decks?name=x.csv&id=api-deck-2", { token, body });
      expect(res.status).toBe(401);
      expect(String(res.json.error)).toMatch(/invalid or revoked token/);
    });
    // A new token of a lecturer whose role is then taken away.
    await say(L1, "/token");
    const second = /(lct_[A-Za-z0-9_-]{43})/.exec(rig.tg.messages(L1).filter((m) => m.from?.is_bot).at(-1)!.text!)![1]!;
    await say(ADMIN, `/lecturer remove ${L1}`);
    await unchanged(rig, L1, async () => {
      const res = await rig.api("/decks?name=x.csv&id=api-deck-3", { token: second, body });
      expect(res.status).toBe(403);
      expect(String(res.json.error)).toMatch(/no longer a lecturer/);
    });
  });
});
