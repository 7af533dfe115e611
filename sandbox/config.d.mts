import type { UserFromGetMe } from "@grammyjs/types";
import type { SandboxGroup, SandboxUser } from "./telegram-core.mjs";

export const SANDBOX_TOKEN: string;
export const SANDBOX_SECRET: string;
export const SANDBOX_BOT_INFO: Readonly<UserFromGetMe>;
/** Must stay equal to wrangler.toml's `[triggers] crons`. */
export const DAILY_CRON: string;
export const ALICE: 1001;
export const BOB: 1002;
export const CAROL: 3001;
export const CLASS_GROUP: -100200300;
export const SANDBOX_USERS: readonly (SandboxUser & { label: string; displayName?: string })[];
export const SANDBOX_GROUPS: readonly (SandboxGroup & { type: "supergroup" })[];
export const DEFAULT_WORKER_PORT: number;
export const DEFAULT_SANDBOX_PORT: number;

export type SandboxWorkerVars = {
  BOT_TOKEN: string;
  WEBHOOK_SECRET: string;
  BOT_INFO: string;
  TELEGRAM_API_ROOT: string;
  ADMIN_USER_IDS: string;
};
export function sandboxWorkerVars(opts: { sandboxUrl: string }): SandboxWorkerVars;
