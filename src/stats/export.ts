/**
 * /export's files, built in memory. Pure.
 *
 * progressCsv: one row per card the learner has graded — deck, card, front, repetition (SM-2 n),
 * interval (days), easiness (2 decimals), due date, lapses, last review (ISO dates, the learner's
 * local days). RFC 4180 quoting; a UTF-8 byte-order mark so spreadsheets read it as UTF-8; a text
 * cell starting with = + - @ gets a leading ' so a spreadsheet does not run it as a formula.
 *
 * ankiTsv: a deck's cards as Anki "Notes in Plain Text" (File → Import): header lines, then
 * Front, Back, Tags per line. Tabs and line breaks in fields become spaces (#html:false keeps
 * the text literal); a field with a double quote, or starting with #, is quoted.
 */
import { W, type DeckProgress } from "../srs/progress";
import { F } from "../srs/card-state";
import { dayToIso } from "../srs/days";
import type { LoadedDeck } from "../decks/registry";
import type { Card } from "../decks/schema";
import { allCards, cardFront } from "../store/decks";

export const CSV_COLUMNS = ["deck", "card", "front", "repetition", "interval_days", "easiness", "due_date", "lapses", "last_review"] as const;

/** Anything a cell must be changed for: a formula's first character, a quote, a comma, a line break. */
const CELL_SPECIAL = /^[=+\-@\t\r]|[",\n\r]/;

export function csvCell(value: string | number): string {
  if (typeof value === "number") return String(value);
  if (!CELL_SPECIAL.test(value)) return value; // most cells: one test, no copy
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface ProgressExport {
  csv: string;
  rows: number;
  decks: number;
}

/**
 * The learner's progress as CSV: one row per graded card of each deck's progress shard, in deck
 * order; malformed stored states are skipped.
 */
export function progressCsv(decks: Iterable<{ deck: LoadedDeck; progress: DeckProgress }>): ProgressExport {
  // One string grown row by row (V8 joins the pieces once, when the text is encoded): cheaper than
  // an array of 5,000 rows joined at the end.
  let csv = `\uFEFF${CSV_COLUMNS.join(",")}\n`;
  // Many cards share their dates: each day is formatted once.
  const isoOf = new Map<number, string>();
  const iso = (day: number) => {
    let s = isoOf.get(day);
    if (s === undefined) isoOf.set(day, (s = dayToIso(day)));
    return s;
  };
  const efOf = new Map<number, string>();
  let rows = 0, deckCount = 0;
  for (const { deck, progress } of decks) {
    const deckCell = csvCell(deck.deck.id);
    const r = progress.rows;
    let any = false;
    for (let i = 0; i < deck.cardIds.length; i++) {
      const o = i * W;
      if (!progress.valid(i)) continue; // new, or a malformed row
      const ef = r[o + F.ef]!, last = r[o + F.last]!;
      let efText = efOf.get(ef);
      if (efText === undefined) efOf.set(ef, (efText = (ef / 100).toFixed(2)));
      // Numbers and ISO dates never need quoting; the card's id and front may.
      csv += `${deckCell},${csvCell(deck.cardIds[i]!)},${csvCell(cardFront(deck, i))},${r[o]},${r[o + F.i]},${efText},${iso(r[o + F.due]!)},${r[o + F.lapses]},${last >= 0 ? iso(last) : ""}\n`;
      rows++;
      any = true;
    }
    if (any) deckCount++;
  }
  return { csv, rows, decks: deckCount };
}

/** A field of Anki's tab-separated text: one line, no tabs; quoted when it could be misread. */
/** What a field must be changed for: a tab, a line break or a quote, or space or `#` at an end. */
const FIELD_SPECIAL = /[\t\r\n"]|^[\s#]|\s$/;

export function tsvField(text: string): string {
  if (!FIELD_SPECIAL.test(text)) return text; // most fields: one test, no copy
  const s = text.replace(/[\t\r\n]+/g, " ").trim();
  return /"/.test(s) || s.startsWith("#") ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Anki tags are separated by spaces: a tag's own spaces become underscores. */
function tags(card: Card): string {
  return (card.tags ?? []).map((t) => t.trim().replace(/\s+/g, "_")).filter(Boolean).join(" ");
}

export const ANKI_HEADER = ["#separator:tab", "#html:false", "#columns:Front\tBack\tTags", "#tags column:3"] as const;

export function ankiTsv(deck: LoadedDeck): string {
  let tsv = `${ANKI_HEADER.join("\n")}\n`;
  for (const card of allCards(deck)) tsv += `${tsvField(card.front)}\t${tsvField(card.back)}\t${card.tags?.length ? tsvField(tags(card)) : ""}\n`;
  return tsv;
}

/** A file name from a deck id (already [a-z0-9-]). */
export function ankiFileName(deckId: string): string {
  return `lectern-${deckId}-anki.txt`;
}
