/**
 * A lecturer's push: every student of the class is told about the deck, once. The job writes no
 * key of the student's own: the deck is in the class's deck list (written by the lecturer's /push),
 * and each student's next /review or /decks folds it into their deck table (foldClassDecks).
 * Per student: two reads (their record, the delivery key), one message, one write (the delivery
 * key `v2:pushed:<run>:<id>`, so a retried chunk skips students already told — written with the
 * /forget guard, which reads the tombstone before and after): 5 KV operations, so a batch of 8
 * chunks makes about 225 of the 1,000 a Workers invocation may make (npm run bench -- --only push).
 * 429 pauses the chunk; 403 marks the student blocked (a key of the job's own).
 */
import { InlineKeyboard } from "grammy";
import * as v from "valibot";
import type { Services } from "../services";
import type { FanoutOp, RunDoc } from "./fanout";
import { readLearner } from "../learner/learner";
import { classify, isBudget, RateLimited } from "./telegram-errors";
import { cb } from "../learner/callback-data";
import { esc, plural } from "../learner/render";

export interface PushResult {
  notified: number;
  already: number;
  blocked: number;
  gone: number;
  failed: number;
}

const zero = (): PushResult => ({ notified: 0, already: 0, blocked: 0, gone: 0, failed: 0 });

const count = v.pipe(v.number(), v.integer(), v.minValue(0));
const PushResultSchema = v.object({ notified: count, already: count, blocked: count, gone: count, failed: count });

export const pushOp: FanoutOp<PushResult, PushResult> = {
  // 5 students: a batch of 8 chunks stays within 44 Bot API calls (the free plan's 50 subrequests).
  chunkSize: 5,
  result: PushResultSchema,
  empty: zero(),
  async chunk(svc, run, uids) {
    const r = zero();
    const deck = run.deck ? await svc.decks.get(run.deck) : null;
    const people = svc.stores.people;
    for (const uid of uids) {
      const learner = await readLearner(svc, uid);
      if (!learner.stored && !learner.legacy) {
        r.gone++;
        continue;
      }
      if (await people.pushed(run.id, uid)) {
        r.already++;
        continue;
      }
      if (!deck) {
        r.failed++;
        continue;
      }
      const text =
        `📣 <b>${esc(run.by ?? "Your lecturer")}</b> shared a deck with <b>${esc(run.className ?? "your class")}</b>:\n` +
        `📚 <b>${esc(deck.deck.title)}</b> — ${plural(deck.cardIds.length, "card")}\n\nIt is in your decks now; your first cards are ready.`;
      try {
        await svc.api.sendMessage(uid, text, {
          parse_mode: "HTML",
          reply_markup: new InlineKeyboard().text("▶️ Start reviewing", cb.deck("R", deck.deck.id)).text("🧩 Quiz", cb.deck("Q", deck.deck.id)),
        });
      } catch (err) {
        if (isBudget(err)) throw err; // handed back to the queue; this student is sent next time
        const fault = classify(err);
        if (fault.kind === "rate") throw new RateLimited(fault.retryAfter);
        if (fault.kind === "blocked") {
          await people.markBlocked(uid);
          r.blocked++;
        } else {
          svc.deps.log({ t: "push", problem: fault.message });
          r.failed++;
        }
        continue;
      }
      // Told: a retried chunk skips them.
      await people.markPushed(run.id, uid);
      r.notified++;
    }
    return r;
  },
  fold(agg, r) {
    const a = agg ?? zero();
    for (const k of Object.keys(a) as (keyof PushResult)[]) a[k] += (r as PushResult)[k] ?? 0;
    return a;
  },
  async report(svc, run, agg, complete) {
    const a = agg ?? zero();
    const delivered = a.notified + a.already;
    const lines = [
      `📣 <b>Push report</b> — ${esc(run.deck ?? "")} → ${esc(run.className ?? run.class)}`,
      `${delivered} of ${plural(run.total ?? 0, "student")} notified.`,
    ];
    if (a.blocked) lines.push(`${plural(a.blocked, "student")} blocked the bot and could not be told (they stay in the class).`);
    if (a.gone) lines.push(`${plural(a.gone, "student")} deleted their data (/forget).`);
    if (a.failed) lines.push(`${a.failed} could not be reached (see the logs).`);
    if (!complete) lines.push("⚠️ The push did not finish within six hours; some students may not have been reached.");
    await svc.api.sendMessage(run.chat, lines.join("\n"), { parse_mode: "HTML" });
  },
};

export type { RunDoc };
