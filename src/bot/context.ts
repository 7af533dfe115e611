/** The one Context type every feature sees. */
import type { Context } from "grammy";
import type { Deps } from "../deps";
import type { Env } from "../env";
import type { DeckRegistry } from "../decks/registry";
import type { UserStore } from "../store/users";
import type { Stores } from "../store/stores";
import type { Writer } from "../store/write-guard";

export interface LecternFlavor {
  env: Env;
  deps: Deps;
  users: UserStore;
  stores: Stores;
  decks: DeckRegistry;
  /** The sender as the writer of this update's KV puts (set by the rate-limit guard; stores bound to it). */
  writer?: Writer;
  /** Per-update facts for the log line. */
  trace: { outcome: "ok" | "unhandled" | "error" | "retry" | "limited" | "refused"; feature?: string };
}

export type BotContext = Context & LecternFlavor;
