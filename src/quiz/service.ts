/**
 * Private quizzes: native Telegram quiz polls, one at a time, each answer graded through SM-2
 * (correct → 4, wrong → 1). Used by /quiz and by the daily job.
 *
 * KV: starting writes the quiz (with the first poll's id) to the learner's record; each answer is
 * one read and one write — the grade, the progress it changes and the next poll's id together.
 * A 5-question quiz costs 6 writes (1.2 per answer).
 */
import { InlineKeyboard, type Api } from "grammy";
import type { PollAnswer } from "grammy/types";
import { randomId, type Deps } from "../deps";
import type { DeckRegistry } from "../decks/registry";
import type { UserStore, QuizState } from "../store/users";
import { currentStreak } from "../store/users";
import { readLearner, saveLearner, scopeDecks, unloadedCounts, type Learner } from "../learner/learner";
import type { DailyDoc } from "../store/people";
import { buildPoll } from "./poll";
import { selectQuiz } from "./select";
import { outlook } from "../srs/session";
import { esc, plural } from "../learner/render";
import { cb } from "../learner/callback-data";
import type { Stores } from "../store/stores";

export interface QuizIO {
  api: Api;
  users: UserStore;
  decks: DeckRegistry;
  deps: Deps;
  stores: Stores;
}

/** Quizzes older than this many local days are expired: late answers are ignored. */
export const QUIZ_TTL_DAYS = 1;

export type StartResult = { status: "sent"; questions: number } | { status: "empty" } | { status: "no-decks" } | { status: "gone" };

/** Sends question `i` of the quiz as a poll and records its poll id. */
async function sendQuestion(io: QuizIO, learner: Learner, quiz: QuizState, i: number): Promise<void> {
  const q = quiz.qs[i]!;
  const deckId = learner.deckIdAt(q.d)!;
  const deck = (await io.decks.get(deckId))!;
  const card = deck.deck.cards[deck.index.get(q.c)!]!;
  const poll = buildPoll(deck.deck, card, `${quiz.id}:${q.c}`, `${i + 1}/${quiz.qs.length} · `);
  q.ok = poll.correct;
  const previous = q.poll;
  const msg = await io.api.sendPoll(quiz.chat, poll.question, poll.options.map((text) => ({ text })), {
    type: "quiz",
    is_anonymous: false,
    correct_option_ids: [poll.correct],
    explanation: poll.explanation,
  });
  // A question sent again keeps its earlier poll ids: the learner may answer any copy (once).
  if (previous !== undefined && previous !== msg.poll.id) q.was = [...(q.was ?? []), previous].slice(-3);
  q.poll = msg.poll.id;
}

/**
 * Starts a quiz for `learner` in `chat` over one deck-table index or all subscribed decks (-1).
 * Writes once: the learner's record (the quiz with its first poll id) — or, for the daily job, the
 * job's own key `v2:daily:<id>`, which the learner's first answer takes over.
 */
export async function startQuiz(io: QuizIO, learner: Learner, chat: number, scope: number, opts: { daily?: boolean; from?: number; caughtUp?: number } = {}): Promise<StartResult> {
  const decks = (await scopeDecks(io, learner, scope, [], { pick: learner.doc.settings.quizLength })) ?? [];
  if (decks.length === 0) return { status: "no-decks" };
  const today = learner.today;
  // One daily budget of new cards, shared by reviews and quizzes.
  const stat = learner.day(today);
  const newLeft = Math.max(0, learner.doc.settings.newPerDay + stat.extraNew - stat.introduced);
  const picks = selectQuiz(
    decks.map((d) => ({ cardIds: d.deck.cardIds, quiz: d.deck.quiz, rows: learner.progress(d.deck.deck.id)!.rows, state: (id: string) => learner.state(d.deck.deck.id, id) })),
    today,
    learner.doc.settings.quizLength,
    newLeft,
  );
  if (picks.length === 0) return { status: "empty" };
  const quiz: QuizState = {
    id: randomId(io.deps, 6), day: today, chat, scope, started: io.deps.now(),
    qs: picks.map((p) => {
      const d = decks[p.deck]!;
      const c = d.deck.cardIds[p.card]!;
      const s = learner.state(d.deck.deck.id, c);
      return { d: d.table, c, ok: 0, k: !s ? 0 : s.i >= 21 ? 2 : 1 };
    }),
  };
  if (opts.daily) quiz.daily = true;
  if (opts.from !== undefined) quiz.from = opts.from;
  if (opts.daily) {
    // One line before the first poll: what it is, how long, how to change it.
    const at = `${String(Math.floor(learner.doc.settings.dailyAt / 60)).padStart(2, "0")}:${String(learner.doc.settings.dailyAt % 60).padStart(2, "0")}`;
    await io.api.sendMessage(chat, `🗓 Your daily quiz: ${plural(quiz.qs.length, "question")} from your decks. Change its time (${at}) in /settings, or turn it off with /daily off.`);
  }
  await sendQuestion(io, learner, quiz, 0);
  if (opts.daily) {
    const doc: DailyDoc = { v: 1, day: today, quiz };
    if (opts.caughtUp !== undefined) doc.caughtUp = opts.caughtUp;
    if (!(await io.stores.people.putDaily(learner.id, doc))) return { status: "gone" };
    return { status: "sent", questions: quiz.qs.length };
  }
  learner.doc.quiz = quiz;
  await saveLearner(io, learner);
  return { status: "sent", questions: quiz.qs.length };
}

/** Quiz answers kept in the record before they are applied to their shards at once. */
const MAX_PENDING = 100;

export type AnswerOutcome = "graded" | "finished" | "unknown" | "duplicate" | "expired" | "ignored";

/** Grades a poll answer: one read, one write. Unknown, expired and repeated answers change nothing. */
export async function answerQuiz(io: QuizIO, answer: PollAnswer, preloaded?: Learner): Promise<AnswerOutcome> {
  const user = answer.user;
  if (!user || answer.option_ids.length === 0) return "ignored";
  const learner = preloaded ?? (await readLearner(io, user.id));
  if (!learner.stored && !learner.legacy) return "unknown";
  const holds = (x: QuizState | undefined) => x?.qs.findIndex((q) => q.poll === answer.poll_id || q.was?.includes(answer.poll_id)) ?? -1;
  let i = holds(learner.doc.quiz);
  if (i < 0) {
    // A daily quiz: the job's key holds it until the learner's first answer takes it over.
    const daily = (await io.stores.people.daily(learner.id))?.quiz;
    i = holds(daily);
    if (i < 0 || learner.doc.dq?.includes(daily!.id)) return "unknown";
    learner.doc.quiz = daily;
    learner.doc.dq = [...(learner.doc.dq ?? []), daily!.id].slice(-7);
  }
  const quiz = learner.doc.quiz!;
  const q = quiz.qs[i]!;
  if (q.g !== undefined) return "duplicate";
  const today = learner.today;
  if (quiz.day < today - QUIZ_TTL_DAYS) return "expired";
  const deckId = learner.deckIdAt(q.d);
  const deck = deckId ? await io.decks.get(deckId) : null;
  const correct = answer.option_ids[0] === q.ok;
  q.g = correct ? 4 : 1;
  if (deck && deck.index.has(q.c)) {
    // The answer is saved with the record alone (one read, one write); the deck's progress shard
    // takes it the next time an update reads that deck (Learner.applyPending).
    const stat = learner.day(today);
    const repeat = learner.doc.pend?.some((e) => e[0] === q.d && e[1] === q.c && e[3] === today);
    stat.presses++;
    if (!repeat) {
      if (q.k === 0 || q.k === undefined) stat.introduced++;
      else {
        stat.reviews++;
        if (q.g >= 3) stat.reviewsOk++;
        if (q.k === 2) {
          stat.mature++;
          if (q.g >= 3) stat.matureOk++;
        }
      }
      if (q.g >= 4) stat.goodEasy++;
    }
    stat.quizAnswered++;
    if (correct) stat.quizCorrect++;
    learner.saveDay(today, stat);
    learner.doc.pend = [...(learner.doc.pend ?? []), [q.d, q.c, q.g, today, io.deps.now()]];
    if (learner.doc.pend.length > MAX_PENDING) await learner.load(io, deck); // applies them now
  }
  const next = quiz.qs.findIndex((x) => x.g === undefined);
  if (next >= 0) {
    try {
      await sendQuestion(io, learner, quiz, next);
    } catch (err) {
      // Keep the grade; the learner can resume with /quiz. Telegram faults are logged, not fatal.
      io.deps.log({ t: "quiz", problem: "next poll not sent", error: err instanceof Error ? err.message : String(err) });
    }
    await saveLearner(io, learner);
    return "graded";
  }
  delete learner.doc.quiz;
  await saveLearner(io, learner);
  await sendSummary(io, learner, quiz);
  return "finished";
}

async function sendSummary(io: QuizIO, learner: Learner, quiz: QuizState): Promise<void> {
  const right = quiz.qs.filter((q) => q.g === 4).length;
  const today = learner.today;
  const streak = currentStreak(learner.doc, today);
  // From the deck summaries in the record: no progress shard is read for a summary.
  const o = unloadedCounts(learner, today);
  const verdict = right === quiz.qs.length ? "Perfect! 🎯" : right >= quiz.qs.length / 2 ? "Well done." : "Keep going — the ones you missed come back soon.";
  const lines = [
    `🧩 <b>Quiz done: ${right}/${quiz.qs.length} correct.</b> ${verdict}`,
    `Streak: <b>${plural(streak, "day")}</b>${streak >= 3 ? " 🔥" : ""}`,
    o.dueNow > 0 ? `Next: ${plural(o.dueNow, "card")} due for review.` : "Nothing due for review right now.",
  ].filter(Boolean);
  const kb = new InlineKeyboard();
  if (o.dueNow > 0) kb.text("▶️ Review now", cb.deck("R", "*"));
  kb.text("🧩 Another quiz", cb.deck("Q", "*"));
  try {
    await io.api.sendMessage(quiz.chat, lines.join("\n"), { parse_mode: "HTML", reply_markup: kb });
  } catch (err) {
    io.deps.log({ t: "quiz", problem: "summary not sent", error: err instanceof Error ? err.message : String(err) });
  }
}

/** Re-sends the running quiz's current question (e.g. /quiz while a quiz is running). */
export async function resumeQuiz(io: QuizIO, learner: Learner): Promise<boolean> {
  const quiz = learner.doc.quiz;
  if (!quiz) return false;
  const i = quiz.qs.findIndex((q) => q.g === undefined);
  if (i < 0) return false;
  await sendQuestion(io, learner, quiz, i);
  await saveLearner(io, learner);
  return true;
}

export function describeQuiz(quiz: QuizState): string {
  const done = quiz.qs.filter((q) => q.g !== undefined).length;
  return `question ${done + 1} of ${quiz.qs.length}`;
}

