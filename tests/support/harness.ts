/**
 * The integration-test harness: the Worker's hono app with injected deps (a test clock, the
 * Telegram stand-in from sandbox/telegram-core.mjs as the Bot API, a counting KV), and helpers that
 * POST real Telegram Update JSON to /telegram/webhook — all inside workerd.
 */
import { env, createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import type { Update } from "grammy/types";
import { createTelegram, type Telegram, type SandboxUser } from "../../sandbox/telegram-core.mjs";
import { createWorker } from "../../src/worker";
import { FakeQueue } from "./queue";
import { testDeps } from "./test-deps";
import type { Deck } from "../../src/decks/schema";
import type { Env } from "../../src/env";
import { CountingKv } from "./counting-kv";
import { runWebhookReply } from "./webhook-reply";

export const BOT_INFO = JSON.parse(env.BOT_INFO!);
export const START = Date.UTC(2026, 10, 2, 9, 0, 0); // Monday 2 November 2026, 09:00 UTC

let nextUserId = 10_000;
let harnesses = 0;
/** A fresh user id per call: KV persists between tests of one file. */
export function freshUserId(): number {
  return nextUserId++;
}

export interface HarnessOptions {
  decks?: readonly Deck[];
  users?: SandboxUser[];
  groups?: { id: number; title: string; members: number[] }[];
  start?: number;
  env?: Partial<Env>;
  /** Messages per queue batch (default 8, as wrangler.toml's max_batch_size). */
  queueBatch?: number;
  /** The KV namespace the Worker uses (default: the pool's env.KV), e.g. an in-memory one for large classes. */
  kv?: KVNamespace;
}

export function user(id: number, first_name = `User${id}`): SandboxUser {
  return { id, is_bot: false, first_name, language_code: "en" };
}

export function createHarness(options: HarnessOptions = {}) {
  const clock = { now: options.start ?? START };
  const now = () => clock.now;
  const users = options.users ?? [];
  const tg: Telegram = createTelegram({ token: env.BOT_TOKEN, botInfo: BOT_INFO, users, groups: options.groups ?? [], now });
  const kv = new CountingKv(options.kv ?? env.KV, now);
  const logs: Record<string, unknown>[] = [];
  // A different random stream per harness: KV persists across the tests of a file.
  const random = { state: ++harnesses * 7919 };
  let forged = 0;
  const queue = new FakeQueue(now, options.queueBatch);
  // Bot API calls can be held open (`hold`): the call waits until the test releases it, so another
  // writer can act while an update, a cron run or a queue job is in flight.
  const holds: { method: string; when: (params: Record<string, unknown>) => boolean; reached: () => void; released: Promise<void> }[] = [];
  const deps = testDeps({ clock, tg, kv: kv.kv, logs, random });
  const tgFetch = deps.fetch!;
  deps.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = url.slice(url.lastIndexOf("/") + 1);
    let params: Record<string, unknown> = {};
    if (typeof init?.body === "string") {
      try {
        params = JSON.parse(init.body) as Record<string, unknown>;
      } catch {
        // not JSON: matched on the method alone
      }
    }
    const i = holds.findIndex((h) => h.method === method && h.when(params));
    if (i >= 0) {
      const h = holds.splice(i, 1)[0]!;
      h.reached();
      await h.released;
    }
    return tgFetch(input, init);
  }) as typeof fetch;
  const worker = createWorker({
    deps,
    ...(options.decks ? { decks: options.decks } : {}),
  });
  const testEnv: Env = { ...(env as Env), JOBS: queue.binding, GQUIZ: queue.binding, ...options.env };
  const app = { fetch: worker.fetch };

  async function post(body: unknown, secret: string | null = testEnv.WEBHOOK_SECRET): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("https://lectern.test/telegram/webhook", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }),
      testEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return runWebhookReply(res, deps.fetch!, testEnv);
  }

  async function deliver(update: Update): Promise<Response> {
    const res = await post(update);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status} for update ${update.update_id}: ${await res.text()}`);
    return res;
  }

  /** Runs the cron at `at` (ms), as Cloudflare would for "*\/15 * * * *". */
  async function runCron(at: number) {
    clock.now = Math.max(clock.now, at);
    const controller = createScheduledController({ scheduledTime: new Date(at), cron: "*/15 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, testEnv, ctx);
    await waitOnExecutionContext(ctx);
  }

  /** Delivers every queued job to the Worker's consumer, advancing the clock over retry delays. */
  async function drainQueue() {
    await queue.drain(
      (batch) => worker.queue(batch, testEnv),
      (ms) => {
        clock.now = Math.max(clock.now, ms);
      },
    );
  }

  /**
   * Holds the next Bot API call `method` (whose JSON params pass `when`) open: `reached` resolves
   * when the call is made; the call completes only after `release()`.
   */
  function hold(method: string, when: (params: Record<string, unknown>) => boolean = () => true) {
    let reached!: () => void, release!: () => void;
    const r = new Promise<void>((res) => (reached = res));
    const released = new Promise<void>((res) => (release = res));
    holds.push({ method, when, reached, released });
    return { reached: r, release };
  }

  return {
    app, worker, queue, runCron, drainQueue, tg, kv, logs, clock, env: testEnv, post, deliver, hold,
    /** Advance the test clock. */
    advance(ms: number) {
      clock.now += ms;
    },
    async send(userId: number, text: string, chatId?: number) {
      return deliver(tg.sendText(userId, text, chatId === undefined ? {} : { chatId }));
    },
    async press(userId: number, chatId: number, messageId: number, data: string) {
      return deliver(tg.pressButton(userId, chatId, messageId, data));
    },
    /**
     * A callback_query with any data, as a modified client (or an old keyboard, or a double tap
     * that Telegram delivers twice) can send — the stand-in's pressButton only presses buttons
     * that are on the message now.
     */
    forgeCallback(userId: number, chatId: number, messageId: number, data: string): Update {
      const from = tg.updates.find((u) => u.message?.from?.id === userId)?.message?.from ?? { id: userId, is_bot: false, first_name: `User${userId}` };
      const message = tg.message(chatId, messageId) ?? { message_id: messageId, date: Math.floor(clock.now / 1000), chat: { id: chatId, type: "private", first_name: "x" } };
      return {
        update_id: 900_000_000 + forged++,
        callback_query: { id: `forged-${forged}`, from, message, chat_instance: `ci-${chatId}`, data },
      } as Update;
    },
    async pressForged(userId: number, chatId: number, messageId: number, data: string) {
      return post(this.forgeCallback(userId, chatId, messageId, data));
    },
    /** The bot's messages in a chat (newest last). */
    botMessages(chatId: number) {
      return tg.messages(chatId).filter((m) => m.from?.is_bot);
    },
    lastBotMessage(chatId: number) {
      const all = tg.messages(chatId).filter((m) => m.from?.is_bot);
      return all[all.length - 1];
    },
    /** Texts of every answerCallbackQuery the bot made (also those Telegram refused as too old). */
    callbackTexts(): (string | undefined)[] {
      return tg.calls.filter((c) => c.method === "answerCallbackQuery").map((c) => c.params.text as string | undefined);
    },
    /** Calls to the Bot API since index `from`. */
    callsSince(from: number) {
      return tg.calls.slice(from);
    },
  };
}

export type Harness = ReturnType<typeof createHarness>;

/** Every callback button of a message, as [text, data]. */
export function buttons(message: { reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] } } | undefined) {
  return (message?.reply_markup?.inline_keyboard ?? []).flat().filter((b) => b.callback_data).map((b) => [b.text, b.callback_data!] as const);
}

export function button(message: Parameters<typeof buttons>[0], label: RegExp | string) {
  const b = buttons(message).find(([t]) => (typeof label === "string" ? t === label : label.test(t)));
  if (!b) throw new Error(`no button ${label} in ${JSON.stringify(buttons(message).map(([t]) => t))}`);
  return b[1];
}
