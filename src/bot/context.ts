/** The one Context type every feature sees. */
import type { Context } from "grammy";
import type { Deps } from "../deps";
import type { Env } from "../env";
import type { DeckRegistry } from "../decks/registry";
import type { UserStore } from "../store/users";
import type { Stores } from "../store/stores";

export interface LecternFlavor {
  env: Env;
  deps: Deps;
  users: UserStore;
  stores: Stores;
  decks: DeckRegistry;
  /** Per-update facts for the log line. */
  trace: { outcome: "ok" | "unhandled" | "error" | "retry" | "limited" | "refused"; feature?: string };
}

export type BotContext = Context & LecternFlavor;
