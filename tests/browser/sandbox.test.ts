// The sandbox page in headless Chromium against the real Worker: wrangler dev (sandbox settings,
// throwaway local state) + the sandbox server in-process, both on free ports.
//
// Needs /usr/bin/chromium (Debian: apt-get install -y chromium) or CHROMIUM_PATH. Skipped only
// while the repository has no wrangler.toml (SANDBOX_WRANGLER_CONFIG points elsewhere).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, DAILY_CRON, sandboxWorkerVars } from "../../sandbox/config.mjs";
import { startSandbox, type Sandbox } from "../../sandbox/server.mjs";
import {
  PROJECT_ROOT,
  freePort,
  readCrons,
  startWranglerDev,
  waitForHealthy,
  writeEnvFile,
  type WranglerDev,
} from "../../sandbox/wrangler.mjs";

const CONFIG = process.env.SANDBOX_WRANGLER_CONFIG ?? join(PROJECT_ROOT, "wrangler.toml");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveWorker = existsSync(CONFIG);
if (!haveWorker) console.warn(`[sandbox browser test] skipped: ${CONFIG} does not exist yet`);

const BOT_MESSAGES = '[data-testid="message"][data-from="bot"]';

describe.skipIf(!haveWorker)("the sandbox page with the real Worker", () => {
  let tmp = "";
  let sandbox: Sandbox | undefined;
  let wrangler: WranglerDev | undefined;
  let context: BrowserContext | undefined;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    tmp = mkdtempSync(join(tmpdir(), "lectern-sandbox-browser-"));
    const workerPort = await freePort();
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    sandbox = await startSandbox({ port: 0, workerUrl, mode: "webhook", healthIntervalMs: 500, log: () => {} });
    const envFile = writeEnvFile({ vars: sandboxWorkerVars({ sandboxUrl: sandbox.url }), file: join(tmp, "sandbox.env") });
    wrangler = startWranglerDev({
      port: workerPort,
      envFile,
      config: CONFIG,
      persistTo: join(tmp, "state"),
      inspectorPort: await freePort(),
    });
    await waitForHealthy(`${workerUrl}/healthz`, { wrangler, timeoutMs: 180_000 });
    context = await chromium.launchPersistentContext(join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 850 },
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    if (page && !page.isClosed()) {
      mkdirSync(join(PROJECT_ROOT, "test-results"), { recursive: true });
      await page.screenshot({ path: join(PROJECT_ROOT, "test-results", "sandbox-page.png") }).catch(() => {});
    }
    await context?.close().catch(() => {});
    await wrangler?.stop();
    await sandbox?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("wrangler.toml's cron matches the sandbox's daily-job button", () => {
    const crons = readCrons(CONFIG);
    if (crons.length > 0) expect(crons).toContain(DAILY_CRON);
  });

  it("sends /start as Alice, shows the reply, and a button press makes the bot react", async () => {
    const core = sandbox!.core;
    await page.goto(`${sandbox!.url}/#user=${ALICE}&chat=private`);
    await expect.poll(() => page.getByTestId("worker-status").getAttribute("data-state")).toBe("ok");
    await expect.poll(() => page.getByTestId("user-1001").getAttribute("aria-checked")).toBe("true");

    await page.getByTestId("message-input").fill("/start");
    await page.getByTestId("message-input").press("Enter");

    const firstReply = page.locator(BOT_MESSAGES).first();
    await firstReply.waitFor({ state: "visible" });
    expect(sandbox!.events.filter((e) => e.kind === "error")).toEqual([]);
    const botText = (await firstReply.innerText()).trim();
    expect(botText.length).toBeGreaterThan(0);
    const inCore = core.messages(ALICE).filter((m) => m.from?.is_bot);
    expect(inCore.length).toBeGreaterThan(0);

    // Press the first callback button the bot's messages carry.
    const button = page.locator(`${BOT_MESSAGES} [data-testid="inline-button"]`).first();
    await button.waitFor({ state: "visible" });
    const owner = button.locator('xpath=ancestor::li[@data-testid="message"][1]');
    const messageId = Number(await owner.getAttribute("data-message-id"));
    const before = core.message(ALICE, messageId);
    const botCountBefore = core.messages(ALICE).filter((m) => m.from?.is_bot).length;
    const data = await button.getAttribute("data-callback-data");
    await button.click();

    await expect
      .poll(
        () => {
          const bot = core.messages(ALICE).filter((m) => m.from?.is_bot);
          const now = core.message(ALICE, messageId);
          const edited = now === undefined || now.edit_date !== undefined || JSON.stringify(now) !== JSON.stringify(before);
          return bot.length > botCountBefore || edited;
        },
        { timeout: 30_000, message: `the bot did not react to the button "${data}"` },
      )
      .toBe(true);
    expect(core.updates.some((u) => u.callback_query?.data === data)).toBe(true);

    // ...and the page shows it: more bot messages, or the pressed one edited/removed.
    await expect
      .poll(async () => {
        const count = await page.locator(BOT_MESSAGES).count();
        const edited = await page.locator(`${BOT_MESSAGES}[data-message-id="${messageId}"] [data-testid="edited"]`).count();
        const gone = (await page.locator(`${BOT_MESSAGES}[data-message-id="${messageId}"]`).count()) === 0;
        return count > botCountBefore || edited > 0 || gone;
      })
      .toBe(true);
    expect(sandbox!.events.filter((e) => e.kind === "error")).toEqual([]);
  });

  it("answers the callback query (Telegram shows a spinner until it is answered)", async () => {
    const press = sandbox!.core.updates.find((u) => u.callback_query);
    expect(press).toBeDefined();
    await expect
      .poll(() => sandbox!.core.callbackAnswers.some((a) => a.callback_query_id === press!.callback_query!.id), { timeout: 15_000 })
      .toBe(true);
  });

  it("after Show answer the chat scrolls to the newest message, so the grade buttons are in view (as in Telegram)", async () => {
    await page.setViewportSize({ width: 1200, height: 600 });
    const send = async (text: string) => {
      const before = await page.locator(BOT_MESSAGES).count();
      await page.getByTestId("message-input").fill(text);
      await page.getByTestId("message-input").press("Enter");
      await expect.poll(() => page.locator(BOT_MESSAGES).count(), { timeout: 30_000 }).toBeGreaterThan(before);
    };
    // Enough messages that the chat overflows its pane.
    await send("/help");
    await send("/help");
    await send("/review untoc");
    const session = page.locator(BOT_MESSAGES).last();
    const show = session.locator('[data-testid="inline-button"]', { hasText: "Show answer" });
    await show.waitFor({ state: "visible" });
    const list = page.getByTestId("messages");
    expect(await list.evaluate((el) => el.scrollHeight > el.clientHeight + 200)).toBe(true);
    await show.click();
    const good = session.locator('[data-testid="inline-button"]', { hasText: /^Good ·/ });
    await good.waitFor({ state: "attached", timeout: 30_000 });
    await expect
      .poll(
        async () => {
          const pane = (await list.boundingBox())!;
          const box = await good.boundingBox();
          return box !== null && box.y >= pane.y && box.y + box.height <= pane.y + pane.height + 1;
        },
        { timeout: 10_000, message: "the grade buttons stayed below the fold" },
      )
      .toBe(true);
    expect(await list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(2);
    await page.setViewportSize({ width: 1200, height: 850 });
  });

  it("runs the daily job from the page", async () => {
    await page.getByTestId("run-daily-job").click();
    await expect
      .poll(() => sandbox!.events.find((e) => e.text.includes("Daily job") || e.text.includes("daily job"))?.kind, { timeout: 60_000 })
      .toBe("info");
  });
});
