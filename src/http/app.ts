/**
 * The hono app: thin routes, each handed straight to the code that does the work.
 *   POST /telegram/webhook — grammY webhookCallback (secret checked in constant time → 401)
 *   GET  /healthz          — liveness, name and version
 *   /api/*                 — the lecturers' HTTP API
 */
import { Hono } from "hono/tiny";
import { webhookCallback, type Bot } from "grammy";
import type { Env } from "../env";
import { withDefaults, type Deps } from "../deps";
import { BUNDLED, type BundledDecks } from "../decks/bundled";
import { createBot } from "../bot/bot";
import type { BotContext } from "../bot/context";
import { isTransient } from "../store/errors";
import { describeError } from "../log";
import { NAME, VERSION } from "../version";
import { createApi } from "./api";

export interface AppOptions {
  deps?: Partial<Deps>;
  /** The bundled decks (tests pass fixture decks, whole). */
  decks?: BundledDecks;
}

export function createApp(options: AppOptions = {}) {
  const deps = withDefaults(options.deps);
  const decks = options.decks ?? BUNDLED;
  // One bot per env object (per isolate in production): features are built once, not per update.
  const bots = new WeakMap<object, { bot: Bot<BotContext>; handle: (c: never) => Promise<Response> }>();
  const botFor = (env: Env) => {
    let entry = bots.get(env);
    if (!entry) {
      const bot = createBot(env, deps, { decks });
      const handle = webhookCallback(bot, "hono", { secretToken: env.WEBHOOK_SECRET, timeoutMilliseconds: 25_000 }) as (c: never) => Promise<Response>;
      entry = { bot, handle };
      bots.set(env, entry);
    }
    return entry;
  };

  const app = new Hono<{ Bindings: Env }>();

  app.get("/healthz", (c) => c.json({ name: NAME, version: VERSION, ok: true }));

  app.post("/telegram/webhook", async (c) => {
    if (!c.env.WEBHOOK_SECRET) {
      deps.log({ t: "config", problem: "WEBHOOK_SECRET is not set; refusing webhook calls" });
      return c.text("not configured", 503);
    }
    try {
      return await botFor(c.env).handle(c as never);
    } catch (err) {
      if (isTransient(err)) return c.text("temporarily unavailable, please retry", 503);
      // A handler error that escaped the boundary, or a malformed body: log it, answer 200 so
      // Telegram does not block the chat retrying an update that would fail again.
      deps.log({ t: "error", where: "webhook", error: describeError(err) });
      return c.text("ok", 200);
    }
  });

  app.route("/api", createApi(deps, decks));

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((err, c) => {
    if (isTransient(err)) return c.json({ ok: false, error: "temporarily unavailable, please retry" }, 503);
    deps.log({ t: "error", where: "http", error: describeError(err) });
    return c.json({ ok: false, error: "internal error" }, 500);
  });

  return app;
}
