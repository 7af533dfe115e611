/**
 * Bytes → text: BOMs, UTF-16, strict UTF-8, and the "this is not a text file at all" cases.
 * Uses only TextDecoder (Workers and Node), never Buffer.
 */
import type { UploadProblem } from "./types";
import { extension } from "./text";

export type Decoded = { ok: true; text: string } | { ok: false; problem: UploadProblem };

const SAVE_AS_UTF8 = 'save it again as UTF-8 (Excel: "CSV UTF-8"; LibreOffice: character set "Unicode (UTF-8)"; Notepad: encoding "UTF-8")';

export function decodeUpload(bytes: Uint8Array, fileName: string): Decoded {
  const ext = extension(fileName);
  const b0 = bytes[0];
  const b1 = bytes[1];
  const b2 = bytes[2];

  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return decodeUtf8(bytes, 3);
  if (b0 === 0xff && b1 === 0xfe) return decodeUtf16(bytes, true);
  if (b0 === 0xfe && b1 === 0xff) return decodeUtf16(bytes, false);

  const kind = binaryKind(bytes, ext);
  if (kind) return { ok: false, problem: { message: kind } };

  if (bytes.includes(0)) {
    return {
      ok: false,
      problem: {
        message: looksLikeUtf16(bytes)
          ? `the file looks like UTF-16 text without a byte-order mark, which cannot be read reliably — ${SAVE_AS_UTF8}`
          : "the file contains NUL bytes: it is a binary file, not a text deck — send a JSON deck, a CSV/TSV with a front,back header, an Anki \"Notes in Plain Text\" export or a Quizlet export",
      },
    };
  }
  return decodeUtf8(bytes, 0);
}

function decodeUtf8(bytes: Uint8Array, start: number): Decoded {
  const body = bytes.subarray(start);
  try {
    // ignoreBOM: the BOM (if any) was already skipped; a second one is kept as text.
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body) };
  } catch {
    const at = firstInvalidUtf8(body);
    const problem: UploadProblem = {
      message:
        `the file is not valid UTF-8` +
        (at >= 0 ? ` (byte 0x${body[at]!.toString(16).toUpperCase().padStart(2, "0")} at position ${start + at + 1})` : "") +
        ` — it was probably saved as Windows-1252/Latin-1 ("ANSI"); ${SAVE_AS_UTF8}`,
    };
    if (at >= 0) problem.line = byteLine(body, at);
    return { ok: false, problem };
  }
}

/** UTF-16 by hand (the BOM says which byte order), so no runtime encoding support is needed. */
function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): Decoded {
  const n = bytes.length - 2;
  if (n % 2 !== 0) {
    return { ok: false, problem: { message: `the file starts with a UTF-16 byte-order mark but has an odd number of bytes, so it is cut off or not UTF-16 — ${SAVE_AS_UTF8}` } };
  }
  const units = new Array<number>(n / 2);
  for (let i = 0; i < n / 2; i++) {
    const a = bytes[2 + 2 * i]!;
    const b = bytes[3 + 2 * i]!;
    units[i] = littleEndian ? a | (b << 8) : (a << 8) | b;
  }
  let line = 1;
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    if (u === 10) line++;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[i + 1];
      if (next !== undefined && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (u >= 0xd800 && u <= 0xdfff) {
      return { ok: false, problem: { line, message: `the file is not valid UTF-16 (a broken surrogate pair) — ${SAVE_AS_UTF8}` } };
    }
    if (u === 0) {
      return { ok: false, problem: { line, message: "the file contains NUL characters: it is a binary file, not a text deck — send a JSON, CSV/TSV, Anki or Quizlet text export" } };
    }
  }
  let text = "";
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
  return { ok: true, text };
}

/** A specific message for well-known binary formats people send by mistake. */
function binaryKind(b: Uint8Array, ext: string): string | undefined {
  const starts = (...sig: number[]) => sig.every((x, i) => b[i] === x);
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) {
    if (ext === "apkg" || ext === "colpkg") {
      return 'this is an Anki package (.apkg), which Lectern cannot read — in Anki use File › Export, choose "Notes in Plain Text (.txt)", tick "Include unique identifier", and send that .txt file';
    }
    if (ext === "xlsx" || ext === "xlsm" || ext === "ods" || ext === "numbers") {
      return 'this is a spreadsheet workbook, not a text file — save it as CSV (Excel: File › Save As › "CSV UTF-8 (Comma delimited)") with a header row front,back and send the .csv';
    }
    if (ext === "docx" || ext === "odt" || ext === "pptx") {
      return "this is a word-processor or slide document, not a deck — put the cards into a CSV with a front,back header (or a JSON deck) and send that";
    }
    return "this is a ZIP archive, not a deck — unpack it and send the deck file itself (JSON, CSV/TSV, Anki or Quizlet text export)";
  }
  if (starts(0x25, 0x50, 0x44, 0x46)) return "this is a PDF document, not a deck — put the cards into a CSV with a front,back header (or a JSON deck) and send that";
  if (starts(0xd0, 0xcf, 0x11, 0xe0)) {
    return 'this is an old Office file (.xls/.doc), not a text file — save it as CSV (Excel: File › Save As › "CSV UTF-8") with a header row front,back and send the .csv';
  }
  if (starts(0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66)) {
    return 'this is a database file (an Anki collection?), not a deck — in Anki use File › Export › "Notes in Plain Text (.txt)" and send that .txt file';
  }
  if (starts(0x89, 0x50, 0x4e, 0x47) || starts(0xff, 0xd8, 0xff) || starts(0x47, 0x49, 0x46, 0x38)) {
    return "this is an image, not a deck — send the cards as text (JSON, CSV/TSV with a front,back header, Anki or Quizlet text export)";
  }
  if (starts(0x1f, 0x8b)) return "this is a gzip-compressed file, not a deck — unpack it and send the deck file itself";
  return undefined;
}

/** NUL bytes mostly at odd (LE) or even (BE) positions of the first 4 KiB: UTF-16 text. */
function looksLikeUtf16(b: Uint8Array): boolean {
  const n = Math.min(b.length, 4096) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) even++;
    if (b[i + 1] === 0) odd++;
  }
  const half = n / 2;
  return (odd > half * 0.6 && even < half * 0.1) || (even > half * 0.6 && odd < half * 0.1);
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629, no overlongs or surrogates); -1 if none. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) n = 2;
    else if (c >= 0xf0 && c <= 0xf4) n = 3;
    else return i;
    if (i + n >= b.length) return i;
    let lo = 0x80;
    let hi = 0xbf;
    if (c === 0xe0) lo = 0xa0;
    else if (c === 0xed) hi = 0x9f;
    else if (c === 0xf0) lo = 0x90;
    else if (c === 0xf4) hi = 0x8f;
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= n; k++) {
      const ck = b[i + k]!;
      if (ck < 0x80 || ck > 0xbf) return i;
    }
    i += n + 1;
  }
  return -1;
}

/** 1-based line of a byte offset (LF, CRLF and lone CR all end a line). */
function byteLine(b: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) line++;
    else if (b[i] === 0x0d && b[i + 1] !== 0x0a) line++;
  }
  return line;
}
