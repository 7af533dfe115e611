/** Quote-aware splitting of delimited text with papaparse, keeping physical line numbers. */
import Papa from "papaparse";
import { LineIndex } from "./text";

export interface Row {
  fields: string[];
  /** Physical line the row starts on (1-based). */
  line: number;
  /** Physical line the row ends on (differs from `line` when a quoted field holds line breaks). */
  lastLine: number;
}

export interface QuoteError {
  line: number;
  kind: "unclosed" | "malformed";
}

export interface Delimited {
  rows: Row[];
  quoteErrors: QuoteError[];
  /** True when parsing stopped at `maxRows` with more text after it. */
  truncated?: boolean;
}

/**
 * Parses `text` (newlines already normalised to `\n`) with the given delimiter. Blank rows are
 * dropped. With `quotes: false` a `"` is an ordinary character (for exports that never quote).
 */
export function parseDelimited(text: string, delimiter: string, options: { quotes?: boolean; maxRows?: number } = {}): Delimited {
  const index = new LineIndex(text);
  const rows: Row[] = [];
  const quoteErrors: QuoteError[] = [];
  const maxRows = options.maxRows ?? Infinity;
  let truncated = false;
  let start = 0;
  Papa.parse<string[]>(text, {
    delimiter,
    newline: "\n",
    // NUL never occurs in decoded uploads (they are rejected as binary), so it disables quoting.
    quoteChar: options.quotes === false ? "\u0000" : '"',
    escapeChar: options.quotes === false ? "\u0000" : '"',
    skipEmptyLines: false,
    header: false,
    dynamicTyping: false,
    step: (result, parser) => {
      if (rows.length >= maxRows) {
        // Enough rows to refuse the file: the rest is not parsed (it would only cost time).
        if (result.data.some((f) => f.trim() !== "")) truncated = true;
        parser.abort();
        return;
      }
      const end = result.meta.cursor;
      const fields = result.data;
      const line = index.lineAt(start);
      const lastLine = index.lineAt(Math.max(start, end - 1));
      for (const e of result.errors) {
        if (e.type !== "Quotes") continue;
        const at = e.index === undefined ? line : index.lineAt(Math.max(0, e.index - 1));
        const kind = e.code === "MissingQuotes" ? "unclosed" : "malformed";
        // papaparse reports a malformed quote and then the same field as unterminated: keep one.
        if (!quoteErrors.some((q) => q.line === at)) quoteErrors.push({ line: at, kind });
      }
      if (fields.some((f) => f.trim() !== "")) rows.push({ fields, line, lastLine });
      start = end;
    },
  });
  return truncated ? { rows, quoteErrors, truncated } : { rows, quoteErrors };
}

/** The first row only (for sniffing a header line). */
export function firstRow(text: string, delimiter: string): string[] {
  const r = Papa.parse<string[]>(text, { delimiter, newline: "\n", quoteChar: '"', preview: 1, skipEmptyLines: true });
  return r.data[0] ?? [];
}

export const DELIMITER_NAME: Record<string, string> = { "\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe", " ": "space", ":": "colon" };
