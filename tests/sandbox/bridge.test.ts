// The polling bridge (sandbox/bridge.mjs, run by scripts/bridge.mjs) against the sandbox's
// getUpdates in polling mode, delivering to a stub webhook.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { BridgeError, parseDotenv, runBridge, type BridgeOptions } from "../../sandbox/bridge.mjs";
import { ALICE, BOB, SANDBOX_SECRET, SANDBOX_TOKEN } from "../../sandbox/config.mjs";
import { startSandbox, type Sandbox } from "../../sandbox/server.mjs";

interface Received {
  updateId: number;
  headers: IncomingHttpHeaders;
  status: number;
}

/** A stub Worker webhook: records every POST and answers with `status(updateId, attempt)`. */
async function stubWebhook(status: (updateId: number, attempt: number) => number = () => 200) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const update = JSON.parse(body);
      const attempt = received.filter((r) => r.updateId === update.update_id).length + 1;
      const code = status(update.update_id, attempt);
      received.push({ updateId: update.update_id, headers: req.headers, status: code });
      res.writeHead(code, { "content-type": "text/plain" });
      res.end(code === 200 ? "" : "boom");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/telegram/webhook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(status?: (updateId: number, attempt: number) => number, extra: Partial<BridgeOptions> = {}) {
  const sandbox: Sandbox = await startSandbox({ port: 0, mode: "polling", healthIntervalMs: 0, log: () => {} });
  cleanups.push(() => sandbox.close());
  const hook = await stubWebhook(status);
  cleanups.push(() => hook.close());
  const controller = new AbortController();
  const logs: string[] = [];
  const options: BridgeOptions = {
    apiRoot: sandbox.url,
    token: SANDBOX_TOKEN,
    secret: SANDBOX_SECRET,
    webhookUrl: hook.url,
    signal: controller.signal,
    pollTimeout: 1,
    retry: { baseMs: 10, maxMs: 50, maxAttempts: 4 },
    log: (line) => logs.push(line),
    ...extra,
  };
  const start = () => {
    const run = runBridge(options);
    cleanups.push(async () => {
      controller.abort();
      await run.catch(() => {});
    });
    return run;
  };
  return { sandbox, core: sandbox.core, hook, controller, logs, start };
}

describe("polling bridge", () => {
  it("delivers every update to the webhook with the secret header, in order, exactly once", async () => {
    const { core, hook, controller, start } = await setup();
    const made = [core.sendText(ALICE, "/start"), core.sendText(BOB, "/start"), core.sendText(ALICE, "hola")];
    const run = start();
    await until(() => hook.received.length >= 3, "three deliveries");
    made.push(core.sendText(BOB, "adiós"), core.blockBot(ALICE));
    await until(() => hook.received.length >= 5, "five deliveries");
    // Let the bridge poll again, confirming the last offset; nothing may arrive twice.
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    const stats = await run;

    expect(hook.received.map((r) => r.updateId)).toEqual(made.map((u) => u.update_id));
    for (const r of hook.received) {
      expect(r.headers["x-telegram-bot-api-secret-token"]).toBe(SANDBOX_SECRET);
      expect(r.headers["content-type"]).toBe("application/json");
    }
    expect(stats).toEqual({ delivered: 5, failed: 0, offset: made[4]!.update_id + 1 });
    // Telegram's queue is empty once the bridge confirmed it (getUpdates with the new offset).
    const left = core.handle<unknown[]>("getUpdates", { offset: stats.offset });
    expect(left).toEqual({ ok: true, result: [] });
  });

  it("retries an update the Worker answers non-2xx before moving on", async () => {
    let failFor = 0;
    const { core, hook, controller, logs, start } = await setup((id, attempt) => (id === failFor && attempt <= 2 ? 500 : 200));
    const first = core.sendText(ALICE, "/start");
    failFor = first.update_id;
    const second = core.sendText(ALICE, "next");
    const run = start();
    await until(() => hook.received.filter((r) => r.status === 200).length >= 2, "both delivered");
    controller.abort();
    const stats = await run;
    expect(hook.received.map((r) => [r.updateId, r.status])).toEqual([
      [first.update_id, 500],
      [first.update_id, 500],
      [first.update_id, 200],
      [second.update_id, 200],
    ]);
    expect(stats.delivered).toBe(2);
    expect(logs.some((l) => l.includes(`update ${first.update_id}`) && l.includes("HTTP 500"))).toBe(true);
  });

  it("gives up on an update after the last attempt and delivers the next", async () => {
    let poison = 0;
    const { core, hook, controller, start } = await setup((id) => (id === poison ? 500 : 200), {
      retry: { baseMs: 5, maxMs: 10, maxAttempts: 3 },
    });
    poison = core.sendText(ALICE, "/crash").update_id;
    const after = core.sendText(ALICE, "after");
    const run = start();
    await until(() => hook.received.some((r) => r.updateId === after.update_id), "the next update");
    controller.abort();
    const stats = await run;
    expect(hook.received.filter((r) => r.updateId === poison)).toHaveLength(3);
    expect(stats).toMatchObject({ delivered: 1, failed: 1 });
  });

  it("stops with a clear error when a webhook is set, unless told to delete it", async () => {
    const { core, start } = await setup();
    core.handle("setWebhook", { url: "https://lectern.example/telegram/webhook" });
    const err = await start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe("WEBHOOK");
    expect((err as BridgeError).message).toMatch(/--delete-webhook/);
  });

  it("deletes the webhook with deleteWebhook: true and goes on", async () => {
    const { core, hook, controller, start, logs } = await setup(undefined, { deleteWebhook: true });
    core.handle("setWebhook", { url: "https://lectern.example/telegram/webhook" });
    const u = core.sendText(ALICE, "/start");
    const run = start();
    await until(() => hook.received.length >= 1, "a delivery");
    controller.abort();
    await run;
    expect(core.webhook).toBeUndefined();
    expect(hook.received[0]?.updateId).toBe(u.update_id);
    expect(logs.join("\n")).toMatch(/Removed the bot's webhook/);
  });

  it("reports a rejected token", async () => {
    const { start } = await setup(undefined, { token: "123:wrong" });
    await expect(start()).rejects.toMatchObject({ code: "TOKEN" });
  });
});

describe(".dev.vars parsing", () => {
  it("reads KEY=value lines with quotes and comments", () => {
    expect(
      parseDotenv(
        [
          "# the real bot",
          "BOT_TOKEN=123:abc # from BotFather",
          'WEBHOOK_SECRET="s3cret"',
          "BOT_INFO='{\"id\":123,\"is_bot\":true}'",
          "export TELEGRAM_API_ROOT=https://api.telegram.org",
          "",
        ].join("\n"),
      ),
    ).toEqual({
      BOT_TOKEN: "123:abc",
      WEBHOOK_SECRET: "s3cret",
      BOT_INFO: '{"id":123,"is_bot":true}',
      TELEGRAM_API_ROOT: "https://api.telegram.org",
    });
  });
});
