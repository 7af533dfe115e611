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
   * Longest document (in characters, markup included) /draft and POST /api/draft take, checked
   * before anything else reads it. Default 16,000 (about 1,000 words of HTML): a text of few
   * "words" (punctuation, markup) is bounded too. Raise it with DRAFT_MAX_WORDS on the paid plan.
   */
  DRAFT_MAX_CHARS?: string;
  KV: KVNamespace;
  JOBS?: Queue<Job>;
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
