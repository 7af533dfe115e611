/**
 * The deployable output really splits: `wrangler deploy --dry-run` writes a main module that holds
 * only what every update needs, plus the modules loaded on first use (src/lazy.ts) — and each lazy
 * path works in workerd, run from that very output (Miniflare, a fresh isolate per path): a review
 * (the bundled decks' texts), an upload (the parsers with papaparse) and a /draft (the drafter).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { Miniflare, Response as MfResponse } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegram } from "../../sandbox/telegram-core.mjs";

const ROOT = resolve(".");
const LAZY = ["lazy/decks.mjs", "lazy/drafter.mjs", "lazy/parsers.mjs"];
/** One module per bundled deck's texts, each imported by lazy/decks.mjs (its loaders). */
const DECK_MODULES = JSON.parse(readFileSync(join(ROOT, "src", "decks", "bundled-index.json"), "utf8")).map((d: { id: string }) => `lazy/deck-${d.id}.mjs`) as string[];
const BOT_TOKEN = "123456:bundle-test";
const SECRET = "bundle-secret";
const BOT_INFO = {
  id: 123456, is_bot: true as const, first_name: "Lectern", username: "lectern_bundle_bot", can_join_groups: true, can_read_all_group_messages: false,
  supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false, has_topics_enabled: false, allows_users_to_create_topics: false,
  can_manage_bots: false, supports_join_request_queries: false,
};
const API_ROOT = "https://telegram.test";
const ADMIN = 900, LEARNER = 501;

let outdir = "";
let stdout = "";
let meta: { outputs: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }> };

beforeAll(() => {
  outdir = mkdtempSync(join(ROOT, "node_modules", ".cache", "lectern-bundle-"));
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js"), "deploy", "--dry-run", "--outdir", join(outdir, "dist"), "--metafile", join(outdir, "meta.json")], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
  });
  stdout = r.stdout + r.stderr;
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${stdout}`);
  meta = JSON.parse(readFileSync(join(outdir, "meta.json"), "utf8"));
}, 120_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe("wrangler deploy --dry-run", () => {
  it("lists the lazily loaded modules beside the main module, which imports each on first use", () => {
    for (const name of LAZY) expect(stdout).toMatch(new RegExp(`│ ${name.replace(/[./]/g, "\\$&")}\\s+│ esm`));
    const main = readFileSync(join(outdir, "dist", "index.js"), "utf8");
    for (const name of LAZY) expect(main).toContain(`import("./${name}")`);
    for (const name of ["lazy/drafter.mjs", "lazy/parsers.mjs"]) expect(readFileSync(join(outdir, "dist", name), "utf8").length).toBeGreaterThan(10_000);
    // The deck texts: a module per deck, each loaded only when its deck is used.
    expect(DECK_MODULES).toHaveLength(6);
    const loaders = readFileSync(join(outdir, "dist", "lazy", "decks.mjs"), "utf8");
    for (const name of DECK_MODULES) {
      expect(stdout).toMatch(new RegExp(`│ ${name.replace(/[./]/g, "\\$&")}\\s+│ esm`));
      expect(loaders).toContain(`import("./${name.slice("lazy/".length)}")`);
      expect(readFileSync(join(outdir, "dist", name), "utf8").length).toBeGreaterThan(10_000);
    }
  });

  it("keeps the drafter, the parsers, papaparse and the deck texts out of the main module (≤ 120 KiB gzip)", () => {
    const inputs = Object.values(meta.outputs).flatMap((o) => Object.entries(o.inputs ?? {}).filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k));
    expect(inputs.some((i) => i.includes("src/lazy.ts"))).toBe(true); // the metafile is the main module's
    const heavy = inputs.filter((i) => /(^|\/)src\/draft\/|node_modules\/papaparse\/|^decks\/[^/]+\.json$|src\/decks\/bundled-texts\.ts$/.test(i) || (/src\/decks\/parsers\//.test(i) && !i.endsWith("parsers/types.ts")));
    expect(heavy).toEqual([]);
    const gzipKiB = gzipSync(readFileSync(join(outdir, "dist", "index.js"))).length / 1024;
    expect(gzipKiB).toBeLessThanOrEqual(120);
  });

  it("the index of the bundled decks matches decks/*.json", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-lazy.mjs"), "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
  });
});

/** A fresh workerd isolate running the dry-run output, with the sandbox's Telegram stand-in as the Bot API. */
async function freshWorker() {
  const tg = createTelegram({
    token: BOT_TOKEN, botInfo: BOT_INFO,
    users: [{ id: ADMIN, is_bot: false, first_name: "Carol", language_code: "en" }, { id: LEARNER, is_bot: false, first_name: "Lena", language_code: "en" }],
  });
  const dist = join(outdir, "dist");
  const mf = new Miniflare({
    modulesRoot: dist,
    modules: [{ type: "ESModule", path: join(dist, "index.js") }, ...[...LAZY, ...DECK_MODULES].map((n) => ({ type: "ESModule" as const, path: join(dist, n) }))],
    compatibilityDate: "2026-04-20",
    compatibilityFlags: ["nodejs_compat"],
    kvNamespaces: ["KV"],
    bindings: { BOT_TOKEN, WEBHOOK_SECRET: SECRET, BOT_INFO: JSON.stringify(BOT_INFO), TELEGRAM_API_ROOT: API_ROOT, ADMIN_USER_IDS: String(ADMIN) },
    outboundService: async (request) => {
      const res = await tg.fetch(new Request(request.url, { method: request.method, headers: [...request.headers], body: request.method === "GET" ? null : await request.arrayBuffer() }));
      return new MfResponse(await res.arrayBuffer(), { status: res.status, headers: [...res.headers] });
    },
  });
  const deliver = async (update: unknown) => {
    const res = await mf.dispatchFetch("https://lectern.test/telegram/webhook", {
      method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }, body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  };
  const last = (chat: number) => tg.messages(chat).filter((m) => m.from?.is_bot).at(-1);
  const press = async (uid: number, label: RegExp) => {
    const msg = last(uid);
    const kb = (msg as { reply_markup?: { inline_keyboard: { text: string; callback_data?: string }[][] } } | undefined)?.reply_markup?.inline_keyboard.flat() ?? [];
    const b = kb.find((x) => label.test(x.text));
    if (!msg || !b?.callback_data) throw new Error(`no button ${label} on ${JSON.stringify(msg?.text)}`);
    await deliver(tg.pressButton(uid, uid, msg.message_id, b.callback_data));
  };
  return { mf, tg, deliver, last, press };
}

describe("each lazy path in workerd, from the dry-run output, on a fresh isolate", () => {
  it("a review: the bundled deck's texts load on first use (that deck's module only)", async () => {
    const w = await freshWorker();
    try {
      const untoc = JSON.parse(readFileSync(join(ROOT, "decks", "untoc.json"), "utf8")) as { cards: { front: string; back: string }[] };
      await w.deliver(w.tg.sendText(LEARNER, "/review untoc"));
      const front = w.last(LEARNER)!.text ?? "";
      expect(untoc.cards.some((c) => front.includes(c.front.slice(0, 40)))).toBe(true);
      await w.press(LEARNER, /Show answer/);
      const answer = w.last(LEARNER)!.text ?? "";
      expect(untoc.cards.some((c) => answer.includes(c.back.slice(0, 30)))).toBe(true);
      await w.press(LEARNER, /^Good ·/);
      expect(w.last(LEARNER)!.text).toMatch(/left/);
    } finally {
      await w.mf.dispose();
    }
  }, 60_000);

  it("an upload: the parsers (with papaparse) load on first use", async () => {
    const w = await freshWorker();
    try {
      const csv = readFileSync(join(ROOT, "tests", "fixtures", "uploads", "good", "cards.csv"));
      await w.deliver(w.tg.uploadDocument(ADMIN, { fileName: "cards.csv", bytes: new Uint8Array(csv), caption: "id: bundle-test" }));
      expect(w.last(ADMIN)!.text).toMatch(/^✓ \d+ cards? accepted/);
    } finally {
      await w.mf.dispose();
    }
  }, 60_000);

  it("a /draft: the drafter loads on first use", async () => {
    const w = await freshWorker();
    try {
      const text = [
        "# The Lighthouse Service",
        "The Northern Lighthouse Board (NLB) was established in 1786 to build and maintain lighthouses around the coast of Scotland.",
        "A lighthouse keeper is defined as a person employed to tend and care for a lighthouse.",
        "The Bell Rock Lighthouse was completed in 1810 and is the oldest surviving sea-washed lighthouse in the world.",
        "The International Association of Marine Aids to Navigation and Lighthouse Authorities (IALA) was founded in 1957.",
        "The last keepers left Fair Isle South lighthouse in 1998.",
      ].join("\n\n");
      await w.deliver(w.tg.uploadDocument(ADMIN, { fileName: "lighthouses.md", bytes: text, caption: "/draft" }));
      const reply = w.tg.messages(ADMIN).filter((m) => m.from?.is_bot).map((m) => m.text ?? "").join("\n");
      expect(reply).toMatch(/draft/i);
      expect(reply).toMatch(/\d+ cards?/);
      expect(reply).not.toMatch(/went wrong/);
    } finally {
      await w.mf.dispose();
    }
  }, 60_000);
});
