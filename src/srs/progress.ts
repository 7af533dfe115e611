/**
 * One deck's progress for one learner, in the compact binary form it is stored in
 * (`v2:prog:<user>:<deck>`): a row of W int32 per card of the deck, in deck order, so a press reads
 * a card's state by index with no parsing at all, and the whole shard is one ArrayBuffer.
 *
 *   header  7 × int32: MAGIC, VERSION, sig (FNV-1a of the deck's card ids), rows, id bytes,
 *           wc (the shard's write count), undo entries
 *   rows    rows × W int32 — a packed card state (card-state.ts F order); n = -1: no state (new card)
 *   undo    entries × (1 + W) int32: a row index and that row as it was before this write
 *   ids     UTF-8, the card ids joined by "\n" — read only when the deck changed since the write
 *
 * The head record names the write count of each deck's shard it was saved with. A save writes the
 * shard first, then the head; if the head write fails (a KV fault — Telegram redelivers the update),
 * the next read finds the shard one write ahead of the head and restores the rows this write changed
 * from its undo entries, so the redelivered update applies its grades to the same states, once, and
 * counts them in the day's figures exactly as the first attempt did.
 *
 * When the deck's card ids still hash to `sig`, row i is card i. When they do not (a lecturer
 * re-uploaded the deck), the ids are decoded once and the states follow their card ids; cards
 * that are gone lose their state, unchanged ids keep it. Pure: no KV.
 */
import { F, type CardState } from "./card-state";

export const W = 11;
const MAGIC = 0x4c50; // "LP"
const VERSION = 2;
const HEADER = 7;
/** Bytes before the rows of a stored shard. */
export const SHARD_HEADER_BYTES = HEADER * 4;

/** FNV-1a over the card ids (with a separator), as an unsigned 32-bit number. */
export function deckSig(cardIds: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const id of cardIds) {
    for (let i = 0; i < id.length; i++) {
      h ^= id.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 10;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const sigs = new WeakMap<readonly string[], number>();
/** deckSig, cached per card-id array (a loaded deck keeps its array for the isolate's life). */
export function cachedSig(cardIds: readonly string[]): number {
  let s = sigs.get(cardIds);
  if (s === undefined) sigs.set(cardIds, (s = deckSig(cardIds)));
  return s;
}

/** Per-deck figures kept in the learner's head record, so most updates need no other shard. */
export interface DeckSummary {
  /** Cards with a state (graded at least once). */
  seen: number;
  /** Cards of the deck when last written. */
  cards: number;
  /** Earliest due day among unsuspended cards not graded on `day`, or -1 if none. */
  due: number;
  /** Local day these figures were computed on. */
  day: number;
  /** Cards graded below 4 on `day` (re-drills pending that day). */
  redrill: number;
  /** learning, young, mature, suspended, leeches. */
  ph: [number, number, number, number, number];
  /** Cards whose effective due day is `day + k`, k = 0..FORECAST-1 (k = 0 includes overdue). */
  fc: number[];
}

export const FORECAST = 31;

export class DeckProgress {
  /** How many times this shard has been written (the head record keeps the count it knows). */
  wc = 0;
  /** Rows as they were when read, for the rows changed since (written as the undo entries). */
  private undo = new Map<number, Int32Array>();

  constructor(
    readonly cardIds: readonly string[],
    readonly rows: Int32Array = DeckProgress.emptyRows(cardIds.length),
  ) {}

  private remember(i: number): void {
    if (!this.undo.has(i)) this.undo.set(i, this.rows.slice(i * W, i * W + W));
  }

  static emptyRows(n: number): Int32Array {
    const rows = new Int32Array(n * W);
    for (let i = 0; i < n; i++) rows[i * W] = -1;
    return rows;
  }

  /**
   * Reads a stored shard for the deck's current card ids; null if it is not a valid shard. `known`:
   * the write count the head record was saved with — a shard one write ahead is rolled back.
   */
  static decode(buf: ArrayBuffer, cardIds: readonly string[], known?: number): DeckProgress | null {
    if (buf.byteLength < HEADER * 4) return null;
    const head = new Int32Array(buf, 0, HEADER);
    if (head[0] !== MAGIC || head[1] !== VERSION) return null;
    const sig = head[2]! >>> 0, count = head[3]!, idBytes = head[4]!, wc = head[5]!, undoCount = head[6]!;
    const undoAt = HEADER * 4 + count * W * 4;
    const idsAt = undoAt + undoCount * (W + 1) * 4;
    if (count < 0 || idBytes < 0 || undoCount < 0 || idsAt + idBytes > buf.byteLength) return null;
    let stored = new Int32Array(buf, HEADER * 4, count * W);
    let writes = wc;
    if (known !== undefined && wc === known + 1 && undoCount > 0) {
      // The head never learned of this write: restore the rows it changed.
      stored = stored.slice();
      const undo = new Int32Array(buf, undoAt, undoCount * (W + 1));
      for (let k = 0; k < undoCount; k++) {
        const r = undo[k * (W + 1)]!;
        if (r >= 0 && r < count) stored.set(undo.subarray(k * (W + 1) + 1, (k + 1) * (W + 1)), r * W);
      }
      writes = known;
    }
    if (sig === cachedSig(cardIds) && count === cardIds.length) {
      const p = new DeckProgress(cardIds, stored);
      p.wc = writes;
      return p;
    }
    // The deck changed: follow the card ids.
    const ids = new TextDecoder().decode(new Uint8Array(buf, idsAt, idBytes)).split("\n");
    if (ids.length !== count && !(count === 0 && ids.length === 1)) return null;
    const at = new Map<string, number>();
    cardIds.forEach((id, i) => at.set(id, i));
    const out = new DeckProgress(cardIds);
    for (let r = 0; r < count; r++) {
      const i = at.get(ids[r]!);
      if (i === undefined || stored[r * W]! < 0) continue;
      out.rows.set(stored.subarray(r * W, r * W + W), i * W);
    }
    out.wc = writes;
    return out;
  }

  /** The shard as stored, with write count `wc` and the rows changed since it was read as undo entries. */
  encode(): ArrayBuffer {
    const ids = new TextEncoder().encode(this.cardIds.join("\n"));
    const n = this.cardIds.length;
    const undo = [...this.undo];
    const pad = (4 - (ids.byteLength % 4)) % 4;
    const undoAt = HEADER * 4 + n * W * 4;
    const idsAt = undoAt + undo.length * (W + 1) * 4;
    const buf = new ArrayBuffer(idsAt + ids.byteLength + pad);
    const head = new Int32Array(buf, 0, HEADER);
    head.set([MAGIC, VERSION, cachedSig(this.cardIds) | 0, n, ids.byteLength, this.wc, undo.length]);
    new Int32Array(buf, HEADER * 4, n * W).set(this.rows.subarray(0, n * W));
    const u = new Int32Array(buf, undoAt, undo.length * (W + 1));
    undo.forEach(([i, row], k) => {
      u[k * (W + 1)] = i;
      u.set(row, k * (W + 1) + 1);
    });
    new Uint8Array(buf, idsAt, ids.byteLength).set(ids);
    return buf;
  }

  /** After a write: what is stored now is the new baseline. */
  saved(): void {
    this.undo.clear();
  }

  /** True if any card has a state (stops at the first). */
  any(): boolean {
    for (let o = 0; o < this.rows.length; o += W) if (this.rows[o]! >= 0) return true;
    return false;
  }

  has(i: number): boolean {
    return this.rows[i * W]! >= 0;
  }

  /** True when card i has a well-formed state (what `get` would return), without building it. */
  valid(i: number): boolean {
    const r = this.rows, o = i * W;
    if (!(r[o]! >= 0)) return false;
    const ef = r[o + F.ef]!, g = r[o + F.g]!, susp = r[o + F.susp]!;
    return !(ef < 130 || ef > 1000 || g < 0 || g > 5 || (susp !== 0 && susp !== 1) || r[o + F.i]! < 0);
  }

  /** The state of card i, or undefined for a new card (or a malformed stored row). */
  get(i: number): CardState | undefined {
    const r = this.rows, o = i * W;
    if (!(r[o]! >= 0)) return undefined;
    const ef = r[o + F.ef]!, g = r[o + F.g]!, susp = r[o + F.susp]!;
    if (ef < 130 || ef > 1000 || g < 0 || g > 5 || (susp !== 0 && susp !== 1) || r[o + F.i]! < 0) return undefined;
    return {
      n: r[o]!, i: r[o + F.i]!, ef, due: r[o + F.due]!, last: r[o + F.last]!, g, lapses: r[o + F.lapses]!,
      intro: r[o + F.intro]!, rs: r[o + F.rs]!, susp, reps: r[o + F.reps]!,
    };
  }

  set(i: number, s: CardState): void {
    this.remember(i);
    const o = i * W;
    const r = this.rows;
    r[o] = s.n; r[o + F.i] = s.i; r[o + F.ef] = s.ef; r[o + F.due] = s.due; r[o + F.last] = s.last; r[o + F.g] = s.g;
    r[o + F.lapses] = s.lapses; r[o + F.intro] = s.intro; r[o + F.rs] = s.rs; r[o + F.susp] = s.susp; r[o + F.reps] = s.reps;
  }

  clear(i: number): void {
    this.remember(i);
    this.rows.fill(0, i * W, i * W + W);
    this.rows[i * W] = -1;
  }

  /** Figures for the head record as of local day `day` (one pass over the rows). */
  summary(day: number): DeckSummary {
    const r = this.rows;
    const n = this.cardIds.length;
    let seen = 0, due = -1, redrill = 0, learning = 0, young = 0, mature = 0, susp = 0, leech = 0;
    const fc = new Array<number>(FORECAST).fill(0);
    for (let c = 0; c < n; c++) {
      const o = c * W;
      if (r[o]! < 0) continue;
      seen++;
      if (r[o + F.lapses]! >= 8) leech++;
      if (r[o + F.susp]) {
        susp++;
        continue;
      }
      if (r[o]! < 2) learning++;
      else if (r[o + F.i]! >= 21) mature++;
      else young++;
      const last = r[o + F.last]!, d = r[o + F.due]!;
      if (last === day && r[o + F.g]! < 4) redrill++;
      const eff = last === day && d <= day ? day + 1 : d;
      if (last !== day && (due < 0 || d < due)) due = d;
      const k = eff - day;
      if (k < FORECAST) fc[k < 0 ? 0 : k]!++;
    }
    return { seen, cards: n, due, day, redrill, ph: [learning, young, mature, susp, leech], fc };
  }
}

/** Cards due on each of the `days` days from `today` (today first, overdue counted today), by a summary. */
export function summaryForecast(s: DeckSummary, today: number, days: number): number[] {
  const out = new Array<number>(days).fill(0);
  const lag = today - s.day;
  for (let i = 0; i < s.fc.length; i++) {
    const k = i - lag;
    if (k < days) out[Math.max(0, k)]! += s.fc[i]!;
  }
  return out;
}

/** The card ids a stored shard was written for (tools and tests read shards without the deck). */
export function shardIds(buf: ArrayBuffer): string[] | null {
  if (buf.byteLength < HEADER * 4) return null;
  const head = new Int32Array(buf, 0, HEADER);
  if (head[0] !== MAGIC || head[1] !== VERSION) return null;
  const count = head[3]!, idBytes = head[4]!, undoCount = head[6]!;
  if (count === 0) return [];
  const start = HEADER * 4 + count * W * 4 + undoCount * (W + 1) * 4;
  if (start + idBytes > buf.byteLength) return null;
  return new TextDecoder().decode(new Uint8Array(buf, start, idBytes)).split("\n");
}

/** Cards of a summary due on or before `today` (as far as the summary knows), not graded on its day. */
export function summaryDueNow(s: DeckSummary, today: number): number {
  return summaryForecast(s, today, 1)[0]!;
}
