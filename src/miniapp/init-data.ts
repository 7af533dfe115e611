/**
 * Telegram Mini App init data, checked as Telegram specifies: the data-check string is every field
 * but `hash` as `key=value`, sorted by key, joined by "\n"; secret = HMAC-SHA-256(key "WebAppData",
 * bot token); the data is genuine when hex(HMAC-SHA-256(secret, data-check string)) equals `hash`
 * (compared in constant time) and `auth_date` is at most MAX_AGE_S old. Pure but for crypto.subtle;
 * no storage is touched.
 */

/** Longest init data accepted (Telegram's is well under 1 KiB; bounded before any parsing). */
export const MAX_INIT_DATA = 4096;
/** Init data older than this is refused. */
export const MAX_AGE_S = 24 * 3600;

export interface MiniAppUser {
  id: number;
  first_name: string;
}

export type InitDataCheck = { ok: true; user: MiniAppUser; authDate: number } | { ok: false; error: string };

const enc = new TextEncoder();

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, enc.encode(data));
}

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time comparison of two strings of the same length (lengths are not secret). */
export function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The data-check string of parsed init data (without `hash`). */
export function dataCheckString(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([k]) => k !== "hash")
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join("\n");
}

/** Signs init data fields with a bot token, as Telegram does (the sandbox and tests use this). */
export async function signInitData(botToken: string, fields: Record<string, string>): Promise<string> {
  const params = new URLSearchParams(fields);
  const secret = await hmac(enc.encode("WebAppData"), botToken);
  params.set("hash", hex(await hmac(secret, dataCheckString(params))));
  return params.toString();
}

/**
 * Checks the `Authorization: tma <initData>` header. `nowMs` is the current time; every failure
 * says what was wrong (never which part of the hash).
 */
export async function checkInitData(header: string | undefined, botToken: string, nowMs: number): Promise<InitDataCheck> {
  if (!header) return { ok: false, error: "missing Authorization header: send Authorization: tma <Telegram.WebApp.initData>" };
  if (header.length > MAX_INIT_DATA + 8) return { ok: false, error: `Authorization header longer than ${MAX_INIT_DATA} characters` };
  if (!header.startsWith("tma ")) return { ok: false, error: "Authorization must be of the form: tma <initData>" };
  if (!botToken) return { ok: false, error: "the bot token is not configured" };
  const params = new URLSearchParams(header.slice(4));
  const hash = params.get("hash") ?? "";
  if (!/^[0-9a-f]{64}$/.test(hash)) return { ok: false, error: "init data has no valid hash" };
  const secret = await hmac(enc.encode("WebAppData"), botToken);
  const expected = hex(await hmac(secret, dataCheckString(params)));
  if (!sameText(expected, hash)) return { ok: false, error: "init data signature does not match" };
  const authDate = Number(params.get("auth_date"));
  if (!Number.isSafeInteger(authDate) || authDate <= 0) return { ok: false, error: "init data has no auth_date" };
  const age = nowMs / 1000 - authDate;
  if (age > MAX_AGE_S) return { ok: false, error: "init data is older than 24 hours: reopen the app from the chat" };
  if (age < -300) return { ok: false, error: "init data auth_date is in the future" };
  let user: unknown;
  try {
    user = JSON.parse(params.get("user") ?? "null");
  } catch {
    return { ok: false, error: "init data user is not JSON" };
  }
  const u = user as { id?: unknown; first_name?: unknown } | null;
  if (!u || typeof u !== "object" || !Number.isSafeInteger(u.id) || (u.id as number) <= 0) return { ok: false, error: "init data has no user" };
  return { ok: true, user: { id: u.id as number, first_name: typeof u.first_name === "string" ? u.first_name.slice(0, 64) : "" }, authDate };
}
