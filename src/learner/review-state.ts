/**
 * The review session's callback data. A session is not stored when it starts: its state rides in
 * the buttons (≤64 bytes) and reaches KV only when grades are flushed, every FLUSH_AT grades and
 * at the end. A button carries:
 *
 *   k     1  'a' show answer · 'g' grade · 'x' stop
 *   sid   4  session id, [0-9a-z]
 *   day   4  local day number the session belongs to, base 36
 *   scope 1  '~' all subscribed decks, else the deck-table index (see ALPHABET)
 *   base  2  grades of this session already saved (flushed), base 36
 *   t     3  when the first grade not yet saved was given: epoch seconds mod 2^18, in ALPHABET
 *            digits (a quiz answer saved meanwhile is ordered against it — see Learner.pendBefore)
 *   cur   4  'a' only: the card on screen — deck-table index (1) + card index (3, base 36)
 *   log   5n grades not yet saved: deck index (1) + card index (3) + grade (1 digit)
 *
 * 'g' buttons carry the log with the new grade as its last entry. The layout is fixed-width, so
 * parsing is positional and strict; anything else is rejected as forged.
 */

export const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
export const MAX_DECKS = ALPHABET.length;
/** Flush (write) once this many grades are unsaved, if a write is allowed now (1 write/s/key). */
export const FLUSH_AT = 7;
/** Hard limit of unsaved grades (what fits in 64 bytes next to the header and the current card). */
export const MAX_LOG = 8;
/** The time field's range: epoch seconds are kept modulo this (≈3 days — sessions last a day). */
export const T_MOD = 64 ** 3;
/** Longest session in presses (base fits two base-36 digits). */
export const MAX_SESSION = 36 * 36 - 1;

export interface Entry {
  deck: number;
  card: number;
  grade: number;
}

export interface ReviewState {
  kind: "a" | "g" | "x";
  sid: string;
  day: number;
  /** -1 = all subscribed decks. */
  scope: number;
  base: number;
  /** Epoch seconds mod T_MOD of the first grade not yet saved; 0 = none or unknown. */
  t?: number;
  cur?: { deck: number; card: number };
  log: Entry[];
}

const GRADES = new Set([1, 3, 4, 5]);

function b36(n: number, width: number): string {
  const s = n.toString(36);
  if (n < 0 || !Number.isInteger(n) || s.length > width) throw new RangeError(`${n} does not fit ${width} base-36 digits`);
  return s.padStart(width, "0");
}

function deckChar(i: number): string {
  const c = ALPHABET[i];
  if (c === undefined) throw new RangeError(`deck index ${i} out of range`);
  return c;
}

function b64(n: number, width: number): string {
  let out = "";
  for (let k = 0; k < width; k++) {
    out = ALPHABET[n % 64]! + out;
    n = Math.floor(n / 64);
  }
  return out;
}

export function packReview(s: ReviewState): string {
  let out = s.kind + s.sid + b36(s.day, 4) + (s.scope < 0 ? "~" : deckChar(s.scope)) + b36(s.base, 2) + b64((s.t ?? 0) % T_MOD, 3);
  if (s.kind === "a") {
    if (!s.cur) throw new Error("show-answer data needs the current card");
    out += deckChar(s.cur.deck) + b36(s.cur.card, 3);
  }
  for (const e of s.log) out += deckChar(e.deck) + b36(e.card, 3) + String(e.grade);
  if (out.length > 64) throw new RangeError(`review callback data is ${out.length} bytes`);
  return out;
}

const HEADER = /^([agx])([0-9a-z]{4})([0-9a-z]{4})([~0-9a-zA-Z_-])([0-9a-z]{2})/;
const TIME = /^[0-9a-zA-Z_-]{3}/;

export function unpackReview(data: string): ReviewState | null {
  if (data.length > 64) return null;
  const m = HEADER.exec(data);
  if (!m) return null;
  const kind = m[1] as ReviewState["kind"];
  const state: ReviewState = {
    kind, sid: m[2]!, day: parseInt(m[3]!, 36), scope: m[4] === "~" ? -1 : ALPHABET.indexOf(m[4]!), base: parseInt(m[5]!, 36), log: [],
  };
  let rest = data.slice(m[0].length);
  // Buttons from before the time field (12-character header) are told apart by length: entries are
  // 5 characters and the current card 4, so the two layouts never leave the same remainder.
  const withTime = (rest.length - (kind === "a" ? 4 : 0)) % 5 === 3;
  if (withTime) {
    const t = TIME.exec(rest);
    if (!t) return null;
    let n = 0;
    for (const ch of t[0]) n = n * 64 + ALPHABET.indexOf(ch);
    state.t = n;
    rest = rest.slice(3);
  }
  if (kind === "a") {
    const cur = /^([0-9a-zA-Z_-])([0-9a-z]{3})/.exec(rest);
    if (!cur) return null;
    state.cur = { deck: ALPHABET.indexOf(cur[1]!), card: parseInt(cur[2]!, 36) };
    rest = rest.slice(4);
  }
  if (rest.length % 5 !== 0) return null;
  for (let i = 0; i < rest.length; i += 5) {
    const e = /^([0-9a-zA-Z_-])([0-9a-z]{3})([0-9])$/.exec(rest.slice(i, i + 5));
    if (!e) return null;
    const grade = Number(e[3]);
    if (!GRADES.has(grade)) return null;
    state.log.push({ deck: ALPHABET.indexOf(e[1]!), card: parseInt(e[2]!, 36), grade });
  }
  if (kind === "g" && state.log.length === 0) return null;
  if (state.log.length > MAX_LOG + 1) return null;
  return state;
}

export const REVIEW_CALLBACK = /^[agx][0-9a-z]{4}/;
