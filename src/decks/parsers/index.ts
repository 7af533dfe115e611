/**
 * Deck uploads: a lecturer's file (JSON deck, CSV/TSV with a header, Anki "Notes in Plain Text",
 * Quizlet export) → a validated Deck, or every problem with its line and a fix.
 *
 * Pure: no I/O, no clock, no randomness; Workers and Node (TextDecoder, never Buffer). Nothing is
 * meant to be stored unless the result is `ok`.
 */
import { isQuizCapable } from "../schema";
import { looksLikeAnki, parseAnki } from "./anki";
import { columnRole, guessDelimiter, headerDelimiter, parseCsv } from "./csv";
import { decodeUpload } from "./decode";
import { firstRow } from "./delimited";
import { parseJson } from "./json";
import { fail } from "./problems";
import { NOT_A_DECK, parseQuizlet } from "./quizlet";
import { extension, normalizeNewlines, plural } from "./text";
import { FORMAT_LABEL, UPLOAD_LIMITS, type UploadOptions, type UploadResult } from "./types";

export { FORMAT_LABEL, MAX_LISTED_PROBLEMS, UPLOAD_LIMITS } from "./types";
export type { UploadFormat, UploadOptions, UploadProblem, UploadResult } from "./types";

export function parseUpload(fileName: string, bytes: Uint8Array, opts: UploadOptions = {}): UploadResult {
  // File names come from chat or a query string: bound them before any pattern sees them.
  if (fileName.length > MAX_FILE_NAME) fileName = fileName.slice(-MAX_FILE_NAME);
  if (bytes.length > UPLOAD_LIMITS.bytes) {
    return fail(
      undefined,
      undefined,
      `the file is too large: ${megabytes(bytes.length)} MB, at most ${megabytes(UPLOAD_LIMITS.bytes)} MB — split the deck into smaller files (at most ${Math.min(opts.maxCards ?? UPLOAD_LIMITS.cards, UPLOAD_LIMITS.cards)} cards each)`,
    );
  }
  if (bytes.length === 0) return fail(undefined, undefined, EMPTY);
  const decoded = decodeUpload(bytes, fileName);
  if (!decoded.ok) return fail(undefined, decoded.problem.line, decoded.problem.message);
  const text = normalizeNewlines(decoded.text);
  if (!/\S/.test(text)) return fail(undefined, undefined, EMPTY);

  const ext = extension(fileName);
  // The start of the text after blanks (no copy of the whole text: only the start is looked at).
  const from = text.search(/\S/);
  const start = text.slice(from, from + 64);
  if (start.startsWith("{\\rtf")) {
    return fail(undefined, 1, "this is an RTF document (from WordPad or TextEdit), not plain text — save it as plain text (TextEdit: Format › Make Plain Text) or as CSV, and send it again");
  }
  if (start.startsWith("{") || start.startsWith("[")) return parseJson(text, fileName, opts);
  if (/^<(!doctype|html|\?xml|head|body|table|div)\b/i.test(start)) {
    return fail(undefined, lineOfFirstText(text), "this is an HTML or XML document, not a deck — send a JSON deck, a CSV/TSV with a front,back header, an Anki \"Notes in Plain Text\" export or a Quizlet export");
  }
  if (looksLikeAnki(text)) return parseAnki(text, fileName, opts);

  const delimiter = headerDelimiter(text);
  if (delimiter !== undefined) return parseCsv(text, delimiter, fileName, opts);
  // Content did not decide: the extension does.
  if (ext === "json") return parseJson(text, fileName, opts);
  if (ext === "csv" || ext === "tsv" || looksLikeHeader(text)) return parseCsv(text, guessDelimiter(text, ext), fileName, opts);
  if (text.split("\n").some((l) => l.includes("\t") || l.includes(",") || l.includes(";"))) return parseQuizlet(text, fileName, opts);
  return fail(undefined, undefined, NOT_A_DECK);
}

const MAX_FILE_NAME = 255;

const EMPTY = "the file is empty — send a deck: a JSON deck, a CSV/TSV with a front,back header row, an Anki \"Notes in Plain Text\" export or a Quizlet export";

function megabytes(n: number): string {
  return (n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1);
}

function lineOfFirstText(text: string): number {
  return text.split("\n").findIndex((l) => l.trim() !== "") + 1;
}

/** A first row naming some known columns (e.g. `front,answer`) is a header, not a card. */
function looksLikeHeader(text: string): boolean {
  for (const d of ["\t", ",", ";"]) {
    const cells = firstRow(text, d);
    const roles = cells.map(columnRole);
    if (cells.length >= 2 && roles.some((r) => r === "front" || r === "back" || r === "distractor" || r === "distractors")) return true;
  }
  return false;
}

/**
 * The plain-text chat report (no HTML; the bot escapes nothing here because nothing is markup).
 * At most `maxProblems` problems are listed, and the report stays under Telegram's 4096 characters.
 */
export function formatReport(result: UploadResult, maxProblems = 20): string {
  const LIMIT = 3900;
  const lines: string[] = [];
  const bullets = (items: string[], total: number, noun: string) => {
    let shown = 0;
    let length = lines.join("\n").length;
    for (const item of items.slice(0, Math.max(0, maxProblems))) {
      const line = `• ${item.length > 600 ? `${item.slice(0, 599)}…` : item}`;
      if (length + line.length + 1 > LIMIT) break;
      lines.push(line);
      length += line.length + 1;
      shown++;
    }
    if (total > shown) lines.push(`…and ${plural(total - shown, `more ${noun}`, `more ${noun}s`)}.`);
  };

  if (result.ok) {
    const { deck, format, warnings } = result;
    const quiz = deck.cards.filter(isQuizCapable).length;
    lines.push(`✓ ${plural(deck.cards.length, "card")} accepted (${FORMAT_LABEL[format]}) — deck "${deck.title}" (id: ${deck.id}).`);
    const review = deck.cards.length - quiz;
    lines.push(review === 0 ? "All of them can be used in quizzes." : `${plural(quiz, "quiz card")} (with distractors), ${plural(review, "review-only card")}.`);
    if (warnings.length) {
      lines.push(`${plural(warnings.length, "warning")}:`);
      bullets(warnings, warnings.length, "warning");
    }
    return lines.join("\n");
  }

  const total = Math.max(result.totalProblems, result.problems.length);
  lines.push(`✗ ${plural(total, "problem")} — nothing was saved:`);
  bullets(
    result.problems.map((p) => {
      const at = p.line !== undefined ? `line ${p.line}${p.where ? `, ${p.where}` : ""}` : p.where;
      return at ? `${at}: ${p.message}` : p.message;
    }),
    total,
    "problem",
  );
  lines.push(result.format ? `The file was read as ${FORMAT_LABEL[result.format]}. Fix the problems and send it again.` : "Fix the problem and send the file again.");
  return lines.join("\n");
}
