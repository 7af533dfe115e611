/** The walking skeleton through the webhook: secret, /start, /help, unknown updates, errors. */
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { button, buttons, createHarness, user } from "../support/harness";

const ALICE = 1001, BOB = 1002;
const users = () => [user(ALICE, "Alice"), user(BOB, "Bob")];

describe("webhook secret", () => {
  it("401 without the secret header: no KV access, no Bot API call", async () => {
    const h = createHarness({ users: users() });
    const update = h.tg.sendText(ALICE, "/start");
    const res = await h.post(update, null);
    expect(res.status).toBe(401);
    expect(h.kv.total).toEqual({ reads: 0, writes: 0, deletes: 0, lists: 0 });
    expect(h.tg.calls).toHaveLength(0);
  });

  it("401 with a wrong secret: no KV access, no Bot API call", async () => {
    const h = createHarness({ users: users() });
    const res = await h.post(h.tg.sendText(ALICE, "/start"), "wrong-secret");
    expect(res.status).toBe(401);
    expect(h.kv.total).toEqual({ reads: 0, writes: 0, deletes: 0, lists: 0 });
    expect(h.tg.calls).toHaveLength(0);
  });

  it("the deployed entry (SELF) refuses a wrong secret and serves /healthz", async () => {
    const res = await SELF.fetch("https://lectern.test/telegram/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "nope" },
      body: JSON.stringify({ update_id: 1, message: { message_id: 1, date: 0, chat: { id: 1, type: "private" }, text: "/start" } }),
    });
    expect(res.status).toBe(401);
    const health = await SELF.fetch("https://lectern.test/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ name: "lectern", version: expect.any(String) });
  });
});

describe("a button's answer rides in the webhook response", () => {
  it("the response body is the answerCallbackQuery call as Telegram reads it (a JSON object, not a string), and no Bot API call is made for it", async () => {
    const h = createHarness({ users: users() });
    await h.send(ALICE, "/start");
    const msg = h.lastBotMessage(ALICE)!;
    const help = button(msg, "❓ Help")!;
    // Data no feature knows, so SELF (whose Bot API is unreachable here) makes no other call.
    const real = h.tg.pressButton(ALICE, ALICE, msg.message_id, help);
    const update = { ...real, callback_query: { ...real.callback_query!, data: "zz" } };
    const before = h.tg.calls.length;
    const res = await SELF.fetch("https://lectern.test/telegram/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "test-secret" },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = JSON.parse(await res.text()) as unknown;
    expect(body).toMatchObject({ method: "answerCallbackQuery", callback_query_id: update.callback_query.id, text: expect.stringMatching(/no longer active/) });
    expect(h.tg.calls.length).toBe(before); // SELF has its own Bot API transport: nothing reached the stand-in
    // Through the harness, the stand-in runs it as Telegram would: the press is answered once.
    await h.press(ALICE, ALICE, msg.message_id, help);
    expect(h.tg.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
    expect(h.lastBotMessage(ALICE)!.text).toMatch(/\/review/);
  });
});

describe("/start and /help", () => {
  it("/start answers the sender's chat with a welcome that says what to do next", async () => {
    const h = createHarness({ users: users() });
    await h.send(ALICE, "/start");
    const sends = h.tg.calls.filter((c) => c.method === "sendMessage");
    expect(sends).toHaveLength(1);
    expect(sends[0]!.params.chat_id).toBe(ALICE);
    const reply = h.lastBotMessage(ALICE)!;
    expect(reply.text).toContain("Welcome to Lectern, Alice");
    expect(reply.text).toMatch(/\/decks/);
    expect(reply.text).toMatch(/\/review/);
    expect(buttons(reply).map(([t]) => t)).toEqual(expect.arrayContaining(["📚 Browse decks", "❓ Help"]));
    expect(h.botMessages(BOB)).toHaveLength(0);
  });

  it("/start with a deep-link payload it does not know still welcomes, without crashing", async () => {
    const h = createHarness({ users: users() });
    await h.send(BOB, "/start some_unknown-payload");
    expect(h.lastBotMessage(BOB)!.text).toMatch(/Welcome to Lectern, Bob[\s\S]*not one I know/);
    await h.send(BOB, "/start " + "x".repeat(200));
    expect(h.botMessages(BOB)).toHaveLength(2);
  });

  it("escapes the user's name", async () => {
    const h = createHarness({ users: [user(ALICE, "<b>Eve</b> & co")] });
    await h.send(ALICE, "/start");
    expect(h.lastBotMessage(ALICE)!.text).toContain("Welcome to Lectern, <b>Eve</b> & co!");
  });

  it("/help lists the commands; the Help button does too", async () => {
    const h = createHarness({ users: users() });
    await h.send(ALICE, "/help");
    const help = h.lastBotMessage(ALICE)!;
    for (const cmd of ["/decks", "/review", "/quiz", "/stats", "/settings", "/forget"]) expect(help.text).toContain(cmd);
    await h.send(ALICE, "/start");
    const welcome = h.lastBotMessage(ALICE)!;
    await h.press(ALICE, ALICE, welcome.message_id, button(welcome, "❓ Help"));
    expect(h.tg.callbackAnswers.at(-1)).toBeDefined();
    expect(h.lastBotMessage(ALICE)!.text).toContain("Lectern — commands");
  });
});

describe("updates the bot does not handle", () => {
  it("answers 200 to an unknown update type and to a message type it ignores", async () => {
    const h = createHarness({ users: users() });
    const res = await h.post({ update_id: 77, some_future_update: { foo: 1 } });
    expect(res.status).toBe(200);
    const sticker = await h.post({
      update_id: 78,
      message: { message_id: 5, date: 1, chat: { id: ALICE, type: "private" }, from: { id: ALICE, is_bot: false, first_name: "A" }, sticker: { file_id: "x" } },
    });
    expect(sticker.status).toBe(200);
    expect(h.logs.filter((l) => l.t === "update" && l.outcome === "unhandled").length).toBeGreaterThanOrEqual(2);
  });

  it("answers 200 to a body that is not an update at all", async () => {
    const h = createHarness({ users: users() });
    expect((await h.post("not json")).status).toBe(200);
    expect((await h.post({ hello: "world" })).status).toBe(200);
  });

  it("an unknown command gets a pointer to /help", async () => {
    const h = createHarness({ users: users() });
    await h.send(ALICE, "/frobnicate");
    expect(h.lastBotMessage(ALICE)!.text).toMatch(/don't know that command.*\/help/);
  });
});

describe("errors in handlers", () => {
  it("a handler that throws is answered 200 and logged, and the user is told", async () => {
    const h = createHarness({ users: users() });
    h.tg.failNext("sendMessage", { error_code: 400, description: "Bad Request: injected" });
    const res = await h.post(h.tg.sendText(ALICE, "/help"));
    expect(res.status).toBe(200);
    const err = h.logs.find((l) => l.t === "error");
    expect(err).toMatchObject({ error: expect.stringContaining("injected") });
    expect(h.logs.find((l) => l.t === "update")).toMatchObject({ outcome: "error", type: "message" });
    expect(h.lastBotMessage(ALICE)!.text).toMatch(/went wrong/);
  });

  it("logs one JSON line per update with id, type, a user hash, outcome and duration — no names or text", async () => {
    const h = createHarness({ users: users() });
    const u = h.tg.sendText(ALICE, "/start secret words");
    await h.deliver(u);
    const lines = h.logs.filter((l) => l.t === "update");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({ t: "update", id: u.update_id, type: "message", user: expect.stringMatching(/^[0-9a-f]{12}$/), outcome: "ok", feature: "start", ms: expect.any(Number) });
    const all = JSON.stringify(h.logs);
    expect(all).not.toContain("Alice");
    expect(all).not.toContain("secret words");
    expect(all).not.toContain(String(ALICE));
  });
});
