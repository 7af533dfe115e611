/**
 * Guards every update passes before the features (installed by bot.ts):
 *
 * - rateLimits: a user's updates count against RL_UPDATES (30 in 10 s in wrangler.toml); beyond
 *   it the update does nothing and writes nothing — a button gets a short "slow down" note, a
 *   private chat gets one "slow down" message at most once per window per isolate, a group or a
 *   poll answer gets nothing. The rest of the update gets stores bound to that user as writer, so
 *   its KV puts count against RL_WRITES (store/write-guard.ts).
 * - privateButtonsOnly: every button but the group quiz's controls (`G:…`) is personal (stats,
 *   help, decks, reviews, settings, …). Pressed on a message in a group — a forged callback, or a
 *   keyboard the bot posted there — it does nothing there: the presser gets a note, the group
 *   gets nothing.
 */
import type { MiddlewareFn } from "grammy";
import type { Env } from "../env";
import type { Deps } from "../deps";
import type { BotContext } from "./context";
import { guardWrites, limitsOn, type Writer } from "../store/write-guard";
import { createStores } from "../store/stores";
import { byteLength, MAX_CALLBACK_BYTES } from "../learner/callback-data";

export const UPDATES_PERIOD_MS = 10_000;
export const SLOW_DOWN_UPDATES = "⏳ Slow down a little — you are sending faster than I can keep up with. Give me a few seconds.";
const NOTICE_MAX = 5000;

/** "uid:period" → the window in which this isolate last told them to slow down. */
const noticed = new Map<string, number>();

/** True at most once per window per user (per isolate): whether to post a "slow down" message. */
export function noticeDue(uid: number, now: number, periodMs = UPDATES_PERIOD_MS): boolean {
  const w = Math.floor(now / periodMs);
  const k = `${uid}:${periodMs}`;
  if (noticed.get(k) === w) return false;
  if (noticed.size >= NOTICE_MAX) noticed.delete(noticed.keys().next().value as string);
  noticed.set(k, w);
  return true;
}

/** Tells the user to slow down: on a button always (it must be answered), in a private chat once per window. */
export async function tellSlowDown(ctx: BotContext, text: string, periodMs: number): Promise<void> {
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: text.slice(0, 200) });
    else if (ctx.chat?.type === "private" && ctx.from && noticeDue(ctx.from.id, ctx.deps.now(), periodMs)) await ctx.reply(text);
  } catch {
    // a courtesy
  }
}

export function rateLimits(env: Env, deps: Deps): MiddlewareFn<BotContext> {
  const on = limitsOn(env);
  return async (ctx, next) => {
    const uid = ctx.from?.id;
    if (!on || uid === undefined) return next();
    if (env.RL_UPDATES) {
      let ok = true;
      try {
        ok = (await env.RL_UPDATES.limit({ key: `u${uid}` })).success;
      } catch (err) {
        deps.log({ t: "rate-limit", problem: err instanceof Error ? err.message.slice(0, 120) : String(err).slice(0, 120) });
      }
      if (!ok) {
        ctx.trace.outcome = "limited";
        await tellSlowDown(ctx, SLOW_DOWN_UPDATES, UPDATES_PERIOD_MS);
        return;
      }
    }
    // The rest of the update writes as this user: its stores' puts count against them.
    const writer: Writer = { key: `u${uid}`, ...(env.RL_WRITES ? { limiter: env.RL_WRITES } : {}) };
    ctx.writer = writer;
    ctx.stores = createStores(guardWrites(deps.kv ?? env.KV, env, deps, writer), deps);
    ctx.users = ctx.stores.users;
    return next();
  };
}

export const GROUP_BUTTON = "That button works in our private chat — open it and send /start.";

export const privateButtonsOnly: MiddlewareFn<BotContext> = async (ctx, next) => {
  const q = ctx.callbackQuery;
  if (!q) return next();
  // Telegram allows 1–64 bytes; anything longer never came from one of our buttons.
  if (q.data !== undefined && byteLength(q.data.slice(0, MAX_CALLBACK_BYTES + 1)) > MAX_CALLBACK_BYTES) {
    ctx.trace.outcome = "unhandled";
    return void (await ctx.answerCallbackQuery({ text: "That button is not valid." }).catch(() => undefined));
  }
  const inPrivate = q.message?.chat.type === "private";
  const groupControl = q.message !== undefined && q.message.chat.type !== "channel" && (q.data ?? "").startsWith("G:");
  if (inPrivate || groupControl) return next();
  ctx.trace.outcome = "unhandled";
  try {
    await ctx.answerCallbackQuery({ text: GROUP_BUTTON });
  } catch {
    // a courtesy
  }
};
