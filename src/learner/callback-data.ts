/**
 * Every callback_data format, packed and unpacked in one place. Telegram allows 1–64 bytes and a
 * modified client can send anything: every unpack validates, and handlers authorise by `from.id`
 * (ids inside callback data are never trusted for access).
 *
 * Formats (ASCII; `<id>` is a deck id, lower-case letters, digits and dashes):
 *   h                       help
 *   D<page>                 deck catalogue page
 *   d:<id>                  a deck's page
 *   s:<id> / u:<id>         subscribe / unsubscribe
 *   R:<id> / R:*            start a review of one deck / of every subscribed deck
 *   Q:<id> / Q:*            start a quiz
 *   a|g|x + review state    show answer / grade / stop inside a session (see review-state.ts)
 *   P / P:<id> / P:<id>:<class code>   /push buttons: choose a deck, choose a class, push
 */

export const MAX_CALLBACK_BYTES = 64;
/** A deck id: 1–40 lower-case letters, digits and dashes, starting with a letter or digit (as decks/schema.ts). */
export const MAX_DECK_ID = 40;
const DECK_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * A deck id typed or carried by a button, checked before it gets anywhere near storage: the
 * length is capped first (the pattern never sees more than MAX_DECK_ID characters), then the
 * pattern. Case and surrounding spaces are forgiven. Null when it cannot be a deck id.
 */
export function parseDeckId(raw: string): string | null {
  if (raw.length > MAX_DECK_ID + 64) return null; // surrounding spaces forgiven, not kilobytes of them
  const id = raw.trim().toLowerCase();
  return id.length <= MAX_DECK_ID && DECK_ID.test(id) ? id : null;
}

/** Longest text argument any command reads (names, class references, settings); longer is refused, not cut. */
export const MAX_ARG = 200;

/** True when a command argument is short enough to parse (patterns never see longer input). */
export function argFits(arg: string, max = MAX_ARG): boolean {
  return arg.length <= max;
}

export function byteLength(s: string): number {
  return new TextEncoder().encode(s).length;
}

function checked(s: string): string {
  if (byteLength(s) > MAX_CALLBACK_BYTES) throw new RangeError(`callback data over ${MAX_CALLBACK_BYTES} bytes: ${s}`);
  return s;
}

export type DeckAction = "d" | "s" | "u" | "R" | "Q";

export const cb = {
  help: () => "h",
  catalogue: (page = 0) => checked(`D${page}`),
  deck: (action: DeckAction, id: string | "*") => checked(`${action}:${id}`),
  /** /push buttons: `P` (choose a deck), `P:<deck>` (choose a class), `P:<deck>:<class code>` (push). */
  push: (deck?: string, code?: string) => checked(deck === undefined ? "P" : code === undefined ? `P:${deck}` : `P:${deck}:${code}`),
};

/** Parses `P`, `P:<deck>` or `P:<deck>:<class code>`. */
export function unpackPush(data: string): { deck?: string; code?: string } | null {
  if (data === "P") return {};
  const m = /^P:([a-z0-9][a-z0-9-]{0,39})(?::([A-Za-z0-9_-]{12}))?$/.exec(data);
  if (!m) return null;
  return m[2] === undefined ? { deck: m[1]! } : { deck: m[1]!, code: m[2] };
}

/** Parses `D<page>`. */
export function unpackCatalogue(data: string): number | null {
  if (data.length > MAX_CALLBACK_BYTES) return null;
  const m = /^D(\d{1,3})$/.exec(data);
  return m ? Number(m[1]) : null;
}

/** Parses `<action>:<deck id or *>`. */
export function unpackDeck(data: string): { action: DeckAction; id: string | "*" } | null {
  if (data.length > MAX_CALLBACK_BYTES) return null;
  const m = /^([dsuRQ]):(.+)$/.exec(data);
  if (!m) return null;
  const id = m[2]!;
  if (id !== "*" && !DECK_ID.test(id)) return null;
  if (id === "*" && (m[1] === "d" || m[1] === "s" || m[1] === "u")) return null;
  return { action: m[1] as DeckAction, id };
}

export const DECK_CALLBACK = /^[dsuRQ]:/;
