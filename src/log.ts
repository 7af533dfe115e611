/** Privacy-preserving identifiers for logs: never names, never message text, never raw user ids. */

const enc = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();
/** Hashes already computed in this isolate (a user's updates come in runs). */
const hashCache = new Map<string, string>();
const HASH_CACHE_MAX = 2000;

/**
 * A short keyed hash of a Telegram user id (HMAC-SHA-256 with the webhook secret as key), so log
 * lines about one user can be grouped without the id itself being recoverable by brute force.
 */
export async function hashUserId(id: number | undefined, secret: string): Promise<string | undefined> {
  if (id === undefined) return undefined;
  const memo = `${secret}\u0000${id}`;
  const hit = hashCache.get(memo);
  if (hit) return hit;
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", enc.encode(`lectern-log:${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keyCache.set(secret, key);
  }
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, enc.encode(String(id))));
  let hex = "";
  for (let i = 0; i < 6; i++) hex += mac[i]!.toString(16).padStart(2, "0");
  if (hashCache.size >= HASH_CACHE_MAX) hashCache.delete(hashCache.keys().next().value as string);
  hashCache.set(memo, hex);
  return hex;
}

/** Short description of an error for a log line: class and message, no stack, bounded. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
