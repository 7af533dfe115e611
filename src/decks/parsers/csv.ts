/**
 * CSV / TSV with a header row: front, back (required); distractor, distractor1..N (repeatable) or
 * distractors (`|` between); tags (space or comma separated); id; quote; source.
 */
import { buildDeck, cardLimit, refuseTooManyRows, type Names, type RowCard } from "./cards";
import { DELIMITER_NAME, firstRow, parseDelimited, type Delimited, type QuoteError } from "./delimited";
import { Problems } from "./problems";
import type { UploadOptions, UploadResult } from "./types";
import { excerpt, plural } from "./text";

const NAMES: Names = { front: "front", back: "back", row: "row" };
const KNOWN = "front, back, distractor1…distractorN or distractors (with | between), tags, id, quote";

type Role = "front" | "back" | "distractor" | "distractors" | "tags" | "id" | "quote" | "source";

/** The role of a header cell, or undefined for an unknown column. */
export function columnRole(cell: string): Role | undefined {
  if (cell.length > 100) return undefined; // no column name is that long: no pattern needed
  const c = cell.replace(/^\uFEFF/, "").trim().toLowerCase();
  if (c === "front" || c === "back" || c === "distractors" || c === "id" || c === "quote" || c === "source") return c;
  if (c === "tags" || c === "tag") return "tags";
  if (/^distractor[\s_-]*\d*$/.test(c)) return "distractor";
  return undefined;
}

/** The delimiter whose first row names both a front and a back column, if any. */
export function headerDelimiter(text: string): string | undefined {
  for (const d of ["\t", ",", ";"]) {
    const roles = firstRow(text, d).map(columnRole);
    if (roles.includes("front") && roles.includes("back")) return d;
  }
  return undefined;
}

/** Best guess at the delimiter of a header line that does not name front and back. */
export function guessDelimiter(text: string, ext: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  if (ext === "tsv" || line.includes("\t")) return "\t";
  return (line.match(/;/g) ?? []).length > (line.match(/,/g) ?? []).length ? ";" : ",";
}

export function quoteProblem(q: QuoteError, delimiter: string): string {
  const d = DELIMITER_NAME[delimiter] ?? `"${delimiter}"`;
  return q.kind === "unclosed"
    ? `a quoted text opened here is never closed, so the rest of the file would be read as one text — add the closing quote ("), and write a quote inside a quoted text as two quotes ("")`
    : `text after a closing quote: a field that starts with a quote (") must end with a quote right before the next ${d} — write a quote inside a quoted text as two quotes (""), e.g. "He said ""hi"""`;
}

/** Reports quote errors; returns the rows that come before the first broken one. */
export function keepRowsBeforeQuoteErrors(parsed: Delimited, delimiter: string, problems: Problems): Delimited["rows"] {
  if (!parsed.quoteErrors.length) return parsed.rows;
  for (const q of parsed.quoteErrors) problems.add(q.line, quoteProblem(q, delimiter));
  const firstBad = Math.min(...parsed.quoteErrors.map((q) => q.line));
  return parsed.rows.filter((r) => r.lastLine < firstBad);
}

export function parseCsv(text: string, delimiter: string, fileName: string, opts: UploadOptions): UploadResult {
  const format = delimiter === "\t" ? "tsv" : "csv";
  const problems = new Problems();
  const warnings: string[] = [];
  const dName = DELIMITER_NAME[delimiter] ?? delimiter;
  // The header, the cards allowed, and one more row to know the file has too many.
  const parsed = parseDelimited(text, delimiter, { maxRows: cardLimit(opts) + 2 });
  const [header, ...body] = parsed.rows;
  if (!header) {
    problems.add(undefined, `the file is empty — send a ${format.toUpperCase()} whose first row is a header such as front${delimiter}back`);
    return problems.result(format);
  }

  const roles = header.fields.map(columnRole);
  const col = (role: Role) => roles.flatMap((r, i) => (r === role ? [i] : []));
  const found = header.fields.map((f) => excerpt(f, 30)).join(", ");
  const hasFront = col("front").length > 0;
  const hasBack = col("back").length > 0;
  if (!hasFront || !hasBack) {
    const missing = !hasFront && !hasBack ? `no "front" and "back" columns` : `no "${hasFront ? "back" : "front"}" column`;
    problems.add(
      header.line,
      `the header row has ${missing} (found: ${found}) — the first row must name the columns, e.g. front${delimiter}back${delimiter}distractor1${delimiter}distractor2${delimiter}distractor3${delimiter}tags (known columns: ${KNOWN})`,
    );
    return problems.result(format);
  }
  for (const role of ["front", "back", "id", "quote", "tags", "distractors", "source"] as const) {
    const cols = col(role);
    if (cols.length > 1) problems.add(header.line, `the header row has ${cols.length} "${role}" columns (columns ${cols.map((i) => i + 1).join(" and ")}) — keep one and rename or delete the others`);
  }
  const ignored = header.fields.flatMap((f, i) => (roles[i] === undefined && f.trim() !== "" ? [excerpt(f, 30)] : []));
  if (ignored.length) {
    warnings.push(`${ignored.length === 1 ? "the column" : "the columns"} ${ignored.join(", ")} ${ignored.length === 1 ? "is" : "are"} ignored — Lectern reads the columns ${KNOWN}`);
  }
  if (problems.count) return problems.result(format);

  const rows = keepRowsBeforeQuoteErrors({ rows: body, quoteErrors: parsed.quoteErrors }, delimiter, problems);
  const tooMany = refuseTooManyRows(rows, !!parsed.truncated, { format, fileName, opts, problems, warnings, names: NAMES });
  if (tooMany) return tooMany;
  const [front] = col("front");
  const [back] = col("back");
  const [idCol] = col("id");
  const [quoteCol] = col("quote");
  const [tagsCol] = col("tags");
  const [listCol] = col("distractors");
  const [sourceCol] = col("source");
  const single = col("distractor");
  const width = header.fields.length;
  let sources = 0;

  const cards: RowCard[] = [];
  for (const row of rows) {
    const fields = row.fields;
    const f = (i: number | undefined) => (i === undefined ? "" : (fields[i] ?? "").trim());
    let extra = 0;
    for (let i = width; i < fields.length; i++) if (fields[i]!.trim() !== "") extra++;
    if (extra > 0) {
      const hint = delimiter === "\t" ? "remove the stray tab" : `a ${dName} inside a text must be quoted ("like${delimiter} this")`;
      problems.add(row.line, `this row has ${fields.length} fields but the header has ${width} columns — ${hint}, or add a column name to the header`);
      continue;
    }
    if (fields.length <= back!) {
      problems.add(
        row.line,
        `the back is missing: this row has only ${plural(fields.length, "field")} but the header has ${width} columns — separate the front and the back with a ${dName}${delimiter === "\t" ? "" : ` (and quote texts that contain a ${dName})`}`,
      );
      continue;
    }
    const distractors: string[] = [];
    for (const i of single) {
      const d = f(i);
      if (d !== "") distractors.push(d);
    }
    if (listCol !== undefined) {
      for (const part of f(listCol).split("|")) {
        const d = part.trim();
        if (d !== "") distractors.push(d);
      }
    }
    const card: RowCard = { line: row.line, front: f(front), back: f(back) };
    if (distractors.length) card.distractors = distractors;
    const tagText = f(tagsCol);
    if (tagText !== "") {
      const tags = new Set<string>();
      for (const t of tagText.split(/[\s,]+/)) if (t !== "") tags.add(t);
      if (tags.size) card.tags = [...tags];
    }
    const id = f(idCol);
    if (id) card.id = id;
    const quote = f(quoteCol);
    if (quote) card.quote = quote;
    if (f(sourceCol)) sources++;
    cards.push(card);
  }
  if (!cards.length && !problems.count) {
    problems.add(header.line, `the file has a header row but no cards — add one card per row below the header (front${delimiter}back)`);
  }
  if (sources) {
    warnings.push(`the source column is ignored (${plural(sources, "row")}): an uploaded ${format.toUpperCase()} cannot define sources — to cite sources, upload a JSON deck with a "sources" list`);
  }
  return buildDeck(cards, { format, fileName, opts, problems, warnings, names: NAMES });
}
