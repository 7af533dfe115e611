/**
 * The deck drafter: a document (plain text, Markdown or HTML) → a draft flashcard deck in which
 * every card quotes the sentence it came from. Pure and deterministic (no clock, no randomness,
 * no network); runs in the Workers runtime (only `Intl.Segmenter` beyond plain JavaScript).
 *
 *   document → blocks (parse.ts) → sentence units with heading paths (units.ts)
 *   → analysed sentences (sentence.ts, spans.ts, grammar.ts) → candidate facts (extract.ts)
 *   → merged, ranked, capped cards → distractors (distractors.ts) → validated deck
 *
 * See docs/drafter.md.
 */
import { CARD_LIMITS, QUIZ_LIMITS, hasCloze, quizQuestion, validateDeck, type Card, type Deck } from "../decks/schema";
import { pickDistractors, poolPhrase, type PoolName, type Pools } from "./distractors";
import { extract, type Candidate, type CardKind, type DocContext } from "./extract";
import { parseDocument, type DraftFormat } from "./parse";
import { analyse, type Analysed } from "./sentence";
import { findNames } from "./spans";
import { WordUse, cutWords, jaccard, norm, resetMemo, shortHash, slugify, tokenSet } from "./text";
import { findTitleBlock, toUnits, type Unit } from "./units";
import { draftDescription } from "./review";

export { draftDescription, frontFromEdit, kindSummary, readableFront, regroundCard } from "./review";

export type { DraftFormat } from "./parse";

export interface DraftOptions {
  /** Input format; by default taken from `fileName`'s extension, else plain text. */
  format?: DraftFormat;
  /** The uploaded file's name: gives the source id (and the deck id unless `deckId`). */
  fileName?: string;
  deckId?: string;
  /** Deck title; default: the document's title (first heading or line). */
  title?: string;
  /** Source title; default: the document's title. */
  sourceTitle?: string;
  /** Default "Uploaded document". */
  publisher?: string;
  /** Year of the source. The caller passes the current year; default 2026 (keeps this pure). */
  year?: number;
  /** At most this many cards; default: 1.4 per sentence (see `defaultMaxCards`). */
  maxCards?: number;
}

export interface DraftStats {
  /** Study units: sentences and list items. */
  sentences: number;
  /** Candidate facts found before merging and filtering. */
  candidates: number;
  cards: number;
  byKind: Record<string, number>;
  /** Candidates folded into another card (the same fact). */
  merged: number;
  /** Candidates left out (per-sentence cap, card budget, invalid). */
  dropped: number;
}

export interface DraftResult {
  deck: Deck;
  stats: DraftStats;
  /** The document's sentences and list items (each as a card would quote it): what an edited card is re-grounded in. */
  sentences: string[];
}

export class DraftError extends Error {
  override name = "DraftError";
}

export const DEFAULT_YEAR = 2026;
/** Longer documents are refused (about 150 pages; a Worker's CPU budget is the limit). */
export const MAX_INPUT_CHARS = 600_000;
/** Longer sentences are not read (cards quote their sentence; the schema allows 1,500 characters). */
export const MAX_UNIT_CHARS = 1000;
export const DEFAULT_PUBLISHER = "Uploaded document";
export const SUPPORTED_EXTENSIONS: Record<string, DraftFormat> = { txt: "txt", text: "txt", md: "md", markdown: "md", html: "html", htm: "html" };

/** Format for a file name, or null when its extension is not supported. */
export function formatFor(fileName: string): DraftFormat | null {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
  return ext ? (SUPPORTED_EXTENSIONS[ext] ?? null) : null;
}

/** Default card budget: 1.4 cards per sentence, never fewer than 5 nor more than 2,000. */
export function defaultMaxCards(sentences: number): number {
  return Math.max(5, Math.min(2000, Math.round(sentences * 1.4)));
}

/** Cards per sentence at most (long sentences may carry one more). */
const PER_SENTENCE = 2;
const KIND_PREFIX: Record<CardKind, string> = { definition: "def", term: "term", acronym: "acr", date: "date", number: "num", name: "name", enumeration: "list", phrase: "key" };

export function draftDeck(text: string, opts: DraftOptions = {}): DraftResult {
  resetMemo();
  try {
    return draft(text, opts);
  } finally {
    resetMemo();
  }
}

function draft(text: string, opts: DraftOptions): DraftResult {
  if (text.length > MAX_INPUT_CHARS) throw new DraftError(`The document is too long to draft at once (${text.length} characters; at most ${MAX_INPUT_CHARS}). Split it into parts.`);
  const format = opts.format ?? (opts.fileName ? formatFor(opts.fileName) : null) ?? "txt";
  const blocks = parseDocument(text, format);
  const titleBlock = findTitleBlock(blocks);
  const units = toUnits(blocks, titleBlock);

  // analyse every sentence (each sees the one before it, to resolve "It"/"They")
  const analysed: Analysed[] = [];
  for (const u of units) {
    const prev = analysed[analysed.length - 1];
    const headingPath = u.label ? u.path.slice(0, -1) : u.path;
    // a "sentence" longer than a card may quote is no sentence (a table, a dump, punctuation): skipped unread
    const a = u.text.length > MAX_UNIT_CHARS ? unread(u) : analyse(u, prev, headingPath[headingPath.length - 1]);
    if (/^\(.*\)\.?$/.test(u.text)) a.readable = false; // a sentence that is all parenthesis
    analysed.push(a);
  }
  const ctx = docContext(analysed);
  const found = analysed.flatMap((a) => extract(a, ctx));
  const titleText = blocks[titleBlock]?.text ?? "";
  const candidates = found.filter((c) => !unusable(c) && !guessable(c, analysed, titleText));
  const pools = buildPools(analysed, candidates, ctx.words);

  // rank: score, then document order; merge the same fact; cap per sentence and overall
  const order = candidates
    .map((c, i) => ({ c, i }))
    .sort((x, y) => y.c.score - x.c.score || x.c.a.unit.index - y.c.a.unit.index || x.i - y.i)
    .map((x) => x.c);
  const kept: Candidate[] = [];
  const byBack = new Map<string, Candidate[]>();
  const byKey = new Set<string>();
  const perUnit = new Map<number, Candidate[]>();
  let merged = 0;
  let dropped = 0;
  const budget = Math.max(1, Math.floor(opts.maxCards ?? defaultMaxCards(units.length)));
  for (const c of order) {
    const backKey = norm(c.back);
    const sameBack = byBack.get(backKey) ?? [];
    if (byKey.has(c.key) || sameBack.some((k) => sameFact(k, c)) || sameBack.length >= (c.kind === "number" || c.kind === "date" ? 3 : 2)) {
      merged++;
      continue;
    }
    const mine = perUnit.get(c.a.unit.index) ?? [];
    if (mine.some((k) => k.span && c.span && k.span.start < c.span.end && c.span.start < k.span.end)) {
      merged++; // the same words asked twice
      continue;
    }
    const len = c.a.unit.text.length;
    const cap = PER_SENTENCE + (len > 150 ? 1 : 0) + (len > 260 ? 1 : 0);
    if (mine.length >= cap || kept.length >= budget) {
      dropped++;
      continue;
    }
    byKey.add(c.key);
    byBack.set(backKey, [...(byBack.get(backKey) ?? []), c]);
    mine.push(c);
    perUnit.set(c.a.unit.index, mine);
    kept.push(c);
  }
  kept.sort((x, y) => x.a.unit.index - y.a.unit.index || (x.span?.start ?? -1) - (y.span?.start ?? -1));

  // deck metadata
  const fileBase = opts.fileName ? opts.fileName.replace(/^.*[\\/]/, "").replace(/\.[^.]+$/, "") : "";
  const docTitle = blocks[titleBlock]?.text ?? (blocks[0] ? cutWords(blocks[0].text, 120) : "") ?? "";
  const title = cutWords((opts.title ?? docTitle) || fileBase || "Draft deck", 80);
  const deckId = slugify(opts.deckId ?? (fileBase || title), 40) || `draft-${shortHash(text)}`;
  const sourceId = slugify(fileBase || deckId, 80) || deckId;
  const sourceTitle = cutWords((opts.sourceTitle ?? docTitle) || title, 200);

  const cards: Card[] = [];
  const ids = new Set<string>();
  const tagMemo = new Map<readonly string[], string[]>();
  const byKind: Record<string, number> = {};
  for (const c of kept) {
    const quote = c.a.unit.text;
    let id = `${KIND_PREFIX[c.kind]}-${slugify(c.back, 40) || "card"}-${shortHash(quote)}`;
    for (let k = 2; ids.has(id); k++) id = `${KIND_PREFIX[c.kind]}-${slugify(c.back, 36) || "card"}-${shortHash(quote)}-${k}`;
    const distractors = pickDistractors(c, pools);
    let tags = tagMemo.get(c.a.unit.path);
    if (!tags) {
      tags = [...new Set(c.a.unit.path.map((p) => slugify(p, 40)).filter(Boolean))].slice(-10);
      tagMemo.set(c.a.unit.path, tags);
    }
    const card: Card = {
      id,
      front: c.front,
      back: c.back,
      source: sourceId,
      quote,
      ...(distractors ? { distractors } : {}),
      ...(tags.length ? { tags: [...tags] } : {}),
    };
    if (!fitsCard(card)) {
      dropped++;
      continue;
    }
    if (card.distractors && !fitsQuiz(card)) delete card.distractors; // too long for a poll: review-only
    cards.push(card);
    ids.add(id);
    byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  }
  if (cards.length === 0) throw new DraftError("No card could be drafted from this document: it has no sentences with definitions, names, numbers or dates.");

  const deck = {
    id: deckId,
    title,
    description: draftDescription(sourceTitle, cards),
    language: "en",
    sources: [{ id: sourceId, title: sourceTitle, publisher: cutWords(opts.publisher ?? DEFAULT_PUBLISHER, 120), year: opts.year ?? DEFAULT_YEAR }],
    cards,
  };
  const r = validateDeck(deck);
  if (!r.ok) throw new DraftError(`The drafted deck is invalid: ${r.problems.map((p) => `${p.where}: ${p.message}`).join("; ")}`);
  return {
    deck: r.deck,
    stats: { sentences: units.length, candidates: found.length, cards: cards.length, byKind, merged, dropped: dropped + found.length - candidates.length },
    sentences: units.filter((u) => u.text.length <= CARD_LIMITS.quote).map((u) => u.text),
  };
}

const CLOZE_ANSWER = /\{\{c1::(.*?)\}\}/;
/** Answers that are no fact of their own: "Some plants", "Each separated strand", "this", "Earth's". */
const DETERMINER_LED = /^(?:some|many|most|each|every|several|few|both|such|this|these|those|that|it|its|they|their|them|another)\b/i;
/** A pronoun among the first five words of a question: the subject is someone named elsewhere ("In 1779 he showed …"). */
const EARLY_PRONOUN = /^\W*(?:\S+\s+){0,4}(?:it|they|them|he|she|him|her)\b/i;
/** "this"/"these"/"those" standing for something ("… demonstrated this in 1958"), or opening the question with a noun ("These reactions …"). */
const BARE_DEMONSTRATIVE = /\b(?:this|these|those)\b(?=\s*(?:$|[.,;:!?)]|\s(?:is|are|was|were|has|have|had|can|could|will|would|may|might|must|in|on|at|by|for|with|to|of|from|as|and|or|but)\b))|^\W*(?:this|these|those|that)\s+[a-z]/i;

/**
 * A card that would not be worth keeping as it is: the answer is already in the question (or all
 * its words are, or the blanked words stand elsewhere in the sentence), a determiner-led or
 * possessive fragment, or a question that leans on a reference it does not resolve.
 */
function unusable(c: Candidate): boolean {
  const answer = CLOZE_ANSWER.exec(c.front)?.[1] ?? c.back;
  const question = c.front.replace(CLOZE_ANSWER, " ");
  if (DETERMINER_LED.test(answer.trim()) || /['’]s?$/.test(answer.trim())) return true;
  if (EARLY_PRONOUN.test(question) || BARE_DEMONSTRATIVE.test(question)) return true;
  const a = norm(answer).replace(/^(?:the|a|an)\s+/, "");
  if (a.length > 0 && new RegExp(`(?:^|[^a-z0-9])${a.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:$|[^a-z0-9])`).test(norm(question))) return true;
  const at = tokenSet(answer);
  const qt = tokenSet(question);
  return at.size > 0 && [...at].every((t) => qt.has(t));
}

/**
 * A blank a learner fills without learning anything: a sentence's subject whose words all stood in
 * the two sentences before it or in the title ("{{The London post}} was known as …" after "… in
 * London, …"), or a name that is the document's title ("{{DNA}}" in "DNA Replication").
 */
function guessable(c: Candidate, analysed: readonly Analysed[], title: string): boolean {
  const mine = tokenSet(c.back);
  if (mine.size === 0) return false;
  const titled = tokenSet(title);
  if (c.kind === "name" && [...mine].every((t) => titled.has(t))) return true;
  if (c.answer.type !== "phrase" || c.answer.role !== "subject") return false;
  const i = c.a.unit.index;
  const before = new Set([...titled, ...tokenSet(analysed[i - 1]?.unit.text ?? ""), ...tokenSet(analysed[i - 2]?.unit.text ?? "")]);
  return [...mine].every((t) => before.has(t));
}

/** A unit that is not analysed: it yields no card and lends nothing to distractors. */
function unread(unit: Unit): Analysed {
  return { unit, skip: [], names: [], acronyms: [], numbers: [], edits: [], display: "", exact: "", readable: false };
}

/** The schema's limits for any card (checked here so one bad card cannot sink the deck). */
function fitsCard(c: Card): boolean {
  const ok = (x: string, max: number) => x.trim().length > 0 && x.trim().length <= max;
  return ok(c.front, CARD_LIMITS.front) && ok(c.back, CARD_LIMITS.back) && ok(c.quote ?? "x", CARD_LIMITS.quote) && SLUG_RE.test(c.id) && c.id.length <= 64 && hasCloze(c.front) === /\{\{c1::/.test(c.front);
}

/** The schema's poll limits for a quiz card. */
function fitsQuiz(c: Card): boolean {
  const d = c.distractors ?? [];
  return (
    quizQuestion(c.front).length <= QUIZ_LIMITS.question &&
    c.back.length <= QUIZ_LIMITS.option &&
    d.length >= QUIZ_LIMITS.minDistractors &&
    d.every((x) => x.trim().length > 0 && x.length <= QUIZ_LIMITS.option && norm(x) !== norm(c.back)) &&
    new Set(d.map(norm)).size === d.length
  );
}

const SLUG_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Two candidates with the same answer (the caller compares backs) that ask the same thing. */
function sameFact(a: Candidate, b: Candidate): boolean {
  if (a.a.unit.index === b.a.unit.index) return a.kind === b.kind || !!a.span && !!b.span && a.span.start === b.span.start;
  const sim = jaccard(tokenSet(a.front), tokenSet(b.front));
  if ((a.kind === "number" || a.kind === "date") && a.kind === b.kind && a.answer.type === b.answer.type) {
    // the same figure twice: "ratified by 170 parties" / "170 countries are party to the Convention"
    const big = a.answer.type === "number" || a.answer.type === "date" ? a.answer.span.value >= 10 && a.answer.span.shape !== "year" : false;
    return sim >= (big ? 0.15 : 0.6);
  }
  return sim >= 0.6;
}

function uniqueBy<T>(xs: readonly T[], key: (x: T) => string): T[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = norm(key(x));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function docContext(analysed: readonly Analysed[]): DocContext {
  const nameCount = new Map<string, number>();
  const acronymFirst = new Map<string, number>();
  for (const a of analysed) {
    for (const d of a.acronyms) if (!acronymFirst.has(d.acronym) && a.readable) acronymFirst.set(d.acronym, a.unit.index);
    for (const n of a.names) nameCount.set(norm(n.text), (nameCount.get(norm(n.text)) ?? 0) + 1);
  }
  return { words: new WordUse(analysed.map((a) => (a.display ? a.unit.text : "")).join("\n")), nameCount, acronymFirst };
}

function buildPools(analysed: readonly Analysed[], candidates: readonly Candidate[], words: WordUse): Pools {
  const sameEntity = new Map<string, string>();
  const names: PoolName[] = [];
  const seen = new Set<string>();
  for (const a of analysed) {
    for (const d of a.acronyms) {
      sameEntity.set(norm(d.acronym), norm(d.long));
      sameEntity.set(norm(d.long), norm(d.long));
    }
  }
  const addName = (p: Omit<PoolName, "entity" | "key">) => {
    const k = norm(p.text);
    if (seen.has(k)) return;
    seen.add(k);
    names.push({ ...p, key: k, entity: sameEntity.get(k) ?? k });
  };
  for (const a of analysed) {
    for (const n of a.names) addName({ text: n.text, cls: n.cls, head: n.head, acronym: n.acronym });
    for (const d of a.acronyms) {
      const n = findNames(d.long)[0];
      addName({ text: d.long, cls: n?.cls ?? "org", head: n?.head ?? "", acronym: false });
    }
  }
  return {
    dates: analysed.flatMap((a) => a.numbers.filter((n) => n.kind === "date" || n.kind === "year")),
    numbers: analysed.flatMap((a) => a.numbers.filter((n) => n.kind === "number")),
    names,
    definitions: uniqueBy(candidates.filter((c) => c.answer.type === "definition").map((c) => c.back), (x) => x),
    terms: uniqueBy(candidates.filter((c) => c.answer.type === "term").map((c) => c.back), (x) => x.replace(/^(?:the|a|an)\s+/i, "")),
    lists: uniqueBy(candidates.flatMap((c) => (c.answer.type === "list" ? [{ text: c.back, items: c.answer.items }] : [])), (x) => x.text),
    phrases: uniqueBy(candidates.flatMap((c) => (c.answer.type === "phrase" && c.score >= 3 ? [poolPhrase(c.back, c.answer.role, c.answer.agent, c.a.unit.path.join("/"))] : [])), (x) => x.text),
    words,
    sameEntity,
  };
}
