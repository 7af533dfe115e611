/**
 * Pacing of the bot's outgoing messages in cron and queue invocations: a per-invocation budget
 * of Bot API calls (the free plan's 50 subrequests) and the bot-wide pause Telegram asks for
 * with 429 + retry_after (read once per queue batch).
 */
import type { Services } from "../services";
import { BudgetExhausted, CALLS_PER_INVOCATION } from "./telegram-errors";

/** Counts the Bot API calls of this invocation and stops before the budget is exceeded. */
export function limitCalls(svc: Services, max = CALLS_PER_INVOCATION): { calls: () => number } {
  let calls = 0;
  svc.api.config.use((prev, method, payload, signal) => {
    if (calls >= max) throw new BudgetExhausted();
    calls++;
    return prev(method, payload, signal);
  });
  return { calls: () => calls };
}

/** Records that Telegram asked the bot to wait (one write per 429). */
export async function pauseSending(svc: Services, retryAfter: number): Promise<void> {
  await svc.stores.pause.set(svc.deps.now() + retryAfter * 1000, retryAfter + 60);
}

export async function pausedFor(svc: Services): Promise<number> {
  const left = (await svc.stores.pause.until()) - svc.deps.now();
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

