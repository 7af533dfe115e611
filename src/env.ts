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
  KV: KVNamespace;
  JOBS?: Queue<Job>;
}

export const DEFAULT_API_ROOT = "https://api.telegram.org";
