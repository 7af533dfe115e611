/**
 * `node scripts/run-ts.mjs scripts/draft.ts <file> [--title T] [--id deck-id] [--max N]
 *    [--year Y] [--publisher P] [--source-title T]`
 *
 * Drafts a flashcard deck from a document (.txt, .md, .html) and prints it as pretty JSON on
 * stdout; a one-line summary goes to stderr. Exit codes: 0 drafted, 1 nothing to draft,
 * 2 usage error, missing/unreadable file or unsupported file type.
 *
 * The source year defaults to the current year (the drafter itself takes it as an option and
 * stays pure).
 */
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { isQuizCapable } from "../src/decks/schema";
import { DraftError, SUPPORTED_EXTENSIONS, draftDeck, formatFor, type DraftOptions } from "../src/draft/index";

const USAGE = "usage: node scripts/run-ts.mjs scripts/draft.ts <file.txt|.md|.html> [--title T] [--id deck-id] [--max N] [--year Y] [--publisher P] [--source-title T]";

function fail(message: string, code = 2): never {
  console.error(`draft: ${message}`);
  process.exit(code);
}

const args = process.argv.slice(2);
const flags = new Map<string, string>();
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === "-h" || a === "--help") {
    console.error(USAGE);
    process.exit(0);
  }
  if (a.startsWith("--")) {
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!["title", "id", "max", "year", "publisher", "source-title"].includes(name)) fail(`unknown option --${name}\n${USAGE}`);
    const value = inline ?? args[++i];
    if (value === undefined) fail(`--${name} needs a value\n${USAGE}`);
    flags.set(name, value);
  } else files.push(a);
}
if (files.length !== 1) fail(files.length ? `one file at a time, got ${files.length}\n${USAGE}` : `no file given\n${USAGE}`);
const file = files[0]!;

const format = formatFor(file);
if (!format) {
  const ext = /\.[^./\\]+$/.exec(file)?.[0] ?? "(none)";
  fail(`unsupported file type ${ext} for ${file}; supported: ${Object.keys(SUPPORTED_EXTENSIONS).map((e) => `.${e}`).join(", ")}`);
}

let bytes: Buffer;
try {
  if (!statSync(file).isFile()) fail(`${file} is not a file`);
  bytes = readFileSync(file);
} catch (e) {
  const err = e as NodeJS.ErrnoException;
  fail(err.code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${err.message}`);
}
if (bytes.includes(0)) fail(`${file} looks binary (it contains NUL bytes); save it as plain text, Markdown or HTML`);
let text: string;
try {
  text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
} catch {
  fail(`${file} is not UTF-8 text`);
}

const int = (name: string, min: number, max: number): number | undefined => {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}, got "${v}"`);
  return n;
};

const opts: DraftOptions = {
  format,
  fileName: basename(file),
  year: int("year", 1800, 2100) ?? new Date().getFullYear(),
};
const maxCards = int("max", 1, 5000);
if (maxCards !== undefined) opts.maxCards = maxCards;
if (flags.has("title")) opts.title = flags.get("title")!;
if (flags.has("id")) opts.deckId = flags.get("id")!;
if (flags.has("publisher")) opts.publisher = flags.get("publisher")!;
if (flags.has("source-title")) opts.sourceTitle = flags.get("source-title")!;

try {
  const t0 = performance.now();
  const { deck, stats } = draftDeck(text, opts);
  const ms = performance.now() - t0;
  process.stdout.write(`${JSON.stringify(deck, null, 2)}\n`);
  const kinds = Object.entries(stats.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const quiz = deck.cards.filter(isQuizCapable).length;
  console.error(
    `draft: ${deck.id}: ${stats.cards} cards (${kinds}), ${quiz} quiz-capable, from ${stats.sentences} sentences; ` +
      `${stats.candidates} candidates, ${stats.merged} merged, ${stats.dropped} dropped; ${ms.toFixed(0)} ms`,
  );
} catch (e) {
  if (e instanceof DraftError) fail(e.message, 1);
  throw e;
}
