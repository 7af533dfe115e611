/**
 * A storage fault worth retrying (KV unavailable, 429, timeout). The webhook answers 503 for it so
 * Telegram redelivers the update; every handler is idempotent, so the redelivery completes the
 * work exactly once.
 */
export class TransientError extends Error {
  override name = "TransientError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof TransientError) return true;
    e = (e as { error?: unknown; cause?: unknown }).error ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
