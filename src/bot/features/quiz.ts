/** /quiz, its buttons, and poll answers (private quizzes; group quizzes live in group-quiz.ts). */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import { cb, MAX_DECK_ID, parseDeckId, unpackDeck } from "../../learner/callback-data";
import { loadLearner, loseDeck, lostLine, mayRead, openDeck, readLearner, saveLearner, type Learner } from "../learner";
import { answerGroupPoll } from "./group-quiz";
import { answerQuiz, describeQuiz, resumeQuiz, startQuiz } from "../../quiz/service";
import { cut, esc } from "../../learner/render";

export const quizFeature = new Composer<BotContext>();

const RESTART = "Qn";

/** The quiz's scope: -1 (all subscribed), a deck-table index (subscribing to it), or an error text. */
async function scopeFor(ctx: BotContext, learner: Learner, deckId: string): Promise<number | string> {
  if (deckId === "*") return -1;
  const id = parseDeckId(deckId);
  if (!id) return `“${esc(cut(deckId, 60))}” is not a deck id (up to ${MAX_DECK_ID} lower-case letters, digits and dashes). Send /decks to see the decks there are.`;
  const { deck: d, lost } = await openDeck(ctx, learner, id);
  if (lost) {
    // Their deck, no longer shared with them: not served; their progress stays.
    const wasSubscribed = learner.isSubscribed(id);
    const line = loseDeck(learner, lost);
    if (wasSubscribed) await saveLearner(ctx, learner);
    return esc(line);
  }
  if (!d) return `There is no deck called “${esc(cut(deckId, 60))}”. Send /decks to see the decks there are.`;
  const i = learner.tableIndex(d.deck.id);
  if (i < 0) return "You have too many decks; unsubscribe from one in /decks first.";
  if (!learner.doc.decks[i]!.sub) learner.doc.decks[i]!.sub = true; // saved with the quiz
  if (!d.quiz.some(Boolean)) return `“${esc(d.deck.title)}” has no quiz questions (its cards have no answer options). Try /review instead.`;
  return i;
}

/** True when every deck of the running quiz's unanswered questions may still be opened by the learner. */
async function quizStillShared(ctx: BotContext, learner: Learner): Promise<boolean> {
  const tables = new Set(learner.doc.quiz!.qs.filter((q) => q.g === undefined).map((q) => q.d));
  for (const t of tables) {
    const id = learner.deckIdAt(t);
    const d = id === undefined ? null : await ctx.decks.get(id);
    if (d && !(await mayRead(ctx, learner, d))) return false;
  }
  return true;
}

export async function runQuizCommand(ctx: BotContext, deckId: string, restart = false, opts: { learner?: Learner; from?: number } = {}): Promise<void> {
  ctx.trace.feature = "quiz";
  if (ctx.chat?.type !== "private") return; // group quizzes are handled by the group feature
  const learner = opts.learner ?? (await loadLearner(ctx));
  // This message (a /quiz, or the one whose button was pressed) started the running quiz: Telegram
  // redelivering it, or a double tap, starts and re-sends nothing.
  if (opts.from !== undefined && learner.doc.quiz?.from === opts.from) return;
  // A running quiz is sent again only while the learner may still open its decks; else it is
  // dropped and a new quiz starts from what they may open.
  if (learner.doc.quiz && !restart && !(await quizStillShared(ctx, learner))) delete learner.doc.quiz;
  if (learner.doc.quiz && !restart && learner.doc.quiz.day >= learner.today - 1) {
    const kb = new InlineKeyboard().text("🔁 Start a new quiz", RESTART);
    await ctx.reply(`You are in the middle of a quiz (${describeQuiz(learner.doc.quiz)}). Here it is again — or start over:`, { reply_markup: kb });
    await resumeQuiz(ctx, learner);
    return;
  }
  if (deckId === "*" && learner.subscribed().length === 0) {
    await ctx.reply("You have not chosen any decks yet. Pick one, then come back for a quiz:", {
      reply_markup: new InlineKeyboard().text("📚 Browse decks", cb.catalogue()),
    });
    return;
  }
  const scope = await scopeFor(ctx, learner, deckId);
  if (typeof scope === "string") {
    await ctx.reply(scope, { parse_mode: "HTML" });
    return;
  }
  const subscribedBefore = learner.subscribed().length;
  delete learner.doc.quiz;
  const r = await startQuiz(ctx, learner, ctx.chat.id, scope, opts.from === undefined ? {} : { from: opts.from });
  // Decks no longer shared with the learner were left out of the quiz and unsubscribed (a sent
  // quiz saved that with itself; otherwise it is saved below).
  if (learner.lost.length) await ctx.reply(lostLine(learner.lost.map((l) => l.title)));
  if (r.status === "empty") {
    if (learner.subscribed().length !== subscribedBefore || learner.lost.length) await saveLearner(ctx, learner);
    await ctx.reply("🎉 You are all caught up: no quiz questions are due and every card has been seen. Come back tomorrow, or subscribe to another deck in /decks.");
  } else if (r.status === "no-decks") {
    if (learner.lost.length) await saveLearner(ctx, learner);
    await ctx.reply("Your decks are no longer available. Send /decks to choose others.");
  }
}

quizFeature.command("quiz", async (ctx, next) => {
  if (ctx.chat.type !== "private") return next();
  const arg = ctx.match.trim();
  await runQuizCommand(ctx, arg || "*", false, { from: ctx.msg.message_id });
});

/**
 * A quiz button (Q:<deck>, or "start over"). The running quiz remembers the message whose button
 * started it, so a redelivered press or a double tap starts nothing more and says so.
 */
async function quizButton(ctx: BotContext, deckId: string, restart: boolean, already: string) {
  const from = ctx.callbackQuery?.message?.message_id;
  const learner = await loadLearner(ctx);
  if (from !== undefined && learner.doc.quiz?.from === from) return ctx.answerCallbackQuery({ text: already });
  await ctx.answerCallbackQuery();
  await runQuizCommand(ctx, deckId, restart, { learner, ...(from === undefined ? {} : { from }) });
}

quizFeature.callbackQuery(/^Q:/, async (ctx) => {
  const parsed = unpackDeck(ctx.callbackQuery.data);
  if (!parsed) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  await quizButton(ctx, parsed.id, false, "Your quiz is running — answer its poll ✓");
});

quizFeature.callbackQuery(RESTART, (ctx) => quizButton(ctx, "*", true, "Already started ✓"));

quizFeature.command("start", async (ctx, next) => {
  if (ctx.startPayload?.kind !== "quiz") return next();
  await runQuizCommand(ctx, "*", false, { from: ctx.msg.message_id });
});

/** A poll answer: the learner's own quiz, else a group quiz's poll; anything else is ignored. */
quizFeature.on("poll_answer", async (ctx) => {
  ctx.trace.feature = "quiz";
  const a = ctx.pollAnswer;
  if (!a.user || a.option_ids.length === 0) return void (ctx.trace.outcome = "unhandled");
  const learner = await readLearner(ctx, a.user.id);
  let outcome: string = await answerQuiz(ctx, a, learner);
  if (outcome === "unknown") {
    ctx.trace.feature = "group-quiz";
    outcome = await answerGroupPoll(ctx, a, learner);
  }
  if (outcome !== "graded" && outcome !== "finished" && outcome !== "queued") ctx.trace.outcome = "unhandled";
});
