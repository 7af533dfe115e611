/** Small pure text helpers shared by the parsers. */

/** Maps a character offset of a text to its 1-based line number. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  columnAt(offset: number): number {
    return offset - this.starts[this.lineAt(offset) - 1]! + 1;
  }
}

/** `\r\n` and lone `\r` become `\n` (line numbers then match what editors show). */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** The key a card's front is compared and hashed by: NFC, lower case, whitespace collapsed. */
export function normalizeFront(front: string): string {
  // Plain ASCII is already NFC: skip normalize(), the costliest step (same result).
  if (NON_ASCII.test(front)) return front.normalize("NFC").toLowerCase().replace(/\s+/g, " ").trim();
  const lower = front.toLowerCase();
  return ASCII_SPACE_RUN.test(lower) ? lower.replace(/\s+/g, " ").trim() : lower.trim();
}
const NON_ASCII = /[^\x00-\x7f]/;
/** In ASCII text, what `\s+` → " " would change: a space other than " ", or two in a row. */
const ASCII_SPACE_RUN = /[\t\n\v\f\r]| {2}/;

// The hashes live in ../hash.ts (the stored-deck reader needs them without loading the parsers).
export { hash53, shortHash } from "../hash";
import { shortHash } from "../hash";

/** The stable id of a card without an explicit id: `c-` + a hash of its normalised front. */
export function frontId(front: string): string {
  return `c-${shortHash(normalizeFront(front))}`;
}

export const SLUG = /^[a-z0-9][a-z0-9-]*$/;

/** Lower-case ASCII letters, digits and single dashes; accents dropped; at most `max` characters. */
export function slugify(text: string, max: number): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, max)
    .replace(/-+$/, "");
}

/** `path/to/My Deck.csv` → `My Deck.csv` */
export function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName;
}

/** `My Deck.csv` → `My Deck` (a leading dot is not an extension). */
export function stem(fileName: string): string {
  const b = baseName(fileName);
  const dot = b.lastIndexOf(".");
  return dot > 0 ? b.slice(0, dot) : b;
}

/** `My Deck.CSV` → `csv`, `notes` → `` */
export function extension(fileName: string): string {
  const b = baseName(fileName);
  const dot = b.lastIndexOf(".");
  return dot > 0 ? b.slice(dot + 1).toLowerCase() : "";
}

/** A short quotation of a text for a message: `"What is the…"`. */
export function excerpt(text: string, max = 40): string {
  // Only the start is shown: never run the pattern over more than that.
  const limit = max * 4 + 64;
  const cut = text.length > limit;
  const one = (cut ? text.slice(0, limit) : text).replace(/\s+/g, " ").trim();
  return `"${one.length > max ? `${one.slice(0, max - 1)}…` : cut ? `${one}…` : one}"`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The key texts are compared by, as the schema does (trimmed, case- and whitespace-insensitive). */
export function compareKey(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, " ");
}
