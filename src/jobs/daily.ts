/**
 * The daily quiz. A cron trigger runs every 15 minutes; each run serves one UTC slot: it lists the
 * slot's learners (the one list() — a cron, never a request path) and sends each their quiz at
 * most once per local day. Small slots are served inline; large ones go through the JOBS queue
 * (the Worker's free-plan limit is 50 subrequests per invocation; a learner costs about 3).
 */
import { InlineKeyboard } from "grammy";
import type { Services } from "../services";
import type { Job } from "./types";
import { readLearner, type Learner } from "../learner/learner";
import { startQuiz } from "../quiz/service";
import { slotAt, slotFor } from "../store/schedule";
import { localMinuteOfDay } from "../srs/days";
import { classify, isBudget, RateLimited } from "./telegram-errors";
import { limitCalls, pauseSending } from "./pacing";
import { cb } from "../learner/callback-data";

/** Learners served inside the cron invocation itself; more go through the queue. */
export const INLINE_MAX = 8;
/** "All caught up" is sent at most once per this many days. */
export const CAUGHT_UP_EVERY = 7;

export type DailyOutcome = "sent" | "caught-up" | "nothing" | "already" | "busy" | "off" | "moved" | "blocked" | "stray";

export interface DailyReport {
  slot: string;
  learners: number;
  inline: number;
  queued: number;
  outcomes: Partial<Record<DailyOutcome, number>>;
}

export async function runDaily(svc: Services, scheduledTime: number): Promise<DailyReport> {
  limitCalls(svc);
  const slot = slotAt(scheduledTime);
  const members = await svc.stores.schedule.members(slot);
  const report: DailyReport = { slot, learners: members.length, inline: 0, queued: 0, outcomes: {} };
  const queue = svc.env.JOBS;
  if (members.length <= INLINE_MAX || !queue) {
    for (let i = 0; i < members.length; i++) {
      try {
        const o = await dailyFor(svc, members[i]!, slot);
        report.outcomes[o] = (report.outcomes[o] ?? 0) + 1;
        report.inline++;
      } catch (err) {
        if ((err instanceof RateLimited || isBudget(err)) && queue) {
          // Hand the rest to the queue, delayed as Telegram asked (and record the pause for it).
          if (err instanceof RateLimited) await pauseSending(svc, err.retryAfter);
          const delaySeconds = err instanceof RateLimited ? err.retryAfter : 0;
          const rest = members.slice(i).map((uid) => ({ body: { kind: "daily", uid, slot, at: scheduledTime } as Job, delaySeconds }));
          for (let k = 0; k < rest.length; k += 100) await queue.sendBatch(rest.slice(k, k + 100));
          report.queued += rest.length;
          break;
        }
        svc.deps.log({ t: "daily", slot, problem: err instanceof Error ? err.message : String(err) });
      }
    }
  } else {
    const jobs = members.map((uid) => ({ body: { kind: "daily", uid, slot, at: scheduledTime } as Job }));
    for (let k = 0; k < jobs.length; k += 100) await queue.sendBatch(jobs.slice(k, k + 100));
    report.queued = jobs.length;
  }
  svc.deps.log({ t: "daily", ...report });
  return report;
}

/**
 * One learner's daily quiz: reads the learner's record (never writes it) and the job's own key
 * `v2:daily:<id>`; on sending, one write — that key, with the quiz and "sent today" — so a retried
 * job sends nothing twice. The learner's first answer takes the quiz over into their own record.
 */
export async function dailyFor(svc: Services, uid: number, slot: string): Promise<DailyOutcome> {
  const learner = await readLearner(svc, uid);
  const doc = learner.doc;
  if (!learner.stored && !learner.legacy) {
    // No record: an orphan index key (the person deleted their data) — remove it.
    await svc.stores.schedule.move(uid, slot, undefined);
    return "stray";
  }
  if (!doc.settings.dailyOn) return "off";
  const people = svc.stores.people;
  // Blocked since their last write of their own: a message, a setting, a review since then clears it.
  const blockedAt = await people.blocked(uid);
  if (blockedAt !== null && blockedAt > doc.at) return "blocked";
  const today = learner.today;
  const mine = await people.daily(uid);
  if (mine && mine.day === today) return "already";
  if (doc.daily.lastSent === today) return "already";
  const now = svc.deps.now();
  if (slotFor(doc.settings.dailyAt, doc.tz, now) !== slot && localMinuteOfDay(now, doc.tz) < doc.settings.dailyAt) {
    // Daylight saving moved the learner's slot and their quiz time has not come yet: the index
    // key is theirs to move (on their next settings change); serve them in the slot after this.
    return "moved";
  }
  if (doc.quiz && doc.quiz.day === today) return "busy";
  const chat = uid; // a private chat's id is the user's id
  try {
    const r = await startQuiz(svc, learner, chat, -1, { daily: true, ...(mine?.caughtUp !== undefined ? { caughtUp: mine.caughtUp } : {}) });
    if (r.status === "sent") return "sent";
    if (r.status === "gone") return "stray";
    const lastCaughtUp = Math.max(mine?.caughtUp ?? -1, doc.daily.lastCaughtUp);
    if (today - lastCaughtUp >= CAUGHT_UP_EVERY) {
      await svc.api.sendMessage(chat, "🎉 Daily quiz: you are all caught up — nothing is due and every card has been seen. Subscribe to another deck for more.", {
        reply_markup: new InlineKeyboard().text("📚 Decks", cb.catalogue()),
      });
      await people.putDaily(uid, { v: 1, day: today, caughtUp: today });
      return "caught-up";
    }
    return "nothing";
  } catch (err) {
    return handleSendError(svc, learner, err);
  }
}

/** 403: the learner blocked the bot — mark them (a key of the job's own). 429: retry later. */
export async function handleSendError(svc: Services, learner: Learner, err: unknown): Promise<"blocked"> {
  if (isBudget(err)) throw err;
  const fault = classify(err);
  if (fault.kind === "rate") throw new RateLimited(fault.retryAfter);
  if (fault.kind === "blocked") {
    await svc.stores.people.markBlocked(learner.id);
    return "blocked";
  }
  throw err;
}
