/**
 * Group quizzes: in a group where the bot is a member, a lecturer's `/quiz <deck>` posts quiz
 * polls (non-anonymous) one at a time; the lecturer moves on with the ➡️ button (or `/quiz next`)
 * and ends with ⏹ (or `/quiz stop`), which posts the results. At most 20 messages a minute go to
 * the group (Telegram's limit).
 *
 * Members' answers are batched (a group of 100 would otherwise cost 100 KV writes per question):
 * an answer is a message on the answer queue, filed into the quiz's answer sheet by the queue's one
 * consumer (jobs/gsheet.ts); a member's own record is written once per quiz, at their first
 * answer (a mark), and their answers reach their schedule on their next update after the quiz
 * ended (learner/group-answers.ts). Members who never started the bot get no record.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import type { PollAnswer } from "grammy/types";
import { isLecturer, saveLearner, type Learner } from "../learner";
import { buildPoll, shuffle } from "../../quiz/poll";
import { MAX_GROUP_QUESTIONS, type GroupQuiz } from "../../store/group-quiz";
import { answerQueue } from "../../jobs/gsheet";
import { applyGroupAnswers, markOf, MAX_MARKS, quizOpen, type Mark } from "../../learner/group-answers";
import { cut, esc, plural } from "../../learner/render";
import { argFits, MAX_DECK_ID, parseDeckId } from "../../learner/callback-data";
import { asOneWrite, dailyWrites, QUOTA_NEAR } from "../../store/write-guard";

export const groupQuizFeature = new Composer<BotContext>();

export const GROUP_LIMIT_PER_MINUTE = 20;
const DEFAULT_QUESTIONS = 10;
const MAX_QUESTIONS = MAX_GROUP_QUESTIONS;

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
  await ctx.stores.groupQuiz.putPoll(msg.poll.id, { chat: q.chat, q: i, deck: q.deck, c: item.c, ok: poll.correct, s: q.started });
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
  await ctx.reply(`🧩 Quiz: <b>${esc(deck.deck.title)}</b> — ${plural(q.qs.length, "question")}. Answer the polls; if you study with me in a private chat, your answers count towards your own reviews once the quiz is over.`, { parse_mode: "HTML" });
  q.sends.push(now);
  // The poll's reference and the quiz: one change, one write against the lecturer's write limit.
  await asOneWrite(ctx.writer, async () => {
    await sendQuestion(ctx, q, 0);
    await ctx.stores.groupQuiz.put(q);
  });
}

async function next(ctx: BotContext): Promise<void> {
  const q = await ctx.stores.groupQuiz.get(ctx.chat!.id);
  if (!q) return void (ctx.callbackQuery ? ctx.answerCallbackQuery({ text: "No quiz is running." }) : ctx.reply("No quiz is running. Start one with /quiz <deck>."));
  const i = q.qs.findIndex((x) => x.msg === undefined);
  // A quiz ends after its last question, and at the latest a day after it started (its answers then
  // reach the members' schedules).
  if (i < 0 || !quizOpen(q.started, ctx.deps.now())) return finish(ctx, q);
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
  await asOneWrite(ctx.writer, async () => {
    await sendQuestion(ctx, q, i);
    await ctx.stores.groupQuiz.put(q);
  });
}

async function finish(ctx: BotContext, q: GroupQuiz): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: "Quiz ended" });
  await closeCurrent(ctx, q);
  // The sheet learns of the end through the answer queue (its one writer); members apply it from then on.
  await answerQueue(ctx.env)?.send({ kind: "gend", chat: q.chat, started: q.started, deck: q.deck, at: ctx.deps.now() });
  const deck = await ctx.decks.get(q.deck);
  const asked = q.qs.filter((x) => x.voters !== undefined);
  const right = asked.reduce((a, x) => a + (x.right ?? 0), 0);
  const answers = asked.reduce((a, x) => a + (x.voters ?? 0), 0);
  const lines = [`🏁 <b>Quiz over</b>${deck ? ` — ${esc(deck.deck.title)}` : ""}`, `${plural(asked.length, "question")}, ${plural(answers, "answer")}, ${answers ? Math.round((100 * right) / answers) : 0}% correct.`, ""];
  const foot = "Your answers count in your own reviews with me from your next message there (in a minute or two).";
  asked.forEach((x, k) => {
    const card = deck?.deck.cards[deck.index.get(x.c) ?? -1];
    lines.push(`${k + 1}. ${card ? esc(card.back) : "?"} — ${x.right}/${x.voters} correct`);
  });
  await ctx.stores.groupQuiz.delete(q.chat);
  await ctx.reply([...lines, "", foot].join("\n"), { parse_mode: "HTML" });
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
 * already loaded by the quiz feature), then the answer goes to the answer queue — no KV write,
 * but for the mark in the member's own record at their first answer of the quiz. A redelivered
 * answer is sent again and filed once (jobs/gsheet.ts). Someone without a record (who never
 * started the bot) gets none: their answer counts only in the poll.
 */
export async function answerGroupPoll(ctx: BotContext, a: PollAnswer, learner: Learner): Promise<"queued" | "no-record" | "expired" | "unknown"> {
  const ref = await ctx.stores.groupQuiz.poll(a.poll_id);
  if (!ref) return "unknown";
  if (!learner.stored && !learner.legacy) return "no-record";
  // A poll reference from before answer sheets: its quiz's start is in the quiz itself.
  const started = ref.s ?? (await ctx.stores.groupQuiz.get(ref.chat))?.started;
  if (started === undefined) return "unknown";
  const now = ctx.deps.now();
  const mark = markOf(learner, ref.chat, started);
  // Too late: the quiz is over, or this member's answers to it already reached their schedule.
  if (!quizOpen(started, now) || mark?.[2] === 1) return "expired";
  const queue = answerQueue(ctx.env);
  if (!queue) {
    ctx.deps.log({ t: "group-quiz", problem: "no answer queue" });
    return "unknown";
  }
  if (!mark) {
    // The member's one write for this quiz; quizzes of theirs that ended are applied with it.
    await applyGroupAnswers(ctx, learner);
    const marks = (learner.doc.gq ?? []) as Mark[];
    if (marks.length >= MAX_MARKS) {
      const applied = marks.findIndex((m) => m[2] === 1);
      marks.splice(applied >= 0 ? applied : 0, 1);
    }
    learner.doc.gq = [...marks, [ref.chat, started, 0]];
    await saveLearner(ctx, learner);
  }
  await queue.send({ kind: "gans", chat: ref.chat, started, deck: ref.deck, q: ref.q, c: ref.c, uid: learner.id, g: a.option_ids[0] === ref.ok ? 4 : 1, at: now });
  return "queued";
}
