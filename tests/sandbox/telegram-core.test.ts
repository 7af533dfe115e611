// Unit tests of the sandbox's Telegram stand-in (sandbox/telegram-core.mjs).
import { Bot, GrammyError, InlineKeyboard, InputFile } from "grammy";
import { describe, expect, it } from "vitest";
import {
  ALICE,
  BOB,
  CAROL,
  CLASS_GROUP,
  SANDBOX_BOT_INFO,
  SANDBOX_GROUPS,
  SANDBOX_TOKEN,
  SANDBOX_USERS,
} from "../../sandbox/config.mjs";
import { createTelegram, parseHtml, type Telegram } from "../../sandbox/telegram-core.mjs";

const API = "http://telegram.test";
const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

function setup(opts: { now?: () => number } = {}) {
  const tg = createTelegram({
    token: SANDBOX_TOKEN,
    botInfo: { ...SANDBOX_BOT_INFO },
    users: SANDBOX_USERS.map((u) => ({ ...u })),
    groups: SANDBOX_GROUPS.map((g) => ({ ...g, members: [...g.members] })),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const bot = new Bot(SANDBOX_TOKEN, {
    botInfo: { ...SANDBOX_BOT_INFO },
    client: { apiRoot: API, fetch: tg.fetch as never },
  });
  return { tg, bot };
}

/** Calls through the fetch handler with a JSON body, as a plain HTTP client would. */
async function call(tg: Telegram, method: string, params: Record<string, unknown> = {}) {
  const res = await tg.fetch(`${API}/bot${SANDBOX_TOKEN}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as any };
}

function started(tg: Telegram, ...users: number[]) {
  for (const u of users) tg.sendText(u, "/start");
  tg.takeUpdates();
}

describe("HTML parse mode", () => {
  it("accepts every tag Telegram allows and returns text + entities", () => {
    const { text, entities } = parseHtml(
      '<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>' +
        '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><a href="https://example.com/x?a=1&amp;b=2">l</a>' +
        '<code>c</code><pre>pre</pre><pre><code class="language-python">py</code></pre><blockquote>bq</blockquote>' +
        '<blockquote expandable>ex</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    );
    expect(text).toBe("bsieunskdpqlcprepybqex👍");
    const types = entities.map((e) => e.type);
    expect(types).toEqual([
      "bold",
      "bold",
      "italic",
      "italic",
      "underline",
      "underline",
      "strikethrough",
      "strikethrough",
      "strikethrough",
      "spoiler",
      "spoiler",
      "text_link",
      "code",
      "pre",
      "pre",
      "blockquote",
      "expandable_blockquote",
      "custom_emoji",
    ]);
    expect(entities.find((e) => e.type === "text_link")).toMatchObject({ url: "https://example.com/x?a=1&b=2" });
    expect(entities.filter((e) => e.type === "pre")[1]).toMatchObject({ language: "python", offset: 16, length: 2 });
  });

  it("decodes &lt; &gt; &amp; &quot; and numeric entities; keeps unknown named ones literally", () => {
    expect(parseHtml("&lt;a&gt; &amp; &quot;q&quot; &#65;&#x42; &nbsp; AT&T").text).toBe('<a> & "q" AB &nbsp; AT&T');
  });

  it("counts offsets in UTF-16 code units, like the Bot API", () => {
    const { entities } = parseHtml("😀 <b>ok</b> é <i>x</i>");
    expect(entities).toEqual([
      { type: "bold", offset: 3, length: 2 },
      { type: "italic", offset: 8, length: 1 },
    ]);
  });

  it("nests entities and orders them like Telegram", () => {
    expect(parseHtml("<b>bold <i>both</i></b>").entities).toEqual([
      { type: "bold", offset: 0, length: 9 },
      { type: "italic", offset: 5, length: 4 },
    ]);
  });

  it.each([
    ["<br>", 'Unsupported start tag "br" at byte offset 0'],
    ["<p>x</p>", 'Unsupported start tag "p" at byte offset 0'],
    ["1 < 2", 'Unsupported start tag "" at byte offset 2'],
    ["<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'],
    ["<b>x", "Can't find end tag corresponding to start tag b"],
    ["x</b>", "Unexpected end tag at byte offset 1"],
    ["<b", "Unclosed start tag at byte offset 0"],
    ['<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ['<a href="x>y</a>', "Unclosed start tag at byte offset 0"],
    ["<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'],
    ['<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"],
  ])("rejects %j", async (html, reason) => {
    const { tg } = setup();
    started(tg, ALICE);
    const res = tg.handle("sendMessage", { chat_id: ALICE, text: html, parse_mode: "HTML" });
    expect(res).toEqual({ ok: false, error_code: 400, description: `Bad Request: can't parse entities: ${reason}` });
    expect(tg.messages(ALICE).filter((m) => m.from?.is_bot)).toHaveLength(0);
  });

  it("stores the parsed text and entities, and keeps the raw HTML for the page", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE);
    const html = "  <b>Deck</b> &lt;Spanish&gt;\n";
    const sent = await bot.api.sendMessage(ALICE, html, { parse_mode: "HTML" });
    expect(sent.text).toBe("Deck <Spanish>");
    expect(sent.entities).toEqual([{ type: "bold", offset: 0, length: 4 }]);
    expect(tg.message(ALICE, sent.message_id)?.text).toBe("Deck <Spanish>");
    expect(tg.messageSource(ALICE, sent.message_id)).toEqual({ html, parseMode: "HTML" });
  });

  it("measures the 4096 limit after entity parsing", () => {
    const { tg } = setup();
    started(tg, ALICE);
    const inner = "x".repeat(4096);
    expect(tg.handle("sendMessage", { chat_id: ALICE, text: `<b>${inner}</b>`, parse_mode: "HTML" }).ok).toBe(true);
    expect(tg.handle("sendMessage", { chat_id: ALICE, text: `<b>${inner}x</b>`, parse_mode: "HTML" })).toMatchObject({
      ok: false,
      description: "Bad Request: message is too long",
    });
    expect(tg.handle("sendMessage", { chat_id: ALICE, text: "<b> </b>", parse_mode: "HTML" })).toMatchObject({
      ok: false,
      description: "Bad Request: message text is empty",
    });
  });
});

describe("messages, edits and keyboards", () => {
  it("answers 'message is not modified' for an identical edit, and edits otherwise", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE);
    const kb = new InlineKeyboard().text("Next", "next");
    const m = await bot.api.sendMessage(ALICE, "<b>Card 1</b>", { parse_mode: "HTML", reply_markup: kb });
    const same = bot.api.editMessageText(ALICE, m.message_id, "<b>Card 1</b>", { parse_mode: "HTML", reply_markup: kb });
    await expect(same).rejects.toMatchObject({ error_code: 400, description: NOT_MODIFIED });
    // Same text and markup written differently (entities instead of HTML) is still "not modified".
    await expect(
      bot.api.editMessageText(ALICE, m.message_id, "Card 1", {
        entities: [{ type: "bold", offset: 0, length: 6 }],
        reply_markup: kb,
      }),
    ).rejects.toMatchObject({ description: NOT_MODIFIED });

    const edited = await bot.api.editMessageText(ALICE, m.message_id, "<b>Card 1</b>", { parse_mode: "HTML" });
    expect(edited).toMatchObject({ text: "Card 1", edit_date: expect.any(Number) });
    // Telegram drops the keyboard when an edit does not repeat it.
    expect(tg.message(ALICE, m.message_id)?.reply_markup).toBeUndefined();

    await expect(bot.api.editMessageText(ALICE, 999, "x")).rejects.toMatchObject({
      description: "Bad Request: message to edit not found",
    });
    await expect(bot.api.editMessageReplyMarkup(ALICE, m.message_id)).rejects.toMatchObject({ description: NOT_MODIFIED });
    const withKb = await bot.api.editMessageReplyMarkup(ALICE, m.message_id, { reply_markup: kb });
    expect(withKb).toMatchObject({ reply_markup: { inline_keyboard: [[{ text: "Next", callback_data: "next" }]] } });
  });

  it("limits callback_data to 1-64 bytes of UTF-8, not characters", () => {
    const { tg } = setup();
    started(tg, ALICE);
    const send = (data: string) =>
      tg.handle("sendMessage", { chat_id: ALICE, text: "x", reply_markup: { inline_keyboard: [[{ text: "b", callback_data: data }]] } });
    expect(send("a".repeat(64)).ok).toBe(true);
    expect(send("é".repeat(32)).ok).toBe(true); // 64 bytes
    expect(send("é".repeat(33))).toEqual({ ok: false, error_code: 400, description: "Bad Request: BUTTON_DATA_INVALID" });
    expect(send("a".repeat(65))).toMatchObject({ description: "Bad Request: BUTTON_DATA_INVALID" });
    expect(send("")).toMatchObject({
      description: "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    });
  });

  it("validates inline buttons: text, an action, url buttons", () => {
    const { tg } = setup();
    started(tg, ALICE);
    const send = (button: unknown) =>
      tg.handle("sendMessage", { chat_id: ALICE, text: "x", reply_markup: JSON.stringify({ inline_keyboard: [[button]] }) });
    expect(send({ text: "Docs", url: "https://example.com" })).toMatchObject({ ok: true });
    expect(send({ callback_data: "x" })).toMatchObject({
      description: 'Bad Request: can\'t parse inline keyboard button: Can\'t find field "text"',
    });
    expect(send({ text: "plain" })).toMatchObject({
      description: "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
    });
    expect(send({ text: "bad", url: "javascript:alert(1)" })).toMatchObject({ description: "Bad Request: BUTTON_URL_INVALID" });
  });

  it("knows unknown chats, blocked users and users who never started the bot", async () => {
    const { tg, bot } = setup();
    await expect(bot.api.sendMessage(42, "hi")).rejects.toMatchObject({
      error_code: 400,
      description: "Bad Request: chat not found",
    });
    await expect(bot.api.sendMessage(BOB, "hi")).rejects.toMatchObject({
      error_code: 403,
      description: "Forbidden: bot can't initiate conversation with a user",
    });
    started(tg, BOB);
    await bot.api.sendMessage(BOB, "hi");
    const blocked = tg.blockBot(BOB);
    expect(blocked.my_chat_member?.new_chat_member.status).toBe("kicked");
    const res = await call(tg, "sendMessage", { chat_id: BOB, text: "still there?" });
    expect(res).toEqual({ status: 403, body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" } });
    expect(() => tg.sendText(BOB, "hello")).toThrow(/blocked/);
    expect(tg.unblockBot(BOB).my_chat_member?.new_chat_member.status).toBe("member");
    await bot.api.sendMessage(BOB, "welcome back");
    expect(tg.messages(BOB).map((m) => m.text)).toEqual(["/start", "hi", "welcome back"]);
  });

  it("deletes messages and keeps per-chat message ids", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE, BOB);
    const a = await bot.api.sendMessage(ALICE, "for Alice");
    const b = await bot.api.sendMessage(BOB, "for Bob");
    expect([a.message_id, b.message_id]).toEqual([2, 2]);
    await bot.api.deleteMessage(ALICE, a.message_id);
    expect(tg.message(ALICE, a.message_id)).toBeUndefined();
    await expect(bot.api.deleteMessage(ALICE, a.message_id)).rejects.toMatchObject({
      description: "Bad Request: message to delete not found",
    });
  });

  it("records reply keyboards, chat actions and commands", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE);
    await bot.api.sendChatAction(ALICE, "typing");
    expect(tg.chat(ALICE)?.chatAction?.action).toBe("typing");
    await bot.api.sendMessage(ALICE, "Pick", { reply_markup: { keyboard: [[{ text: "Again" }, { text: "Good" }]], resize_keyboard: true } });
    expect(tg.chat(ALICE)?.replyKeyboard?.keyboard).toEqual([[{ text: "Again" }, { text: "Good" }]]);
    expect(tg.chat(ALICE)?.chatAction).toBeUndefined();
    await bot.api.setMyCommands([{ command: "start", description: "Start" }]);
    expect(await bot.api.getMyCommands()).toEqual([{ command: "start", description: "Start" }]);
    await expect(bot.api.setMyCommands([{ command: "Bad Command", description: "x" }])).rejects.toMatchObject({
      description: "Bad Request: BOT_COMMAND_INVALID",
    });
  });
});

describe("users' side", () => {
  it("makes real Updates with increasing ids and bot_command entities", () => {
    const { tg } = setup({ now: () => 1_700_000_000_000 });
    const u1 = tg.sendText(ALICE, "/start");
    const u2 = tg.sendText(BOB, "/deck@lectern_sandbox_bot spanish", { chatId: CLASS_GROUP });
    const u3 = tg.sendText(ALICE, "hello /start");
    expect(u2.update_id).toBe(u1.update_id + 1);
    expect(u1.message).toMatchObject({
      message_id: 1,
      date: 1_700_000_000,
      text: "/start",
      entities: [{ offset: 0, length: 6, type: "bot_command" }],
      chat: { id: ALICE, type: "private", first_name: "Alice" },
      from: { id: ALICE, is_bot: false, first_name: "Alice" },
    });
    expect(u2.message?.entities).toEqual([{ offset: 0, length: 25, type: "bot_command" }]);
    expect(u2.message?.chat).toEqual({ id: CLASS_GROUP, title: "Class group", type: "supergroup" });
    expect(u3.message?.entities).toBeUndefined();
    expect(tg.updates.map((u) => u.update_id)).toEqual([u1.update_id, u2.update_id, u3.update_id]);
  });

  it("presses buttons with the message as currently stored and answers callback queries", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE);
    const m = await bot.api.sendMessage(ALICE, "Q?", { reply_markup: new InlineKeyboard().text("Show", "show:1") });
    const u = tg.pressButton(ALICE, ALICE, m.message_id, "show:1");
    expect(u.callback_query).toMatchObject({
      from: { id: ALICE },
      data: "show:1",
      chat_instance: expect.any(String),
      message: { message_id: m.message_id, text: "Q?", reply_markup: { inline_keyboard: [[{ text: "Show", callback_data: "show:1" }]] } },
    });
    expect(() => tg.pressButton(ALICE, ALICE, m.message_id, "nope")).toThrow(/no callback button/);
    await bot.api.answerCallbackQuery(u.callback_query!.id, { text: "Shown" });
    expect(tg.callbackAnswers).toEqual([expect.objectContaining({ callback_query_id: u.callback_query!.id, text: "Shown", show_alert: false, userId: ALICE })]);
    await expect(bot.api.answerCallbackQuery(u.callback_query!.id)).rejects.toMatchObject({
      description: "Bad Request: query is too old and response timeout expired or query ID is invalid",
    });
    const long = tg.pressButton(ALICE, ALICE, m.message_id, "show:1");
    await expect(bot.api.answerCallbackQuery(long.callback_query!.id, { text: "x".repeat(201) })).rejects.toBeInstanceOf(GrammyError);
  });

  it("uploads documents that the bot can fetch with getFile and the file URL", async () => {
    const { tg, bot } = setup();
    const u = tg.uploadDocument(CAROL, { fileName: "spanish.csv", bytes: "front,back\nhola,hello\n", caption: "new deck" });
    const doc = u.message?.document;
    expect(doc).toMatchObject({ file_name: "spanish.csv", mime_type: "text/csv", file_size: 22 });
    expect(u.message?.caption).toBe("new deck");
    const file = await bot.api.getFile(doc!.file_id);
    expect(file).toEqual({ file_id: doc!.file_id, file_unique_id: doc!.file_unique_id, file_size: 22, file_path: expect.stringMatching(/^documents\/file_\d+\.csv$/) });
    const res = await tg.fetch(`${API}/file/bot${SANDBOX_TOKEN}/${file.file_path}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("front,back\nhola,hello\n");
    expect((await tg.fetch(`${API}/file/botWRONG/${file.file_path}`)).status).toBe(401);
    expect((await tg.fetch(`${API}/file/bot${SANDBOX_TOKEN}/documents/nope.txt`)).status).toBe(404);
  });
});

describe("polls", () => {
  it("validates questions, options and correct_option_ids", () => {
    const { tg } = setup();
    started(tg, ALICE);
    const poll = (extra: Record<string, unknown>) =>
      tg.handle("sendPoll", { chat_id: ALICE, question: "2+2?", options: ["3", "4"], ...extra });
    expect(poll({ question: "" })).toMatchObject({ description: "Bad Request: poll question must be non-empty" });
    expect(poll({ question: "q".repeat(301) })).toMatchObject({ description: "Bad Request: poll question length must not exceed 300" });
    expect(poll({ options: ["only"] })).toMatchObject({ description: "Bad Request: poll must have at least 2 option" });
    expect(poll({ options: Array.from({ length: 13 }, (_, i) => String(i)) })).toMatchObject({
      description: "Bad Request: poll can't have more than 12 options",
    });
    expect(poll({ options: ["a", " "] })).toMatchObject({ description: "Bad Request: poll options must be non-empty" });
    expect(poll({ options: ["a", "b".repeat(101)] })).toMatchObject({ description: "Bad Request: poll options length must not exceed 100" });
    expect(poll({ type: "quiz" })).toMatchObject({ description: "Bad Request: wrong correct option id" });
    expect(poll({ type: "quiz", correct_option_ids: [2] })).toMatchObject({ description: "Bad Request: wrong correct option id" });
    expect(poll({ type: "quiz", correct_option_ids: [1], explanation: "e".repeat(201) })).toMatchObject({
      description: "Bad Request: explanation is too long",
    });
    expect(poll({ options: Array.from({ length: 12 }, (_, i) => ({ text: `o${i}` })) }).ok).toBe(true);
    // the legacy single id still works, as does a JSON string from a form
    expect(poll({ type: "quiz", correct_option_id: 1 })).toMatchObject({ ok: true, result: { poll: { correct_option_ids: [1] } } });
    expect(poll({ type: "quiz", correct_option_ids: "[0]", options: '["a","b"]' })).toMatchObject({
      ok: true,
      result: { poll: { correct_option_ids: [0], options: [{ text: "a" }, { text: "b" }] } },
    });
  });

  it("sends a quiz shaped like @grammyjs/types' Poll and counts answers", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE, BOB, CAROL);
    const m = await bot.api.sendPoll(CLASS_GROUP, "¿Cómo se dice 'dog'?", ["gato", "perro", { text: "pájaro" }], {
      type: "quiz",
      correct_option_ids: [1],
      is_anonymous: false,
      explanation: "<i>perro</i> = dog",
      explanation_parse_mode: "HTML",
    });
    expect(m.poll).toEqual({
      id: expect.any(String),
      question: "¿Cómo se dice 'dog'?",
      options: [
        { persistent_id: "0", text: "gato", voter_count: 0 },
        { persistent_id: "1", text: "perro", voter_count: 0 },
        { persistent_id: "2", text: "pájaro", voter_count: 0 },
      ],
      total_voter_count: 0,
      is_closed: false,
      is_anonymous: false,
      type: "quiz",
      allows_multiple_answers: false,
      allows_revoting: false,
      members_only: false,
      correct_option_ids: [1],
      explanation: "perro = dog",
      explanation_entities: [{ type: "italic", offset: 0, length: 5 }],
    });
    const a = tg.answerPoll(ALICE, m.poll.id, [1]);
    expect(a.poll_answer).toEqual({
      poll_id: m.poll.id,
      user: expect.objectContaining({ id: ALICE }),
      option_ids: [1],
      option_persistent_ids: ["1"],
    });
    tg.answerPoll(BOB, m.poll.id, [0]);
    expect(() => tg.answerPoll(BOB, m.poll.id, [1])).toThrow(/already answered/);
    expect(tg.poll(m.poll.id)).toMatchObject({ total_voter_count: 2, options: [{ voter_count: 1 }, { voter_count: 1 }, { voter_count: 0 }] });
    expect(tg.message(CLASS_GROUP, m.message_id)?.poll?.total_voter_count).toBe(2);
    expect(tg.pollVotes(m.poll.id)).toEqual({ [ALICE]: [1], [BOB]: [0] });

    const stopped = await bot.api.stopPoll(CLASS_GROUP, m.message_id);
    expect(stopped.is_closed).toBe(true);
    expect(() => tg.answerPoll(CAROL, m.poll.id, [1])).toThrow(/closed/);
    await expect(bot.api.stopPoll(CLASS_GROUP, m.message_id)).rejects.toMatchObject({
      description: "Bad Request: poll has already been closed",
    });
  });

  it("is anonymous by default: answers come as poll updates", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE);
    const m = await bot.api.sendPoll(ALICE, "Ready?", ["yes", "no"]);
    expect(m.poll.is_anonymous).toBe(true);
    const u = tg.answerPoll(ALICE, m.poll.id, [0]);
    expect(u.poll_answer).toBeUndefined();
    expect(u.poll).toMatchObject({ id: m.poll.id, total_voter_count: 1 });
  });
});

describe("getUpdates", () => {
  it("confirms with offset, honours limit and allowed_updates", () => {
    const { tg } = setup();
    const ids = [tg.sendText(ALICE, "/start"), tg.sendText(ALICE, "a"), tg.sendText(ALICE, "b")].map((u) => u.update_id);
    const first = tg.handle<any[]>("getUpdates", { limit: 2 });
    expect(first.ok && first.result.map((u) => u.update_id)).toEqual(ids.slice(0, 2));
    // without an offset nothing is confirmed
    const again = tg.handle<any[]>("getUpdates", {});
    expect(again.ok && again.result.map((u) => u.update_id)).toEqual(ids);
    const next = tg.handle<any[]>("getUpdates", { offset: ids[1]! + 1 });
    expect(next.ok && next.result.map((u) => u.update_id)).toEqual([ids[2]]);
    const negative = tg.handle<any[]>("getUpdates", { offset: -1 });
    expect(negative.ok && negative.result.map((u) => u.update_id)).toEqual([ids[2]]);

    tg.blockBot(ALICE);
    tg.unblockBot(ALICE);
    const onlyMessages = tg.handle<any[]>("getUpdates", { offset: ids[2]! + 1, allowed_updates: ["message"] });
    expect(onlyMessages.ok && onlyMessages.result).toEqual([]); // my_chat_member updates are dropped
    tg.sendText(ALICE, "c");
    const later = tg.handle<any[]>("getUpdates", {});
    expect(later.ok && later.result.map((u) => u.message?.text)).toEqual(["c"]); // the filter stays
  });

  it("long-polls through fetch and wakes on a new update", async () => {
    const { tg } = setup();
    const started = Date.now();
    const pending = call(tg, "getUpdates", { timeout: 5 });
    setTimeout(() => tg.sendText(ALICE, "/start"), 100);
    const res = await pending;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.body.result.map((u: any) => u.message.text)).toEqual(["/start"]);
  });

  it("answers 409 to a second poller and while a webhook is set", async () => {
    const { tg } = setup();
    const first = call(tg, "getUpdates", { timeout: 5 });
    await new Promise((r) => setTimeout(r, 20));
    const second = call(tg, "getUpdates", { timeout: 1 });
    expect(await first).toEqual({
      status: 409,
      body: { ok: false, error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" },
    });
    expect((await second).body).toEqual({ ok: true, result: [] });
    expect(tg.handle("setWebhook", { url: "https://lectern.example/telegram/webhook", secret_token: "s3cret" }).ok).toBe(true);
    expect(tg.handle("getUpdates", {})).toMatchObject({ ok: false, error_code: 409, description: expect.stringContaining("webhook is active") });
    expect(tg.handle("getWebhookInfo", {})).toMatchObject({ ok: true, result: { url: "https://lectern.example/telegram/webhook", pending_update_count: 0 } });
    expect(tg.handle("deleteWebhook", {}).ok).toBe(true);
    expect(tg.handle("getUpdates", {}).ok).toBe(true);
  });
});

describe("faults", () => {
  it("failNext makes the next calls of a method fail, with retry_after for 429", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE);
    tg.failNext("sendMessage", { error_code: 429, retry_after: 7 }, 2);
    for (let i = 0; i < 2; i++) {
      const res = await call(tg, "sendMessage", { chat_id: ALICE, text: "x" });
      expect(res).toEqual({
        status: 429,
        body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } },
      });
    }
    await expect(bot.api.sendMessage(ALICE, "third time")).resolves.toMatchObject({ text: "third time" });
    tg.failNext("*", { error_code: 500 });
    await expect(bot.api.getMe()).rejects.toMatchObject({ error_code: 500, description: "Internal Server Error" });
    expect(tg.calls.filter((c) => !c.ok).map((c) => c.method)).toEqual(["sendMessage", "sendMessage", "getMe"]);
  });

  it("setFault decides per call", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE, BOB);
    tg.setFault((method, params) =>
      method === "sendMessage" && Number(params.chat_id) === BOB ? { error_code: 403, description: "Forbidden: user is deactivated" } : undefined,
    );
    await expect(bot.api.sendMessage(ALICE, "ok")).resolves.toBeTruthy();
    await expect(bot.api.sendMessage(BOB, "no")).rejects.toMatchObject({ error_code: 403, description: "Forbidden: user is deactivated" });
    tg.setFault(undefined);
    await expect(bot.api.sendMessage(BOB, "ok now")).resolves.toBeTruthy();
  });
});

describe("fetch handler", () => {
  it("checks the token and the method name", async () => {
    const { tg } = setup();
    const wrong = await tg.fetch(`${API}/bot123:nope/getMe`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    const unknown = await tg.fetch(`${API}/bot${SANDBOX_TOKEN}/sendTelepathy`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: "Not Found" });
    const me = await tg.fetch(`${API}/bot${SANDBOX_TOKEN}/getme`); // method names are case-insensitive
    expect(await me.json()).toEqual({ ok: true, result: SANDBOX_BOT_INFO });
  });

  it("parses query strings and x-www-form-urlencoded bodies", async () => {
    const { tg } = setup();
    started(tg, ALICE);
    const q = await tg.fetch(`${API}/bot${SANDBOX_TOKEN}/sendMessage?chat_id=${ALICE}&text=${encodeURIComponent("<i>q</i>")}&parse_mode=HTML`);
    expect(await q.json()).toMatchObject({ ok: true, result: { text: "q", entities: [{ type: "italic" }] } });
    const form = await tg.fetch(`${API}/bot${SANDBOX_TOKEN}/sendMessage`, {
      method: "POST",
      body: new URLSearchParams({
        chat_id: String(ALICE),
        text: "form",
        reply_markup: JSON.stringify({ inline_keyboard: [[{ text: "Go", callback_data: "go" }]] }),
      }),
    });
    expect(await form.json()).toMatchObject({ ok: true, result: { text: "form", reply_markup: { inline_keyboard: [[{ callback_data: "go" }]] } } });
  });

  it("round-trips a document through grammY's multipart upload", async () => {
    const { tg, bot } = setup();
    started(tg, CAROL);
    const bytes = new TextEncoder().encode(JSON.stringify({ title: "Spanish A1", cards: [{ front: "hola", back: "hello" }] }));
    const m = await bot.api.sendDocument(CAROL, new InputFile(bytes, "spanish-a1.json"), {
      caption: "Your <b>export</b>",
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Import again", "import"),
    });
    expect(m.document).toMatchObject({ file_name: "spanish-a1.json", mime_type: "application/json", file_size: bytes.length });
    expect(m.caption).toBe("Your export");
    expect(m.caption_entities).toEqual([{ type: "bold", offset: 5, length: 6 }]);
    const file = await bot.api.getFile(m.document.file_id);
    expect(tg.file(file.file_path!)).toEqual(bytes);
    // the same file again by file_id
    const again = await bot.api.sendDocument(CAROL, m.document.file_id);
    expect(again.document.file_id).toBe(m.document.file_id);
    await expect(bot.api.sendDocument(CAROL, "no-such-file-id")).rejects.toMatchObject({
      description: "Bad Request: wrong file identifier/HTTP URL specified",
    });
  });

  it("accepts a plain multipart form with the file in the field itself", async () => {
    const { tg } = setup();
    started(tg, ALICE);
    const form = new FormData();
    form.set("chat_id", String(ALICE));
    form.set("document", new Blob(["a,b\n"], { type: "text/csv" }), "cards.csv");
    const res = await tg.fetch(`${API}/bot${SANDBOX_TOKEN}/sendDocument`, { method: "POST", body: form });
    expect(await res.json()).toMatchObject({ ok: true, result: { document: { file_name: "cards.csv", mime_type: "text/csv", file_size: 4 } } });
  });
});

describe("a grammY bot driven by the stand-in", () => {
  it("handles /start, a button press and an edit end to end", async () => {
    const { tg, bot } = setup();
    bot.command("start", (ctx) =>
      ctx.reply("<b>Welcome</b>", { parse_mode: "HTML", reply_markup: new InlineKeyboard().text("Help", "help") }),
    );
    bot.callbackQuery("help", async (ctx) => {
      await ctx.answerCallbackQuery();
      await ctx.editMessageText("Help text");
    });
    await bot.init();
    await bot.handleUpdate(tg.sendText(ALICE, "/start"));
    const [, welcome] = tg.messages(ALICE);
    expect(welcome).toMatchObject({ text: "Welcome", reply_markup: { inline_keyboard: [[{ callback_data: "help" }]] } });
    await bot.handleUpdate(tg.pressButton(ALICE, ALICE, welcome!.message_id, "help"));
    expect(tg.message(ALICE, welcome!.message_id)).toMatchObject({ text: "Help text", edit_date: expect.any(Number) });
    expect(tg.callbackAnswers).toHaveLength(1);
    expect(tg.calls.map((c) => c.method)).toEqual(["sendMessage", "answerCallbackQuery", "editMessageText"]);
  });

  it("snapshots and restores chats, polls and files", async () => {
    const { tg, bot } = setup();
    started(tg, ALICE);
    const m = await bot.api.sendPoll(ALICE, "Q", ["a", "b"], { is_anonymous: false });
    tg.answerPoll(ALICE, m.poll.id, [1]);
    const doc = tg.uploadDocument(ALICE, { fileName: "x.txt", bytes: "x" });
    const copy = setup().tg;
    copy.restore(structuredClone(tg.snapshot()));
    expect(copy.messages(ALICE)).toEqual(tg.messages(ALICE));
    expect(copy.pollVotes(m.poll.id)).toEqual({ [ALICE]: [1] });
    expect(copy.fileInfo(doc.message!.document!.file_id)?.bytes).toEqual(new TextEncoder().encode("x"));
    const next = copy.sendText(ALICE, "after restore");
    expect(next.message!.message_id).toBe(tg.messages(ALICE).length + 1);
    expect(next.update_id).toBeGreaterThan(doc.update_id);
  });
});
