/**
 * The deck format: one JSON document per deck. Validated with valibot (never `as T`).
 *
 * A deck is `{ id, title, description, language, sources: [...], cards: [...] }`; each card is
 * `{ id, front, back, source, quote, distractors?, tags? }`. See decks/README.md for the prose.
 */
import * as v from "valibot";
import { clozeSpans, countOpenings, replaceClozes } from "./cloze";

/** Telegram quiz-poll limits a quiz-capable card must fit in. */
export const QUIZ_LIMITS = { question: 300, option: 100, minDistractors: 3, maxDistractors: 11 } as const;
/** Chat limits for any card (a card is shown in one message of ≤4096 chars with its quote). */
export const CARD_LIMITS = { front: 1000, back: 1000, quote: 1500, tags: 10, tag: 40 } as const;
export const DECK_LIMITS = { cards: 5000, title: 80, description: 600, sources: 20 } as const;

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const nonEmpty = (max: number, what: string) =>
  v.pipe(
    v.string(`${what} must be text`),
    v.trim(),
    v.minLength(1, `${what} is empty`),
    v.maxLength(max, (issue) => `${what} is ${issue.received.replace(/^\D*/, "")} characters; at most ${max} allowed`),
  );

export const SourceSchema = v.strictObject({
  /** Also the file name (without `.txt`) of the source text, for the grounding check. */
  id: v.pipe(v.string("source id must be text"), v.regex(SLUG, "source id must be lower-case letters, digits and dashes"), v.maxLength(80)),
  title: nonEmpty(200, "source title"),
  publisher: nonEmpty(120, "source publisher"),
  year: v.pipe(v.number("source year must be a number"), v.integer("source year must be a whole number"), v.minValue(1800), v.maxValue(2100)),
  url: v.optional(v.pipe(v.string(), v.url("source url is not a URL"))),
});

export const CardSchema = v.pipe(
  v.strictObject({
    id: v.pipe(
      v.string("card id must be text"),
      v.regex(SLUG, "card id must be lower-case letters, digits and dashes"),
      v.maxLength(64, "card id is longer than 64 characters"),
    ),
    front: nonEmpty(CARD_LIMITS.front, "front"),
    back: nonEmpty(CARD_LIMITS.back, "back"),
    /** The source the card is drawn from (one of the deck's sources). Bundled decks: required. */
    source: v.optional(v.string("card source must name one of the deck's sources")),
    /** The passage of that source, verbatim. Bundled decks: required (checked by decks:check). */
    quote: v.optional(nonEmpty(CARD_LIMITS.quote, "quote")),
    distractors: v.optional(
      v.pipe(
        v.array(nonEmpty(QUIZ_LIMITS.option, "distractor"), "distractors must be a list of texts"),
        v.minLength(QUIZ_LIMITS.minDistractors, `a quiz card needs at least ${QUIZ_LIMITS.minDistractors} distractors`),
        v.maxLength(QUIZ_LIMITS.maxDistractors, `at most ${QUIZ_LIMITS.maxDistractors} distractors`),
      ),
    ),
    tags: v.optional(v.pipe(v.array(nonEmpty(CARD_LIMITS.tag, "tag")), v.maxLength(CARD_LIMITS.tags, `at most ${CARD_LIMITS.tags} tags`))),
  }),
  v.check((c) => !c.distractors || quizQuestion(c.front).length <= QUIZ_LIMITS.question, `a quiz card's front must be at most ${QUIZ_LIMITS.question} characters`),
  v.check((c) => !c.distractors || c.back.length <= QUIZ_LIMITS.option, `a quiz card's back must be at most ${QUIZ_LIMITS.option} characters`),
  v.check((c) => !c.distractors || !c.distractors.some((d) => same(d, c.back)), "a distractor equals the answer"),
  v.check((c) => !c.distractors || new Set(c.distractors.map(norm)).size === c.distractors.length, "two distractors are the same"),
  v.check((c) => clozeIsWellFormed(c.front), "front has a malformed cloze deletion; write {{c1::answer}} or {{c1::answer::hint}}"),
);

export const DeckSchema = v.pipe(
  v.strictObject({
    id: v.pipe(v.string("deck id must be text"), v.regex(SLUG, "deck id must be lower-case letters, digits and dashes"), v.maxLength(40, "deck id is longer than 40 characters")),
    title: nonEmpty(DECK_LIMITS.title, "title"),
    description: nonEmpty(DECK_LIMITS.description, "description"),
    language: v.pipe(v.string(), v.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, "language must be a language tag such as en")),
    sources: v.pipe(v.array(SourceSchema), v.maxLength(DECK_LIMITS.sources)),
    cards: v.pipe(v.array(CardSchema), v.minLength(1, "a deck needs at least one card"), v.maxLength(DECK_LIMITS.cards, `a deck holds at most ${DECK_LIMITS.cards} cards`)),
  }),
);

export type Source = v.InferOutput<typeof SourceSchema>;
export type Card = v.InferOutput<typeof CardSchema>;
export type Deck = v.InferOutput<typeof DeckSchema>;

export interface DeckProblem {
  /** Where: e.g. `cards[12].back` (and the card id when known). */
  where: string;
  message: string;
}

/** Validate a parsed JSON value as a deck: schema, then the cross-field rules. */
export function validateDeck(input: unknown): { ok: true; deck: Deck } | { ok: false; problems: DeckProblem[] } {
  const r = v.safeParse(DeckSchema, input, { abortPipeEarly: false });
  if (!r.success) {
    const problems = r.issues.slice(0, 50).map((issue) => ({ where: issuePath(issue, input), message: issue.message }));
    return { ok: false, problems };
  }
  const deck = r.output;
  const problems: DeckProblem[] = [];
  const sourceIds = new Set(deck.sources.map((s) => s.id));
  if (sourceIds.size !== deck.sources.length) problems.push({ where: "sources", message: "two sources share an id" });
  const seen = new Map<string, number>();
  deck.cards.forEach((card, i) => {
    const at = `cards[${i}] (${card.id})`;
    const prev = seen.get(card.id);
    if (prev !== undefined) problems.push({ where: at, message: `card id "${card.id}" is also used by cards[${prev}]` });
    else seen.set(card.id, i);
    if (card.source !== undefined && !sourceIds.has(card.source)) problems.push({ where: `${at}.source`, message: `source "${card.source}" is not one of the deck's sources` });
  });
  return problems.length ? { ok: false, problems } : { ok: true, deck };
}

function issuePath(issue: v.BaseIssue<unknown>, input: unknown): string {
  const keys = (issue.path ?? []).map((p) => p.key as string | number);
  let where = "";
  let node: unknown = input;
  for (const k of keys) {
    where += typeof k === "number" ? `[${k}]` : where ? `.${k}` : k;
    node = node && typeof node === "object" ? (node as Record<string | number, unknown>)[k] : undefined;
    if (typeof k === "number" && node && typeof node === "object" && typeof (node as { id?: unknown }).id === "string") {
      where += ` (${(node as { id: string }).id})`;
    }
  }
  return where || "deck";
}

/**
 * Grounding, required of bundled decks: every card names a source and quotes it. Uploaded decks
 * may leave both out (a CSV of questions has no quotes); the bot then shows no source for them.
 */
export function groundingProblems(deck: Deck): DeckProblem[] {
  const problems: DeckProblem[] = [];
  if (deck.sources.length === 0) problems.push({ where: "sources", message: "a bundled deck needs at least one source" });
  deck.cards.forEach((c, i) => {
    if (!c.source) problems.push({ where: `cards[${i}] (${c.id}).source`, message: "a bundled card must name its source" });
    if (!c.quote) problems.push({ where: `cards[${i}] (${c.id}).quote`, message: "a bundled card must quote its source" });
  });
  return problems;
}

/** A card is quiz-capable when it carries distractors (the schema then enforces poll limits). */
export function isQuizCapable(card: Card): boolean {
  return !!card.distractors && card.distractors.length >= QUIZ_LIMITS.minDistractors;
}

// ---- cloze -------------------------------------------------------------------------------

export function hasCloze(text: string): boolean {
  return /\{\{c\d+::/.test(text);
}

// Linear scanners (./cloze), not a backtracking pattern: fronts are user input.
function clozeIsWellFormed(text: string): boolean {
  if (text.indexOf("{{") === -1) return true;
  const matches = clozeSpans(text);
  return countOpenings(text) === matches.length && matches.every((m) => m.answer.trim().length > 0);
}

/** The front as a question: cloze deletions become `[…]` (or `[hint]`). */
export function quizQuestion(front: string): string {
  return replaceClozes(front, (m) => (m.hint ? `[${m.hint}…]` : "[…]"));
}

/** The front with its cloze deletions filled in (for the back of a cloze card). */
export function clozeFilled(front: string): string {
  return replaceClozes(front, (m) => m.answer);
}

// ---- grounding ---------------------------------------------------------------------------

/** Normalise text for the verbatim-quote check: whitespace, quotes and dashes may differ. */
export function normalizeForQuote(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/[\u2022\u25AA\u25CF]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}

/** True when `quote` occurs verbatim (up to whitespace, quote marks and dashes) in `source`. */
export function quoteIsGrounded(quote: string, source: string): boolean {
  return normalizeForQuote(source).includes(normalizeForQuote(quote));
}

function norm(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, " ");
}
function same(a: string, b: string): boolean {
  return norm(a) === norm(b);
}
