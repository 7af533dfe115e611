/**
 * Rows → deck, shared by the CSV/TSV, Anki and Quizlet parsers: per-row checks with line numbers
 * (every rule of the card schema, which itself runs on cloze fronts), stable ids, duplicates, then
 * the deck schema (validateDeck) on the deck's own fields.
 */
import * as v from "valibot";
import { CARD_LIMITS, CardSchema, DECK_LIMITS, QUIZ_LIMITS, quizQuestion, validateDeck, type Card, type Deck } from "../schema";
import { explain } from "./hints";
import type { Problems } from "./problems";
import { UPLOAD_LIMITS, type UploadFormat, type UploadOptions, type UploadResult } from "./types";
import { SLUG, baseName, compareKey, excerpt, normalizeFront, plural, shortHash, slugify, stem } from "./text";

export interface RowCard {
  line: number;
  /** Finer position when many rows share a line (Quizlet rows separated by `;`): `row 3`. */
  where?: string;
  front: string;
  back: string;
  /** An explicit id (id column, or made from an Anki guid): kept as is, so it must be valid. */
  id?: string;
  /** How messages name the explicit id, e.g. `guid "Ab/c+d"` (default: `id "<id>"`). */
  idLabel?: string;
  distractors?: string[];
  tags?: string[];
  quote?: string;
  /** Added to "the front/back is empty" (e.g. "after removing HTML and media"). */
  emptyNote?: string;
}

/** How a format calls its parts, for messages: CSV "front"/"back", Quizlet "term"/"definition". */
export interface Names {
  front: string;
  back: string;
  row: string;
}

export interface BuildContext {
  format: UploadFormat;
  fileName: string;
  opts: UploadOptions;
  problems: Problems;
  warnings: string[];
  names: Names;
}

export interface DeckMeta {
  id: string;
  title: string;
  description: string;
}

/** Deck id, title and description from the options, else from the file name. */
export function deckMeta(fileName: string, opts: UploadOptions, problems: Problems, warnings: string[]): DeckMeta {
  const name = stem(fileName).trim();
  let id: string;
  if (opts.deckId !== undefined) {
    id = opts.deckId.trim();
    if (!SLUG.test(id) || id.length > 40) {
      problems.add(
        undefined,
        `deck id ${excerpt(id)} is not valid — use lower-case letters, digits and dashes, at most 40 characters (e.g. "${slugify(id, 40) || "my-deck"}")`,
        "deck id",
      );
    }
  } else {
    id = slugify(name, 40);
    if (!id) {
      id = `deck-${shortHash(name)}`;
      warnings.push(`the file name ${excerpt(baseName(fileName))} has no Latin letters or digits, so the deck id is "${id}" — rename the file or choose a deck id to get a readable one`);
    }
  }
  let title: string;
  if (opts.title !== undefined && opts.title.trim()) {
    title = opts.title.trim();
    if (title.length > DECK_LIMITS.title) problems.add(undefined, `the title is ${title.length} characters; at most ${DECK_LIMITS.title} allowed — choose a shorter title`, "title");
  } else {
    title = (name || "Uploaded deck").slice(0, DECK_LIMITS.title).trim();
  }
  let description: string;
  if (opts.description !== undefined && opts.description.trim()) {
    description = opts.description.trim();
    if (description.length > DECK_LIMITS.description) {
      problems.add(undefined, `the description is ${description.length} characters; at most ${DECK_LIMITS.description} allowed — shorten it`, "description");
    }
  } else {
    const file = baseName(fileName);
    description = `Uploaded by a lecturer from ${file.length > 200 ? `${file.slice(0, 199)}…` : file}.`;
  }
  return { id, title, description };
}

const at = (row: RowCard) => row.where ?? `line ${row.line}`;

export function buildDeck(rows: RowCard[], ctx: BuildContext): UploadResult {
  const { problems, names } = ctx;
  const meta = deckMeta(ctx.fileName, ctx.opts, problems, ctx.warnings);

  const limit = cardLimit(ctx.opts);
  if (rows.length > limit) {
    const first = rows[limit]!;
    problems.add(first.line, tooManyCards("file", rows.length, limit, "the file"), first.where);
    // Nothing else is checked: the file cannot be stored, and checking it all costs CPU time.
    return problems.result(ctx.format);
  }

  const byFront = new Map<string, RowCard>();
  const byId = new Map<string, RowCard>();
  const cards: Card[] = [];
  for (const row of rows) {
    const before = problems.count;
    const add = (message: string) => problems.add(row.line, message, row.where);
    checkRow(row, names, add);

    const frontKey = normalizeFront(row.front);
    let id: string;
    if (row.id !== undefined) {
      id = row.id;
      if (!SLUG.test(id) || id.length > 64) {
        add(`${row.idLabel ?? `the id ${excerpt(id)}`} is not a valid card id — use lower-case letters, digits and dashes, at most 64 characters (e.g. "${slugify(id, 64) || "card-1"}"), or leave it empty to have an id made from the ${names.front}`);
      }
    } else {
      id = idOfFrontKey(frontKey);
    }

    let duplicateFront = false;
    if (row.front) {
      const key = frontKey;
      const prev = byFront.get(key);
      if (prev) {
        duplicateFront = true;
        add(`duplicate ${names.front}: ${excerpt(row.front)} is also on ${at(prev)} — merge the two ${names.row}s or reword one of them`);
      } else byFront.set(key, row);
    }
    if (!duplicateFront) {
      const prev = byId.get(id);
      if (prev) add(`duplicate id: ${row.idLabel ?? `the id ${excerpt(id)}`} is also used on ${at(prev)} — give each card its own id`);
      else byId.set(id, row);
    }

    const card: Card = { id, front: row.front, back: row.back };
    if (row.quote) card.quote = row.quote;
    if (row.distractors && row.distractors.length) card.distractors = row.distractors;
    if (row.tags && row.tags.length) card.tags = row.tags;
    if (problems.count === before) {
      if (!card.front.includes("{{")) {
        // checkRow covers every rule of CardSchema but the cloze syntax (a property test in
        // tests/unit/parsers.test.ts holds them together), so the schema need not run again.
        cards.push(card);
      } else {
        const r = v.safeParse(CardSchema, card, { abortPipeEarly: false });
        if (!r.success) for (const issue of r.issues) add(explain(issue.message));
        else cards.push(r.output);
      }
    }
  }

  if (problems.count) return problems.result(ctx.format);

  // Every card passed CardSchema above and ids are unique: the deck's own fields are checked with
  // the first card standing in for all (validating all cards again would double the CPU time).
  const checked = validateDeck({ ...meta, language: "en", sources: [], cards: cards.slice(0, 1) });
  if (!checked.ok) {
    for (const p of checked.problems) {
      const m = p.where.match(/^cards\[(\d+)\]/);
      const row = m ? rows[Number(m[1])] : undefined;
      if (row) problems.add(row.line, explain(p.message), row.where);
      else problems.add(undefined, explain(p.message), p.where);
    }
    return problems.result(ctx.format);
  }
  const deck: Deck = { ...checked.deck, cards };

  const reviewOnly = cards.filter((c) => !c.distractors).length;
  if (reviewOnly > 0) ctx.warnings.push(reviewOnlyWarning(reviewOnly, cards.length));
  return { ok: true, format: ctx.format, deck, warnings: ctx.warnings };
}

/**
 * "Too many cards", naming the limit and, below the deck maximum, the setting that lifts it.
 * `what`: "file" or "deck"; `subject`: how the sentence names it ("the file", "the deck").
 */
export function tooManyCards(what: "file" | "deck", count: number, limit: number, subject: string, more = false): string {
  const head = `too many cards: ${subject} has ${more ? `more than ${limit}` : count} cards but`;
  if (limit >= DECK_LIMITS.cards) {
    return what === "file"
      ? `${head} a deck holds at most ${limit} (card ${limit + 1} starts here) — split the file into two or more decks`
      : `${head} holds at most ${limit} (card ${limit + 1} starts here) — split it into two or more decks`;
  }
  return (
    `${head} an upload takes at most ${limit} cards on this bot (card ${limit + 1} starts here) — split it into decks of at most ${limit} cards. ` +
    `(${limit} cards is what fits the free plan's 10 ms of CPU per request; on the Workers paid plan the bot's operator can raise it up to ${DECK_LIMITS.cards} with the UPLOAD_MAX_CARDS setting)`
  );
}

/** Most cards of this upload (the option, at most a deck's maximum). */
export function cardLimit(opts: UploadOptions): number {
  return Math.min(opts.maxCards ?? UPLOAD_LIMITS.cards, UPLOAD_LIMITS.cards);
}

/**
 * Refuses rows past the limit before any per-row work (parsers stop reading at limit + 1 rows;
 * `truncated`: more rows followed). Returns the result to give back, or undefined if within it.
 */
export function refuseTooManyRows(rows: readonly { line: number; where?: string }[], truncated: boolean, ctx: BuildContext): UploadResult | undefined {
  const limit = cardLimit(ctx.opts);
  if (rows.length <= limit) return undefined;
  deckMeta(ctx.fileName, ctx.opts, ctx.problems, ctx.warnings);
  const first = rows[limit]!;
  ctx.problems.add(first.line, tooManyCards("file", rows.length, limit, "the file", truncated), first.where);
  return ctx.problems.result(ctx.format);
}

/** The id frontId gives, from an already normalised front. */
function idOfFrontKey(key: string): string {
  return `c-${shortHash(key)}`;
}

export function reviewOnlyWarning(reviewOnly: number, total: number): string {
  const tail = "review-only and won't appear in quizzes (give a card 3 or more distractors to quiz on it)";
  if (reviewOnly === total) {
    return total === 1 ? `the card has no distractors: it is ${tail}` : `none of the ${total} cards has distractors: they are ${tail}`;
  }
  return reviewOnly === 1
    ? `1 of ${total} cards has no distractors: it is ${tail}`
    : `${reviewOnly} of ${total} cards have no distractors: they are ${tail}`;
}

function checkRow(row: RowCard, names: Names, add: (message: string) => void): void {
  const note = row.emptyNote ? ` ${row.emptyNote}` : "";
  if (!row.front) add(`the ${names.front} is empty${note} — fill it in or delete the ${names.row}`);
  if (!row.back) add(`the ${names.back} is empty${note} — fill it in or delete the ${names.row}`);
  if (row.front.length > CARD_LIMITS.front) {
    add(`the ${names.front} is ${row.front.length} characters; at most ${CARD_LIMITS.front} fit on a card — shorten it or split it into two cards`);
  }
  if (row.back.length > CARD_LIMITS.back) {
    add(`the ${names.back} is ${row.back.length} characters; at most ${CARD_LIMITS.back} fit on a card — shorten it or split it into two cards`);
  }
  if (row.quote && row.quote.length > CARD_LIMITS.quote) {
    add(`the quote is ${row.quote.length} characters; at most ${CARD_LIMITS.quote} allowed — shorten it`);
  }
  const tags = row.tags ?? [];
  if (tags.length > CARD_LIMITS.tags) add(`${tags.length} tags; at most ${CARD_LIMITS.tags} per card — drop some`);
  for (const tag of tags) {
    if (tag.length > CARD_LIMITS.tag) add(`the tag ${excerpt(tag)} is ${tag.length} characters; at most ${CARD_LIMITS.tag} allowed — shorten it`);
  }

  const ds = row.distractors ?? [];
  if (ds.length === 0) return;
  if (ds.length < QUIZ_LIMITS.minDistractors) {
    add(`only ${plural(ds.length, "distractor")}; a quiz card needs at least ${QUIZ_LIMITS.minDistractors} — add more, or remove them all to make the card review-only`);
  }
  if (ds.length > QUIZ_LIMITS.maxDistractors) add(`${ds.length} distractors; at most ${QUIZ_LIMITS.maxDistractors} fit in a quiz — remove some`);
  const question = row.front.length > CARD_LIMITS.front ? row.front : quizQuestion(row.front);
  if (row.front.length <= CARD_LIMITS.front && question.length > QUIZ_LIMITS.question) {
    add(`too long for a quiz: the ${names.front} is ${question.length} characters but a quiz question holds at most ${QUIZ_LIMITS.question} — shorten it, or remove the distractors to make the card review-only`);
  }
  if (row.back.length > QUIZ_LIMITS.option) {
    add(`too long for a quiz: the ${names.back} is ${row.back.length} characters but a quiz answer holds at most ${QUIZ_LIMITS.option} — shorten it, or remove the distractors to make the card review-only`);
  }
  const back = compareKey(row.back);
  const seen = new Map<string, number>();
  ds.forEach((d, i) => {
    if (d.length > QUIZ_LIMITS.option) {
      add(`too long for a quiz: distractor ${i + 1} is ${d.length} characters but a quiz answer holds at most ${QUIZ_LIMITS.option} — shorten it`);
    }
    const key = compareKey(d);
    if (row.back && key === back) add(`distractor ${i + 1} ${excerpt(d)} is the same as the ${names.back} — replace it with a wrong answer`);
    const j = seen.get(key);
    if (j !== undefined) add(`distractors ${j + 1} and ${i + 1} are the same (${excerpt(d)}) — make every distractor different`);
    else seen.set(key, i);
  });
}
