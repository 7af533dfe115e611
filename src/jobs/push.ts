/**
 * A lecturer's push: every student of the class is subscribed to the deck and told so, once.
 * Per student: one read, one message, one write (the subscription and the run id together, so a
 * retried chunk skips students already notified). 429 pauses the chunk; 403 marks the student.
 */
import { InlineKeyboard } from "grammy";
import * as v from "valibot";
import type { Services } from "../services";
import type { FanoutOp, RunDoc } from "./fanout";
import { readLearner, saveLearner } from "../bot/learner";
import { syncSlot } from "../store/schedule";
import { classify, isBudget, RateLimited } from "./telegram-errors";
import { cb } from "../bot/callback-data";
import { esc, plural } from "../bot/render";

export interface PushResult {
  notified: number;
  already: number;
  blocked: number;
  gone: number;
  failed: number;
}

const KEEP_PUSHES = 50;
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
    for (const uid of uids) {
      const learner = await readLearner(svc, uid);
      const doc = learner.doc;
      if (!learner.stored) {
        r.gone++;
        continue;
      }
      if (doc.pushes?.includes(run.id)) {
        r.already++;
        continue;
      }
      if (doc.blocked || !deck) {
        r[doc.blocked ? "blocked" : "failed"]++;
        continue;
      }
      const text =
        `📣 <b>${esc(run.by ?? "Your lecturer")}</b> shared a deck with <b>${esc(run.className ?? "your class")}</b>:\n` +
        `📚 <b>${esc(deck.deck.title)}</b> — ${plural(deck.cardIds.length, "card")}\n\nYou are subscribed; your first cards are ready.`;
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
          doc.blocked = true;
          await syncSlot(svc.stores.schedule, uid, doc, svc.deps.now()); // no daily quiz any more
          await saveLearner(svc, learner);
          r.blocked++;
        } else {
          svc.deps.log({ t: "push", problem: fault.message });
          r.failed++;
        }
        continue;
      }
      // Notified: the subscription and the run id are saved together, so a retried chunk skips them.
      const i = learner.tableIndex(deck.deck.id);
      if (i >= 0) doc.decks[i]!.sub = true;
      doc.pushes = [...(doc.pushes ?? []), run.id].slice(-KEEP_PUSHES);
      await saveLearner(svc, learner);
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
