/**
 * What a failure means for the update that met it.
 *
 * - TransientError: a fault worth retrying — KV, Queues or the Bot API answered 5xx or 429, or
 *   timed out. The webhook answers 503 so Telegram redelivers the update; every handler is
 *   idempotent, so the redelivery completes the work exactly once.
 * - RefusedError: storage refused what the input asked for (a key over 512 bytes, a value over
 *   25 MiB, an invalid key or option) or one of Lectern's own write limits said no. Retrying the
 *   same update would fail the same way, so it is answered 200 with `userMessage`.
 */
export class TransientError extends Error {
  override name = "TransientError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type RefusalKind = "key" | "value" | "request" | "user-rate" | "daily-quota";

export class RefusedError extends Error {
  override name = "RefusedError";
  constructor(
    readonly kind: RefusalKind,
    message: string,
    /** What the user is told (plain text). */
    readonly userMessage: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function chain(err: unknown, test: (e: unknown) => boolean): unknown {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (test(e)) return e;
    e = (e as { error?: unknown; cause?: unknown }).error ?? (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function isTransient(err: unknown): boolean {
  // A refusal wrapped in a transient error (it should not be) still is a refusal.
  if (refusal(err)) return false;
  return chain(err, (e) => e instanceof TransientError) !== undefined;
}

/** The refusal somewhere in an error's cause chain, if any. */
export function refusal(err: unknown): RefusedError | undefined {
  return chain(err, (e) => e instanceof RefusedError) as RefusedError | undefined;
}

/** KV's own limits (https://developers.cloudflare.com/kv/platform/limits/). */
export const KV_MAX_KEY_BYTES = 512;
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;

const TOO_LONG = "That was too long for me to look up. Check what you typed (see /help) and send it again.";
const TOO_BIG = "That is more than I can store in one piece. Try a smaller one.";
const NOT_USABLE = "I could not use that request. Check what you typed (see /help) and send it again.";

/**
 * Classifies an error thrown by a KV call. KV reports a refused request as
 * `KV <OP> failed: <status> <reason>`: 4xx other than 429 is the request's fault (key too long,
 * value too large, invalid key, bad expiration) and is refused; 5xx, 429, timeouts and anything
 * unrecognised are transient.
 */
export function classifyKvError(op: string, keyKind: string, err: unknown): TransientError | RefusedError {
  const msg = err instanceof Error ? err.message : String(err);
  const status = /\b(?:failed|error)\b\D{0,8}(\d{3})\b/i.exec(msg.slice(0, 200))?.[1];
  const code = status ? Number(status) : 0;
  const where = `KV ${op} failed for ${keyKind}`;
  if (code === 414 || /key length|exceeds key|key too long/i.test(msg.slice(0, 200))) {
    return new RefusedError("key", `${where}: key too long`, TOO_LONG, { cause: err });
  }
  if (code === 413 || /value length|too large|exceeds .*limit of \d+ ?bytes/i.test(msg.slice(0, 200))) {
    return new RefusedError("value", `${where}: value too large`, TOO_BIG, { cause: err });
  }
  if (code >= 400 && code < 500 && code !== 429 && code !== 408) {
    return new RefusedError("request", `${where}: ${code}`, NOT_USABLE, { cause: err });
  }
  if (/invalid key|illegal key|key names? (?:cannot|must)/i.test(msg.slice(0, 200))) {
    return new RefusedError("request", `${where}: invalid key`, NOT_USABLE, { cause: err });
  }
  return new TransientError(where, { cause: err });
}

/** Refuses a key KV would refuse, before any call: empty, over 512 bytes, "." or "..". */
export function checkKey(op: string, key: string, keyKind: string): void {
  // A JS string's UTF-8 length is at most 3 bytes per UTF-16 unit: only long keys need encoding.
  const bytes = key.length * 3 <= KV_MAX_KEY_BYTES ? key.length : new TextEncoder().encode(key).length;
  if (bytes === 0 || bytes > KV_MAX_KEY_BYTES || key === "." || key === "..") {
    throw new RefusedError("key", `KV ${op} refused for ${keyKind}: key of ${bytes} bytes`, TOO_LONG);
  }
}
