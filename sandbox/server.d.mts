import type { UserFromGetMe } from "@grammyjs/types";
import type { SandboxGroup, SandboxUser, Telegram } from "./telegram-core.mjs";

export const DAILY_CRON: string;

export interface SandboxOptions {
  /** Default 8788; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The Worker's base URL (default http://127.0.0.1:8787); /healthz and /__scheduled live there. */
  workerUrl?: string;
  /** Where updates are POSTed in webhook mode (default `${workerUrl}/telegram/webhook`). */
  webhookUrl?: string;
  /** "webhook" (default): POST each update to the Worker. "polling": queue them for getUpdates. */
  mode?: "webhook" | "polling";
  token?: string;
  /** Sent as X-Telegram-Bot-Api-Secret-Token with each webhook call. */
  secret?: string;
  botInfo?: UserFromGetMe;
  users?: SandboxUser[];
  groups?: SandboxGroup[];
  now?: () => number;
  /** Use this core instead of creating one. */
  core?: Telegram;
  /** The cron string "Run the daily job now" passes to /__scheduled (default DAILY_CRON). */
  cron?: string;
  /** How often to check the Worker's /healthz while it is down (default 2000 ms; every 30 s once up; 0 = never). */
  healthIntervalMs?: number;
  /** Warn in the page when a button press is not answered within this time (default 15000 ms). */
  callbackAnswerWarnMs?: number;
  /** Save the chats here (debounced) and load them at start, so they outlive a restart. */
  stateFile?: string;
  log?: (line: string) => void;
  publicDir?: string;
}

export interface SandboxEvent {
  seq: number;
  at: number;
  kind: "error" | "warning" | "info" | "toast" | "alert" | "api-error" | string;
  text: string;
  userId?: number;
  chatId?: number;
}

export interface Sandbox {
  /** Base URL of the page and of the Bot API (TELEGRAM_API_ROOT). */
  url: string;
  port: number;
  apiRoot: string;
  core: Telegram;
  mode: "webhook" | "polling";
  /** Notices shown in the page (webhook failures, callback answers, daily job runs). */
  events: SandboxEvent[];
  /** Resolves when every update made so far has been delivered to the Worker (webhook mode). */
  idle(): Promise<void>;
  /** What the page's "Run the daily job now" does. */
  runCron(): Promise<{ ok: boolean; status: number; body: string }>;
  close(): Promise<void>;
}

export function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
