/**
 * Anki "Notes in Plain Text" exports: `#key:value` header lines, then one note per row. The first
 * field after the special (guid/notetype/deck/tags) columns is the front, the next the back.
 */
import { clozeSpans } from "../cloze";
import { hasCloze } from "../schema";
import { buildDeck, cardLimit, refuseTooManyRows, type Names, type RowCard } from "./cards";
import { keepRowsBeforeQuoteErrors } from "./csv";
import { DELIMITER_NAME, parseDelimited } from "./delimited";
import { htmlToText } from "./html";
import { Problems } from "./problems";
import { MAX_FIELD_CHARS, type UploadOptions, type UploadResult } from "./types";
import { excerpt, plural, shortHash, slugify } from "./text";

const NAMES: Names = { front: "front", back: "back", row: "note" };
const HEADER = /^#([a-z ]+):(.*)$/i;
const KNOWN_KEYS = new Set(["separator", "html", "tags", "columns", "notetype", "deck", "guid column", "notetype column", "deck column", "tags column", "if matches"]);
const SEPARATORS: Record<string, string> = { tab: "\t", comma: ",", semicolon: ";", space: " ", pipe: "|", colon: ":" };

/** Header lines are short: a longer line is never run through the pattern (it is a note). */
const MAX_HEADER_LINE = 2000;

function headerMatch(line: string): RegExpMatchArray | null {
  return line.length <= MAX_HEADER_LINE && line.startsWith("#") ? line.match(HEADER) : null;
}

/** True when the first non-blank line is an Anki header line such as `#separator:tab`. */
export function looksLikeAnki(text: string): boolean {
  // The first non-blank line, found without splitting the whole file.
  let first = "";
  for (let at = 0; at < text.length; ) {
    const end = text.indexOf("\n", at);
    const line = text.slice(at, end === -1 ? text.length : end);
    if (line.trim() !== "") {
      first = line;
      break;
    }
    if (end === -1) break;
    at = end + 1;
  }
  const m = headerMatch(first);
  return !!m && KNOWN_KEYS.has(m[1]!.trim().toLowerCase());
}

/** A stable card id from an Anki guid (guids are case-sensitive, so a hash keeps them apart). */
export function guidId(guid: string): string {
  const slug = slugify(guid, 40);
  return slug === guid ? `g-${slug}` : `g-${slug ? `${slug}-` : ""}${shortHash(guid)}`;
}

export function parseAnki(text: string, fileName: string, opts: UploadOptions): UploadResult {
  const problems = new Problems();
  const warnings: string[] = [];
  const lines = text.split("\n");

  let separator: string | undefined;
  let html = false;
  let columnsRaw: string | undefined;
  let globalTags: string[] = [];
  const special = new Map<string, number>(); // "guid" | "notetype" | "deck" | "tags" → 0-based column
  let headerEnd = 0;
  for (; headerEnd < lines.length; headerEnd++) {
    const line = lines[headerEnd]!;
    if (line.trim() === "") continue;
    const m = headerMatch(line);
    if (!m) break;
    const lineNo = headerEnd + 1;
    const key = m[1]!.trim().toLowerCase();
    const raw = m[2]!;
    const value = raw.trim();
    if (key === "separator") {
      if (raw.length === 1) separator = raw;
      else if (SEPARATORS[value.toLowerCase()]) separator = SEPARATORS[value.toLowerCase()];
      else if (value.length === 1) separator = value;
      else problems.add(lineNo, `unknown separator ${excerpt(value)} in "${line.trim()}" — use tab, comma, semicolon, space, pipe, colon or a single character (e.g. #separator:tab)`);
    } else if (key === "html") {
      if (/^(true|false)$/i.test(value)) html = value.toLowerCase() === "true";
      else problems.add(lineNo, `"${line.trim()}": #html must be true or false — write #html:true if the fields contain HTML, else #html:false`);
    } else if (key.endsWith(" column")) {
      const n = Number(value);
      const what = key.slice(0, -" column".length);
      if (!/^\d+$/.test(value) || n < 1) {
        problems.add(lineNo, `"${line.trim()}": the column number must be a whole number from 1 — e.g. #${what} column:1`);
      } else {
        const clash = [...special.entries()].find(([, c]) => c === n - 1);
        if (clash) problems.add(lineNo, `"${line.trim()}": column ${n} is already the ${clash[0]} column — give each special column its own number`);
        special.set(what, n - 1);
      }
    } else if (key === "tags") {
      globalTags = value.split(/\s+/).filter((t) => t !== "");
    } else if (key === "columns") {
      columnsRaw = raw; // split once the separator is known
    } else if (!KNOWN_KEYS.has(key)) {
      warnings.push(`line ${lineNo}: unknown header "#${m[1]}" ignored`);
    }
  }
  if (problems.count) return problems.result("anki");

  const body = lines.map((l, i) => (i < headerEnd ? "" : l)).join("\n");
  if (separator === undefined) separator = body.includes("\t") ? "\t" : body.includes(";") && !body.includes(",") ? ";" : ",";
  const sepName = DELIMITER_NAME[separator] ?? `"${separator}"`;
  const names = columnsRaw?.split(separator).map((s) => s.trim());

  const parsed = parseDelimited(body, separator, { maxRows: cardLimit(opts) + 1 });
  const rows = keepRowsBeforeQuoteErrors(parsed, separator, problems);
  const tooMany = refuseTooManyRows(rows, !!parsed.truncated, { format: "anki", fileName, opts, problems, warnings, names: NAMES });
  if (tooMany) return tooMany;
  const specialCols = new Set(special.values());
  const decks = new Set<string>();
  let mediaCount = 0;
  let mediaNotes = 0;
  let extraNotes = 0;
  const extraCols = new Set<number>();
  const cards: RowCard[] = [];

  for (const row of rows) {
    const fieldCols = row.fields.map((_, i) => i).filter((i) => !specialCols.has(i));
    const get = (i: number | undefined) => (i === undefined ? "" : (row.fields[i] ?? ""));
    const frontCol = fieldCols[0];
    const backCol = fieldCols[1];
    let media = 0;
    const clean = (s: string) => {
      // An over-long field is kept as is: the length check reports it, no scan runs over it.
      if (!html || s.length > MAX_FIELD_CHARS) return s.trim();
      const r = htmlToText(s);
      media += r.media;
      return r.text;
    };
    let front = clean(get(frontCol));
    let back = clean(get(backCol));
    if (media) {
      mediaCount += media;
      mediaNotes++;
    }
    if (backCol === undefined && !hasCloze(front)) {
      problems.add(
        row.line,
        `the back is missing: this note has only ${plural(fieldCols.length, "field")} besides the special columns — separate the front and the back with a ${sepName} (the file says #separator:${DELIMITER_NAME[separator] ?? separator})`,
      );
      continue;
    }
    const extras = fieldCols.slice(2).filter((i) => get(i).trim() !== "");
    if (extras.length) {
      extraNotes++;
      for (const i of extras) extraCols.add(i);
    }
    if (hasCloze(front) && !back) {
      back = clozeSpans(front, true).map((m) => m.answer.trim()).filter((s) => s !== "").join("; ");
      if (!back) {
        problems.add(row.line, "the front has a malformed cloze deletion (no complete {{c1::…}} with text in it) — write {{c1::answer}} or {{c1::answer::hint}}");
        continue;
      }
    }
    front = front.trim();
    const card: RowCard = { line: row.line, front, back };
    if (html) card.emptyNote = media ? "after removing HTML and media (Lectern shows text only)" : "after removing HTML";
    const guid = get(special.get("guid")).trim();
    if (guid) {
      card.id = guidId(guid);
      card.idLabel = `the guid ${excerpt(guid)}`;
    }
    const tags = [...new Set([...globalTags, ...get(special.get("tags")).split(/\s+/).filter((t) => t !== "")])];
    if (tags.length) card.tags = tags;
    const deck = get(special.get("deck")).trim();
    if (deck) decks.add(deck);
    cards.push(card);
  }

  if (!cards.length && !problems.count) {
    problems.add(undefined, `the Anki export has header lines but no notes — export again with File › Export › "Notes in Plain Text" and make sure notes are selected`);
  }
  if (mediaCount) {
    warnings.push(`removed ${plural(mediaCount, "image or sound reference", "image and sound references")} from ${plural(mediaNotes, "note")} — Lectern shows text only`);
  }
  if (extraNotes) {
    const cols = [...extraCols].sort((a, b) => a - b).map((i) => (names?.[i] ? `"${names[i]}" (column ${i + 1})` : `column ${i + 1}`));
    warnings.push(`fields after the back are ignored on ${plural(extraNotes, "note")}: ${cols.join(", ")}`);
  }
  if (decks.size > 1) {
    const list = [...decks].slice(0, 5).map((d) => `"${d}"`).join(", ");
    warnings.push(`the notes come from ${decks.size} Anki decks (${list}${decks.size > 5 ? ", …" : ""}) — they are all put into this one deck`);
  }
  return buildDeck(cards, { format: "anki", fileName, opts, problems, warnings, names: NAMES });
}
