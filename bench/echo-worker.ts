/**
 * The benchmark's baseline: a bare grammY + hono echo worker. POST /telegram/webhook →
 * webhookCallback(bot, "hono", { secretToken }); the bot answers every text with the same text
 * (ctx.reply); bot info preset from BOT_INFO (no getMe); one bot per env object, as Lectern does.
 * `createEchoWorker({ fetch })` takes the same Bot API transport the benchmark gives Lectern; the
 * default export (what `wrangler deploy --dry-run` bundles for the cold-start samples) uses the
 * global fetch.
 */
import { Hono } from "hono";
import { Bot, webhookCallback } from "grammy";

export interface EchoEnv {
  BOT_TOKEN: string;
  WEBHOOK_SECRET: string;
  BOT_INFO: string;
  TELEGRAM_API_ROOT?: string;
}

type Handler = (c: never) => Promise<Response>;

export function createEchoWorker(options: { fetch?: typeof fetch } = {}) {
  const handlers = new WeakMap<object, Handler>();
  const handlerFor = (env: EchoEnv): Handler => {
    let h = handlers.get(env);
    if (!h) {
      const client: { apiRoot: string; fetch?: typeof fetch } = { apiRoot: env.TELEGRAM_API_ROOT || "https://api.telegram.org" };
      if (options.fetch) client.fetch = options.fetch;
      const bot = new Bot(env.BOT_TOKEN, { botInfo: JSON.parse(env.BOT_INFO), client });
      bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
      h = webhookCallback(bot, "hono", { secretToken: env.WEBHOOK_SECRET }) as unknown as Handler;
      handlers.set(env, h);
    }
    return h;
  };
  const app = new Hono<{ Bindings: EchoEnv }>();
  app.post("/telegram/webhook", (c) => handlerFor(c.env)(c as never));
  return { fetch: app.fetch };
}

export default createEchoWorker();
