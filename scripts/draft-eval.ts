/**
 * `node scripts/run-ts.mjs scripts/draft-eval.ts` — runs the deck drafter over the seed texts and
 * compares the drafts with the hand-made decks in decks/.
 *
 * Seeds are `<dir>/<source id>.txt` in $LECTERN_SOURCES_DIR, else ../shared/seeds next to the repo.
 * Options: --sample N (default 40), --seed S (default 14), --misses (list every miss), --json-only,
 * --docs (only the documents the drafter was not tuned on, below).
 *
 * First it drafts the documents of tests/fixtures/draft/eval/ (texts the drafter was not tuned
 * on, each with a hand-made list of key facts) and reports per document the share of usable
 * cards — by the criteria coded in `usability` below — and the share of key facts asked.
 *
 * Prints: coverage of the hand-made cards (with the matching rule), draft vs hand-made card
 * counts, distractor validity, CPU time per document, a seeded sample of draft cards to judge,
 * and a final one-line JSON with the figures.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { normalizeForQuote, type Card, type Deck, validateDeck } from "../src/decks/schema";
import { draftDeck } from "../src/draft/index";
import { STOPWORDS, WORD_FOR, stem, words } from "../src/draft/text";
import { prng } from "../src/quiz/poll";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : dflt;
};
const SAMPLE = Number(opt("--sample", "40"));
const SEED = Number(opt("--seed", "14"));
const ALL_MISSES = args.includes("--misses");
const JSON_ONLY = args.includes("--json-only");
const DOCS_ONLY = args.includes("--docs");
const log = (...xs: unknown[]) => {
  if (!JSON_ONLY) console.log(...xs);
};

const root = resolve(dirname(process.argv[1] ?? "scripts/draft-eval.ts"), "..");
const decksDir = join(root, "decks");
const sourcesDir = process.env.LECTERN_SOURCES_DIR ? resolve(process.env.LECTERN_SOURCES_DIR) : resolve(root, "..", "shared", "seeds");
const evalDir = join(root, "tests", "fixtures", "draft", "eval");

// ---- the matching rule -------------------------------------------------------------------

const RULE = [
  "A hand-made card counts as covered when some draft card of the same source",
  "  (a) is drawn from an overlapping sentence: one quote contains the other (after the grounding",
  "      normalisation), or they share a run of six words, or their content-word sets overlap by",
  "      Jaccard ≥ 0.5, and",
  "  (b) asks the same fact: the draft answer (its back; for a cloze, the deleted text) holds at least",
  "      half of the hand-made back's content words (stop words dropped, crude stemming, number",
  "      words as digits), and at least 30% of the draft answer's own content words are among them.",
].join("\n");

const NUMBER_DIGITS: Record<string, string> = Object.fromEntries(Object.entries(WORD_FOR).map(([n, w]) => [w, n]));

function answerTokens(s: string): Set<string> {
  return new Set(
    words(s)
      .map((w) => w.toLowerCase())
      .map((w) => NUMBER_DIGITS[w] ?? w)
      .filter((w) => !STOPWORDS.has(w))
      .map(stem),
  );
}

function quoteTokens(s: string): Set<string> {
  return new Set(words(normalizeForQuote(s)).filter((w) => !STOPWORDS.has(w)).map(stem));
}

function overlapShare(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

function sentencesOverlap(draftQuote: string, handQuote: string): boolean {
  const d = normalizeForQuote(draftQuote);
  const h = normalizeForQuote(handQuote);
  if (h.includes(d) || d.includes(h)) return true;
  // a run of six words in common (hand-made quotes often cut a sentence short or join two)
  const dw = words(d);
  const hs = ` ${words(h).join(" ")} `;
  for (let i = 0; i + 6 <= dw.length; i++) if (hs.includes(` ${dw.slice(i, i + 6).join(" ")} `)) return true;
  const a = quoteTokens(draftQuote);
  const b = quoteTokens(handQuote);
  const inter = overlapShare(a, b);
  return inter / (a.size + b.size - inter || 1) >= 0.5;
}

function sameAnswer(draftBack: string, handBack: string): boolean {
  const h = answerTokens(handBack);
  const d = answerTokens(draftBack);
  if (h.size === 0 || d.size === 0) return normalizeForQuote(draftBack) === normalizeForQuote(handBack);
  const inter = overlapShare(h, d);
  return inter / h.size >= 0.5 && inter / d.size >= 0.3;
}

// ---- distractor kinds --------------------------------------------------------------------

type Kind = "year" | "number" | "name" | "phrase";
const NUMBER_WORD = new RegExp(`^(?:${Object.values(WORD_FOR).join("|")}|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\\d+(?:st|nd|rd|th))$`, "i");

export function answerKind(s: string): Kind {
  const t = s.trim();
  if (/^(?:(?:early|mid|late)[-\s])?(?:\d{1,2}\s+)?(?:[A-Z][a-z]+\s+)?(?:\d{1,2},\s+)?(1[5-9]\d\d|20\d\d)s?$/.test(t)) return "year";
  if (/^[$€£]?\d[\d,.]*(?:\s?(?:%|per cent|percent|million|billion|thousand))?$/.test(t) || NUMBER_WORD.test(t)) return "number";
  // a name: every word capitalised except connectors ("Protocol against the Smuggling of Migrants"),
  // or an acronym; a capitalised first word alone (a sentence-initial phrase) does not make a name
  const ws = t.replace(/\([^)]*\)/g, "").trim().split(/[\s,]+/).filter(Boolean);
  const connectors = /^(of|on|in|and|against|for|to|the|by|de|du|la|le|&)$/;
  if (ws.every((w) => /^[A-Z0-9]/.test(w) || connectors.test(w)) && ws.some((w) => /^[A-Z]/.test(w))) return "name";
  return "phrase";
}

// ---- seeded sample -----------------------------------------------------------------------


// ---- timing ------------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const countWords = (t: string) => t.split(/\s+/).filter(Boolean).length;
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "-");

/** Median of 9 warm runs: process CPU time (user+system, all threads) and wall time. */
function timeDraft(text: string, file: string): { runs: number[]; walls: number[]; deck: Deck } {
  draftDeck(text, { fileName: file }); // warm-up: the first call compiles the code and loads ICU data
  const runs: number[] = [];
  const walls: number[] = [];
  let deck: Deck | undefined;
  for (let i = 0; i < 9; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    deck = draftDeck(text, { fileName: file }).deck;
    walls.push(performance.now() - w0);
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / 1000);
  }
  return { runs, walls, deck: deck! };
}

// ---- documents the drafter was not tuned on ------------------------------------------------

const DETERMINERS = /^(?:some|many|most|each|every|several|few|both|such|this|these|those|that|it|its|they|their|them|another)\b/i;
/** A personal pronoun among the first five words: the subject is someone named elsewhere ("In 1779 he showed …"). */
const EARLY_PRONOUN = /^\W*(?:\S+\s+){0,4}(?:it|they|them|he|she|him|her)\b/i;
/** Opens with "This/These/Those/That" and a noun: what it points at is in another sentence ("These reactions are …"). */
const DEMONSTRATIVE_START = /^\W*(?:this|these|those|that)\s+[a-z]/i;
/** "this"/"these"/"those" standing for something (not "this rule"): followed by a verb, a preposition or punctuation. */
const BARE_DEMONSTRATIVE = /\b(?:this|these|those)\b(?=\s*(?:$|[.,;:!?)]|\s(?:is|are|was|were|has|have|had|can|could|will|would|may|might|must|shows?|means?|in|on|at|by|for|with|to|of|from|as|and|or|but)\b))/i;
const CLOZE_RE = /\{\{c1::(.*?)(?:::[^}]*)?\}\}/;

const normAnswer = (x: string) =>
  normalizeForQuote(x)
    .replace(/[.,;:!?"“”()]/g, " ")
    .replace(/^\s*(?:the|a|an)\s+/, "")
    .replace(/\s+/g, " ")
    .trim();

/** The answer a card asks for: a cloze's deleted text, else its back. */
function askedAnswer(c: Card): string {
  return CLOZE_RE.exec(c.front)?.[1] ?? c.back;
}

/** The question as a learner reads it, the blank left empty. */
function questionText(c: Card): string {
  return c.front.replace(/\{\{c1::.*?\}\}/, " ");
}

/**
 * Why a card is not usable as it stands (empty: usable). The criteria, each coded here and not
 * taken from the drafter:
 *  - grounded: it has a quote and the quote holds the answer;
 *  - not trivial: the answer is not visible in the question (a cloze's blanked words do not
 *    stand elsewhere in the sentence), and not all its content words are;
 *  - a real answer: not led by a determiner or pronoun ("Some plants", "This"), not a
 *    possessive fragment ("Earth's"), 1–20 words with at least one content word;
 *  - reads on its own: no personal pronoun among the question's first five words, no bare
 *    "this/these/those" standing for something ("… demonstrated this in 1958"), and no opening
 *    "This/These … + noun" ("These reactions are known as …");
 *  - plausible options (quiz cards): distinct, of the answer's kind, and for a year or a number
 *    near it (years within 50, numbers within a factor of 5).
 */
function usability(c: Card): string[] {
  const why: string[] = [];
  const ans = askedAnswer(c);
  const a = normAnswer(ans);
  const q = questionText(c);
  const qn = ` ${normAnswer(q)} `;
  if (!c.quote || !normalizeForQuote(c.quote).includes(normalizeForQuote(ans))) why.push("ungrounded");
  if (a && qn.includes(` ${a} `)) why.push("answer in the question");
  else {
    const at = answerTokens(ans);
    const qt = answerTokens(q);
    if (at.size > 0 && [...at].every((t) => qt.has(t))) why.push("answer's words in the question");
  }
  const n = words(ans).length;
  if (DETERMINERS.test(ans.trim())) why.push("determiner-led answer");
  if (/['’]s?$/.test(ans.trim())) why.push("possessive fragment");
  if (n < 1 || n > 20 || answerTokens(ans).size === 0) why.push("no learnable answer");
  if (EARLY_PRONOUN.test(q) || BARE_DEMONSTRATIVE.test(q) || DEMONSTRATIVE_START.test(q)) why.push("unresolved reference");
  if (c.distractors) {
    const k = answerKind(c.back);
    const all = [c.back, ...c.distractors].map((x) => x.trim().toLowerCase());
    if (new Set(all).size !== all.length || c.distractors.some((x) => answerKind(x) !== k)) why.push("options of another kind");
    const num = (x: string) => Number(/(\d[\d,.]*)/.exec(x)?.[1]?.replace(/,/g, "") ?? NaN);
    const v = num(c.back);
    if (k === "year" && c.distractors.some((x) => Math.abs(num(x) - v) > 50)) why.push("year options far from the answer");
    if (k === "number" && Number.isFinite(v) && v > 0 && c.distractors.some((x) => !(num(x) / v <= 5 && v / num(x) <= 5))) why.push("number options far from the answer");
  }
  return why;
}

interface FactList {
  document: string;
  facts: { fact: string; answers: string[] }[];
}

interface DocRow {
  document: string;
  words: number;
  cards: number;
  usable: number;
  facts: number;
  asked: number;
}

function evaluateDocs(): DocRow[] {
  const out: DocRow[] = [];
  if (!existsSync(evalDir)) return out;
  log("Documents the drafter was not tuned on (tests/fixtures/draft/eval):");
  log("  usable: no reason below applies (see `usability` in scripts/draft-eval.ts); a key fact is asked when");
  log("  a usable card's answer (a cloze's blank) equals one of its listed answer forms (case, articles, punctuation ignored).");
  for (const f of readdirSync(evalDir).filter((x) => x.endsWith(".facts.json")).sort()) {
    const list = JSON.parse(readFileSync(join(evalDir, f), "utf8")) as FactList;
    const text = readFileSync(join(evalDir, list.document), "utf8");
    const { deck } = draftDeck(text, { fileName: list.document, year: 2026 });
    const judged = deck.cards.map((c) => ({ c, why: usability(c) }));
    const usable = judged.filter((j) => j.why.length === 0).map((j) => j.c);
    const answers = new Set(usable.map((c) => normAnswer(askedAnswer(c))));
    const missed = list.facts.filter((k) => !k.answers.some((x) => answers.has(normAnswer(x))));
    const row = { document: list.document, words: countWords(text), cards: deck.cards.length, usable: usable.length, facts: list.facts.length, asked: list.facts.length - missed.length };
    out.push(row);
    log("");
    log(`${list.document}: ${row.words} words, ${row.cards} cards, usable ${row.usable}/${row.cards} (${pct(row.usable, row.cards)}), key facts ${row.asked}/${row.facts} (${pct(row.asked, row.facts)})`);
    for (const { c, why } of judged) log(`  ${why.length ? "✗" : "✓"} ${c.front}  →  ${c.back}${c.distractors ? `  [${c.distractors.join(" | ")}]` : ""}${why.length ? `   (${why.join("; ")})` : ""}`);
    for (const k of missed) log(`  missed fact: ${k.fact}`);
  }
  log("");
  return out;
}

const docRows = evaluateDocs();
const docFigures = Object.fromEntries(docRows.map((r) => [r.document, { cards: r.cards, usable: r.usable, usableShare: Number((r.cards ? r.usable / r.cards : 0).toFixed(3)), keyFacts: r.facts, asked: r.asked, keyFactShare: Number((r.asked / r.facts).toFixed(3)) }]));
if (DOCS_ONLY) {
  console.log(JSON.stringify({ documents: docFigures }));
  process.exit(0);
}
if (!existsSync(sourcesDir)) {
  console.error(`draft-eval: the seed texts are not at hand in ${sourcesDir} (set LECTERN_SOURCES_DIR)`);
  console.log(JSON.stringify({ documents: docFigures }));
  process.exit(2);
}

// ---- run ---------------------------------------------------------------------------------

interface HandCard extends Card {
  deck: string;
}

const hand: HandCard[] = [];
for (const f of readdirSync(decksDir).filter((x) => x.endsWith(".json")).sort()) {
  const r = validateDeck(JSON.parse(readFileSync(join(decksDir, f), "utf8")));
  if (!r.ok) {
    console.error(`draft-eval: ${f} is not a valid deck`);
    process.exit(1);
  }
  for (const c of r.deck.cards) hand.push({ ...c, deck: r.deck.id });
}

const seeds = readdirSync(sourcesDir).filter((f) => f.endsWith(".txt")).sort();
interface Row {
  source: string;
  hand: number;
  draft: number;
  covered: number;
  quiz: number;
  validQuiz: number;
  cpuMs: number;
  wallMs: number;
  words: number;
}
const rows: Row[] = [];
const misses: { card: HandCard; near: Card | undefined }[] = [];
const allDraft: { source: string; card: Card }[] = [];
const invalid: string[] = [];

for (const file of seeds) {
  const id = file.replace(/\.txt$/, "");
  const text = readFileSync(join(sourcesDir, file), "utf8");
  draftDeck(text, { fileName: file }); // warm-up: the first call compiles the code and loads ICU data
  const { runs, walls, deck } = timeDraft(text, file);
  const d = deck!;
  const mine = hand.filter((h) => h.source === id);
  let covered = 0;
  for (const h of mine) {
    const near = d.cards.filter((c) => c.quote && h.quote && sentencesOverlap(c.quote, h.quote));
    const hit = near.find((c) => sameAnswer(c.back, h.back));
    if (hit) covered++;
    else misses.push({ card: h, near: near[0] });
  }
  let quiz = 0;
  let validQuiz = 0;
  for (const c of d.cards) {
    allDraft.push({ source: id, card: c });
    if (!c.distractors) continue;
    quiz++;
    const k = answerKind(c.back);
    const distinct = new Set([c.back, ...c.distractors].map((x) => x.trim().toLowerCase())).size === c.distractors.length + 1;
    if (distinct && c.distractors.every((x) => answerKind(x) === k)) validQuiz++;
    else invalid.push(`${c.id}: ${c.back} [${k}] ← ${c.distractors.map((x) => `${x} [${answerKind(x)}]`).join(" | ")}`);
  }
  rows.push({ source: id, hand: mine.length, draft: d.cards.length, covered, quiz, validQuiz, cpuMs: median(runs), wallMs: median(walls), words: countWords(text) });
}

const sum = (k: keyof Row) => rows.reduce((n, r) => n + (r[k] as number), 0);

log("Coverage rule:");
log(RULE);
log("");
log(`${"source".padEnd(56)} ${"words".padStart(6)} ${"hand".padStart(5)} ${"draft".padStart(6)} ${"ratio".padStart(6)} ${"covered".padStart(8)} ${"quiz".padStart(5)} ${"valid".padStart(7)} ${"cpu ms".padStart(7)} ${"wall ms".padStart(8)}`);
for (const r of rows) {
  log(
    `${r.source.padEnd(56)} ${String(r.words).padStart(6)} ${String(r.hand).padStart(5)} ${String(r.draft).padStart(6)} ${(r.draft / r.hand).toFixed(2).padStart(6)} ${pct(r.covered, r.hand).padStart(8)} ${String(r.quiz).padStart(5)} ${pct(r.validQuiz, r.quiz).padStart(7)} ${r.cpuMs.toFixed(1).padStart(7)} ${r.wallMs.toFixed(1).padStart(8)}`,
  );
}
const totals = { hand: sum("hand"), draft: sum("draft"), covered: sum("covered"), quiz: sum("quiz"), validQuiz: sum("validQuiz") };
log(
  `${"total".padEnd(56)} ${String(sum("words")).padStart(6)} ${String(totals.hand).padStart(5)} ${String(totals.draft).padStart(6)} ${(totals.draft / totals.hand).toFixed(2).padStart(6)} ${pct(totals.covered, totals.hand).padStart(8)} ${String(totals.quiz).padStart(5)} ${pct(totals.validQuiz, totals.quiz).padStart(7)} ${sum("cpuMs").toFixed(1).padStart(7)} ${sum("wallMs").toFixed(1).padStart(8)}`,
);
// a "20-page" document: both seeds, three times over (≈11,000 words; repeats get merged)
const allText = seeds.map((f) => readFileSync(join(sourcesDir, f), "utf8")).join("\n\n");
const big = [allText, allText, allText].join("\n\n");
const bigRun = timeDraft(big, "twenty-pages.txt");
const bigFigures = { words: countWords(big), cards: bigRun.deck.cards.length, cpuMs: Number(median(bigRun.runs).toFixed(1)), wallMs: Number(median(bigRun.walls).toFixed(1)), wallMinMs: Number(Math.min(...bigRun.walls).toFixed(1)) };
log(`${"20-page document (both seeds ×3)".padEnd(56)} ${String(bigFigures.words).padStart(6)} ${"".padStart(5)} ${String(bigFigures.cards).padStart(6)} ${"".padStart(6)} ${"".padStart(8)} ${"".padStart(5)} ${"".padStart(7)} ${bigFigures.cpuMs.toFixed(1).padStart(7)} ${bigFigures.wallMs.toFixed(1).padStart(8)}`);
log("");
log(`Goal: cover most hand-made facts with at most 1.5× the hand-made card count (${Math.floor(totals.hand * 1.5)} cards).`);
log(`Times: median of 9 warm runs per document; cpu = process.cpuUsage (user+system, all threads, so GC and JIT threads count), wall = performance.now().`);

log("");
log(`Misses: ${misses.length} of ${totals.hand} hand-made cards${ALL_MISSES ? "" : " (first 25; --misses for all)"}`);
for (const m of ALL_MISSES ? misses : misses.slice(0, 25)) {
  log(`  ✗ ${m.card.id}: ${m.card.front}  →  ${m.card.back}`);
  if (m.near) log(`      nearest draft card: ${m.near.front}  →  ${m.near.back}`);
}
if (invalid.length) {
  log("");
  log("Quiz cards whose distractors are not all of the answer's kind:");
  for (const x of invalid) log(`  ${x}`);
}

// seeded sample of draft cards for a person to judge
const rnd = prng(SEED);
const pool = [...allDraft];
const sample: typeof allDraft = [];
while (sample.length < Math.min(SAMPLE, pool.length)) sample.push(pool.splice(Math.floor(rnd() * pool.length), 1)[0]!);
log("");
log(`Sample of ${sample.length} draft cards (seed ${SEED}); judge each: keep as-is or not.`);
sample.forEach(({ source, card }, i) => {
  log(`#${String(i + 1).padStart(2)} [${card.id}] (${source.slice(0, 30)})`);
  log(`    front: ${card.front}`);
  log(`    back:  ${card.back}`);
  log(`    distractors: ${card.distractors ? card.distractors.join(" | ") : "— (review-only)"}`);
  log(`    quote: ${card.quote}`);
});

const figures = {
  coverage: Number((totals.covered / totals.hand).toFixed(3)),
  covered: totals.covered,
  hand: totals.hand,
  draft: totals.draft,
  ratio: Number((totals.draft / totals.hand).toFixed(3)),
  quiz: totals.quiz,
  distractorValidity: Number((totals.quiz ? totals.validQuiz / totals.quiz : 0).toFixed(3)),
  cpuMs: Object.fromEntries(rows.map((r) => [r.source, Number(r.cpuMs.toFixed(1))])),
  wallMs: Object.fromEntries(rows.map((r) => [r.source, Number(r.wallMs.toFixed(1))])),
  twentyPages: bigFigures,
  sampleSeed: SEED,
  documents: docFigures,
};
log("");
console.log(JSON.stringify(figures));
