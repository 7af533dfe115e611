/**
 * `npm run decks:check` — validates every deck in decks/: schema, unique ids, Telegram limits,
 * and that every quote is found in its source text when the sources are at hand.
 *
 * Sources are looked up as `<dir>/<source id>.txt` in $LECTERN_SOURCES_DIR, else ../shared/seeds.
 * A source that is not at hand is reported as "not checked" (never as grounded).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { groundingProblems, isQuizCapable, quoteIsGrounded, validateDeck, type Deck } from "../src/decks/schema";
import { checkDeckLimits } from "../src/decks/limits";

const decksDir = resolve(process.argv[2] ?? "decks");
const sourcesDir = process.env.LECTERN_SOURCES_DIR
  ? resolve(process.env.LECTERN_SOURCES_DIR)
  : resolve("..", "shared", "seeds");
const strict = process.env.LECTERN_REQUIRE_SOURCES === "1";

let failures = 0;
const fail = (file: string, where: string, message: string) => {
  failures++;
  console.error(`✗ ${file}: ${where}: ${message}`);
};

const files = readdirSync(decksDir).filter((f) => f.endsWith(".json")).sort();
if (files.length === 0) fail(decksDir, "-", "no deck files found");
const deckIds = new Map<string, string>();
const rows: string[] = [];
let totalCards = 0, totalQuiz = 0, grounded = 0, unchecked = 0;
const sourceCache = new Map<string, string | null>();
const sourceText = (id: string) => {
  if (!sourceCache.has(id)) {
    const p = join(sourcesDir, `${id}.txt`);
    sourceCache.set(id, existsSync(p) ? readFileSync(p, "utf8") : null);
  }
  return sourceCache.get(id)!;
};

for (const file of files) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(decksDir, file), "utf8"));
  } catch (e) {
    fail(file, "file", `not valid JSON (${(e as Error).message})`);
    continue;
  }
  const r = validateDeck(json);
  if (!r.ok) {
    for (const p of r.problems) fail(file, p.where, p.message);
    continue;
  }
  const deck: Deck = r.deck;
  if (`${deck.id}.json` !== file) fail(file, "id", `deck id "${deck.id}" should match the file name`);
  const other = deckIds.get(deck.id);
  if (other) fail(file, "id", `deck id "${deck.id}" is also used by ${other}`);
  deckIds.set(deck.id, file);
  for (const p of checkDeckLimits(deck)) fail(file, p.where, p.message);
  for (const p of groundingProblems(deck)) fail(file, p.where, p.message);
  let quiz = 0, g = 0, u = 0;
  deck.cards.forEach((card, i) => {
    if (isQuizCapable(card)) quiz++;
    if (!card.source || !card.quote) return; // reported above
    const text = sourceText(card.source);
    if (text === null) u++;
    else if (quoteIsGrounded(card.quote, text)) g++;
    else fail(file, `cards[${i}] (${card.id}).quote`, `not found in source "${card.source}": "${card.quote.slice(0, 80)}…"`);
  });
  totalCards += deck.cards.length;
  totalQuiz += quiz;
  grounded += g;
  unchecked += u;
  rows.push(
    `${deck.id.padEnd(28)} ${String(deck.cards.length).padStart(5)} ${String(quiz).padStart(6)} ${`${Math.round((100 * quiz) / deck.cards.length)}%`.padStart(6)} ${u ? `${g} grounded, ${u} not checked` : `${g}/${deck.cards.length} grounded`}`,
  );
}

console.log(`${"deck".padEnd(28)} ${"cards".padStart(5)} ${"quiz".padStart(6)} ${"share".padStart(6)} quotes`);
for (const r of rows) console.log(r);
const share = totalCards ? Math.round((100 * totalQuiz) / totalCards) : 0;
console.log(
  `${rows.length} decks, ${totalCards} cards, ${totalQuiz} quiz-capable (${share}%), ` +
    `${grounded} quotes grounded in their sources, ${unchecked} not checked (source text not at hand in ${sourcesDir})`,
);
if (unchecked && strict) fail("sources", "-", "LECTERN_REQUIRE_SOURCES=1 and some sources are not at hand");
if (failures) {
  console.error(`decks:check failed with ${failures} problem(s)`);
  process.exit(1);
}
