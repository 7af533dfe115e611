/**
 * Pacing of the bot's outgoing messages in cron and queue invocations: a per-invocation budget
 * of Bot API calls (the free plan's 50 subrequests) and the bot-wide pause Telegram asks for
 * with 429 + retry_after (`v1:pause`, read once per queue batch).
 */
import * as v from "valibot";
import type { Services } from "../services";
import { BudgetExhausted, CALLS_PER_INVOCATION } from "./telegram-errors";
import { Kv } from "../store/kv";

export const PAUSE_KEY = "v1:pause";
const PauseSchema = v.object({ v: v.literal(1), until: v.number() });

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
  const kv = new Kv(svc.deps.kv ?? svc.env.KV, svc.deps);
  await kv.put(PAUSE_KEY, { v: 1, until: svc.deps.now() + retryAfter * 1000 }, { expirationTtl: Math.max(60, retryAfter + 60) });
}

export async function pausedFor(svc: Services): Promise<number> {
  const kv = new Kv(svc.deps.kv ?? svc.env.KV, svc.deps);
  const p = await kv.getJson(PAUSE_KEY, PauseSchema);
  const left = p ? p.until - svc.deps.now() : 0;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

