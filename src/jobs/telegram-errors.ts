/** How a fan-out job reads Telegram's answers: blocked (403), slow down (429), or other. */
import { GrammyError } from "grammy";

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
