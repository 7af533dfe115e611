/**
 * Group quizzes: in a group where the bot is a member, a lecturer's `/quiz <deck>` posts quiz
 * polls (non-anonymous) one at a time; the lecturer moves on with the ➡️ button (or `/quiz next`)
 * and ends with ⏹ (or `/quiz stop`), which posts the results. Each member's answer feeds their own
 * schedule. At most 20 messages a minute go to the group (Telegram's limit).
 */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import type { PollAnswer } from "grammy/types";
import { isLecturer, loadLearner, saveLearner, type Learner } from "../learner";
import { buildPoll, shuffle } from "../../quiz/poll";
import type { GroupQuiz } from "../../store/group-quiz";
import { cut, esc, plural } from "../../learner/render";
import { argFits, MAX_DECK_ID, parseDeckId } from "../../learner/callback-data";
import { dailyWrites, QUOTA_NEAR } from "../../store/write-guard";

export const groupQuizFeature = new Composer<BotContext>();

export const GROUP_LIMIT_PER_MINUTE = 20;
const DEFAULT_QUESTIONS = 10;
const MAX_QUESTIONS = 30;
const KEEP_GPOLLS = 30;

const controls = () => new InlineKeyboard().text("➡️ Next question", "G:n").text("⏹ End quiz", "G:x");

function room(q: GroupQuiz, now: number, needed: number): number {
  const recent = q.sends.filter((t) => now - t < 60_000);
  q.sends = recent;
  if (recent.length + needed <= GROUP_LIMIT_PER_MINUTE) return 0;
  const oldest = recent[recent.length + needed - GROUP_LIMIT_PER_MINUTE - 1] ?? recent[0]!;
  return Math.ceil((60_000 - (now - oldest)) / 1000);
}

async function sendQuestion(ctx: BotContext, q: GroupQuiz, i: number): Promise<void> {
  const deck = (await ctx.decks.get(q.deck))!;
  const item = q.qs[i]!;
  const card = deck.deck.cards[deck.index.get(item.c)!]!;
  const poll = buildPoll(deck.deck, card, `g${q.chat}:${q.started}:${item.c}`, `${i + 1}/${q.qs.length} · `);
  item.ok = poll.correct;
  const msg = await ctx.api.sendPoll(q.chat, poll.question, poll.options.map((text) => ({ text })), {
    type: "quiz", is_anonymous: false, correct_option_ids: [poll.correct], explanation: poll.explanation, reply_markup: controls(),
  });
  item.poll = msg.poll.id;
  item.msg = msg.message_id;
  q.sends.push(ctx.deps.now());
  await ctx.stores.groupQuiz.putPoll(msg.poll.id, { chat: q.chat, q: i, deck: q.deck, c: item.c, ok: poll.correct });
}

/** Closes the running question's poll and records its results. */
async function closeCurrent(ctx: BotContext, q: GroupQuiz): Promise<void> {
  const item = q.qs.find((x) => x.msg !== undefined && x.voters === undefined);
  if (!item) return;
  try {
    const poll = await ctx.api.stopPoll(q.chat, item.msg!);
    item.voters = poll.total_voter_count;
    item.right = poll.options[item.ok]?.voter_count ?? 0;
  } catch {
    item.voters = 0;
    item.right = 0;
  }
  q.sends.push(ctx.deps.now());
}

async function guardLecturer(ctx: BotContext): Promise<boolean> {
  if (await isLecturer(ctx.env, ctx, ctx.from!.id)) return true;
  const text = "Only a lecturer can run a group quiz.";
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
  else {
    // Privately, not in the group: the group's 20 messages a minute are for the quiz.
    try {
      await ctx.api.sendMessage(ctx.from!.id, `${text} (You sent /quiz in “${"title" in ctx.chat! ? ctx.chat.title : "a group"}”.)`);
    } catch {
      // no private chat with this member: stay quiet
    }
  }
  return false;
}

async function start(ctx: BotContext, deckRef: string, count: number): Promise<void> {
  const chat = ctx.chat!.id;
  const existing = await ctx.stores.groupQuiz.get(chat);
  if (existing) {
    await ctx.reply("A quiz is already running here. End it with /quiz stop.");
    return;
  }
  const id = parseDeckId(deckRef);
  if (!id) {
    await ctx.reply(`“${cut(deckRef, 60)}” is not a deck id (up to ${MAX_DECK_ID} lower-case letters, digits and dashes). Usage: /quiz <deck> — the deck ids are in /decks (private chat) and /mydecks.`);
    return;
  }
  // A group quiz writes bookkeeping for every question: not while the day's writes near the quota.
  if (!dailyWrites(ctx.deps.kv ?? ctx.env.KV, ctx.env, ctx.deps.now()).nonEssentialOpen) {
    await ctx.reply(QUOTA_NEAR);
    return;
  }
  const found = await ctx.decks.get(id);
  // A lecturer quizzes a group on a built-in deck or one of their own (uploaded decks are private).
  const deck = found && (found.bundled || found.owner === ctx.from!.id) ? found : null;
  if (!deck) {
    await ctx.reply(`There is no deck “${cut(deckRef, 60)}”. Usage: /quiz <deck> — the deck ids are in /decks (private chat) and /mydecks.`);
    return;
  }
  const ids = deck.cardIds.filter((_, i) => deck.quiz[i]);
  if (ids.length === 0) {
    await ctx.reply(`“${deck.deck.title}” has no quiz questions.`);
    return;
  }
  const now = ctx.deps.now();
  const chosen = shuffle(ids, `g${chat}:${now}`).slice(0, count);
  const q: GroupQuiz = { v: 1, chat, deck: deck.deck.id, by: ctx.from!.id, started: now, qs: chosen.map((c) => ({ c, ok: 0 })), sends: [] };
  await ctx.reply(`🧩 Quiz: <b>${esc(deck.deck.title)}</b> — ${plural(q.qs.length, "question")}. Answer the polls; your answers count towards your own reviews with me.`, { parse_mode: "HTML" });
  q.sends.push(now);
  await sendQuestion(ctx, q, 0);
  await ctx.stores.groupQuiz.put(q);
}

async function next(ctx: BotContext): Promise<void> {
  const q = await ctx.stores.groupQuiz.get(ctx.chat!.id);
  if (!q) return void (ctx.callbackQuery ? ctx.answerCallbackQuery({ text: "No quiz is running." }) : ctx.reply("No quiz is running. Start one with /quiz <deck>."));
  const i = q.qs.findIndex((x) => x.msg === undefined);
  if (i < 0) return finish(ctx, q);
  if (!dailyWrites(ctx.deps.kv ?? ctx.env.KV, ctx.env, ctx.deps.now()).nonEssentialOpen) {
    // Not in the group; the quiz can still be ended (⏹), which shows the results so far.
    if (ctx.callbackQuery) return void (await ctx.answerCallbackQuery({ text: QUOTA_NEAR, show_alert: true }));
    return void (await ctx.api.sendMessage(ctx.from!.id, QUOTA_NEAR).catch(() => undefined));
  }
  const wait = room(q, ctx.deps.now(), 2);
  if (wait > 0) {
    // Not in the group: that would be one message more than Telegram allows there.
    const text = `Telegram allows 20 messages a minute in a group — next question in ${wait} s.`;
    if (ctx.callbackQuery) return void (await ctx.answerCallbackQuery({ text }));
    try {
      await ctx.api.sendMessage(ctx.from!.id, text);
    } catch {
      // the lecturer has no private chat with the bot: nothing else to do
    }
    return;
  }
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  await closeCurrent(ctx, q);
  await sendQuestion(ctx, q, i);
  await ctx.stores.groupQuiz.put(q);
}

async function finish(ctx: BotContext, q: GroupQuiz): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: "Quiz ended" });
  await closeCurrent(ctx, q);
  const deck = await ctx.decks.get(q.deck);
  const asked = q.qs.filter((x) => x.voters !== undefined);
  const right = asked.reduce((a, x) => a + (x.right ?? 0), 0);
  const answers = asked.reduce((a, x) => a + (x.voters ?? 0), 0);
  const lines = [`🏁 <b>Quiz over</b>${deck ? ` — ${esc(deck.deck.title)}` : ""}`, `${plural(asked.length, "question")}, ${plural(answers, "answer")}, ${answers ? Math.round((100 * right) / answers) : 0}% correct.`, ""];
  asked.forEach((x, k) => {
    const card = deck?.deck.cards[deck.index.get(x.c) ?? -1];
    lines.push(`${k + 1}. ${card ? esc(card.back) : "?"} — ${x.right}/${x.voters} correct`);
  });
  await ctx.stores.groupQuiz.delete(q.chat);
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
}

groupQuizFeature.chatType(["group", "supergroup"]).command("quiz", async (ctx) => {
  ctx.trace.feature = "group-quiz";
  if (!(await guardLecturer(ctx))) return;
  const arg = ctx.match.trim();
  if (arg === "stop" || arg === "end") {
    const q = await ctx.stores.groupQuiz.get(ctx.chat.id);
    if (!q) return void (await ctx.reply("No quiz is running."));
    return finish(ctx, q);
  }
  if (arg === "next") return next(ctx);
  if (!argFits(arg)) return void (await ctx.reply(`That is not a deck id (up to ${MAX_DECK_ID} lower-case letters, digits and dashes). Usage: /quiz <deck> [questions, 1–${MAX_QUESTIONS}].`));
  const m = /^(\S+)(?:\s+(\d{1,2}))?$/.exec(arg);
  if (!m) return void (await ctx.reply(`Usage: /quiz <deck> [questions, 1–${MAX_QUESTIONS}] to start, /quiz next, /quiz stop.`));
  await start(ctx, m[1]!, Math.min(MAX_QUESTIONS, Math.max(1, Number(m[2] ?? DEFAULT_QUESTIONS))));
});

groupQuizFeature.callbackQuery(/^G:[nx]$/, async (ctx) => {
  ctx.trace.feature = "group-quiz";
  if (!ctx.chat || ctx.chat.type === "private") return ctx.answerCallbackQuery({ text: "That button is not valid." });
  if (!(await guardLecturer(ctx))) return;
  if (ctx.callbackQuery.data === "G:n") return next(ctx);
  const q = await ctx.stores.groupQuiz.get(ctx.chat.id);
  if (!q) return ctx.answerCallbackQuery({ text: "No quiz is running." });
  return finish(ctx, q);
});

/**
 * A member's answer to a group poll: one read of the poll's reference (the learner's record is
 * already loaded by the quiz feature — two reads in all), one write of their own record.
 */
export async function answerGroupPoll(ctx: BotContext, a: PollAnswer, learner: Learner): Promise<"graded" | "duplicate" | "unknown"> {
  const ref = await ctx.stores.groupQuiz.poll(a.poll_id);
  if (!ref) return "unknown";
  if (learner.doc.gpolls?.includes(a.poll_id)) return "duplicate";
  const deck = await ctx.decks.get(ref.deck);
  if (!deck || !deck.index.has(ref.c)) return "unknown";
  const i = learner.tableIndex(deck.deck.id);
  if (i >= 0) learner.doc.decks[i]!.sub = true;
  const today = learner.today;
  const stat = learner.day(today);
  const correct = a.option_ids[0] === ref.ok;
  await learner.load(ctx, deck);
  learner.grade(deck.deck.id, ref.c, correct ? 4 : 1, today, stat);
  stat.quizAnswered++;
  if (correct) stat.quizCorrect++;
  learner.saveDay(today, stat);
  learner.doc.gpolls = [...(learner.doc.gpolls ?? []), a.poll_id].slice(-KEEP_GPOLLS);
  await saveLearner(ctx, learner);
  return "graded";
}
