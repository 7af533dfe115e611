/**
 * Callback data of /stats, the card actions and /forget (≤64 bytes, ASCII, parsed strictly).
 * Ids inside are never trusted for access: every handler acts on the record of `from.id` only.
 *
 *   st                       stats as a new message (the review summary's 📊 button)
 *   Lv                       stats, edited in place (« Back from the suspended list)
 *   Ll<page>                 the suspended cards, page (0–999), edited in place
 *   Lr:<d>:<c>:<tag>         reset a leech (its state is deleted: the card is new again)
 *   Ls:<d>:<c>:<tag>         suspend a card (susp = 1)
 *   Lu:<d>:<c>:<tag>         unsuspend a card (susp = 0)
 *   F:y:<uid>:<t>            /forget confirmed by user <uid>, asked at minute <t> (base 36)
 *   F:n:<uid>                /forget cancelled
 *
 * <d> is the deck-table index (one character of review-state's ALPHABET), <c> the card's index in
 * the deck (base 36, 1–3 digits), <tag> 4 base-36 digits of a hash of "<deck id>/<card id>", so a
 * button whose deck slot or card index now points at another card (a re-uploaded deck, a reused
 * table slot, a forged index) is refused instead of acting on the wrong card.
 */
import { ALPHABET } from "../learner/review-state";

export type CardOp = "r" | "s" | "u";

export interface CardAction {
  op: CardOp;
  /** Deck-table index. */
  deck: number;
  /** Card index in the deck. */
  card: number;
  tag: string;
}

export const STATS_NEW = "st";
export const STATS_VIEW = "Lv";
export const STATS_CALLBACK = /^L/;
export const FORGET_CALLBACK = /^F:/;

/** FNV-1a of "<deck id>/<card id>", as 4 base-36 digits. */
export function cardTag(deckId: string, cardId: string): string {
  let h = 0x811c9dc5;
  const s = `${deckId}/${cardId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 36 ** 4).toString(36).padStart(4, "0");
}

export function packCardAction(op: CardOp, deck: number, card: number, deckId: string, cardId: string): string {
  const d = ALPHABET[deck];
  if (d === undefined || !Number.isSafeInteger(card) || card < 0 || card >= 36 ** 3) throw new RangeError(`card action out of range: ${deck}/${card}`);
  return `L${op}:${d}:${card.toString(36)}:${cardTag(deckId, cardId)}`;
}

export function unpackCardAction(data: string): CardAction | null {
  const m = /^L([rsu]):([0-9a-zA-Z_-]):(0|[1-9a-z][0-9a-z]{0,2}):([0-9a-z]{4})$/.exec(data);
  if (!m) return null;
  return { op: m[1] as CardOp, deck: ALPHABET.indexOf(m[2]!), card: Number.parseInt(m[3]!, 36), tag: m[4]! };
}

export const packSuspendedPage = (page: number) => `Ll${Math.max(0, Math.min(999, Math.floor(page)))}`;

export function unpackSuspendedPage(data: string): number | null {
  const m = /^Ll(0|[1-9]\d{0,2})$/.exec(data);
  return m ? Number(m[1]) : null;
}

export type ForgetAction = { confirm: true; uid: number; minute: number } | { confirm: false; uid: number };

export const packForgetYes = (uid: number, minute: number) => `F:y:${uid}:${minute.toString(36)}`;
export const packForgetNo = (uid: number) => `F:n:${uid}`;

export function unpackForget(data: string): ForgetAction | null {
  let m = /^F:y:([1-9]\d{0,15}):([0-9a-z]{1,8})$/.exec(data);
  if (m) {
    const uid = Number(m[1]);
    return Number.isSafeInteger(uid) ? { confirm: true, uid, minute: Number.parseInt(m[2]!, 36) } : null;
  }
  m = /^F:n:([1-9]\d{0,15})$/.exec(data);
  if (m) {
    const uid = Number(m[1]);
    return Number.isSafeInteger(uid) ? { confirm: false, uid } : null;
  }
  return null;
}
