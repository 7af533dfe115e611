/**
 * The JOBS queue consumer (same Worker). Messages are processed one at a time; when Telegram
 * answers 429 the rest of the batch is retried after its retry_after (the limit is the bot's, not
 * the message's). Anything else is retried by the queue (max_retries, then the dead-letter queue).
 */
import type { Services } from "../services";
import type { Job } from "./types";
import { dailyFor } from "./daily";
import { chunk, finalize, plan, type FanoutOp, type RunDoc } from "./fanout";
import { pushOp } from "./push";
import { statsOp } from "./class-stats";
import { RateLimited } from "./telegram-errors";

export const OPS = { push: pushOp, stats: statsOp } as unknown as Record<RunDoc["op"], FanoutOp<unknown, unknown>>;

export async function consume(svc: Services, batch: MessageBatch<Job>): Promise<void> {
  let pause: number | undefined;
  for (const msg of batch.messages) {
    if (pause !== undefined) {
      msg.retry({ delaySeconds: pause });
      continue;
    }
    try {
      const job = msg.body;
      switch (job.kind) {
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
        pause = err.retryAfter;
        msg.retry({ delaySeconds: pause });
      } else {
        svc.deps.log({ t: "queue", problem: err instanceof Error ? err.message : String(err), attempts: msg.attempts });
        msg.retry({ delaySeconds: Math.min(60, 2 ** msg.attempts) });
      }
    }
  }
}
