/**
 * The lecturers' HTTP API, for scripts:
 *   POST /api/decks   upload a deck (same formats and validation as in chat), JSON report
 *   GET  /api/decks   the lecturer's decks
 *   POST /api/draft   draft a deck from a document (?name=notes.md), returned as JSON, not stored
 * Authorization: Bearer <token from /token>. Tokens are stored hashed and revocable; the role is
 * re-read from storage on every call. The body is the file itself (--data-binary @cards.csv) with
 * ?name=cards.csv (for the format) and optionally ?id=my-deck&title=…&public=on|off, or
 * multipart/form-data with a `file` field.
 */
import { Hono } from "hono/tiny";
import { countWords, draftMaxChars, draftMaxWords, type Env } from "../env";
import type { Deps } from "../deps";
import type { BundledDecks } from "../decks/bundled";
import { createServices, type Services } from "../services";
import type { Writer } from "../store/write-guard";
import { isLecturer, readLearner, type Learner } from "../learner/learner";
import { ingestUpload } from "../uploads/ingest";
import { UPLOAD_LIMITS } from "../decks/parsers/types";
import type { DraftOptions } from "../draft";
import { loadDrafter } from "../lazy";

export function createApi(deps: Deps, decks: BundledDecks) {
  const api = new Hono<{ Bindings: Env; Variables: { svc: Services; owner: Learner; writer?: Writer } }>();

  api.use("*", async (c, next) => {
    // The writer the app's rate-limit middleware set for this token (none when limits are off).
    const svc = createServices(c.env, deps, decks, undefined, c.get("writer"));
    const auth = c.req.header("authorization") ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return c.json({ ok: false, error: "missing bearer token: send Authorization: Bearer <token from /token in the bot>" }, 401);
    const uid = await svc.stores.lecturers.tokenOwner(m[1]!);
    if (uid === null) return c.json({ ok: false, error: "invalid or revoked token" }, 401);
    if (!(await isLecturer(c.env, svc, uid))) return c.json({ ok: false, error: "this token's owner is no longer a lecturer" }, 403);
    c.set("svc", svc);
    const learner = await readLearner(svc, uid);
    learner.owns = (await svc.stores.people.owns(uid)) ?? { v: 1, classes: [], decks: [] };
    c.set("owner", learner); // read once per request: the handlers use this record
    await next();
  });

  api.get("/decks", async (c) => {
    return c.json({ ok: true, decks: c.get("owner").owns?.decks ?? [] });
  });

  api.post("/decks", async (c) => {
    const svc = c.get("svc");
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > UPLOAD_LIMITS.bytes + 64 * 1024) return c.json({ ok: false, problems: [{ message: "The file is larger than 1 MiB; decks may be at most 1 MiB." }] }, 413);
    let name = c.req.query("name") ?? "";
    let bytes: Uint8Array;
    const type = c.req.header("content-type") ?? "";
    if (type.startsWith("multipart/form-data")) {
      const form = await c.req.formData();
      const file = form.get("file");
      if (!file || typeof file === "string") return c.json({ ok: false, problems: [{ message: 'multipart upload without a "file" field' }] }, 400);
      name ||= (file as File).name;
      bytes = new Uint8Array(await (file as File).arrayBuffer());
    } else {
      bytes = new Uint8Array(await c.req.arrayBuffer());
    }
    if (bytes.length === 0) return c.json({ ok: false, problems: [{ message: "empty body: send the deck file as the request body (curl --data-binary @file)" }] }, 400);
    const opts: { deckId?: string; title?: string; public?: boolean } = {};
    const id = c.req.query("id"), title = c.req.query("title"), pub = c.req.query("public");
    if (id) opts.deckId = id;
    if (title) opts.title = title;
    // ?public=on|off marks the deck public or private; without it a replaced deck keeps its flag (a new one is private).
    if (pub !== undefined) {
      if (pub !== "on" && pub !== "off") return c.json({ ok: false, problems: [{ where: "public", message: `?public= takes on or off, not "${pub.slice(0, 20)}"` }] }, 400);
      opts.public = pub === "on";
    }
    const out = await ingestUpload(svc, c.get("owner"), name || "deck.txt", bytes, opts);
    return c.json(out.json, out.status as 200);
  });

  /** Drafts a deck from a document (nothing is stored): same drafter as /draft in chat. */
  api.post("/draft", async (c) => {
    const name = c.req.query("name") ?? "document.txt";
    const { draftDeck, DraftError, formatFor } = await loadDrafter();
    if (!formatFor(name)) return c.json({ ok: false, error: "name must end in .txt, .md or .html (?name=notes.md)" }, 400);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.length > UPLOAD_LIMITS.bytes) return c.json({ ok: false, error: "the document is larger than 1 MiB" }, 413);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      return c.json({ ok: false, error: "the document is not UTF-8 text" }, 400);
    }
    const maxChars = draftMaxChars(c.env);
    if (text.length > maxChars) return c.json({ ok: false, error: `the document has ${text.length} characters; this deployment drafts up to ${maxChars} (DRAFT_MAX_CHARS)` }, 413);
    const words = countWords(text), max = draftMaxWords(c.env);
    if (words > max) return c.json({ ok: false, error: `the document has about ${words} words; this deployment drafts up to ${max} (DRAFT_MAX_WORDS)` }, 413);
    const opts: DraftOptions = { fileName: name, year: new Date(deps.now()).getUTCFullYear() };
    const id = c.req.query("id"), title = c.req.query("title");
    if (id) opts.deckId = id;
    if (title) opts.title = title;
    try {
      const r = draftDeck(text, opts);
      return c.json({ ok: true, stats: r.stats, deck: r.deck });
    } catch (err) {
      if (err instanceof DraftError) return c.json({ ok: false, error: err.message }, 422);
      throw err;
    }
  });

  return api;
}
