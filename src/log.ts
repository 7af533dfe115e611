/** Privacy-preserving identifiers for logs: never names, never message text, never raw user ids. */

const enc = new TextEncoder();
const keyCache = new Map<string, Promise<CryptoKey>>();

/**
 * A short keyed hash of a Telegram user id (HMAC-SHA-256 with the webhook secret as key), so log
 * lines about one user can be grouped without the id itself being recoverable by brute force.
 */
export async function hashUserId(id: number | undefined, secret: string): Promise<string | undefined> {
  if (id === undefined) return undefined;
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", enc.encode(`lectern-log:${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keyCache.set(secret, key);
  }
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, enc.encode(String(id))));
  let hex = "";
  for (let i = 0; i < 6; i++) hex += mac[i]!.toString(16).padStart(2, "0");
  return hex;
}

/** Short description of an error for a log line: class and message, no stack, bounded. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}
