/**
 * createBot(env, deps): the bot with its bot info preset (no getMe per update), the Bot API
 * pointed at env.TELEGRAM_API_ROOT, one log line per update, and the features installed in order
 * behind an error boundary — `unhandled` last, so every update gets a 200.
 */
import { Bot, type Composer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Env } from "../env";
import type { Deps } from "../deps";
import type { BundledDecks } from "../decks/bundled";
import { apiClientOptions, createServices } from "../services";
import { isTransient, refusal } from "../store/errors";
import { describeError, hashUserId } from "../log";
import type { BotContext } from "./context";
import { features } from "./features";
import { GoneError } from "./learner";
import { privateButtonsOnly, rateLimits, tellSlowDown } from "./guards";

export interface BotOptions {
  /** The bundled decks (tests pass fixture decks). */
  decks: BundledDecks;
}

export function parseBotInfo(env: Env): UserFromGetMe | undefined {
  if (!env.BOT_INFO) return undefined;
  try {
    const info = JSON.parse(env.BOT_INFO) as unknown;
    if (info && typeof info === "object" && typeof (info as UserFromGetMe).id === "number" && typeof (info as UserFromGetMe).username === "string") {
      return info as UserFromGetMe;
    }
  } catch {
    // fall through
  }
  throw new Error("BOT_INFO is not the JSON of the bot's getMe user (it needs at least id and username); run `npm run setup`");
}

export function createBot(env: Env, deps: Deps, options: BotOptions): Bot<BotContext> {
  const botInfo = parseBotInfo(env);
  // A button's answer rides in the webhook's HTTP response (Telegram runs it as a Bot API call):
  // one outgoing call less per press. Its result is only `true`, so nothing is lost; if the update
  // then fails transiently the response is a 503 and the answer comes with the redelivery.
  const client = { ...apiClientOptions(env, deps), canUseWebhookReply: (method: string) => method === "answerCallbackQuery" };
  const bot = new Bot<BotContext>(env.BOT_TOKEN, botInfo ? { botInfo, client } : { client });
  // Answering a callback query is a courtesy: when it fails (the query is too old, e.g. on a
  // redelivered update), the work the button asked for must still be done.
  bot.api.config.use(async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (method === "answerCallbackQuery" && !res.ok) {
      deps.log({ t: "api", method, ok: false, error: res.description });
      return { ok: true, result: true as never };
    }
    return res;
  });
  const { stores, decks } = createServices(env, deps, options.decks, bot.api);

  bot.use(async (ctx, next) => {
    ctx.env = env;
    ctx.deps = deps;
    ctx.stores = stores;
    ctx.users = stores.users;
    ctx.decks = decks;
    ctx.trace = { outcome: "ok" };
    const t0 = deps.now();
    try {
      await next();
    } finally {
      deps.log({
        t: "update",
        id: ctx.update.update_id,
        type: updateType(ctx.update),
        user: await hashUserId(ctx.from?.id, env.WEBHOOK_SECRET),
        outcome: ctx.trace.outcome,
        ...(ctx.trace.feature ? { feature: ctx.trace.feature } : {}),
        ms: deps.now() - t0,
      });
    }
  });

  // Before any feature: per-user rate limits (and the write limiter's scope), personal buttons only in private.
  bot.use(rateLimits(env, deps), privateButtonsOnly);

  const guarded: Composer<BotContext>[] = features;
  bot.errorBoundary(async (err) => {
    const ctx = err.ctx;
    if (isTransient(err.error)) {
      // Storage fault: let the webhook answer 503 so Telegram redelivers the update.
      ctx.trace.outcome = "retry";
      deps.log({ t: "error", id: ctx.update.update_id, transient: true, error: describeError(err.error) });
      throw err.error;
    }
    if (err.error instanceof GoneError) {
      // An update from before the learner's /forget (a redelivery, an old button): nothing is written.
      ctx.trace.outcome = "ok";
      try {
        if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: "You deleted your data since — nothing was saved. Send /start to begin afresh." });
      } catch {
        // best effort
      }
      return;
    }
    const refused = refusal(err.error);
    if (refused) {
      // The input or a write limit caused it: retrying would fail the same way. Say what happened.
      ctx.trace.outcome = refused.kind === "user-rate" ? "limited" : "refused";
      deps.log({ t: "refused", id: ctx.update.update_id, kind: refused.kind, error: describeError(refused) });
      await tellSlowDown(ctx, refused.userMessage, refused.kind === "user-rate" ? 60_000 : 1);
      return;
    }
    ctx.trace.outcome = "error";
    deps.log({ t: "error", id: ctx.update.update_id, error: describeError(err.error) });
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: "Sorry, that went wrong on our side. Please try again." });
      else if (ctx.chat?.type === "private") await ctx.reply("Sorry, something went wrong on our side. Please try again, or send /help.");
    } catch {
      // the apology is best effort
    }
  }, ...guarded);

  return bot;
}

const UPDATE_TYPES = [
  "message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
  "edited_business_message", "deleted_business_messages", "message_reaction", "message_reaction_count", "inline_query",
  "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
  "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
] as const;

export function updateType(update: object): string {
  for (const t of UPDATE_TYPES) if (t in update) return t;
  return Object.keys(update).find((k) => k !== "update_id") ?? "unknown";
}
