/** Text helpers for parse_mode HTML. Deck text and user names are user input: always escape. */

export function esc(text: string): string {
  return wellFormed(text).replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
}

/** Half of a surrogate pair (an emoji cut in two) is not text Telegram accepts: U+FFFD instead. */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD");
}

/** Cuts text to at most `max` characters at a word boundary, with an ellipsis when cut. */
export function cut(text: string, max: number): string {
  const t = text.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const room = t.slice(0, max - 1).replace(/[\uD800-\uDBFF]$/, ""); // never half an emoji
  const at = room.lastIndexOf(" ");
  return `${(at > max * 0.6 ? room.slice(0, at) : room).replace(/[\s,;:.\-–—]+$/, "")}…`;
}

/** A text progress bar: `▓▓▓▓▓░░░░░ 52%`. */
export function bar(share: number, width = 10): string {
  const s = Math.max(0, Math.min(1, Number.isFinite(share) ? share : 0));
  const full = Math.round(s * width);
  return `${"▓".repeat(full)}${"░".repeat(width - full)} ${Math.round(s * 100)}%`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Telegram's limit for one message. */
export const MAX_MESSAGE = 4096;

/** Splits a long HTML-free or line-structured text into messages of ≤ MAX_MESSAGE characters at line breaks. */
export function splitMessage(text: string, max = MAX_MESSAGE): string[] {
  if (text.length <= max) return [text];
  const out: string[] = [];
  let cur = "";
  for (const line of text.split("\n")) {
    const l = line.length > max ? line.slice(0, max - 1) + "…" : line;
    if (cur.length + l.length + 1 > max) {
      out.push(cur);
      cur = l;
    } else cur = cur ? `${cur}\n${l}` : l;
  }
  if (cur) out.push(cur);
  return out;
}
