/**
 * The hono app: thin routes, each handed straight to the code that does the work.
 *   POST /telegram/webhook — grammY webhookCallback (secret checked in constant time → 401)
 *   GET  /healthz          — liveness, name and version
 *   /api/*                 — the lecturers' HTTP API
 *   /app/api/*             — the Mini App's API (the page is a static asset under /app/)
 */
import { Hono } from "hono/tiny";
import { webhookCallback, type Bot } from "grammy";
import type { Env } from "../env";
import { withDefaults, type Deps } from "../deps";
import { BUNDLED, type BundledDecks } from "../decks/bundled";
import { createBot } from "../bot/bot";
import type { BotContext } from "../bot/context";
import { isTransient, refusal } from "../store/errors";
import { limitsOn, type Writer } from "../store/write-guard";
import { sha256hex } from "../store/lecturers";
import { describeError } from "../log";
import { NAME, VERSION } from "../version";
import { createApi } from "./api";
import { createMiniAppApi } from "./miniapp";

export interface AppOptions {
  deps?: Partial<Deps>;
  /** The bundled decks (tests pass fixture decks, whole). */
  decks?: BundledDecks;
}

export function createApp(options: AppOptions = {}) {
  const deps = withDefaults(options.deps);
  const decks = options.decks ?? BUNDLED;
  // One bot per env object (per isolate in production): features are built once, not per update.
  const bots = new WeakMap<object, { bot: Bot<BotContext>; handle: (req: Request) => Promise<Response> }>();
  const botFor = (env: Env) => {
    let entry = bots.get(env);
    if (!entry) {
      const bot = createBot(env, deps, { decks });
      // The Request → Response adapter: a webhook reply goes out as the JSON body it is (grammY's
      // "hono" adapter passes it to c.json, which encodes the JSON text once more as a string).
      const handle = webhookCallback(bot, "cloudflare-mod", { secretToken: env.WEBHOOK_SECRET, timeoutMilliseconds: 25_000 });
      entry = { bot, handle };
      bots.set(env, entry);
    }
    return entry;
  };

  const app = new Hono<{ Bindings: Env; Variables: { writer?: Writer } }>();

  app.get("/healthz", (c) => c.json({ name: NAME, version: VERSION, ok: true }));

  app.post("/telegram/webhook", async (c) => {
    if (!c.env.WEBHOOK_SECRET) {
      deps.log({ t: "config", problem: "WEBHOOK_SECRET is not set; refusing webhook calls" });
      return c.text("not configured", 503);
    }
    try {
      return await botFor(c.env).handle(c.req.raw);
    } catch (err) {
      if (isTransient(err)) return c.text("temporarily unavailable, please retry", 503);
      // A handler error that escaped the boundary, or a malformed body: log it, answer 200 so
      // Telegram does not block the chat retrying an update that would fail again.
      deps.log({ t: "error", where: "webhook", error: describeError(err) });
      return c.text("ok", 200);
    }
  });

  // The API's requests count like a user's updates, per bearer token (a lecturer has one): beyond
  // RL_UPDATES they get 429; their KV puts count against RL_WRITES.
  app.use("/api/*", async (c, next) => {
    const auth = (c.req.header("authorization") ?? "").slice(0, 300);
    const m = /^Bearer\s+(\S{1,200})$/i.exec(auth);
    if (!m || !limitsOn(c.env)) return next();
    const key = `t${(await sha256hex(m[1]!)).slice(0, 24)}`;
    if (c.env.RL_UPDATES) {
      const ok = await c.env.RL_UPDATES.limit({ key }).then((r) => r.success, () => true);
      if (!ok) return c.json({ ok: false, error: "too many requests: slow down and try again in a few seconds" }, 429);
    }
    // The API's stores are built with this writer (createApi reads it): their puts count against the token.
    c.set("writer", { key, ...(c.env.RL_WRITES ? { limiter: c.env.RL_WRITES } : {}) });
    await next();
  });
  app.route("/api", createApi(deps, decks));
  app.route("/app/api", createMiniAppApi(deps, decks));

  app.notFound((c) => c.json({ error: "not found" }, 404));
  app.onError((err, c) => {
    if (isTransient(err)) return c.json({ ok: false, error: "temporarily unavailable, please retry" }, 503);
    // Storage refused what the request asked for, or a write limit said no: the request's to fix or to wait for.
    const refused = refusal(err);
    if (refused) return c.json({ ok: false, error: refused.userMessage }, refused.kind === "user-rate" || refused.kind === "daily-quota" ? 429 : 400);
    deps.log({ t: "error", where: "http", error: describeError(err) });
    return c.json({ ok: false, error: "internal error" }, 500);
  });

  return app;
}
