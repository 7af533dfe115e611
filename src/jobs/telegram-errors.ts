/** How a fan-out job reads Telegram's answers: blocked (403), slow down (429), or other. */
import { GrammyError, HttpError } from "grammy";

export type SendFault = { kind: "blocked" } | { kind: "rate"; retryAfter: number } | { kind: "other"; message: string };

export function classify(err: unknown): SendFault {
  if (err instanceof GrammyError) {
    if (err.error_code === 403) return { kind: "blocked" };
    if (err.error_code === 429) return { kind: "rate", retryAfter: Math.max(1, err.parameters.retry_after ?? 5) };
    return { kind: "other", message: `${err.error_code} ${err.description}` };
  }
  return { kind: "other", message: err instanceof Error ? err.message : String(err) };
}

/** Thrown to stop a batch and retry it after Telegram's retry_after. */
export class RateLimited extends Error {
  override name = "RateLimited";
  constructor(readonly retryAfter: number) {
    super(`Telegram asked to retry after ${retryAfter} s`);
  }
}

/**
 * Thrown before a Bot API call that would exceed the invocation's subrequest budget (the free
 * plan allows 50 per invocation): the job is handed back to the queue, not failed.
 */
export class BudgetExhausted extends Error {
  override name = "BudgetExhausted";
  constructor() {
    super("subrequest budget of this invocation used up");
  }
}

/** True for a BudgetExhausted, also when grammY wrapped it (HttpError). */
export function isBudget(err: unknown): boolean {
  return err instanceof BudgetExhausted || (err instanceof HttpError && err.error instanceof BudgetExhausted);
}

/** Bot API calls one queue or cron invocation may make (50 subrequests, less a margin for queue sends). */
export const CALLS_PER_INVOCATION = 44;
