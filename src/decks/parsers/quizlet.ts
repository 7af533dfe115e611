/**
 * Quizlet exports: no header; term and definition separated by a tab or a comma; rows separated by
 * line breaks, or by `;` (then the whole export is one line).
 */
import { buildDeck, cardLimit, refuseTooManyRows, type Names, type RowCard } from "./cards";
import { parseDelimited, type Row } from "./delimited";
import { Problems } from "./problems";
import type { UploadOptions, UploadResult } from "./types";
import { plural } from "./text";

export const NOT_A_DECK =
  "no recognisable rows: this does not look like a deck — send a JSON deck, a CSV/TSV whose first row is a header such as front,back, an Anki \"Notes in Plain Text\" export, or a Quizlet export (term<TAB>definition, one per line)";

export function parseQuizlet(text: string, fileName: string, opts: UploadOptions): UploadResult {
  const problems = new Problems();
  const warnings: string[] = [];
  const sep = text.includes("\t") ? "\t" : ",";
  const sepName = sep === "\t" ? "tab" : "comma";
  const lines = text.split("\n");
  const nonBlank = lines.filter((l) => l.trim() !== "");

  let rows: Array<Row & { where?: string }>;
  let rowName = "line";
  let truncated = false;
  if (nonBlank.length === 1 && nonBlank[0]!.includes(";")) {
    // One line, rows separated by ";" (Quizlet's "semicolon between rows"; Quizlet never quotes).
    const lineNo = lines.findIndex((l) => l.trim() !== "") + 1;
    // Without quoting, a row is a plain split (one parser call per row would cost far more).
    rows = nonBlank[0]!
      .split(";")
      .map((chunk, i) => ({ chunk, i }))
      .filter(({ chunk }) => chunk.trim() !== "")
      .map(({ chunk, i }) => ({
        fields: chunk.split(sep),
        line: lineNo,
        lastLine: lineNo,
        where: `row ${i + 1}`,
      }));
    rowName = "row";
  } else {
    // Lines that all end in ";" are rows separated by ";" plus a line break.
    const body = nonBlank.every((l) => l.trimEnd().endsWith(";")) ? lines.map((l) => l.trimEnd().replace(/;$/, "")).join("\n") : text;
    const maxRows = cardLimit(opts) + 1;
    let parsed = parseDelimited(body, sep, { maxRows });
    if (parsed.quoteErrors.length) {
      parsed = parseDelimited(body, sep, { quotes: false, maxRows });
      warnings.push('quotes (") are kept as typed, because they do not form quoted fields');
    }
    rows = parsed.rows;
    truncated = !!parsed.truncated;
  }

  const withSep = rows.filter((r) => r.fields.length >= 2).length;
  if (withSep * 2 < rows.length) {
    problems.add(undefined, NOT_A_DECK);
    return problems.result("quizlet");
  }

  const names: Names = { front: "term", back: "definition", row: rowName };
  const tooMany = refuseTooManyRows(rows, truncated, { format: "quizlet", fileName, opts, problems, warnings, names });
  if (tooMany) return tooMany;
  const joined: string[] = [];
  const cards: RowCard[] = [];
  for (const row of rows) {
    const add = (message: string) => problems.add(row.line, message, row.where);
    if (row.fields.length < 2) {
      add(`no ${sepName} between term and definition — write the term, a ${sepName}, then the definition, or delete the ${rowName}`);
      continue;
    }
    let definition = row.fields[1]!;
    if (row.fields.length > 2) {
      if (sep === "\t") {
        add(`this ${rowName} has ${row.fields.length} tab-separated fields but a Quizlet export has two (term<TAB>definition) — remove the extra tabs`);
        continue;
      }
      definition = row.fields.slice(1).join(",");
      joined.push(row.where ?? `line ${row.line}`);
    }
    const card: RowCard = { line: row.line, front: row.fields[0]!.trim(), back: definition.trim() };
    if (row.where) card.where = row.where;
    cards.push(card);
  }
  if (joined.length) {
    const list = joined.slice(0, 5).join(", ") + (joined.length > 5 ? ", …" : "");
    warnings.push(`${plural(joined.length, rowName)} (${list}) ${joined.length === 1 ? "has" : "have"} more than one comma: everything after the first comma was taken as the definition — check those cards`);
  }
  return buildDeck(cards, { format: "quizlet", fileName, opts, problems, warnings, names });
}
