// The sandbox server (sandbox/server.mjs) in webhook mode against a stub Worker: delivery, the
// page's JSON API, and saving the chats.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ALICE, BOB, CLASS_GROUP, SANDBOX_SECRET, SANDBOX_TOKEN } from "../../sandbox/config.mjs";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox/server.mjs";

type Handler = (update: any, api: (method: string, params: Record<string, unknown>) => Promise<any>) => Promise<number | { status: number; body: string }>;

/** A stub Worker: /healthz, /__scheduled and /telegram/webhook calling back into the sandbox. */
async function stubWorker(onUpdate: Handler) {
  const seen: { update: any; headers: IncomingHttpHeaders }[] = [];
  const crons: string[] = [];
  let apiRoot = "";
  const api = async (method: string, params: Record<string, unknown>) => {
    const res = await fetch(`${apiRoot}/bot${SANDBOX_TOKEN}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    return res.json();
  };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      if (req.url === "/healthz") return res.end("ok");
      if (req.url?.startsWith("/__scheduled")) {
        crons.push(new URL(req.url, "http://x").searchParams.get("cron") ?? "");
        return res.end("Ran scheduled event");
      }
      const update = JSON.parse(body);
      seen.push({ update, headers: req.headers });
      const out = await onUpdate(update, api);
      const { status, body: text } = typeof out === "number" ? { status: out, body: "" } : out;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    crons,
    setApiRoot: (root: string) => (apiRoot = root),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(onUpdate: Handler, extra: SandboxOptions = {}) {
  const worker = await stubWorker(onUpdate);
  cleanups.push(() => worker.close());
  const sandbox: Sandbox = await startSandbox({ port: 0, workerUrl: worker.url, healthIntervalMs: 0, log: () => {}, ...extra });
  cleanups.push(() => sandbox.close());
  worker.setApiRoot(sandbox.url);
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const state = async (query: string) => (await fetch(`${sandbox.url}/sandbox/state?${query}`)).json() as Promise<any>;
  return { sandbox, worker, post, state };
}

const echo: Handler = async (update, api) => {
  const m = update.message;
  if (m?.text) await api("sendMessage", { chat_id: m.chat.id, text: `<b>echo</b> ${m.text.replace(/</g, "&lt;")}`, parse_mode: "HTML" });
  if (update.callback_query) await api("answerCallbackQuery", { callback_query_id: update.callback_query.id, text: "ok" });
  return 200;
};

describe("sandbox server", () => {
  it("POSTs the page's messages to the webhook with the secret, in order, and shows the bot's replies", async () => {
    const { sandbox, worker, post, state } = await setup(echo);
    for (const text of ["/start", "one", "<two>"]) {
      expect((await post("/sandbox/send", { user: ALICE, text })).status).toBe(200);
      await sandbox.idle();
    }
    await post("/sandbox/send", { user: BOB, chat: CLASS_GROUP, text: "/start@lectern_sandbox_bot" });
    await sandbox.idle();
    expect(worker.seen.map((s) => s.update.message.text)).toEqual(["/start", "one", "<two>", "/start@lectern_sandbox_bot"]);
    expect(worker.seen.every((s) => s.headers["x-telegram-bot-api-secret-token"] === SANDBOX_SECRET)).toBe(true);
    const s = await state(`user=${ALICE}&chat=${ALICE}`);
    expect(s.messages.map((m: any) => [m.text, m.sandbox.fromBot])).toEqual([
      ["/start", false],
      ["echo /start", true],
      ["one", false],
      ["echo one", true],
      ["<two>", false],
      ["echo <two>", true],
    ]);
    expect(s.messages[1].sandbox.html).toBe("<b>echo</b> /start");
    expect(s.worker.reachable).toBe(true);
    const group = await state(`user=${BOB}&chat=${CLASS_GROUP}`);
    expect(group.messages).toHaveLength(2);
  });

  it("shows an error when the Worker answers non-2xx or cannot be reached", async () => {
    const { sandbox, post } = await setup(async () => ({ status: 500, body: "Internal Server Error" }));
    await post("/sandbox/send", { user: ALICE, text: "/start" });
    await sandbox.idle();
    expect(sandbox.events.at(-1)).toMatchObject({ kind: "error", text: expect.stringContaining("HTTP 500") });
  });

  it("reports an unreachable Worker", async () => {
    const sandbox = await startSandbox({ port: 0, workerUrl: "http://127.0.0.1:9", healthIntervalMs: 0, log: () => {} });
    cleanups.push(() => sandbox.close());
    sandbox.core.sendText(ALICE, "/start");
    await sandbox.idle();
    expect(sandbox.events.at(-1)).toMatchObject({ kind: "error", text: expect.stringContaining("Could not reach the Worker") });
  }, 20_000);

  it("presses buttons, answers polls and uploads files for the page", async () => {
    const { sandbox, post, state } = await setup(async (update, api) => {
      const m = update.message;
      if (m?.text === "/start") {
        await api("sendMessage", { chat_id: m.chat.id, text: "Menu", reply_markup: { inline_keyboard: [[{ text: "Quiz", callback_data: "quiz" }]] } });
      } else if (update.callback_query) {
        await api("answerCallbackQuery", { callback_query_id: update.callback_query.id, text: "Here it comes" });
        await api("sendPoll", { chat_id: update.callback_query.message.chat.id, question: "2+2?", options: ["3", "4"], type: "quiz", correct_option_ids: [1], is_anonymous: false });
      } else if (update.poll_answer) {
        await api("sendMessage", { chat_id: update.poll_answer.user.id, text: `answered ${update.poll_answer.option_ids}` });
      } else if (m?.document) {
        await api("sendMessage", { chat_id: m.chat.id, text: `got ${m.document.file_name} ${m.caption ?? ""}` });
      }
      return 200;
    });
    await post("/sandbox/send", { user: ALICE, text: "/start" });
    await sandbox.idle();
    let s = await state(`user=${ALICE}`);
    const menu = s.messages.find((m: any) => m.text === "Menu");
    expect((await post("/sandbox/press", { user: ALICE, chat: ALICE, message_id: menu.message_id, data: "quiz" })).body.ok).toBe(true);
    await sandbox.idle();
    s = await state(`user=${ALICE}`);
    expect(s.events.at(-1)).toMatchObject({ kind: "toast", text: "Here it comes", userId: ALICE });
    const poll = s.messages.find((m: any) => m.poll);
    expect(poll.sandbox).toMatchObject({ myVotes: null, canVote: true });
    await post("/sandbox/vote", { user: ALICE, poll_id: poll.poll.id, option_ids: [1] });
    await sandbox.idle();
    s = await state(`user=${ALICE}`);
    expect(s.messages.find((m: any) => m.poll).sandbox.myVotes).toEqual([1]);
    expect(s.messages.at(-1).text).toBe("answered 1");
    const again = await post("/sandbox/vote", { user: ALICE, poll_id: poll.poll.id, option_ids: [0] });
    expect(again).toMatchObject({ status: 400, body: { ok: false, error: expect.stringContaining("already answered") } });

    const form = new FormData();
    form.set("user", String(ALICE));
    form.set("caption", "my deck");
    form.set("file", new Blob(["front,back\n"], { type: "text/csv" }), "deck.csv");
    const up = await fetch(`${sandbox.url}/sandbox/upload`, { method: "POST", body: form });
    expect(up.status).toBe(200);
    await sandbox.idle();
    s = await state(`user=${ALICE}`);
    expect(s.messages.at(-1).text).toBe("got deck.csv my deck");
    const doc = s.messages.at(-2).document;
    const file = await fetch(`${sandbox.url}/sandbox/file/${encodeURIComponent(doc.file_id)}`);
    expect(file.headers.get("content-disposition")).toContain('filename="deck.csv"');
    expect(await file.text()).toBe("front,back\n");
  });

  it("runs the daily job with the cron string from wrangler.toml", async () => {
    const { sandbox, worker } = await setup(echo);
    expect(await sandbox.runCron()).toMatchObject({ ok: true, status: 200 });
    expect(worker.crons).toEqual(["*/15 * * * *"]);
  });

  it("long-polls the page state until something changes", async () => {
    const { sandbox, post, state } = await setup(echo);
    const first = await state(`user=${ALICE}`);
    const started = Date.now();
    const waiting = state(`user=${ALICE}&since=${first.version}&wait=10`);
    setTimeout(() => void post("/sandbox/send", { user: ALICE, text: "/start" }), 100);
    const next = await waiting;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(next.version).toBeGreaterThan(first.version);
    await sandbox.idle();
  });

  it("refuses other sites' pages and foreign host names", async () => {
    const { sandbox, post } = await setup(echo);
    expect((await post("/sandbox/send", { user: ALICE, text: "hi" }, { origin: "https://evil.example" })).status).toBe(403);
    // fetch() cannot set Host; node:http can (a DNS-rebinding page would arrive like this).
    const status = await new Promise<number | undefined>((resolve) => {
      const req = httpRequest(`${sandbox.url}/`, { headers: { host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", () => resolve(undefined));
      req.end();
    });
    expect(status).toBe(403);
    const ok = await fetch(`${sandbox.url}/`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("keeps the chats in a state file across restarts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lectern-sandbox-state-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const stateFile = join(dir, "telegram.json");
    const first = await setup(echo, { stateFile });
    await first.post("/sandbox/send", { user: ALICE, text: "/start" });
    await first.sandbox.idle();
    await first.sandbox.close();
    expect(existsSync(stateFile)).toBe(true);
    const second = await startSandbox({ port: 0, stateFile, healthIntervalMs: 0, log: () => {} });
    cleanups.push(() => second.close());
    expect(second.core.messages(ALICE).map((m) => m.text)).toEqual(["/start", "echo /start"]);
    expect(second.core.chat(ALICE)?.started).toBe(true);
  });
});
