/** Shared types of the upload parsers (re-exported by ./index). */
import type { Deck } from "../schema";

export type UploadFormat = "json" | "csv" | "tsv" | "anki" | "quizlet";

/** One thing wrong with an upload: `message` says what is wrong and how to fix it. */
export interface UploadProblem {
  /** 1-based physical line of the file (the first line of a multi-line row). */
  line?: number;
  /** Where inside the file when a line is not enough (e.g. `cards[12].back`, `row 3`). */
  where?: string;
  message: string;
}

export type UploadResult =
  | { ok: true; format: UploadFormat; deck: Deck; warnings: string[] }
  | {
      ok: false;
      format?: UploadFormat;
      /** At most MAX_LISTED_PROBLEMS, in file order. */
      problems: UploadProblem[];
      /** How many problems were found in all (may exceed `problems.length`). */
      totalProblems: number;
    };

export interface UploadOptions {
  deckId?: string;
  title?: string;
  description?: string;
  /** Most cards this upload may hold (default and ceiling: UPLOAD_LIMITS.cards). */
  maxCards?: number;
}

/**
 * Longest field (a front, back, quote, tag list…) any pattern or HTML scan is run on. Longer
 * fields are reported with their length and never scanned: no card field may exceed 1,500
 * characters, and HTML markup around a field is rarely more than a few times its text.
 */
export const MAX_FIELD_CHARS = 10_000;

export const UPLOAD_LIMITS = { bytes: 1024 * 1024, cards: 5000 } as const;
/** Problems listed in a result; the rest are only counted. */
export const MAX_LISTED_PROBLEMS = 50;

export const FORMAT_LABEL: Record<UploadFormat, string> = {
  json: "JSON",
  csv: "CSV",
  tsv: "TSV",
  anki: "Anki",
  quizlet: "Quizlet",
};
