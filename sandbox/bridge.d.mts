import type { Update } from "@grammyjs/types";

export const DEFAULT_API_ROOT: string;
/** message, edited_message, callback_query, poll_answer, my_chat_member */
export const BRIDGE_ALLOWED_UPDATES: string[];

export class BridgeError extends Error {
  /** "WEBHOOK" (a webhook blocks getUpdates), "CONFLICT" (another poller), "TOKEN", "BRIDGE". */
  code: string;
  constructor(message: string, opts?: { code?: string });
}

export function parseDotenv(text: string): Record<string, string>;
export function loadBridgeConfig(opts?: {
  file?: string;
  env?: Record<string, string | undefined>;
}): { file: string | undefined; token: string | undefined; secret: string | undefined; apiRoot: string };

export interface BridgeOptions {
  /** Default https://api.telegram.org */
  apiRoot?: string;
  token: string;
  /** Sent as X-Telegram-Bot-Api-Secret-Token (omitted when empty). */
  secret?: string;
  webhookUrl: string;
  /** Abort to stop; runBridge then resolves. */
  signal?: AbortSignal;
  /** On 409 "webhook is active": call deleteWebhook and go on instead of failing. */
  deleteWebhook?: boolean;
  allowedUpdates?: string[];
  /** getUpdates timeout in seconds (default 50). */
  pollTimeout?: number;
  /** Backoff for webhook retries and failed getUpdates (defaults 500 ms, 30 s, 6 attempts per update). */
  retry?: { baseMs?: number; maxMs?: number; maxAttempts?: number };
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** After each update: delivered (true) or given up on (false). */
  onUpdate?: (update: Update, delivered: boolean) => void;
}

export interface BridgeStats {
  delivered: number;
  failed: number;
  /** The next getUpdates offset. */
  offset: number | undefined;
}

export function runBridge(options: BridgeOptions): Promise<BridgeStats>;
