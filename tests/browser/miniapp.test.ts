// The Mini App in headless Chromium against the real Worker (wrangler dev) and the sandbox: the
// learner's and the lecturer's dashboards and the deck editor at 390×844, in Telegram's light and
// dark themes, opened with init data the sandbox signs; screenshots go to tests/browser/screenshots/.
// Also measured: the page's transfer size and its time to the first chart.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, sandboxWorkerVars } from "../../sandbox/config.mjs";
import { startSandbox, type Sandbox } from "../../sandbox/server.mjs";
import { PROJECT_ROOT, freePort, startWranglerDev, waitForHealthy, writeEnvFile, type WranglerDev } from "../../sandbox/wrangler.mjs";
// @ts-expect-error plain ESM build script without types
import { buildApp } from "../../scripts/build-app.mjs";

const CONFIG = process.env.SANDBOX_WRANGLER_CONFIG ?? join(PROJECT_ROOT, "wrangler.toml");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = join(PROJECT_ROOT, "tests", "browser", "screenshots");
const haveWorker = existsSync(CONFIG);
const DECK = "intro-criminology";

type Scheme = "light" | "dark";

describe.skipIf(!haveWorker)("the Mini App in headless Chromium", () => {
  let tmp = "";
  let sandbox: Sandbox;
  let wrangler: WranglerDev | undefined;
  let context: BrowserContext | undefined;
  let code = "";

  const core = () => sandbox.core;
  const botMessages = (chat: number) => core().messages(chat).filter((m) => m.from?.is_bot);

  async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends a text and waits for a bot message matching `re` after it. */
  async function send(uid: number, text: string, re: RegExp) {
    const before = botMessages(uid).length;
    core().sendText(uid, text);
    return until(`a reply to ${text} matching ${re}`, () => botMessages(uid).slice(before).find((m) => re.test(m.text ?? "")));
  }

  /** Presses a button of the bot's last message and waits until that message changes. */
  async function press(uid: number, label: RegExp) {
    const msg = botMessages(uid).at(-1)!;
    const b = (msg.reply_markup?.inline_keyboard ?? []).flat().find((x) => "callback_data" in x && label.test(x.text)) as { callback_data: string } | undefined;
    if (!b) throw new Error(`no button ${label} on: ${msg.text}`);
    const before = JSON.stringify(core().message(uid, msg.message_id));
    core().pressButton(uid, uid, msg.message_id, b.callback_data);
    await until(`the bot to react to ${label}`, () => JSON.stringify(core().message(uid, msg.message_id)) !== before || botMessages(uid).at(-1)!.message_id !== msg.message_id);
  }

  /** The web_app URL of a bot message's button, signed for `uid` by the sandbox (as its page does). */
  async function signed(uid: number, url: string, scheme: Scheme): Promise<string> {
    const res = await fetch(`${sandbox.url}/sandbox/webapp`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user: uid, url, scheme }) });
    const out = (await res.json()) as { ok: boolean; url: string; error?: string };
    if (!out.ok) throw new Error(out.error);
    return out.url;
  }

  function webAppButton(chat: number, re: RegExp): string {
    const m = botMessages(chat).filter((x) => re.test(x.text ?? "")).at(-1)!;
    const b = (m.reply_markup?.inline_keyboard ?? []).flat().find((x) => "web_app" in x) as { web_app: { url: string } } | undefined;
    if (!b) throw new Error(`no web_app button on: ${m.text}`);
    return b.web_app.url;
  }

  /** Opens a page at 390×844; collects console errors, failed requests and bytes received. */
  async function open(url: string) {
    const page = await context!.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const errors: string[] = [];
    const bytes: Record<string, number> = {};
    page.on("console", (m) => m.type() === "error" && !/^Failed to load resource/.test(m.text()) && errors.push(m.text())); // failed loads are listed with their URL below
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
    page.on("response", async (r) => {
      const u = new URL(r.url());
      if (r.status() >= 400) errors.push(`${r.status()} ${u.pathname}`);
      if (u.origin !== new URL(sandbox.url).origin) errors.push(`left the sandbox: ${r.url()}`);
      try {
        bytes[u.pathname] = (await r.body()).length;
      } catch {
        /* redirects have no body */
      }
    });
    await page.goto(url);
    return { page, errors, bytes };
  }

  async function shot(page: Page, name: string) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    await buildApp();
    tmp = mkdtempSync(join(tmpdir(), "lectern-miniapp-browser-"));
    const workerPort = await freePort();
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    sandbox = await startSandbox({ port: 0, workerUrl, mode: "webhook", healthIntervalMs: 500, log: () => {} });
    // The set-up below (an upload, a class, three joins, a push, three reviews and a class report in
    // a few seconds) is faster than any lecturer: the per-user write limit is tested in hostile.test.ts.
    const envFile = writeEnvFile({ vars: { ...sandboxWorkerVars({ sandboxUrl: sandbox.url }), RATE_LIMITS: "off" }, file: join(tmp, "sandbox.env") });
    wrangler = startWranglerDev({ port: workerPort, envFile, config: CONFIG, persistTo: join(tmp, "state"), inspectorPort: await freePort() });
    await waitForHealthy(`${workerUrl}/healthz`, { wrangler, timeoutMs: 180_000 });
    context = await chromium.launchPersistentContext(join(tmp, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    // Carol uploads a deck, opens a class, and Alice, Bob and Carol join it; she pushes the deck.
    const bytes = readFileSync(join(PROJECT_ROOT, "tests/fixtures/uploads/good/deck.json"));
    const before = botMessages(CAROL).length;
    core().uploadDocument(CAROL, { fileName: "deck.json", bytes: new Uint8Array(bytes) });
    await until("the upload report", () => botMessages(CAROL).slice(before).find((m) => /Saved as deck/.test(m.text ?? "")));
    const made = await send(CAROL, "/newclass Biology 1", /join_/);
    code = /join_([A-Za-z0-9_-]{12})/.exec(made.text!)![1]!;
    for (const s of [ALICE, BOB, CAROL]) await send(s, `/join ${code}`, /You joined/);
    await send(CAROL, `/push ${DECK} Biology 1`, /Sending/);
    await until("the push report", () => botMessages(CAROL).find((m) => /Push report/.test(m.text ?? "")), 60_000);
    // Everyone fails the first card once (the class's hardest card); Alice passes two more.
    for (const s of [ALICE, BOB, CAROL]) {
      await send(s, `/review ${DECK}`, /./);
      await press(s, /Show answer/);
      await press(s, /^Again/);
      if (s === ALICE) {
        for (const g of [/^Good/, /^Easy/]) {
          await press(s, /Show answer/);
          await press(s, g);
        }
      }
      await press(s, /Stop/);
    }
    await send(ALICE, "/stats", /Your progress/);
    await send(CAROL, "/classstats Biology 1", /Preparing the figures/);
    await until("the class report", () => botMessages(CAROL).find((m) => /Biology 1 — 3 students/.test(m.text ?? "")), 60_000);
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await wrangler?.stop();
    await sandbox?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`the learner's dashboard (${scheme}): heatmap, forecast and retention charts drawn, no console errors`, async () => {
      const url = webAppButton(ALICE, /Your progress/);
      expect(url).toBe(`${sandbox.url}/app/`);
      const { page, errors, bytes } = await open(await signed(ALICE, url, scheme));
      await page.getByTestId("forecast-chart").locator("canvas").waitFor();
      await page.getByTestId("retention-chart").locator("canvas").waitFor();
      expect(await page.getByTestId("heatmap").locator("rect").count()).toBe(365);
      expect(await page.getByTestId("heatmap").locator("rect:not(.l0)").count()).toBe(1); // today only
      expect(await page.getByTestId("kpi-reviewed").locator("b").innerText()).toBe("3");
      expect(await page.evaluate<string>('document.documentElement.dataset.scheme')).toBe(scheme);
      const bg = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
      expect(bg).toBe(scheme === "dark" ? "rgb(24, 24, 24)" : "rgb(244, 244, 245)");
      // Nothing wider than the phone.
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      const firstChart = Number(await page.evaluate<string>('document.documentElement.dataset.firstChartMs'));
      const afterScript = Number(await page.evaluate<string>('document.documentElement.dataset.firstChartScriptMs'));
      expect(firstChart).toBeGreaterThan(0);
      await shot(page, `learner-${scheme}`);
      expect(errors).toEqual([]);
      const page3 = ["/app/", "/app/app.js", "/app/app.css"];
      const raw = page3.reduce((n, p) => n + (bytes[p] ?? 0), 0);
      const gz = ["public/app/index.html", "public/app/app.js", "public/app/app.css"].reduce((n, f) => n + gzipSync(readFileSync(join(PROJECT_ROOT, f)), { level: 9 }).length, 0);
      console.log(`[miniapp] ${scheme}: page ${page3.map((p) => `${p} ${bytes[p]} B`).join(", ")} = ${(raw / 1024).toFixed(1)} KiB (gzip ${(gz / 1024).toFixed(1)} KiB), /app/api/me ${bytes["/app/api/me"]} B; first chart at ${firstChart} ms after navigation start (${afterScript} ms after the script ran)`);
      await page.close();
    });

    it(`the class dashboard (${scheme}): student × week grid and hardest cards drawn, for the lecturer`, async () => {
      const url = webAppButton(CAROL, /Preparing the figures/);
      expect(url).toBe(`${sandbox.url}/app/?class=${code}`);
      const { page, errors } = await open(await signed(CAROL, url, scheme));
      await page.getByTestId("activity-grid").waitFor();
      expect(await page.getByTestId("activity-grid").locator("tbody tr").count()).toBe(3);
      expect(await page.getByTestId("activity-grid").locator("tbody td").count()).toBe(3 * 8);
      await page.getByTestId("hardest-chart").locator("canvas").waitFor();
      expect(await page.locator(".hardest li").first().innerText()).toMatch(/3 of 3 reviews failed/);
      expect(await page.getByTestId("students").locator("tbody tr").count()).toBe(3);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await shot(page, `class-${scheme}`);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it("a student opening the class's link sees no class dashboard", async () => {
    const { page, errors } = await open(await signed(ALICE, `${sandbox.url}/app/?class=${code}`, "light"));
    await page.getByTestId("forecast-chart").locator("canvas").waitFor(); // her own dashboard instead
    expect(await page.getByTestId("activity-grid").count()).toBe(0);
    expect(await page.getByTestId("tab-classes").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the deck editor: a card's back edited and saved, and the Worker serves the new deck", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const { page, errors } = await open(await signed(CAROL, `${sandbox.url}/app/?view=decks`, scheme));
      await page.getByTestId("deck-link").first().click();
      await page.getByTestId("card-row").first().waitFor();
      await shot(page, `deck-editor-${scheme}`);
      if (scheme === "dark") {
        expect(errors).toEqual([]);
        await page.close();
        continue;
      }
      expect(await page.getByTestId("card-row").count()).toBe(3);
      await page.getByTestId("edit-card").nth(1).click();
      await page.getByTestId("field-back").fill("Three or more persons");
      await shot(page, "deck-card-form-light");
      await page.getByTestId("save-card").click();
      await page.getByTestId("save-deck").click();
      await expect.poll(() => page.getByTestId("save-status").innerText(), { timeout: 15_000 }).toMatch(/Saved: 3 cards; learners keep their progress on 3 unchanged cards/);
      expect(errors).toEqual([]);
      // The stored deck has the new back: read it through the API with the page's own init data.
      const initData = await page.evaluate<string>("window.Telegram.WebApp.initData");
      const res = await fetch(`${sandbox.url}/app/api/decks/${DECK}`, { headers: { authorization: `tma ${initData}` } });
      const json = (await res.json()) as { deck: { cards: { id: string; back: string }[] } };
      expect(json.deck.cards[1]!.back).toBe("Three or more persons");
      // An invalid edit (an empty front) is refused with the upload's message.
      await page.getByTestId("edit-card").first().click();
      await page.getByTestId("field-front").fill(" ");
      await page.getByTestId("save-card").click();
      await page.getByTestId("save-deck").click();
      await expect.poll(() => page.getByTestId("save-status").innerText(), { timeout: 15_000 }).toMatch(/Not saved[\s\S]*front/);
      await page.close();
    }
  });

  it("in the sandbox page, the /stats button opens the Mini App in a panel", async () => {
    const { page, errors } = await open(`${sandbox.url}/#user=${ALICE}&chat=private`);
    await page.setViewportSize({ width: 1280, height: 900 });
    const button = page.getByTestId("webapp-button").last();
    await button.waitFor();
    await button.click();
    await page.getByTestId("webapp-panel").waitFor({ state: "visible" });
    const frame = page.frameLocator('[data-testid="webapp-frame"]');
    await frame.getByTestId("forecast-chart").locator("canvas").waitFor();
    await shot(page, "sandbox-panel");
    expect(errors).toEqual([]);
    await page.close();
  });
});
