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

/**
 * cyrb53: a fast 53-bit string hash. Card ids of uploads are made from it, and students' progress
 * is keyed by card id: never change this function (tests pin its output).
 */
export function hash53(str: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** 10 base-36 characters of hash53 (about 51 bits). */
export function shortHash(str: string): string {
  // By hand: Number#toString(36) takes a slow path for numbers this large (same digits).
  let n = hash53(str);
  let out = "";
  for (let k = 0; k < 10; k++) {
    const r = n % 36; // exact for integers below 2^53, as is the division below
    out = BASE36[r]! + out;
    n = (n - r) / 36;
  }
  return out;
}
const BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";

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
