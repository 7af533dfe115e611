/**
 * The JOBS queue consumer (same Worker), one message at a time.
 *
 * - Telegram's 429 is about the whole bot: the consumer records "paused until" (`v1:pause`) and
 *   hands this and the remaining messages back to the queue delayed by retry_after; every batch
 *   first checks the pause, so the next batches do not run into the same 429. Handing back means
 *   sending a fresh message and acknowledging the old one, so rate limits never use up a
 *   message's retries (max_retries stays for real failures, then the dead-letter queue).
 * - At most CALLS_PER_INVOCATION Bot API calls per invocation (the free plan's 50 subrequests):
 *   a job that would exceed it is handed back at once, not failed.
 * Jobs are idempotent (see daily.ts, fanout.ts, push.ts), so handing one back is always safe.
 */
import type { Services } from "../services";
import type { Job } from "./types";
import { dailyFor } from "./daily";
import { exportPart } from "./export";
import { chunk, finalize, plan, type FanoutOp, type RunDoc } from "./fanout";
import { pushOp } from "./push";
import { statsOp } from "./class-stats";
import { isBudget, RateLimited } from "./telegram-errors";
import { limitCalls, pausedFor, pauseSending } from "./pacing";
import { fileAnswers, isSheetJob } from "./gsheet";

export const OPS = { push: pushOp, stats: statsOp } as unknown as Record<RunDoc["op"], FanoutOp<unknown, unknown>>;

/** Hands messages back to the queue as fresh messages (delayed), acknowledging the originals. */
async function handBack(svc: Services, msgs: readonly Message<Job>[], delaySeconds: number): Promise<void> {
  const queue = svc.env.JOBS;
  if (!queue) {
    for (const m of msgs) m.retry({ delaySeconds });
    return;
  }
  for (let k = 0; k < msgs.length; k += 100) {
    await queue.sendBatch(msgs.slice(k, k + 100).map((m) => ({ body: m.body, delaySeconds })));
  }
  for (const m of msgs) m.ack();
}

export async function consume(svc: Services, batch: MessageBatch<Job>): Promise<void> {
  // Group-quiz answers (their own queue) make no Bot API call: filed whatever Telegram's pause.
  const answers = batch.messages.filter((m) => isSheetJob(m.body));
  if (answers.length) await fileAnswers(svc, answers);
  const messages = answers.length ? batch.messages.filter((m) => !isSheetJob(m.body)) : batch.messages;
  if (messages.length === 0) return;
  limitCalls(svc);
  const wait = await pausedFor(svc);
  if (wait > 0) return handBack(svc, messages, wait);
  let exported = false;
  for (let i = 0; i < messages.length; i++) {
    const msg = messages[i]!;
    try {
      const job = msg.body;
      // One export file per invocation (each is a few ms of CPU; several would not fit 10 ms).
      if (job.kind === "export" && exported) return handBack(svc, messages.slice(i), 0);
      switch (job.kind) {
        case "export":
          exported = true;
          await exportPart(svc, job.uid, job.deck, job.part);
          break;
        case "daily":
          await dailyFor(svc, job.uid, job.slot);
          break;
        case "plan":
          await plan(svc, OPS, job.run);
          break;
        case "chunk":
          await chunk(svc, OPS, job.run, job.n, job.uids);
          break;
        case "final":
          await finalize(svc, OPS, job.run);
          break;
        default:
          svc.deps.log({ t: "queue", problem: "unknown job", kind: (job as { kind?: unknown }).kind });
      }
      msg.ack();
    } catch (err) {
      if (err instanceof RateLimited) {
        await pauseSending(svc, err.retryAfter);
        return handBack(svc, messages.slice(i), err.retryAfter);
      }
      if (isBudget(err)) return handBack(svc, messages.slice(i), 0);
      svc.deps.log({ t: "queue", problem: err instanceof Error ? err.message : String(err), attempts: msg.attempts });
      msg.retry({ delaySeconds: Math.min(60, 2 ** msg.attempts) });
    }
  }
}
