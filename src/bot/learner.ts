/**
 * The learner model lives in src/learner/ (shared by the bot, jobs, quizzes and stats); what only
 * a bot update needs — loading the sender, and when the update was made — is here.
 */
import type { BotContext } from "./context";
import { readLearner, type Learner } from "../learner/learner";
import { applyGroupAnswers } from "../learner/group-answers";

export * from "../learner/learner";

/** Loads the sender's record. */
export async function loadLearner(ctx: BotContext, id = ctx.from!.id): Promise<Learner> {
  const learner = await readLearner(ctx, id);
  learner.since = updateTime(ctx);
  // Group quizzes that ended: the sender's answers join their record (saved with this update's write).
  if (learner.doc.gq && id === ctx.from?.id) await applyGroupAnswers(ctx, learner);
  return learner;
}

/** When the update was made (ms): its message's date; a button press counts from its message's date; else 0. */
export function updateTime(ctx: BotContext): number {
  const date = ctx.message?.date ?? ctx.editedMessage?.date ?? ctx.callbackQuery?.message?.date;
  return date === undefined ? 0 : date * 1000;
}

