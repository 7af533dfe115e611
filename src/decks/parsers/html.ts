/** Anki fields with `#html:true` → plain text. */
import { nextFinder } from "../cloze";

const ENTITIES: Record<string, string> = {
  nbsp: " ", amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", ndash: "–", mdash: "—", hellip: "…",
  lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", laquo: "«", raquo: "»", bull: "•", middot: "·",
  copy: "©", reg: "®", trade: "™", deg: "°", times: "×", divide: "÷", plusmn: "±", minus: "−",
  euro: "€", pound: "£", yen: "¥", cent: "¢", sect: "§", para: "¶", shy: "", zwnj: "\u200c", zwj: "\u200d",
  larr: "←", rarr: "→", uarr: "↑", darr: "↓", harr: "↔", le: "≤", ge: "≥", ne: "≠", asymp: "≈", infin: "∞",
  frac12: "½", frac14: "¼", frac34: "¾", sup2: "²", sup3: "³", micro: "µ", alpha: "α", beta: "β", gamma: "γ",
  delta: "δ", pi: "π", sigma: "σ", mu: "μ", lambda: "λ", theta: "θ", omega: "ω", Delta: "Δ", Sigma: "Σ", Omega: "Ω",
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (m, body: string) => {
    if (body.startsWith("#")) {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[body] ?? m;
  });
}

const MEDIA_BLOCK = new Set(["audio", "video", "object", "iframe"]);
const MEDIA_TAG = new Set(["audio", "video", "source", "embed", "img"]);
const DROPPED_BLOCK = new Set(["script", "style"]);
const LINE_TAG = new Set(["br", "div", "p", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"]);

/**
 * Strips HTML to text (`<br>`, `<div>`, `<p>` → line breaks) and removes media; counts the media.
 * One left-to-right scan: every search for a closing `>`, `]`, `-->` or `</audio>` is remembered,
 * so a field of unclosed `<audio ` or `[sound:` costs linear time, not quadratic.
 */
export function htmlToText(html: string): { text: string; media: number } {
  let media = 0;
  // ASCII-only lower case keeps every offset (toLowerCase may change the length of other text).
  const lower = html.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  const gt = nextFinder(html, ">");
  const bracket = nextFinder(html, "]");
  const commentEnd = nextFinder(html, "-->");
  const closers = new Map<string, (i: number) => number>();
  /** Offset just after the first `</name\s*>` at or after `i`, or -1. */
  const closeOf = (name: string, i: number): number => {
    let find = closers.get(name);
    if (!find) {
      const raw = nextFinder(lower, `</${name}`);
      // Remember the first complete closing tag at or after a position (growing positions only).
      let from = -1;
      let tagAt = -1;
      let after = -1;
      find = (from0: number) => {
        if (from >= 0 && from0 >= from && (tagAt === -1 || tagAt >= from0)) return after;
        from = from0;
        for (let j = raw(from0); j !== -1; j = raw(j + 1)) {
          let k = j + 2 + name.length;
          while (k < lower.length && /\s/.test(lower[k]!)) k++;
          if (lower[k] === ">") {
            tagAt = j;
            return (after = k + 1);
          }
        }
        tagAt = -1;
        return (after = -1);
      };
      closers.set(name, find);
    }
    return find(i);
  };

  let out = "";
  let copied = 0;
  let i = 0;
  const cut = (from: number, to: number, replacement: string) => {
    out += html.slice(copied, from) + replacement;
    copied = to;
  };
  while (i < html.length) {
    const c = html.charCodeAt(i);
    if (c === 91 /* [ */ && lower.startsWith("[sound:", i)) {
      const end = bracket(i + 7);
      if (end !== -1) {
        media++;
        cut(i, end + 1, "");
        i = end + 1;
        continue;
      }
    } else if (c === 60 /* < */) {
      if (html.startsWith("<!--", i)) {
        const end = commentEnd(i + 4);
        if (end !== -1) {
          cut(i, end + 3, "");
          i = end + 3;
          continue;
        }
      } else {
        let p = i + 1;
        const closing = html.charCodeAt(p) === 47; /* / */
        if (closing) p++;
        const nameStart = p;
        while (p < lower.length && isNameChar(lower.charCodeAt(p))) p++;
        if (p > nameStart && isLetter(lower.charCodeAt(nameStart))) {
          const name = lower.slice(nameStart, p);
          const end = gt(p);
          if (end !== -1) {
            let to = end + 1;
            let replacement = "";
            if (!closing && (MEDIA_BLOCK.has(name) || DROPPED_BLOCK.has(name))) {
              const after = closeOf(name, to);
              if (after !== -1) to = after;
              if (MEDIA_BLOCK.has(name) && (after !== -1 || MEDIA_TAG.has(name))) media++;
            } else if (!closing && MEDIA_TAG.has(name)) {
              media++;
            } else if (LINE_TAG.has(name) && !(closing && name === "br")) {
              replacement = "\n";
            }
            cut(i, to, replacement);
            i = to;
            continue;
          }
        }
      }
    }
    i++;
  }
  out += html.slice(copied);
  const text = decodeEntities(out)
    .split("\n")
    .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
    .filter((line) => line !== "")
    .join("\n");
  return { text, media };
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}
