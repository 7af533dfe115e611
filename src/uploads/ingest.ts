/**
 * A lecturer's upload, from chat or the HTTP API: parse and validate the whole file, check the
 * deck id is free (not a bundled deck's, not another lecturer's), then store it — or store nothing.
 * Re-uploading a deck id the lecturer owns replaces its cards; learners keep their progress on
 * every card whose id is unchanged (formats without ids derive the id from the front).
 */
import type { Services } from "../services";
import { UPLOAD_LIMITS, type UploadFormat, type UploadProblem, type UploadResult } from "../decks/parsers/types";
import { loadParsers } from "../lazy";
import type { Learner } from "../learner/learner";
import type { Deck } from "../decks/schema";
import type { LoadedDeck } from "../decks/registry";
import { uploadMaxCards } from "../decks/limits";
import { randomId } from "../deps";

export interface IngestOutcome {
  ok: boolean;
  /** HTTP status for the API: 201 created, 200 replaced, 413 too large, 409 id taken, 422 invalid. */
  status: number;
  /** Plain-text report for chat. */
  report: string;
  /** JSON report for the API. */
  json: Record<string, unknown>;
  deck?: Deck;
  replaced?: boolean;
}

/** At most this many uploaded decks per lecturer (the lecturer's record lists them). */
export const MAX_DECKS_PER_LECTURER = 200;

async function refused(problem: UploadProblem, status: number, format?: UploadFormat): Promise<IngestOutcome> {
  const { formatReport } = await loadParsers(); // the parsers load on first use (src/lazy.ts)
  const result: UploadResult = { ok: false, problems: [problem], totalProblems: 1, ...(format ? { format } : {}) };
  return { ok: false, status, report: formatReport(result), json: { ok: false, problems: [problem] } };
}

/**
 * Stores a valid deck as `owner`'s: refuses a bundled deck's id or another lecturer's, and the
 * deck count limit. Used by uploads and by the drafter's "publish".
 */
export async function storeDeck(
  svc: Services,
  owner: Learner,
  deck: Deck,
  format?: UploadFormat,
  opts: { public?: boolean } = {},
): Promise<{ ok: true; deck: Deck; existing: LoadedDeck | null; public: boolean } | { ok: false; outcome: IngestOutcome }> {
  if (svc.decks.isBundled(deck.id)) {
    return { ok: false, outcome: await refused({ where: "deck id", message: `"${deck.id}" is the id of a built-in deck. Choose another id (in chat: put "id: my-deck" in the file's caption; over HTTP: ?id=my-deck).` }, 409, format) };
  }
  // Storage itself, never the cache: a cached "not found" must not hand over a just-created id.
  const { deck: existing, version, owner: holder } = await svc.stores.decks.getFresh(deck.id);
  if (holder !== null && holder !== owner.id) {
    return { ok: false, outcome: await refused({ where: "deck id", message: `The deck id "${deck.id}" is taken by another lecturer. Choose another id (caption "id: my-deck", or ?id=my-deck).` }, 409, format) };
  }
  const owns = (owner.owns ??= (await svc.stores.people.owns(owner.id)) ?? { v: 1, classes: [], decks: [] });
  if (!existing && owns.decks.length >= MAX_DECKS_PER_LECTURER) {
    return { ok: false, outcome: await refused({ message: `You have ${owns.decks.length} decks, the most one lecturer can keep. Re-upload one of them instead.` }, 409, format) };
  }
  // A replaced deck stays public or private as it was, unless the upload says otherwise (API ?public=).
  const pub = opts.public ?? !!existing?.public;
  await svc.stores.decks.put({ owner: owner.id, updated: svc.deps.now(), deck, ...(pub ? { public: true } : {}) }, version === 1);
  owns.decks = [...owns.decks.filter((d) => d.id !== deck.id), { id: deck.id, title: deck.title, cards: deck.cards.length, ...(pub ? { public: true } : {}) }];
  await svc.stores.people.putOwns(owner.id, owns);
  return { ok: true, deck, existing, public: pub };
}

export async function ingestUpload(
  svc: Services,
  owner: Learner,
  fileName: string,
  bytes: Uint8Array,
  opts: { deckId?: string; title?: string; public?: boolean } = {},
): Promise<IngestOutcome> {
  if (bytes.length > UPLOAD_LIMITS.bytes) {
    return refused({ message: `The file is ${(bytes.length / 1048576).toFixed(1)} MiB; decks may be at most 1 MiB. Split it into smaller decks.` }, 413);
  }
  const { parseUpload, formatReport } = await loadParsers();
  const { public: pub, ...parseOpts } = opts;
  const result = parseUpload(fileName, bytes, { ...parseOpts, maxCards: uploadMaxCards(svc.env) });
  owner.owns ??= (await svc.stores.people.owns(owner.id)) ?? { v: 1, classes: [], decks: [] };
  if (!result.ok) {
    return { ok: false, status: 422, report: formatReport(result), json: { ok: false, format: result.format ?? null, problems: result.problems, total_problems: result.totalProblems } };
  }
  if (opts.deckId === undefined && result.format !== "json") {
    // An id made from the file name gets a random suffix: "midterm-answers" is not guessable.
    result.deck.id = await unguessableId(svc, owner, result.deck);
  }
  const stored = await storeDeck(svc, owner, result.deck, result.format, pub === undefined ? {} : { public: pub });
  if (!stored.ok) return stored.outcome;
  const { deck, existing } = stored;
  const kept = existing ? deck.cards.filter((c) => existing.index.has(c.id)).length : 0;
  const report = [
    formatReport(result),
    existing
      ? `Replaced your deck "${deck.id}": ${kept} of its cards are unchanged, so learners keep their progress on them.`
      : `Saved as deck "${deck.id}".`,
    stored.public
      ? `It is public: anyone can open it with /review ${deck.id} (make it private with /publicdeck ${deck.id} off).`
      : `It is private: you and the students of classes you push it to can open it (/publicdeck ${deck.id} on makes it public).`,
    `Push it to a class with /push ${deck.id} <class>, or study it yourself with /review ${deck.id}.`,
  ].join("\n");
  return {
    ok: true,
    status: existing ? 200 : 201,
    report,
    deck,
    replaced: !!existing,
    json: {
      ok: true,
      format: result.format,
      deck: { id: deck.id, title: deck.title, cards: deck.cards.length, quiz_cards: deck.cards.filter((c) => c.distractors).length, public: stored.public },
      replaced: !!existing,
      kept_progress_cards: kept,
      warnings: result.warnings,
    },
  };
}

/** Random base-36 characters after an id made from a file name. */
export const ID_SUFFIX_CHARS = 6;

/**
 * `<slug>-<6 random characters>` for a deck whose id was made from its file name. A re-upload by
 * the same lecturer of a deck with the same title keeps that deck's id, with or without a suffix
 * (so learners keep their progress); a new id is checked against storage, not the cache.
 */
async function unguessableId(svc: Services, owner: Learner, deck: Deck): Promise<string> {
  const base = deck.id.slice(0, 40 - ID_SUFFIX_CHARS - 1).replace(/-+$/, "") || "deck";
  const mine = new RegExp(`^${base}-[a-z0-9]{${ID_SUFFIX_CHARS}}$`);
  // Also an id from before suffixes (exactly the slug): replacing it keeps learners' progress.
  const same = ownedDecks(owner).find((d) => d.title === deck.title && (mine.test(d.id) || d.id === deck.id));
  if (same) return same.id;
  for (let attempt = 0; ; attempt++) {
    const id = `${base}-${randomId(svc.deps, ID_SUFFIX_CHARS)}`;
    if (attempt >= 4 || (!svc.decks.isBundled(id) && (await svc.stores.decks.getFresh(id)).owner === null)) return id;
  }
}

/** The decks the lecturer owns (id and title), from their ownership record (loaded by ingestUpload). */
function ownedDecks(owner: Learner): readonly { id: string; title: string }[] {
  return owner.owns?.decks ?? [];
}
