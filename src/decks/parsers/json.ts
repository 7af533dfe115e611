/**
 * JSON decks (the project's own format): syntax errors with line and column, schema problems from
 * validateDeck mapped back to the line of the card (its "id") or of the field.
 */
import * as v from "valibot";
import { DeckSchema, validateDeck } from "../schema";
import { deckMeta, reviewOnlyWarning, tooManyCards } from "./cards";
import { explain } from "./hints";
import { Problems } from "./problems";
import { MAX_LISTED_PROBLEMS, UPLOAD_LIMITS, type UploadOptions, type UploadResult } from "./types";
import { LineIndex, excerpt, normalizeFront } from "./text";

/** Deeper nesting is refused before it can exhaust the stack (a deck needs 4 levels). */
const MAX_DEPTH = 32;

class JsonSyntaxError extends Error {
  constructor(
    readonly pos: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A strict JSON scanner that records the line of every value (by path, e.g. `cards[3].back`) and,
 * for objects with an "id", the line of that id (`cards[3]#id`). Throws JsonSyntaxError.
 */
export class JsonLines {
  readonly lines = new Map<string, number>();
  private pos = 0;
  private readonly index: LineIndex;
  /** Paths whose lines are wanted and every prefix of them (a subtree outside is not tracked). */
  private readonly prefixes: Set<string> | undefined;

  /**
   * Without `want` the scan only checks the syntax (and records nothing: a million values would
   * otherwise make a million map entries). With `want`, the lines of those paths are recorded.
   */
  constructor(
    private readonly s: string,
    private readonly want?: ReadonlySet<string>,
  ) {
    this.index = new LineIndex(s);
    if (want) {
      this.prefixes = new Set([""]);
      for (const w of want) {
        const parts = whereParts(w.replace(/#id$/, ""));
        let p = "";
        for (const part of parts) this.prefixes.add((p = part.startsWith("[") ? p + part : p ? `${p}.${part}` : part));
      }
    }
    this.ws();
    if (this.pos >= s.length) throw new JsonSyntaxError(this.pos, "the file has no JSON value");
    this.value(want ? "" : null);
    this.ws();
    if (this.pos < s.length) {
      throw new JsonSyntaxError(this.pos, "unexpected text after the end of the deck — a deck file holds exactly one { … } object; remove what follows (or a } closes the deck too early)");
    }
  }

  lineAt(pos: number): number {
    return this.index.lineAt(pos);
  }

  columnAt(pos: number): number {
    return this.index.columnAt(pos);
  }

  private ws(): void {
    for (;;) {
      const c = this.s[this.pos];
      if (c === " " || c === "\t" || c === "\n" || c === "\r") this.pos++;
      else if (c === "/" && (this.s[this.pos + 1] === "/" || this.s[this.pos + 1] === "*")) {
        throw new JsonSyntaxError(this.pos, "JSON does not allow comments — remove the // or /* */ comment");
      } else return;
    }
  }

  private eof(): never {
    // Point at the end of the last line with text, not at an empty last line.
    throw new JsonSyntaxError(this.prevNonWs(this.s.length) + 1, "the file ends too early — a closing } or ] (or the end of a string) is missing");
  }

  /** Records the line of `path` if it is wanted. */
  private mark(path: string | null, pos: number): void {
    if (path !== null && this.want!.has(path)) this.lines.set(path, this.lineAt(pos));
  }

  /** The path of a child, or null when nothing below it is wanted. */
  private child(path: string | null, part: string): string | null {
    if (path === null) return null;
    const p = part.startsWith("[") ? path + part : path ? `${path}.${part}` : part;
    return this.prefixes!.has(p) ? p : null;
  }

  private value(path: string | null, depth = 0): void {
    const c = this.s[this.pos];
    if (c === undefined) this.eof();
    this.mark(path, this.pos);
    if ((c === "{" || c === "[") && depth >= MAX_DEPTH) {
      throw new JsonSyntaxError(this.pos, `lists and objects are nested more than ${MAX_DEPTH} deep here — a deck nests at most 4 deep ({ "cards": [ { "distractors": [ … ] } ] }); check the brackets`);
    }
    if (c === "{") return this.object(path, depth + 1);
    if (c === "[") return this.array(path, depth + 1);
    if (c === '"') return void this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    const word = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.pos, this.pos + 40))?.[0];
    if (word === "true" || word === "false" || word === "null") {
      this.pos += word.length;
      return;
    }
    if (c === "'") throw new JsonSyntaxError(this.pos, "texts must be in double quotes (\"), not single quotes (') — replace the quotes");
    if (word) throw new JsonSyntaxError(this.pos, `unexpected word ${excerpt(word, 20)} — put texts in double quotes ("…"); the only bare words are true, false and null (lower case)`);
    if (c === "}" || c === "]") throw new JsonSyntaxError(this.pos, `unexpected "${c}" where a value should be — remove the comma before it, or fill in the missing value`);
    throw new JsonSyntaxError(this.pos, `unexpected character "${c}" where a value should be — check the punctuation`);
  }

  private object(path: string | null, depth: number): void {
    this.pos++; // {
    this.ws();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      const c = this.s[this.pos];
      if (c === undefined) this.eof();
      if (c === "}") throw new JsonSyntaxError(this.pos, "a comma before } — remove the comma after the last property");
      if (c !== '"') {
        if (c === "'") throw new JsonSyntaxError(this.pos, "property names must be in double quotes (\"), not single quotes (') — replace the quotes");
        throw new JsonSyntaxError(this.pos, `a property name must be in double quotes, e.g. "front": "…" — found "${c}"`);
      }
      const keyPos = this.pos;
      const key = this.string();
      // Paths only find the lines of known (short) fields: a long key is cut, so paths stay short.
      const child = this.child(path, key.length > 64 ? `${key.slice(0, 64)}…` : key);
      this.ws();
      if (this.s[this.pos] !== ":") {
        if (this.s[this.pos] === undefined) this.eof();
        throw new JsonSyntaxError(this.pos, `a colon (:) is missing after the property name ${excerpt(key)}`);
      }
      this.pos++;
      this.ws();
      this.value(child, depth);
      this.mark(child, keyPos);
      if (key === "id" && path !== null) this.mark(`${path}#id`, keyPos);
      this.ws();
      const d = this.s[this.pos];
      if (d === ",") {
        this.pos++;
        continue;
      }
      if (d === "}") {
        this.pos++;
        return;
      }
      if (d === undefined) this.eof();
      if (d === '"') {
        throw new JsonSyntaxError(this.pos, `a comma is missing before this property (at the end of line ${this.lineAt(this.prevNonWs(this.pos))}) — add a ,`);
      }
      throw new JsonSyntaxError(this.pos, `expected a comma or } after the value of ${excerpt(key)} but found "${d}"`);
    }
  }

  private array(path: string | null, depth: number): void {
    this.pos++; // [
    this.ws();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return;
    }
    for (let i = 0; ; i++) {
      this.ws();
      const c = this.s[this.pos];
      if (c === undefined) this.eof();
      if (c === "]") throw new JsonSyntaxError(this.pos, "a comma before ] — remove the comma after the last item");
      this.value(this.child(path, `[${i}]`), depth);
      this.ws();
      const d = this.s[this.pos];
      if (d === ",") {
        this.pos++;
        continue;
      }
      if (d === "]") {
        this.pos++;
        return;
      }
      if (d === undefined) this.eof();
      if (d === "{" || d === "[" || d === '"' || d === "-" || (d >= "0" && d <= "9")) {
        throw new JsonSyntaxError(this.pos, `a comma is missing before this item (at the end of line ${this.lineAt(this.prevNonWs(this.pos))}) — add a ,`);
      }
      if (d === "}") throw new JsonSyntaxError(this.pos, "a } where the list should end — a ] is missing before it");
      throw new JsonSyntaxError(this.pos, `expected a comma or ] in a list but found "${d}"`);
    }
  }

  private prevNonWs(pos: number): number {
    let p = pos - 1;
    while (p > 0 && /\s/.test(this.s[p]!)) p--;
    return p;
  }

  private string(): string {
    const start = this.pos;
    this.pos++; // "
    let out = "";
    for (;;) {
      const c = this.s[this.pos];
      if (c === undefined) throw new JsonSyntaxError(start, "a text (string) starting here is never closed — add the closing double quote (\")");
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === "\\") {
        const e = this.s[this.pos + 1];
        if (e === "u") {
          const hex = this.s.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError(this.pos, "invalid \\u escape — write it as \\u followed by 4 hex digits");
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 6;
          continue;
        }
        const map: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e === undefined || map[e] === undefined) {
          throw new JsonSyntaxError(this.pos, `invalid escape "\\${e ?? ""}" in a text — write a backslash as \\\\ (allowed escapes: \\" \\\\ \\n \\t \\uXXXX)`);
        }
        out += map[e];
        this.pos += 2;
        continue;
      }
      if (c < " ") {
        throw new JsonSyntaxError(
          this.pos,
          c === "\n"
            ? "a line break inside a text — a text (string) must end on the line it starts: close it with \" or write the line break as \\n"
            : "a control character (e.g. a tab) inside a text — write it as \\t or remove it",
        );
      }
      out += c;
      this.pos++;
    }
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) throw new JsonSyntaxError(this.pos, "an invalid number — write numbers like 2024 or 1.5 (and texts in double quotes)");
    this.pos += m[0].length;
  }
}

/** The line for a validateDeck `where` such as `cards[12] (some-id).back`. */
export function lineOfWhere(where: string, lines: Map<string, number>): number | undefined {
  const parts = whereParts(where);
  for (let n = parts.length; n > 0; n--) {
    const p = parts.slice(0, n).reduce((acc, part) => (part.startsWith("[") ? acc + part : acc ? `${acc}.${part}` : part), "");
    const exact = n === parts.length ? lines.get(p) : undefined;
    if (exact !== undefined && !p.endsWith("]")) return exact;
    const id = lines.get(`${p}#id`);
    if (id !== undefined) return id;
    const line = lines.get(p);
    if (line !== undefined) return line;
  }
  return undefined;
}

/**
 * `cards[12] (some-id).back` → `cards`, `[12]`, `back`: the " (card-id)" notes validateDeck adds
 * after array indexes are dropped. A scan, not a pattern: the ids in the notes are user input.
 */
export function whereParts(where: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < where.length) {
    const c = where[i]!;
    if (c === ".") {
      i++;
    } else if (c === "[") {
      const close = where.indexOf("]", i);
      const digits = close === -1 ? "" : where.slice(i + 1, close);
      if (!digits || !/^\d+$/.test(digits)) {
        // Not an index: read it as part of a name, as far as the next separator.
        i = readName(where, i + 1, parts, "[");
        continue;
      }
      parts.push(`[${digits}]`);
      i = close + 1;
      if (where.startsWith(" (", i)) {
        // The note ends at the first ")" followed by the end, a "." or a "[" (as a lazy `.*?` would).
        let j = where.indexOf(")", i + 2);
        while (j !== -1 && j + 1 < where.length && where[j + 1] !== "." && where[j + 1] !== "[") j = where.indexOf(")", j + 1);
        if (j !== -1) i = j + 1;
      }
    } else {
      i = readName(where, i, parts, "");
    }
  }
  return parts;
}

function readName(where: string, from: number, parts: string[], prefix: string): number {
  let j = from;
  while (j < where.length && where[j] !== "." && where[j] !== "[" && where[j] !== "]") j++;
  const name = prefix + where.slice(from, j);
  if (name && name !== "[") parts.push(name.replace(/^\[/, ""));
  return j < where.length && where[j] === "]" ? j + 1 : j;
}

/** The lines of these paths (and of their prefixes and ids), from a second, targeted scan. */
function linesOf(text: string, wheres: string[]): Map<string, number> {
  const want = new Set<string>();
  for (const w of wheres) {
    let p = "";
    for (const part of whereParts(w)) {
      p = part.startsWith("[") ? p + part : p ? `${p}.${part}` : part;
      want.add(p);
      want.add(`${p}#id`);
    }
  }
  return new JsonLines(text, want).lines;
}

export function parseJson(text: string, fileName: string, opts: UploadOptions): UploadResult {
  const problems = new Problems();
  const warnings: string[] = [];
  let input: unknown;
  let scan: JsonLines | undefined;
  try {
    scan = new JsonLines(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const index = new LineIndex(text);
    problems.add(index.lineAt(e.pos), `not valid JSON (column ${index.columnAt(e.pos)}): ${e.message}`);
    return problems.result("json");
  }
  try {
    input = JSON.parse(text);
  } catch (e) {
    // The scanner accepted what JSON.parse rejects: fall back to the engine's message.
    problems.add(undefined, `not valid JSON: ${e instanceof Error ? e.message : String(e)} — check the file with a JSON validator`);
    return problems.result("json");
  }
  void scan;

  if (Array.isArray(input)) {
    problems.add(
      1,
      'the file is a JSON list, not a deck — a deck is an object { "id": "…", "title": "…", "description": "…", "language": "en", "sources": [], "cards": [ … ] }: put the list of cards under "cards"',
    );
    return problems.result("json");
  }
  if (input === null || typeof input !== "object") {
    problems.add(1, `the file holds a single ${input === null ? "null" : typeof input}, not a deck — a deck is an object { "id": …, "title": …, "cards": [ … ] }`);
    return problems.result("json");
  }
  const deck = input as Record<string, unknown>;
  if (opts.deckId !== undefined || opts.title !== undefined || opts.description !== undefined) {
    const meta = deckMeta(fileName, opts, problems, []);
    if (opts.deckId !== undefined) {
      if (typeof deck.id === "string" && deck.id !== meta.id) warnings.push(`the deck id "${deck.id}" in the file was replaced by "${meta.id}"`);
      deck.id = meta.id;
    }
    if (opts.title !== undefined && opts.title.trim()) deck.title = meta.title;
    if (opts.description !== undefined && opts.description.trim()) deck.description = meta.description;
    if (problems.count) return problems.result("json");
  }

  const cards = Array.isArray(deck.cards) ? (deck.cards as unknown[]) : undefined;
  const limit = Math.min(opts.maxCards ?? UPLOAD_LIMITS.cards, UPLOAD_LIMITS.cards);
  if (cards && cards.length > limit) {
    const lines = linesOf(text, [`cards[${limit}]`]);
    problems.add(
      lines.get(`cards[${limit}]#id`) ?? lines.get(`cards[${limit}]`),
      tooManyCards("deck", cards.length, limit, "the deck"),
      `cards[${limit}]`,
    );
    return problems.result("json");
  }

  const r = validateDeck(deck);
  if (!r.ok) {
    const dupOf = (m: string) => /^card id "(.*)" is also used by cards\[(\d+)\]$/.exec(m.length > 200 ? "" : m);
    const lines = linesOf(text, [...r.problems.map((p) => p.where), ...r.problems.flatMap((p) => (dupOf(p.message) ? [`cards[${dupOf(p.message)![2]}]`] : []))]);
    for (const p of r.problems) {
      let message = explain(p.message);
      const dup = message.match(/^card id "(.*)" is also used by cards\[(\d+)\]$/);
      if (dup) {
        const other = lines.get(`cards[${dup[2]}]#id`);
        message = `duplicate id: card id "${dup[1]}" is also used by cards[${dup[2]}]${other ? ` on line ${other}` : ""} — give each card its own id`;
      }
      problems.add(lineOfWhere(p.where, lines), message, p.where);
    }
    // validateDeck lists at most 50 schema issues: count them all.
    if (r.problems.length >= 50) {
      const all = v.safeParse(DeckSchema, deck, { abortPipeEarly: false });
      problems.addUnlisted((all.issues?.length ?? 0) - r.problems.length);
    }
    return problems.result("json");
  }

  const seen = new Map<string, number>();
  const same: [number, number][] = [];
  r.deck.cards.forEach((c, i) => {
    const key = normalizeFront(c.front);
    const prev = seen.get(key);
    if (prev === undefined) seen.set(key, i);
    else same.push([prev, i]);
  });
  if (same.length) {
    const lines = linesOf(text, same.slice(0, MAX_LISTED_PROBLEMS).flatMap(([a, b]) => [`cards[${a}]`, `cards[${b}]`]));
    for (const [prev, i] of same) {
      const a = lines.get(`cards[${prev}]#id`);
      const b = lines.get(`cards[${i}]#id`);
      warnings.push(`cards[${prev}] and cards[${i}]${a && b ? ` (lines ${a} and ${b})` : ""} have the same front ${excerpt(r.deck.cards[i]!.front)} — check they are not duplicates`);
    }
  }
  const reviewOnly = r.deck.cards.filter((c) => !c.distractors).length;
  if (reviewOnly) warnings.push(reviewOnlyWarning(reviewOnly, r.deck.cards.length));
  return { ok: true, format: "json", deck: r.deck, warnings };
}
