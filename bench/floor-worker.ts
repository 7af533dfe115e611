/**
 * What a button press costs with no work of its own — the floor under Lectern's grade press, for
 * the benchmark's breakdown: bare grammY + hono (the same setup as bench/echo-worker.ts), and on
 * every callback query the two Bot API effects a grade press has: the answer as a webhook reply
 * (grammY's Request → Response adapter, as Lectern answers) and one editMessageText with a text
 * and keyboard given by the benchmark (a real press's). No storage, no parsing of its own.
 */
import { Hono } from "hono";
import { Bot, webhookCallback } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { EchoEnv } from "./echo-worker";

type Handle = (req: Request) => Promise<Response>;

export function createFloorWorker(options: { fetch?: typeof fetch; edit: { text: string; reply_markup: InlineKeyboardMarkup } }) {
  const handlers = new WeakMap<object, Handle>();
  const handlerFor = (env: EchoEnv): Handle => {
    let h = handlers.get(env);
    if (!h) {
      const client: { apiRoot: string; fetch?: typeof fetch; canUseWebhookReply: (m: string) => boolean } = {
        apiRoot: env.TELEGRAM_API_ROOT || "https://api.telegram.org",
        canUseWebhookReply: (m) => m === "answerCallbackQuery",
      };
      if (options.fetch) client.fetch = options.fetch;
      const bot = new Bot(env.BOT_TOKEN, { botInfo: JSON.parse(env.BOT_INFO), client });
      bot.on("callback_query:data", async (ctx) => {
        await ctx.answerCallbackQuery();
        await ctx.editMessageText(options.edit.text, { parse_mode: "HTML", reply_markup: options.edit.reply_markup, link_preview_options: { is_disabled: true } });
      });
      h = webhookCallback(bot, "cloudflare-mod", { secretToken: env.WEBHOOK_SECRET });
      handlers.set(env, h);
    }
    return h;
  };
  const app = new Hono<{ Bindings: EchoEnv }>();
  app.post("/telegram/webhook", (c) => handlerFor(c.env)(c.req.raw));
  return { fetch: app.fetch };
}
