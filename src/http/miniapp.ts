/**
 * The Mini App's API, mounted at /app/api (the page itself is a static asset under /app/):
 *   GET /me              the learner's dashboard
 *   GET /classes         the lecturer's classes
 *   GET /classes/:code   a class's dashboard (its lecturer only: 403/404 for anyone else)
 *   GET /decks           the lecturer's uploaded decks;  GET /decks/:id one of them, whole
 *   PUT /decks/:id       replace it with an edited deck (validated as an upload)
 * Authorization: tma <Telegram.WebApp.initData>, checked before anything is read from storage
 * (src/miniapp/init-data.ts); anything else is 401. Every read is in src/miniapp/data.ts.
 */
import { Hono } from "hono/tiny";
import type { Env } from "../env";
import type { Deps } from "../deps";
import type { BundledDecks } from "../decks/bundled";
import { createServices, type Services } from "../services";
import { checkInitData } from "../miniapp/init-data";
import { classDashboard, lecturerClasses, lecturerDeck, lecturerDecks, learnerDashboard, MAX_DECK_BODY, saveDeck, type Answer } from "../miniapp/data";

export function createMiniAppApi(deps: Deps, decks: BundledDecks) {
  const api = new Hono<{ Bindings: Env; Variables: { svc: Services; uid: number } }>();

  api.use("*", async (c, next) => {
    const check = await checkInitData(c.req.header("authorization"), c.env.BOT_TOKEN, deps.now());
    if (!check.ok) return c.json({ ok: false, error: check.error }, 401);
    c.set("svc", createServices(c.env, deps, decks));
    c.set("uid", check.user.id);
    c.header("cache-control", "no-store");
    await next();
  });

  const send = (c: { json: (b: unknown, s: Answer["status"]) => Response }, a: Answer) => c.json(a.body, a.status);

  api.get("/me", async (c) => send(c, await learnerDashboard(c.get("svc"), c.get("uid"))));
  api.get("/classes", async (c) => send(c, await lecturerClasses(c.get("svc"), c.get("uid"))));
  api.get("/classes/:code", async (c) => send(c, await classDashboard(c.get("svc"), c.get("uid"), c.req.param("code"))));
  api.get("/decks", async (c) => send(c, await lecturerDecks(c.get("svc"), c.get("uid"))));
  api.get("/decks/:id", async (c) => send(c, await lecturerDeck(c.get("svc"), c.get("uid"), c.req.param("id"))));
  api.put("/decks/:id", async (c) => {
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_DECK_BODY) return c.json({ ok: false, error: "the deck is larger than 1 MiB" }, 413);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > MAX_DECK_BODY) return c.json({ ok: false, error: "the deck is larger than 1 MiB" }, 413);
    if (body.length === 0) return c.json({ ok: false, error: "empty body: send the deck as JSON" }, 400);
    return send(c, await saveDeck(c.get("svc"), c.get("uid"), c.req.param("id"), body));
  });
  api.all("*", (c) => c.json({ ok: false, error: "not found" }, 404));
  return api;
}
