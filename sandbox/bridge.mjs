// The polling bridge's core (the CLI is scripts/bridge.mjs): long-polls getUpdates on a Bot API
// root and POSTs each update to a webhook with the secret header, in order, retrying an update the
// webhook answers non-2xx (with backoff) before moving on.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { webhookReplyCall } from "./telegram-core.mjs";

export const DEFAULT_API_ROOT = "https://api.telegram.org";
export const BRIDGE_ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "poll_answer", "my_chat_member"];

/** An error that ends the bridge with a message for the person running it. */
export class BridgeError extends Error {
  /** @param {string} message @param {{ code?: string }} [opts] */
  constructor(message, opts = {}) {
    super(message);
    this.name = "BridgeError";
    this.code = opts.code ?? "BRIDGE";
  }
}

/**
 * A tiny dotenv parser: KEY=value lines, # comments, optional `export`, single/double quotes
 * (double quotes understand \n), no variable expansion.
 * @param {string} text
 * @returns {Record<string, string>}
 */
export function parseDotenv(text) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = /** @type {string} */ (m[1]);
    let value = /** @type {string} */ (m[2]);
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === "`") && value.lastIndexOf(quote) > 0) {
      value = value.slice(1, value.lastIndexOf(quote));
      if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r").replace(/\\"/g, '"');
    } else {
      const hash = value.search(/\s#/);
      if (hash >= 0) value = value.slice(0, hash);
      value = value.trim();
    }
    out[key] = value;
  }
  return out;
}

/**
 * BOT_TOKEN, WEBHOOK_SECRET, TELEGRAM_API_ROOT from a .dev.vars file (if present), falling back to
 * the environment for what the file does not define.
 * @param {{ file?: string, env?: Record<string, string | undefined> }} [opts]
 */
export function loadBridgeConfig(opts = {}) {
  const file = resolve(opts.file ?? ".dev.vars");
  const env = opts.env ?? process.env;
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file, "utf8")) : {};
  const pick = (/** @type {string} */ k) => (fromFile[k] !== undefined && fromFile[k] !== "" ? fromFile[k] : env[k]);
  return {
    file: existsSync(file) ? file : undefined,
    token: pick("BOT_TOKEN"),
    secret: pick("WEBHOOK_SECRET"),
    apiRoot: (pick("TELEGRAM_API_ROOT") || DEFAULT_API_ROOT).replace(/\/+$/, ""),
  };
}

/**
 * Sleeps, but wakes (rejecting) when the signal aborts.
 * @param {number} ms
 * @param {AbortSignal | undefined} signal
 */
function sleep(ms, signal) {
  return new Promise((resolveSleep, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error("aborted"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolveSleep(undefined);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** @param {unknown} e */
function reasonOf(e) {
  const err = /** @type {any} */ (e);
  const code = err?.cause?.code ?? err?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code) return String(code);
  if (err?.name === "TimeoutError") return "timed out";
  return err instanceof Error ? err.message : String(e);
}

/**
 * The bridge's loop. Resolves when `signal` aborts; rejects with a BridgeError when it cannot go
 * on (token rejected, webhook set without deleteWebhook, another poller running).
 * @param {import("./bridge.d.mts").BridgeOptions} options
 * @returns {Promise<import("./bridge.d.mts").BridgeStats>}
 */
export async function runBridge(options) {
  const {
    token,
    secret,
    webhookUrl,
    signal,
    deleteWebhook = false,
    allowedUpdates = BRIDGE_ALLOWED_UPDATES,
    pollTimeout = 50,
    log = (/** @type {string} */ line) => console.log(line),
  } = options;
  const apiRoot = (options.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const retry = { baseMs: 500, maxMs: 30_000, maxAttempts: 6, ...options.retry };
  if (!token) throw new BridgeError("BOT_TOKEN is missing: put it in .dev.vars (BOT_TOKEN=123456:ABC...) or the environment.");
  if (!webhookUrl) throw new BridgeError("No webhook URL to deliver updates to.");
  const stats = { delivered: 0, failed: 0, offset: /** @type {number | undefined} */ (undefined) };
  const redacted = (/** @type {string} */ s) => s.split(token).join("<BOT_TOKEN>");

  /** @param {string} method @param {Record<string, unknown>} params @param {AbortSignal | undefined} sig */
  const call = async (method, params, sig) => {
    const res = await doFetch(`${apiRoot}/bot${token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
      signal: sig,
    });
    /** @type {any} */
    let body;
    try {
      body = await res.json();
    } catch {
      body = { ok: false, error_code: res.status, description: `HTTP ${res.status} without a JSON body` };
    }
    return body;
  };

  /** Delivers one update; retries non-2xx answers with backoff, then gives up on it. */
  const deliver = async (/** @type {any} */ update) => {
    for (let attempt = 1; ; attempt++) {
      let problem;
      try {
        /** @type {Record<string, string>} */
        const headers = { "content-type": "application/json" };
        if (secret) headers["X-Telegram-Bot-Api-Secret-Token"] = secret;
        const res = await doFetch(webhookUrl, {
          method: "POST",
          headers,
          body: JSON.stringify(update),
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(70_000)]) : AbortSignal.timeout(70_000),
        });
        const text = await res.text();
        if (res.ok) {
          await webhookReply(text);
          return true;
        }
        problem = `the Worker answered HTTP ${res.status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ""}`;
      } catch (e) {
        if (signal?.aborted) throw e;
        problem = `could not reach ${webhookUrl} (${reasonOf(e)})`;
      }
      if (attempt >= retry.maxAttempts) {
        log(`[bridge] update ${update.update_id}: ${problem}; gave up after ${attempt} attempts and moved on.`);
        return false;
      }
      const wait = Math.min(retry.maxMs, retry.baseMs * 2 ** (attempt - 1));
      log(`[bridge] update ${update.update_id}: ${problem}; retrying in ${(wait / 1000).toFixed(1)} s.`);
      await sleep(wait, signal);
    }
  };

  /** A webhook reply (a method call in the webhook's response body) is forwarded like Telegram does. */
  const webhookReply = async (/** @type {string} */ text) => {
    const reply = webhookReplyCall(text);
    if (!reply) return;
    const answer = await call(reply.method, reply.params, signal);
    if (!answer.ok) log(`[bridge] webhook reply ${reply.method} failed: ${answer.description}`);
  };

  let failures = 0;
  try {
    while (!signal?.aborted) {
      /** @type {any} */
      let body;
      try {
        /** @type {Record<string, unknown>} */
        const params = { timeout: pollTimeout, allowed_updates: allowedUpdates };
        if (stats.offset !== undefined) params.offset = stats.offset;
        const sig = signal
          ? AbortSignal.any([signal, AbortSignal.timeout((pollTimeout + 15) * 1000)])
          : AbortSignal.timeout((pollTimeout + 15) * 1000);
        body = await call("getUpdates", params, sig);
      } catch (e) {
        if (signal?.aborted) break;
        failures++;
        const wait = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(failures - 1, 10));
        log(`[bridge] getUpdates failed (${redacted(reasonOf(e))}); retrying in ${(wait / 1000).toFixed(1)} s.`);
        await sleep(wait, signal);
        continue;
      }
      if (!body.ok) {
        const description = String(body.description ?? "");
        if (body.error_code === 409 && /webhook/i.test(description)) {
          if (deleteWebhook) {
            const removed = await call("deleteWebhook", { drop_pending_updates: false }, signal);
            if (!removed.ok) throw new BridgeError(`deleteWebhook failed: ${removed.description}`, { code: "WEBHOOK" });
            log("[bridge] Removed the bot's webhook (--delete-webhook); polling now.");
            continue;
          }
          throw new BridgeError(
            "Telegram refuses getUpdates because a webhook is set for this bot (409 Conflict).\n" +
              "Run the bridge with --delete-webhook to remove it (a deployed Worker using this token stops receiving\n" +
              "updates until its webhook is set again), or use a separate bot token for local development.",
            { code: "WEBHOOK" },
          );
        }
        if (body.error_code === 409) {
          throw new BridgeError(
            `Another program is polling this bot (${description}). Stop it (another bridge?) and try again.`,
            { code: "CONFLICT" },
          );
        }
        if (body.error_code === 401 || body.error_code === 404) {
          throw new BridgeError(`Telegram rejected BOT_TOKEN (${body.error_code} ${description}). Check .dev.vars.`, {
            code: "TOKEN",
          });
        }
        failures++;
        const retryAfter = Number(body.parameters?.retry_after);
        const wait = retryAfter > 0 ? retryAfter * 1000 : Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(failures - 1, 10));
        log(`[bridge] getUpdates: ${body.error_code} ${redacted(description)}; retrying in ${(wait / 1000).toFixed(1)} s.`);
        await sleep(wait, signal);
        continue;
      }
      failures = 0;
      for (const update of body.result ?? []) {
        const ok = await deliver(update);
        if (ok) stats.delivered++;
        else stats.failed++;
        stats.offset = update.update_id + 1;
        options.onUpdate?.(update, ok);
      }
    }
  } catch (e) {
    if (signal?.aborted && !(e instanceof BridgeError)) return stats;
    throw e;
  }
  return stats;
}
