/**
 * Small text helpers shared by the drafter: hashing, slugs, tokens, normalisation, number words.
 * Pure and runtime-neutral (no Node APIs).
 */

/** FNV-1a, 32 bits. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A short, stable hex hash (6 characters). */
export function shortHash(s: string): string {
  return fnv1a(s).toString(16).padStart(8, "0").slice(0, 6);
}

/** Lower-case slug of letters, digits and dashes, cut at a dash boundary to at most `max` characters. */
export function slugify(s: string, max = 40): string {
  const slug = s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max + 1);
  const at = cut.lastIndexOf("-");
  return (at >= Math.min(8, max) ? cut.slice(0, at) : slug.slice(0, max)).replace(/-+$/, "");
}

// Memo tables for the hot helpers; `resetMemo()` empties them (the drafter calls it per document,
// so a long-lived Worker isolate does not accumulate them).
const tokenMemo = new Map<string, Set<string>>();

export function resetMemo(): void {
  tokenMemo.clear();
}

/** Case/whitespace-insensitive identity (the schema's rule for "equal" options). */
export function norm(s: string): string {
  const t = s.trim().toLowerCase();
  return / \s|[^\S ]/.test(t) ? t.replace(/\s+/g, " ") : t;
}

/** Collapse runs of whitespace to one space and trim. */
export function squash(s: string): string {
  const n = s.length;
  if (n === 0) return s;
  const a = s.charCodeAt(0);
  const z = s.charCodeAt(n - 1);
  const edge = a === 32 || z === 32 || a < 32 || z < 32;
  return edge || / \s|[^\S ]/.test(s) ? s.replace(/\s+/g, " ").trim() : s;
}

export function upperFirst(s: string): string {
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** Cut `s` to at most `max` characters at a word boundary, adding an ellipsis when cut. */
export function cutWords(s: string, max: number): string {
  if (s.length <= max) return s;
  const head = s.slice(0, max - 1);
  const at = head.lastIndexOf(" ");
  return `${(at > max / 2 ? head.slice(0, at) : head).replace(/[\s,;:–—-]+$/, "")}…`;
}

export const WORD = /[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’\-]*/g;

export function words(s: string): string[] {
  return s.match(WORD) ?? [];
}

export const STOPWORDS = new Set(
  (
    "a an the and or but nor of to in on at by for with from into onto as than then that this these those " +
    "is are was were be been being am do does did has have had having it its they them their there here " +
    "which who whom whose what when where why how not no so such very can could should would will shall may might must " +
    "also only just more most other others some any all each both either neither own same about over under " +
    "between among through during before after above below up down out off again further once i we you he she his her our your " +
    "if while because until whether per via"
  ).split(" "),
);

/** Crude stem: lower-case, strip possessives and common English suffixes. */
export function stem(w: string): string {
  let s = w.toLowerCase().replace(/['’]s?$/, "");
  if (s.length > 5 && s.endsWith("ies")) s = `${s.slice(0, -3)}y`;
  else if (s.length > 4 && /(ss|us|is)$/.test(s)) s = s;
  else if (s.length > 3 && s.endsWith("s")) s = s.slice(0, -1);
  if (s.length > 6 && s.endsWith("ing")) s = s.slice(0, -3);
  else if (s.length > 5 && s.endsWith("ed")) s = s.slice(0, -2);
  return s;
}

/** Content-word stems of a text (stop words dropped). */
export function contentStems(s: string): string[] {
  return words(s)
    .map((w) => w.toLowerCase())
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
}

/** Content-stem set of a text (memoised: do not mutate the result). */
export function tokenSet(s: string): ReadonlySet<string> {
  let t = tokenMemo.get(s);
  if (!t) {
    t = new Set(contentStems(s));
    tokenMemo.set(s, t);
  }
  return t;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

// ---- numbers -----------------------------------------------------------------------------

export const NUMBER_WORDS: Record<string, number> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100,
};
export const WORD_FOR: Record<number, string> = Object.fromEntries(
  [["one", 1] as const, ...Object.entries(NUMBER_WORDS)].map(([w, n]) => [n, w]),
);

export const ORDINALS: Record<string, number> = {
  third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10, eleventh: 11, twelfth: 12,
  thirteenth: 13, fourteenth: 14, fifteenth: 15, twentieth: 20,
};
export const ORDINAL_FOR: Record<number, string> = Object.fromEntries(
  [["first", 1] as const, ["second", 2] as const, ...Object.entries(ORDINALS)].map(([w, n]) => [n, w]),
);

export const MONTHS = [
  "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
] as const;

/** Format an integer like the sample: thousands separators when the sample has them. */
export function formatLike(n: number, sample: string): string {
  const decimals = /\.(\d+)/.exec(sample)?.[1]?.length ?? 0;
  const fixed = decimals ? n.toFixed(decimals) : String(Math.round(n));
  if (!/\d,\d{3}/.test(sample)) return fixed;
  const [int, frac] = fixed.split(".");
  const withCommas = (int ?? "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac ? `${withCommas}.${frac}` : withCommas;
}

/** Round to the same number of significant digits as `like` (at least 1, at most 2 extra). */
export function roundLike(n: number, like: number): number {
  if (like < 10) return Math.round(n);
  const digits = String(Math.round(like)).replace(/0+$/, "").length;
  const mag = 10 ** Math.max(0, String(Math.round(n)).length - Math.max(1, digits));
  return Math.round(n / mag) * mag;
}

// ---- how the document uses a word --------------------------------------------------------

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 0xc0;

/**
 * Answers "does the document use this word in lower case?" and "is this capitalised word a name
 * on its own?" by searching the text on demand (cheaper than indexing every word up front).
 */
export class WordUse {
  private readonly lowerMemo = new Map<string, boolean>();
  private readonly nameMemo = new Map<string, boolean>();
  constructor(private readonly text: string) {}

  private *occurrences(w: string): Generator<number> {
    if (!w) return;
    for (let at = this.text.indexOf(w); at >= 0; at = this.text.indexOf(w, at + 1)) {
      if (at > 0 && isLetter(this.text.charCodeAt(at - 1))) continue;
      const after = at + w.length;
      if (after < this.text.length && isLetter(this.text.charCodeAt(after))) continue;
      yield at;
    }
  }

  /** The document writes `word` (given in lower case) in lower case somewhere. */
  lowerCase(word: string): boolean {
    let r = this.lowerMemo.get(word);
    if (r === undefined) {
      r = !this.occurrences(word).next().done;
      this.lowerMemo.set(word, r);
    }
    return r;
  }

  /**
   * The capitalised `word` stands inside a sentence on its own ("met in Vienna"), not only at the
   * start of sentences or as part of a longer name ("the Smuggling of Migrants").
   */
  nameInside(word: string): boolean {
    let r = this.nameMemo.get(word);
    if (r === undefined) {
      r = false;
      for (const at of this.occurrences(word)) {
        if (at < 2 || this.text.charCodeAt(at - 1) !== 32 || !/[a-z,;]/.test(this.text.charAt(at - 2))) continue;
        if (/^\s+(?:[A-Z]|(?:of|on|in|and|for|against|to|the|de)\s+[A-Z])/.test(this.text.slice(at + word.length, at + word.length + 16))) continue;
        r = true;
        break;
      }
      this.nameMemo.set(word, r);
    }
    return r;
  }
}

// ---- linear scanning ---------------------------------------------------------------------

/**
 * `indexOf` with a memory: while the positions asked for do not decrease, all calls together
 * cost O(length of the text) — the building block of the drafter's linear-time scanners (a
 * regular expression such as /<[^>]*>/ rescans the rest of the text at every "<" that has no ">").
 */
export class Finder {
  private from = -1;
  private at = -2;
  constructor(
    private readonly s: string,
    private readonly needle: string,
  ) {}

  /** The first index ≥ `from` where the needle occurs, or -1. */
  next(from: number): number {
    if (this.from >= 0 && from >= this.from) {
      if (this.at === -1) return -1; // none after this.from, so none after `from`
      if (from <= this.at) return this.at; // none between this.from and this.at
    }
    this.from = from;
    this.at = this.s.indexOf(this.needle, from);
    return this.at;
  }
}

/** The same for the first character that satisfies a test (for example: whitespace). */
export class CharFinder {
  private from = -1;
  private at = -2;
  constructor(
    private readonly s: string,
    private readonly test: (code: number) => boolean,
  ) {}

  next(from: number): number {
    if (this.from >= 0 && from >= this.from) {
      if (this.at === -1) return -1;
      if (from <= this.at) return this.at;
    }
    this.from = from;
    this.at = -1;
    for (let i = from; i < this.s.length; i++) {
      if (this.test(this.s.charCodeAt(i))) {
        this.at = i;
        break;
      }
    }
    return this.at;
  }
}

/** JavaScript's \s (the characters String.prototype.trim removes). */
export function isSpaceCode(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** ASCII \w. */
export function isWordCode(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
