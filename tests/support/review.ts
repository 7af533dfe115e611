/** Steps of a learner through the webhook that many integration tests share. */
import { button, type Harness } from "./harness";

export type GradeLabel = "Again" | "Hard" | "Good" | "Easy";

/** Show answer, then the grade whose label starts with `label` (1.5 s apart). */
export async function grade(h: Harness, uid: number, label: GradeLabel) {
  h.advance(1500);
  let msg = h.lastBotMessage(uid)!;
  await h.press(uid, uid, msg.message_id, button(msg, "👀 Show answer"));
  msg = h.lastBotMessage(uid)!;
  h.advance(1500);
  await h.press(uid, uid, msg.message_id, button(msg, new RegExp(`^${label}( ·|$)`)));
}

/** Presses ⏹ Stop on the session on screen. */
export async function stop(h: Harness, uid: number) {
  h.advance(1500);
  await h.press(uid, uid, h.lastBotMessage(uid)!.message_id, button(h.lastBotMessage(uid), "⏹ Stop"));
}

/** Answers the running quiz's newest poll, right or wrong. */
export async function answer(h: Harness, uid: number, correct: boolean) {
  h.advance(4000);
  const poll = h.tg.messages(uid).filter((m) => m.poll).at(-1)!.poll!;
  const right = poll.correct_option_ids![0]!;
  await h.deliver(h.tg.answerPoll(uid, poll.id, [correct ? right : (right + 1) % poll.options.length]));
}
