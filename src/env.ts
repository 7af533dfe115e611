/** The Worker's bindings, vars and secrets — the one place they are named. */
import type { Job } from "./jobs/types";

export interface Env {
  /** Secret: the bot token from @BotFather. */
  BOT_TOKEN: string;
  /** Secret: compared with X-Telegram-Bot-Api-Secret-Token on every webhook call. */
  WEBHOOK_SECRET: string;
  /** JSON of the bot's getMe user, so no update starts with a getMe call. */
  BOT_INFO?: string;
  /** Bot API root; default https://api.telegram.org (the sandbox points it at itself). */
  TELEGRAM_API_ROOT?: string;
  /** Comma-separated Telegram user ids of administrators. */
  ADMIN_USER_IDS?: string;
  /**
   * Longest document (in words) /draft and POST /api/draft take. Default 1,000: drafting costs
   * about 8–15 ms of CPU per 1,000 words, and the free plan allows 10 ms per request; raise it on
   * the paid plan (30 s), e.g. to 20000.
   */
  DRAFT_MAX_WORDS?: string;
  /**
   * "off" turns off the per-user rate limits and the daily write guard (store/write-guard.ts) —
   * for load tests and the other features' test suites; anything else (or unset) leaves them on.
   */
  RATE_LIMITS?: string;
  /** KV writes a day the plan allows (default 1,000, the free plan); non-essential writes stop at 80%. */
  DAILY_WRITE_QUOTA?: string;
  /** The Mini App's URL (https://…/app/): the bot's "Open dashboard" buttons; unset or empty → no buttons. */
  APP_URL?: string;
  /**
   * Most cards one deck upload may hold. Default 1,000: what fits the free plan's 10 ms of CPU
   * per request; on the paid plan raise it, up to 5,000 (a deck's maximum).
   */
  UPLOAD_MAX_CARDS?: string;
  /**
   * Longest document (in characters, markup included) /draft and POST /api/draft take, checked
   * before anything else reads it. Default 16,000 (about 1,000 words of HTML): a text of few
   * "words" (punctuation, markup) is bounded too. Raise it with DRAFT_MAX_WORDS on the paid plan.
   */
  DRAFT_MAX_CHARS?: string;
  KV: KVNamespace;
  JOBS?: Queue<Job>;
  /** Group-quiz answers (`lectern-gquiz`): one consumer at a time files them into the quiz's answer sheet. */
  GQUIZ?: Queue<Job>;
  /** Rate Limiting binding: a user's updates (see bot/limits.ts). */
  RL_UPDATES?: RateLimit;
  /** Rate Limiting binding: the KV puts one user's updates cause (see store/write-guard.ts). */
  RL_WRITES?: RateLimit;
}

export const DEFAULT_API_ROOT = "https://api.telegram.org";

/** True when `id` is listed in ADMIN_USER_IDS. */
export function isAdmin(env: Env, id: number): boolean {
  return (env.ADMIN_USER_IDS ?? "").split(",").some((s) => s.trim() === String(id));
}

export const DEFAULT_DRAFT_MAX_WORDS = 1000;

export function draftMaxWords(env: Env): number {
  const n = Number(env.DRAFT_MAX_WORDS);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_DRAFT_MAX_WORDS;
}

export const DEFAULT_DRAFT_MAX_CHARS = 16_000;

export function draftMaxChars(env: Env): number {
  const n = Number(env.DRAFT_MAX_CHARS);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_DRAFT_MAX_CHARS;
}

/** Words in a text, roughly (runs of letters or digits). */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

/** The Mini App's URL with an optional query, or undefined when APP_URL is not a usable https/http URL. */
export function appUrl(env: Env, query?: Record<string, string>): string | undefined {
  const raw = (env.APP_URL ?? "").trim();
  if (!raw || raw.length > 512) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.set(k, v);
  return u.toString();
}
