/**
 * What a bot update, a cron run and a queue job share: the stores around the KV binding, the deck
 * registry and a Bot API client pointed at env.TELEGRAM_API_ROOT.
 */
import { Api } from "grammy";
import { DEFAULT_API_ROOT, type Env } from "./env";
import type { Deps } from "./deps";
import type { BundledDecks } from "./decks/bundled";
import { DeckRegistry } from "./decks/registry";
import { createStores, type Stores } from "./store/stores";
import { guardWrites, type Writer } from "./store/write-guard";
import type { UserStore } from "./store/users";

export interface Services {
  env: Env;
  deps: Deps;
  stores: Stores;
  users: UserStore;
  decks: DeckRegistry;
  api: Api;
  /** Whose writes these are (an API request's token); none for the cron and queue jobs. */
  writer?: Writer;
}

export function apiClientOptions(env: Env, deps: Deps) {
  const client: { apiRoot: string; fetch?: typeof fetch } = { apiRoot: env.TELEGRAM_API_ROOT || DEFAULT_API_ROOT };
  if (deps.fetch) client.fetch = deps.fetch;
  return client;
}

export function createServices(env: Env, deps: Deps, bundled: BundledDecks, api?: Api, writer?: Writer): Services {
  // Every store writes through the write limits (per user when there is a writer, and the daily guard).
  const stores = createStores(guardWrites(deps.kv ?? env.KV, env, deps, writer), deps);
  return {
    env, deps, stores, users: stores.users,
    decks: new DeckRegistry(bundled, stores.decks),
    api: api ?? new Api(env.BOT_TOKEN, apiClientOptions(env, deps)),
    ...(writer ? { writer } : {}),
  };
}
