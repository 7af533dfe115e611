// Lectern sandbox: the Node HTTP server around telegram-core.mjs.
//
//   /bot<token>/<method>, /file/bot<token>/<path>   the Bot API (delegated to the core)
//   /                                                the chat page (sandbox/public/)
//   /sandbox/...                                     the page's JSON API
//
// In webhook mode (the default) every Update a person makes is POSTed to the Worker's
// /telegram/webhook with the secret header, one at a time, in order. In polling mode the updates
// wait in the core's getUpdates queue (for the polling bridge or a bot that long-polls).
import { createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTelegram, readParams, webhookReplyCall } from "./telegram-core.mjs";
import {
  DAILY_CRON,
  DEFAULT_SANDBOX_PORT,
  DEFAULT_WORKER_PORT,
  SANDBOX_BOT_INFO,
  SANDBOX_GROUPS,
  SANDBOX_SECRET,
  SANDBOX_TOKEN,
  SANDBOX_USERS,
} from "./config.mjs";

export { DAILY_CRON };

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "public");
const STATIC_FILES = /** @type {Record<string, string>} */ ({
  "/": "index.html",
  "/index.html": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
  "/favicon.svg": "favicon.svg",
});
const CONTENT_TYPES = /** @type {Record<string, string>} */ ({
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
});
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
/** Telegram's default theme parameters (as its clients send them to Mini Apps). */
const LIGHT_THEME = Object.freeze({
  bg_color: "#ffffff", text_color: "#000000", hint_color: "#707579", link_color: "#3390ec", button_color: "#3390ec",
  button_text_color: "#ffffff", secondary_bg_color: "#f4f4f5", header_bg_color: "#ffffff", accent_text_color: "#3390ec",
  section_bg_color: "#ffffff", section_header_text_color: "#3390ec", subtitle_text_color: "#707579", destructive_text_color: "#e53935",
});
const DARK_THEME = Object.freeze({
  bg_color: "#212121", text_color: "#ffffff", hint_color: "#aaaaaa", link_color: "#8774e1", button_color: "#8774e1",
  button_text_color: "#ffffff", secondary_bg_color: "#181818", header_bg_color: "#212121", accent_text_color: "#8774e1",
  section_bg_color: "#212121", section_header_text_color: "#8774e1", subtitle_text_color: "#aaaaaa", destructive_text_color: "#ff595a",
});
const MAX_BODY_BYTES = 60 * 1024 * 1024;
const MAX_EVENTS = 200;

/**
 * Starts the sandbox server.
 * @param {import("./server.d.mts").SandboxOptions} [options]
 * @returns {Promise<import("./server.d.mts").Sandbox>}
 */
export async function startSandbox(options = {}) {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_SANDBOX_PORT;
  const workerUrl = (options.workerUrl ?? `http://127.0.0.1:${DEFAULT_WORKER_PORT}`).replace(/\/+$/, "");
  const webhookUrl = options.webhookUrl ?? `${workerUrl}/telegram/webhook`;
  const mode = options.mode ?? "webhook";
  const secret = options.secret ?? SANDBOX_SECRET;
  const cron = options.cron ?? DAILY_CRON;
  const log = options.log ?? ((/** @type {string} */ line) => console.log(line));
  const healthIntervalMs = options.healthIntervalMs ?? 2000;
  const callbackAnswerWarnMs = options.callbackAnswerWarnMs ?? 15_000;
  const users = options.users ?? SANDBOX_USERS.map((u) => ({ ...u }));
  const groups = options.groups ?? SANDBOX_GROUPS.map((g) => ({ ...g, members: [...g.members] }));
  const core =
    options.core ??
    createTelegram({
      token: options.token ?? SANDBOX_TOKEN,
      botInfo: options.botInfo ?? { ...SANDBOX_BOT_INFO },
      users,
      groups,
      ...(options.now ? { now: options.now } : {}),
    });

  // --- persistence: the chats outlive a restart, like the Worker's local KV does -----------
  const stateFile = options.stateFile;
  if (stateFile && existsSync(stateFile)) {
    try {
      core.restore(JSON.parse(readFileSync(stateFile, "utf8"), reviveBytes));
    } catch (e) {
      log(`[sandbox] could not load ${stateFile} (${e instanceof Error ? e.message : e}); starting with empty chats.`);
    }
  }
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let saveTimer;
  const saveNow = () => {
    if (!stateFile) return;
    clearTimeout(saveTimer);
    saveTimer = undefined;
    try {
      mkdirSync(dirname(stateFile), { recursive: true });
      const tmp = `${stateFile}.tmp`;
      writeFileSync(tmp, JSON.stringify(core.snapshot(), replaceBytes));
      renameSync(tmp, stateFile);
    } catch (e) {
      log(`[sandbox] could not save ${stateFile}: ${e instanceof Error ? e.message : e}`);
    }
  };
  const unsubscribeSave = stateFile
    ? core.subscribe(() => {
        clearTimeout(saveTimer);
        saveTimer = setTimeout(saveNow, 300);
      })
    : () => {};

  // --- change tracking for the page's long poll ------------------------------------------
  let localVersion = 0;
  /** @type {Set<() => void>} */
  const stateWaiters = new Set();
  const version = () => core.version + localVersion;
  const changed = () => {
    localVersion++;
    for (const wake of [...stateWaiters]) wake();
  };

  /** @type {{ seq: number, at: number, kind: string, text: string, userId?: number, chatId?: number }[]} */
  const events = [];
  let eventSeq = 0;
  /** @param {string} kind @param {string} text @param {{ userId?: number, chatId?: number }} [extra] */
  function addEvent(kind, text, extra = {}) {
    events.push({ seq: ++eventSeq, at: Date.now(), kind, text, ...extra });
    if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
    changed();
  }

  const worker = { reachable: /** @type {boolean | undefined} */ (undefined), status: 0, checkedAt: 0, error: "" };
  /** @type {{ updateId: number, ok: boolean, status: number, error?: string, at: number } | undefined} */
  let lastDelivery;

  // --- webhook delivery ------------------------------------------------------------------
  /** @type {any[]} */
  const deliveryQueue = [];
  let delivering = false;
  /** @type {Promise<void>} */
  let idle = Promise.resolve();
  /** @type {() => void} */
  let markIdle = () => {};

  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const callbackTimers = new Set();
  const unsubscribe = core.subscribe((event) => {
    if (event.type === "update" && mode === "webhook") {
      deliveryQueue.push(...core.takeUpdates());
      void pump();
    }
    if (event.type === "update" && event.update.callback_query) {
      // Telegram shows a spinner on the button until the bot calls answerCallbackQuery.
      const query = event.update.callback_query;
      const timer = setTimeout(() => {
        callbackTimers.delete(timer);
        if (!core.callbackAnswers.some((a) => a.callback_query_id === query.id)) {
          addEvent(
            "warning",
            `The bot did not answer the press of "${query.data}" within ${callbackAnswerWarnMs / 1000} s (answerCallbackQuery); ` +
              "in Telegram the button keeps spinning.",
            { userId: query.from.id },
          );
        }
      }, callbackAnswerWarnMs);
      timer.unref?.();
      callbackTimers.add(timer);
    }
    if (event.type === "call") {
      const call = event.call;
      if (call.method === "answerCallbackQuery" && call.ok) {
        const answer = core.callbackAnswers[core.callbackAnswers.length - 1];
        if (answer && answer.text) {
          addEvent(answer.show_alert ? "alert" : "toast", answer.text, { userId: answer.userId, chatId: answer.chatId });
        }
      } else if (!call.ok && call.method !== "getUpdates") {
        addEvent("api-error", `${call.method}: ${call.error?.description ?? "failed"}`, {
          chatId: Number(call.params?.chat_id) || undefined,
        });
      }
    }
  });

  async function pump() {
    if (delivering) return;
    delivering = true;
    idle = new Promise((resolve) => {
      markIdle = resolve;
    });
    try {
      while (deliveryQueue.length > 0) {
        const update = deliveryQueue.shift();
        await deliver(update);
      }
    } finally {
      delivering = false;
      markIdle();
    }
  }

  /** @param {any} update */
  async function deliver(update) {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(webhookUrl, {
          method: "POST",
          headers: { "content-type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret },
          body: JSON.stringify(update),
          signal: AbortSignal.timeout(65_000),
        });
        const text = await res.text();
        lastDelivery = { updateId: update.update_id, ok: res.ok, status: res.status, at: Date.now() };
        if (!res.ok) {
          const snippet = text.trim().slice(0, 300);
          lastDelivery.error = `HTTP ${res.status}`;
          addEvent(
            "error",
            `The Worker answered HTTP ${res.status} to update ${update.update_id} (${describeUpdate(update)})` +
              (snippet ? `: ${snippet}` : "") +
              " — see the wrangler output.",
          );
          log(`[sandbox] webhook: HTTP ${res.status} for update ${update.update_id} (${describeUpdate(update)})`);
        } else {
          setWorker(true, res.status, "");
          runWebhookReply(text);
          changed();
        }
        return;
      } catch (e) {
        const reason = errorReason(e);
        if (attempt < 4) {
          await sleep(1000 * attempt);
          continue;
        }
        lastDelivery = { updateId: update.update_id, ok: false, status: 0, error: reason, at: Date.now() };
        setWorker(false, 0, reason);
        addEvent(
          "error",
          `Could not reach the Worker at ${webhookUrl} (${reason}). Is wrangler dev still starting? ` +
            `Update ${update.update_id} (${describeUpdate(update)}) was dropped; try again.`,
        );
        log(`[sandbox] webhook: could not deliver update ${update.update_id}: ${reason}`);
        return;
      }
    }
  }

  /** A webhook reply (a Bot API call in the webhook's response body) is executed like Telegram does. */
  function runWebhookReply(/** @type {string} */ text) {
    const call = webhookReplyCall(text);
    if (call) core.handle(call.method, call.params);
  }

  /** @param {boolean} reachable @param {number} status @param {string} error */
  function setWorker(reachable, status, error) {
    const before = `${worker.reachable}|${worker.status}|${worker.error}`;
    worker.reachable = reachable;
    worker.status = status;
    worker.error = error;
    worker.checkedAt = Date.now();
    if (before !== `${worker.reachable}|${worker.status}|${worker.error}`) changed();
  }

  async function checkHealth() {
    try {
      const res = await fetch(`${workerUrl}/healthz`, { signal: AbortSignal.timeout(2500) });
      await res.arrayBuffer();
      setWorker(res.ok, res.status, res.ok ? "" : `GET /healthz answered HTTP ${res.status}`);
    } catch (e) {
      setWorker(false, 0, errorReason(e));
    }
  }
  // Check often until the Worker answers, then rarely (each check is a line in wrangler's log;
  // webhook deliveries keep the status current in between).
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let healthTimer;
  let healthStopped = false;
  const scheduleHealth = () => {
    if (healthStopped || healthIntervalMs <= 0) return;
    const delay = worker.reachable ? Math.max(healthIntervalMs, 30_000) : healthIntervalMs;
    healthTimer = setTimeout(() => void checkHealth().finally(scheduleHealth), delay);
    healthTimer.unref?.();
  };
  if (healthIntervalMs > 0) void checkHealth().finally(scheduleHealth);

  // --- HTTP -------------------------------------------------------------------------------
  const server = createServer((req, res) => {
    handleRequest(req, res).catch((e) => {
      log(`[sandbox] ${req.method} ${req.url}: ${e instanceof Error ? e.stack : String(e)}`);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: String(e instanceof Error ? e.message : e) });
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function handleRequest(req, res) {
    const url = new URL(req.url ?? "/", `http://${host}`);
    const path = url.pathname;

    if (path.startsWith("/bot") || path.startsWith("/file/bot")) {
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req);
      const abort = new AbortController();
      res.on("close", () => abort.abort());
      /** @type {Record<string, string>} */
      const headers = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const request = new Request(`http://${host}${req.url}`, {
        method: req.method,
        headers,
        body,
        signal: abort.signal,
      });
      const response = await core.fetch(request);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (res.destroyed) return;
      res.writeHead(response.status, {
        "content-type": response.headers.get("content-type") ?? "application/json",
        "content-length": String(bytes.length),
      });
      res.end(bytes);
      return;
    }

    // The page and its API are for this machine's browser only: refuse other host names (DNS
    // rebinding) and cross-site requests (another web page posting into the sandbox).
    if (!isLocalHost(req.headers.host) || (req.headers.origin && !isLocalOrigin(req.headers.origin))) {
      sendJson(res, 403, { ok: false, error: "The sandbox only answers pages it serves itself." });
      return;
    }

    if (req.method === "GET" && STATIC_FILES[path]) {
      const name = /** @type {string} */ (STATIC_FILES[path]);
      const content = await readFile(join(options.publicDir ?? PUBLIC_DIR, name));
      res.writeHead(200, {
        "content-type": CONTENT_TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream",
        "cache-control": "no-store",
        "content-security-policy": PAGE_CSP,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      });
      res.end(content);
      return;
    }

    if (path === "/app" || path.startsWith("/app/")) {
      await proxyToWorker(req, res);
      return;
    }

    if (path.startsWith("/sandbox/")) {
      await handleSandboxApi(req, res, url);
      return;
    }
    sendJson(res, 404, { ok: false, error: "Not Found" });
  }

  /**
   * The Mini App (/app/…: the page and its API) is the Worker's; the sandbox passes it through so
   * the page opens in an iframe of the sandbox page, on the sandbox's own origin.
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   */
  async function proxyToWorker(req, res) {
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readBody(req);
    /** @type {Record<string, string>} */
    const headers = {};
    for (const k of ["authorization", "content-type", "accept", "if-none-match"]) {
      const v = req.headers[k];
      if (typeof v === "string") headers[k] = v;
    }
    let response;
    try {
      response = await fetch(`${workerUrl}${req.url}`, { method: req.method, headers, body, redirect: "manual", signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      sendJson(res, 502, { ok: false, error: `The Worker at ${workerUrl} did not answer (${e instanceof Error ? e.message : String(e)})` });
      return;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    /** @type {Record<string, string>} */
    const out = { "content-length": String(bytes.length), "cache-control": "no-store" };
    for (const k of ["content-type", "etag"]) {
      const v = response.headers.get(k);
      if (v) out[k] = v;
    }
    const location = response.headers.get("location");
    if (location) out.location = location.startsWith(workerUrl) ? location.slice(workerUrl.length) : location;
    res.writeHead(response.status, out);
    res.end(req.method === "HEAD" ? undefined : bytes);
  }

  /**
   * A web_app button's URL with Mini App init data signed by the sandbox bot's token (as Telegram
   * signs it) and the theme, in the URL fragment as Telegram passes them.
   * @param {number} uid
   * @param {string} target
   * @param {"light" | "dark"} scheme
   */
  function webAppUrl(uid, target, scheme) {
    const u = users.find((x) => x.id === uid);
    if (!u) throw new Error(`No sandbox user ${uid}`);
    const link = new URL(target);
    if (link.protocol !== "http:" && link.protocol !== "https:") throw new Error("A web_app URL must be http(s)");
    const fields = new URLSearchParams({
      query_id: randomBytes(12).toString("base64url"),
      user: JSON.stringify({ id: u.id, first_name: u.first_name, ...(u.last_name ? { last_name: u.last_name } : {}), ...(u.username ? { username: u.username } : {}), language_code: u.language_code ?? "en" }),
      auth_date: String(Math.floor(Date.now() / 1000)),
    });
    const check = [...fields.entries()].map(([k, v]) => `${k}=${v}`).sort().join("\n");
    const secret = createHmac("sha256", "WebAppData").update(options.token ?? SANDBOX_TOKEN).digest();
    fields.set("hash", createHmac("sha256", secret).update(check).digest("hex"));
    const theme = scheme === "dark" ? DARK_THEME : LIGHT_THEME;
    link.hash = new URLSearchParams({
      tgWebAppData: fields.toString(),
      tgWebAppVersion: "8.0",
      tgWebAppPlatform: "lectern-sandbox",
      tgWebAppThemeParams: JSON.stringify(theme),
    }).toString();
    return link.toString();
  }

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {import("node:http").ServerResponse} res
   * @param {URL} url
   */
  async function handleSandboxApi(req, res, url) {
    const route = `${req.method} ${url.pathname}`;
    try {
      switch (route) {
        case "GET /sandbox/config":
          return sendJson(res, 200, pageConfig());
        case "GET /sandbox/state":
          return sendJson(res, 200, await stateFor(url, res));
        case "POST /sandbox/send": {
          const b = await readJson(req);
          const update = core.sendText(userId(b.user), requireText(b.text), { chatId: chatId(b.chat, b.user) });
          return sendJson(res, 200, { ok: true, update_id: update.update_id });
        }
        case "POST /sandbox/press": {
          const b = await readJson(req);
          const update = core.pressButton(userId(b.user), chatId(b.chat, b.user), Number(b.message_id), String(b.data));
          return sendJson(res, 200, { ok: true, update_id: update.update_id });
        }
        case "POST /sandbox/vote": {
          const b = await readJson(req);
          const ids = Array.isArray(b.option_ids) ? b.option_ids.map(Number) : [];
          const update = core.answerPoll(userId(b.user), String(b.poll_id), ids);
          return sendJson(res, 200, { ok: true, update_id: update.update_id });
        }
        case "POST /sandbox/upload": {
          const body = await readBody(req);
          const request = new Request("http://sandbox/upload", {
            method: "POST",
            headers: { "content-type": String(req.headers["content-type"] ?? "") },
            body,
          });
          const fields = await readParams(request);
          const file = fields.file;
          if (!file || typeof file !== "object" || !(file.bytes instanceof Uint8Array)) {
            return sendJson(res, 400, { ok: false, error: "Choose a file to upload" });
          }
          if (file.bytes.length === 0) return sendJson(res, 400, { ok: false, error: "The file is empty" });
          const update = core.uploadDocument(
            userId(fields.user),
            {
              fileName: String(file.filename || "upload.dat").replace(/^.*[\\/]/, ""),
              mimeType: file.mimeType,
              bytes: file.bytes,
              caption: typeof fields.caption === "string" && fields.caption ? fields.caption : undefined,
            },
            { chatId: chatId(fields.chat, fields.user) },
          );
          return sendJson(res, 200, { ok: true, update_id: update.update_id });
        }
        case "POST /sandbox/block": {
          const b = await readJson(req);
          const id = userId(b.user);
          const update = b.blocked ? core.blockBot(id) : core.unblockBot(id);
          return sendJson(res, 200, { ok: true, update_id: update.update_id });
        }
        case "POST /sandbox/webapp": {
          const b = await readJson(req);
          return sendJson(res, 200, { ok: true, url: webAppUrl(userId(b.user), String(b.url ?? ""), b.scheme === "dark" ? "dark" : "light") });
        }
        case "POST /sandbox/cron":
          return sendJson(res, 200, await runCron());
        case "POST /sandbox/clear": {
          const b = await readJson(req);
          core.clearHistory(chatId(b.chat, b.user));
          return sendJson(res, 200, { ok: true });
        }
        default:
          break;
      }
      if (req.method === "GET" && url.pathname.startsWith("/sandbox/file/")) {
        const info = core.fileInfo(decodeURIComponent(url.pathname.slice("/sandbox/file/".length)));
        if (!info) return sendJson(res, 404, { ok: false, error: "No such file" });
        const ascii = info.file_name.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
        res.writeHead(200, {
          "content-type": info.mime_type || "application/octet-stream",
          "content-length": String(info.bytes.length),
          "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(info.file_name)}`,
          "x-content-type-options": "nosniff",
          "content-security-policy": "default-src 'none'; sandbox",
        });
        res.end(info.bytes);
        return;
      }
      sendJson(res, 404, { ok: false, error: "Not Found" });
    } catch (e) {
      // Mistakes of the person using the page (e.g. a closed poll), not server failures.
      sendJson(res, 400, { ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  }

  function pageConfig() {
    return {
      mode,
      workerUrl,
      cron,
      bot: { id: core.botInfo.id, first_name: core.botInfo.first_name, username: core.botInfo.username },
      users: users.map((u) => ({
        id: u.id,
        name: typeof u.displayName === "string" ? u.displayName : [u.first_name, u.last_name].filter(Boolean).join(" "),
        first_name: u.first_name,
        label: typeof u.label === "string" ? u.label : "user",
      })),
      groups: groups.map((g) => ({ id: g.id, title: g.title, members: [...g.members] })),
    };
  }

  /** @param {URL} url @param {import("node:http").ServerResponse} res */
  async function stateFor(url, res) {
    const since = Number(url.searchParams.get("since") ?? -1);
    const wait = Math.min(Math.max(Number(url.searchParams.get("wait") ?? 0), 0), 25);
    if (wait > 0 && version() <= since) {
      await new Promise((resolve) => {
        const done = () => {
          stateWaiters.delete(done);
          clearTimeout(timer);
          resolve(undefined);
        };
        const timer = setTimeout(done, wait * 1000);
        stateWaiters.add(done);
        res.on("close", done);
      });
    }
    const user = Number(url.searchParams.get("user") ?? users[0]?.id);
    const chat = Number(url.searchParams.get("chat") ?? user);
    const info = core.chat(chat);
    const messages = info
      ? core.messages(chat).map((m) => {
          /** @type {Record<string, unknown>} */
          const extra = { mine: m.from?.id === user, fromBot: m.from?.id === core.botInfo.id };
          const source = core.messageSource(chat, m.message_id);
          if (source?.html !== undefined) extra.html = source.html;
          if (m.poll) {
            const votes = core.pollVotes(m.poll.id);
            extra.myVotes = votes[user] ?? null;
            extra.canVote = info.members.includes(user);
          }
          return { ...m, sandbox: extra };
        })
      : [];
    return {
      version: version(),
      mode,
      now: Date.now(),
      worker: { url: workerUrl, ...worker },
      lastDelivery: lastDelivery ?? null,
      pendingDeliveries: deliveryQueue.length + (delivering ? 1 : 0),
      chat: info ?? null,
      blocked: Object.fromEntries(users.map((u) => [u.id, core.isBlocked(u.id)])),
      messages,
      events: events.slice(-50),
      calls: core.calls.slice(-40).map((c) => ({
        method: c.method,
        ok: c.ok,
        at: c.at,
        chat_id: c.params?.chat_id ?? null,
        description: c.error?.description ?? null,
      })),
    };
  }

  async function runCron() {
    const target = `${workerUrl}/__scheduled?cron=${encodeURIComponent(cron).replace(/%20/g, "+")}`;
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(120_000) });
      const text = (await res.text()).trim().slice(0, 300);
      if (res.ok) addEvent("info", `Daily job ran (cron "${cron}", HTTP ${res.status}).`);
      else addEvent("error", `The daily job failed: HTTP ${res.status}${text ? `: ${text}` : ""} — see the wrangler output.`);
      return { ok: res.ok, status: res.status, body: text };
    } catch (e) {
      const reason = errorReason(e);
      addEvent("error", `Could not run the daily job at ${workerUrl} (${reason}).`);
      return { ok: false, status: 0, body: reason };
    }
  }

  /** @param {unknown} v */
  function userId(v) {
    const id = Number(v);
    if (!users.some((u) => u.id === id)) throw new Error(`Unknown user ${String(v)}`);
    return id;
  }
  /** @param {unknown} chat @param {unknown} user */
  function chatId(chat, user) {
    if (chat === undefined || chat === null || chat === "") return Number(user);
    return Number(chat);
  }

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const baseUrl = `http://${host}:${actualPort}`;

  let closed = false;
  return {
    url: baseUrl,
    port: actualPort,
    core,
    mode,
    apiRoot: baseUrl,
    events,
    async idle() {
      while (delivering || deliveryQueue.length > 0) await idle;
    },
    runCron,
    async close() {
      if (closed) return;
      closed = true;
      unsubscribe();
      unsubscribeSave();
      if (saveTimer !== undefined) saveNow();
      healthStopped = true;
      for (const t of callbackTimers) clearTimeout(t);
      if (healthTimer) clearTimeout(healthTimer);
      for (const wake of [...stateWaiters]) wake();
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections?.();
      });
    },
  };
}

// --- helpers ---------------------------------------------------------------------------------

/** @param {string | undefined} host */
function isLocalHost(host) {
  if (!host) return false;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  return name === "127.0.0.1" || name === "localhost" || name === "[::1]";
}

/** @param {string} origin */
function isLocalOrigin(origin) {
  try {
    const u = new URL(origin);
    return u.protocol === "http:" && isLocalHost(u.host);
  } catch {
    return false;
  }
}

/** JSON replacer/reviver keeping file bytes in the saved state. */
function replaceBytes(/** @type {string} */ _key, /** @type {unknown} */ value) {
  return value instanceof Uint8Array ? { $bytes: Buffer.from(value).toString("base64") } : value;
}
function reviveBytes(/** @type {string} */ _key, /** @type {any} */ value) {
  return value && typeof value === "object" && typeof value.$bytes === "string"
    ? new Uint8Array(Buffer.from(value.$bytes, "base64"))
    : value;
}

/** @param {any} update */
function describeUpdate(update) {
  if (update.message) {
    const m = update.message;
    if (m.text) return `message ${JSON.stringify(m.text.length > 40 ? m.text.slice(0, 40) + "…" : m.text)}`;
    if (m.document) return `document ${JSON.stringify(m.document.file_name)}`;
    return "message";
  }
  if (update.callback_query) return `button ${JSON.stringify(update.callback_query.data)}`;
  if (update.poll_answer) return "poll answer";
  if (update.my_chat_member) return `my_chat_member ${update.my_chat_member.new_chat_member?.status}`;
  return Object.keys(update).find((k) => k !== "update_id") ?? "update";
}

/** @param {unknown} e */
function errorReason(e) {
  const err = /** @type {any} */ (e);
  if (err?.name === "TimeoutError") return "timed out";
  const code = err?.cause?.code ?? err?.code;
  if (code) return code === "ECONNREFUSED" ? "connection refused" : String(code);
  return err instanceof Error ? err.message : String(e);
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** @param {string} text */
function requireText(text) {
  if (typeof text !== "string" || text.trim() === "") throw new Error("Type a message first");
  if (text.length > 4096) throw new Error("Telegram messages are at most 4096 characters");
  return text;
}

/** @param {import("node:http").IncomingMessage} req */
async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("Request body too large");
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** @param {import("node:http").IncomingMessage} req */
async function readJson(req) {
  const body = await readBody(req);
  if (body.length === 0) return {};
  return JSON.parse(new TextDecoder().decode(body));
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}
