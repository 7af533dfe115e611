/**
 * Documents → blocks. A block is a heading, a paragraph or a list item, as plain text with its
 * whitespace collapsed. Supported inputs: plain text, Markdown and HTML.
 */
import { CharFinder, Finder, isSpaceCode, isWordCode, squash } from "./text";

export type DraftFormat = "txt" | "md" | "html";

export interface Block {
  kind: "heading" | "para" | "item";
  /** Plain text, whitespace collapsed. */
  text: string;
  /** Heading level (1 = top); 0 for paragraphs and items. */
  level: number;
}

export function parseDocument(text: string, format: DraftFormat): Block[] {
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const blocks = format === "md" ? parseMarkdown(src) : format === "html" ? parseHtml(src) : parseText(src);
  return blocks.filter((b) => b.text.length > 0 && !isBoilerplate(b.text));
}

/** Navigation and legal lines that carry no content. */
export function isBoilerplate(line: string): boolean {
  return (
    /^(back to top|next|previous|prev|home|menu|skip to (main )?content|table of contents|contents)\b\s*:?/i.test(line) ||
    /copyright|©|all rights reserved/i.test(line)
  );
}

// ---- plain text --------------------------------------------------------------------------

const BULLET = /^\s*(?:[•\u2023\u25AA\u25CF\u25E6\u2043\u2219·◦▪–\-*+]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+/;

/** A short line without sentence-final punctuation that is not a list item reads as a heading. */
export function looksLikeHeading(line: string): boolean {
  const t = line.trim();
  if (t.length === 0 || t.length > 100) return false;
  if (/[.!?;,:…]["”’)]?$/.test(t)) return false;
  if (/^[a-z]/.test(t)) return false;
  const n = t.split(/\s+/).length;
  return n <= 16;
}

function parseText(src: string): Block[] {
  const lines = src.split("\n");
  const nonBlank = lines.filter((l) => l.trim().length > 0);
  // Hard-wrapped text (most lines end near the same width): paragraphs are blank-line separated.
  const lengths = nonBlank.map((l) => l.trimEnd().length).sort((a, b) => a - b);
  const width = lengths[Math.floor(lengths.length * 0.9)] ?? 0;
  const nearWidth = lengths.filter((n) => n >= width * 0.7).length;
  const openEnded = nonBlank.filter((l) => !/[.!?:;"”’)]\s*$/.test(l)).length; // lines that stop mid-sentence
  const wrapped = nonBlank.length >= 6 && width >= 40 && width <= 100 && nearWidth >= nonBlank.length * 0.5 && openEnded >= nonBlank.length * 0.5;

  const blocks: Block[] = [];
  let para: string[] = [];
  let paraKind: "para" | "item" = "para";
  const flush = () => {
    if (para.length) {
      const text = squash(para.join(" "));
      if (paraKind === "para" && para.length === 1 && looksLikeHeading(text)) blocks.push({ kind: "heading", text, level: 1 });
      else blocks.push({ kind: paraKind, text, level: 0 });
    }
    para = [];
    paraKind = "para";
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (!line.trim()) {
      flush();
      continue;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      flush();
      para = [line.slice(bullet[0].length)];
      paraKind = "item";
      if (!wrapped) flush();
      continue;
    }
    if (!wrapped) {
      para = [line];
      flush();
      continue;
    }
    // Wrapped text: the next line belongs to the current paragraph, unless the current one is a
    // lone heading-like line, or the paragraph ended a sentence and this line reads as a heading.
    if (para.length === 1 && paraKind === "para" && looksLikeHeading(para[0]!) && para[0]!.length < width * 0.7) flush();
    else if (para.length && /[.!?]["”’)]?$/.test(para[para.length - 1]!) && looksLikeHeading(line) && line.trim().length < width * 0.7) flush();
    para.push(line.trim());
  }
  flush();
  return blocks;
}

// ---- Markdown ----------------------------------------------------------------------------

/**
 * Inline Markdown → plain text: links, images, emphasis, code, escapes and inline HTML. Each pass
 * is a linear scan (see `Finder`): a document of "[" or "**a " costs what its length costs.
 */
export function stripInlineMarkdown(s: string): string {
  let t = dropImages(s);
  t = dropFootnoteRefs(t);
  t = unwrapLinks(t);
  t = unwrapAutolinksAndTags(t);
  t = unwrapCode(t);
  t = unwrapPaired(t, ["**", "__"]);
  t = unwrapSingle(t, "*");
  t = unwrapSingle(t, "_");
  t = unwrapPaired(t, ["~~"]);
  return squash(decodeEntities(t.replace(/\\([\\`*_{}[\]()#+\-.!>|~])/g, "$1")));
}

/** `![alt](url)` → "". */
function dropImages(s: string): string {
  if (!s.includes("![")) return s;
  const close = new Finder(s, "]");
  const paren = new Finder(s, ")");
  let out = "";
  let pos = 0;
  for (let i = s.indexOf("![", pos); i >= 0; i = s.indexOf("![", i + 1)) {
    const j = close.next(i + 2);
    if (j < 0) break;
    if (s.charCodeAt(j + 1) !== 40 /* ( */) continue;
    const k = paren.next(j + 2);
    if (k < 0) break;
    out += s.slice(pos, i);
    pos = k + 1;
    i = k;
  }
  return out + s.slice(pos);
}

/** `[^note]` → "". */
function dropFootnoteRefs(s: string): string {
  if (!s.includes("[^")) return s;
  const close = new Finder(s, "]");
  let out = "";
  let pos = 0;
  for (let i = s.indexOf("[^"); i >= 0; i = s.indexOf("[^", i + 1)) {
    const j = close.next(i + 2);
    if (j < 0) break;
    if (j === i + 2) continue;
    out += s.slice(pos, i);
    pos = j + 1;
    i = j;
  }
  return out + s.slice(pos);
}

/** `[text](url)` and `[text][ref]` → text. */
function unwrapLinks(s: string): string {
  if (!s.includes("](") && !s.includes("][")) return s;
  const close = new Finder(s, "]");
  const refClose = new Finder(s, "]"); // its own finder: every finder is asked in increasing order
  const paren = new Finder(s, ")");
  let out = "";
  let pos = 0;
  for (let i = s.indexOf("["); i >= 0; i = s.indexOf("[", i + 1)) {
    const j = close.next(i + 1);
    if (j < 0) break;
    if (j === i + 1) continue;
    const c = s.charCodeAt(j + 1);
    const k = c === 40 /* ( */ ? paren.next(j + 2) : c === 91 /* [ */ ? refClose.next(j + 2) : -1;
    if (k < 0) continue;
    out += s.slice(pos, i) + s.slice(i + 1, j);
    pos = k + 1;
    i = k;
  }
  return out + s.slice(pos);
}

/** `<https://…>` → the URL; other inline HTML tags `<b>`, `</span>` → "". */
function unwrapAutolinksAndTags(s: string): string {
  if (!s.includes("<")) return s;
  const gt = new Finder(s, ">");
  const space = new CharFinder(s, isSpaceCode);
  let out = "";
  let pos = 0;
  for (let i = s.indexOf("<"); i >= 0; i = s.indexOf("<", i + 1)) {
    const k = gt.next(i + 1);
    if (k < 0) break;
    const auto = /^<https?:/.test(s.slice(i, i + 7));
    if (auto) {
      const from = i + (s.charCodeAt(i + 5) === 58 /* : */ ? 6 : 7);
      const w = space.next(from);
      if (k > from && (w < 0 || k < w)) {
        out += s.slice(pos, i) + s.slice(i + 1, k);
        pos = k + 1;
        i = k;
        continue;
      }
    }
    const n = s.charCodeAt(i + 1) === 47 /* / */ ? i + 2 : i + 1;
    if (!/[A-Za-z]/.test(s.charAt(n))) continue;
    out += s.slice(pos, i);
    pos = k + 1;
    i = k;
  }
  return out + s.slice(pos);
}

/** `` `code` `` → code. */
function unwrapCode(s: string): string {
  if (!s.includes("`")) return s;
  let out = "";
  let pos = 0;
  let i = s.indexOf("`");
  while (i >= 0) {
    let e = i;
    while (s.charCodeAt(e) === 96) e++;
    const c = s.indexOf("`", e);
    if (e >= s.length || c < 0) break;
    let ce = c;
    while (s.charCodeAt(ce) === 96) ce++;
    out += s.slice(pos, i) + s.slice(e, c);
    pos = ce;
    i = s.indexOf("`", ce);
  }
  return out + s.slice(pos);
}

/** `**bold**`, `__bold__`, `~~struck~~` → the text (an opener needs a non-space after it, a closer one before it). */
function unwrapPaired(s: string, delims: readonly string[]): string {
  if (!delims.some((d) => s.includes(d))) return s;
  const finders = delims.map((d) => new Finder(s, d));
  const live = delims.map(() => true);
  let out = "";
  let pos = 0;
  let i = pos;
  for (;;) {
    // the leftmost opener of any delimiter still live
    let at = -1;
    let which = -1;
    for (let d = 0; d < delims.length; d++) {
      if (!live[d]) continue;
      const x = finders[d]!.next(i);
      if (x >= 0 && (at < 0 || x < at)) {
        at = x;
        which = d;
      }
    }
    if (at < 0) break;
    const d = delims[which]!;
    const L = d.length;
    if (at + L >= s.length || isSpaceCode(s.charCodeAt(at + L))) {
      i = at + 1;
      continue;
    }
    let c = finders[which]!.next(at + L + 1);
    while (c >= 0 && isSpaceCode(s.charCodeAt(c - 1))) c = finders[which]!.next(c + 1);
    if (c < 0) {
      live[which] = false; // no closer after this opener: none after any later opener either
      continue;
    }
    out += s.slice(pos, at) + s.slice(at + L, c);
    pos = c + L;
    i = pos;
  }
  return out + s.slice(pos);
}

/** `*em*` / `_em_` → em: the next mark closes it (the text holds no mark); no word character around the marks. */
function unwrapSingle(s: string, mark: "*" | "_"): string {
  if (!s.includes(mark)) return s;
  const code = mark.charCodeAt(0);
  let out = "";
  let pos = 0;
  for (let i = s.indexOf(mark); i >= 0; i = s.indexOf(mark, i + 1)) {
    if (i > 0) {
      if (i - 1 < pos) continue;
      const p = s.charCodeAt(i - 1);
      if (isWordCode(p) || p === code) continue;
    }
    if (i + 1 >= s.length || isSpaceCode(s.charCodeAt(i + 1))) continue;
    const c = s.indexOf(mark, i + 1);
    if (c < 0) break;
    if (c === i + 1 || isSpaceCode(s.charCodeAt(c - 1)) || (c + 1 < s.length && isWordCode(s.charCodeAt(c + 1)))) continue;
    out += s.slice(pos, i) + s.slice(i + 1, c);
    pos = c + 1;
    i = c;
  }
  return out + s.slice(pos);
}

function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/^---\n[\s\S]*?\n---\n/, "").split("\n");
  const blocks: Block[] = [];
  let buf: string[] = [];
  let kind: "para" | "item" = "para";
  let fence: string | null = null;
  const flush = () => {
    if (buf.length) blocks.push({ kind, text: stripInlineMarkdown(buf.join(" ")), level: 0 });
    buf = [];
    kind = "para";
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fenceMatch = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      if (fenceMatch && fenceMatch[1] === fence) fence = null;
      continue;
    }
    if (fenceMatch) {
      flush();
      fence = fenceMatch[1]!;
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const atx = /^\s{0,3}(#{1,6})\s+(.*)$/.exec(line);
    if (atx) {
      flush();
      // closing hashes and spaces off the end (by hand: /\s*#*\s*$/ backtracks on a long line of spaces)
      const heading = atx[2]!.trimEnd().replace(/#+$/, "").trimEnd();
      blocks.push({ kind: "heading", text: stripInlineMarkdown(heading), level: atx[1]!.length });
      continue;
    }
    const next = lines[i + 1];
    if (buf.length === 0 && next !== undefined && /^\s{0,3}(=+|-+)\s*$/.test(next) && !BULLET.test(line)) {
      blocks.push({ kind: "heading", text: stripInlineMarkdown(line), level: next.trim().startsWith("=") ? 1 : 2 });
      i++;
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      continue;
    }
    if (/^\s*\|/.test(line) || /^\s{4,}\S/.test(line) && buf.length === 0) {
      // Tables and indented code are not prose.
      flush();
      continue;
    }
    const quoted = line.replace(/^\s{0,3}>\s?/, "");
    const item = /^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$/.exec(quoted);
    if (item) {
      flush();
      kind = "item";
      buf.push(item[1]!.replace(/^\[[ xX]\]\s+/, ""));
      continue;
    }
    buf.push(quoted.trim());
  }
  flush();
  return blocks;
}

// ---- HTML --------------------------------------------------------------------------------

const NAMED: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", ndash: "–", mdash: "—", hellip: "…",
  lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", sbquo: "‚", bdquo: "„", laquo: "«", raquo: "»",
  copy: "©", reg: "®", trade: "™", deg: "°", middot: "·", bull: "•", euro: "€", pound: "£", yen: "¥", cent: "¢",
  sect: "§", para: "¶", times: "×", divide: "÷", minus: "−", plusmn: "±", frac12: "½", frac14: "¼", frac34: "¾",
  eacute: "é", egrave: "è", ecirc: "ê", euml: "ë", aacute: "á", agrave: "à", acirc: "â", auml: "ä", aring: "å",
  iacute: "í", igrave: "ì", icirc: "î", iuml: "ï", oacute: "ó", ograve: "ò", ocirc: "ô", ouml: "ö", oslash: "ø",
  uacute: "ú", ugrave: "ù", ucirc: "û", uuml: "ü", ccedil: "ç", ntilde: "ñ", szlig: "ß", aelig: "æ", oelig: "œ",
  Eacute: "É", Aacute: "Á", Oacute: "Ó", Uacute: "Ú", Iacute: "Í", Ccedil: "Ç", Ntilde: "Ñ", Ouml: "Ö", Uuml: "Ü", Auml: "Ä",
  shy: "", zwnj: "", zwj: "", lrm: "", rlm: "", thinsp: " ", ensp: " ", emsp: " ",
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[A-Za-z][A-Za-z0-9]*);/g, (m, body: string) => {
    if (body.startsWith("#")) {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED[body] ?? m;
  });
}

const DROP = new Set(["script", "style", "noscript", "template", "svg", "head", "nav", "iframe", "object", "select", "button", "math", "canvas"]);
const BLOCK = new Set([
  "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "pre", "table", "thead", "tbody",
  "tr", "td", "th", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "hr", "br", "form", "fieldset", "address",
  "caption", "details", "summary", "body", "html",
]);

/** Each `open … close` stretch (comments, CDATA, the doctype) → one space; in linear time. */
function blankOut(s: string, open: string, close: string): string {
  const lower = s.toLowerCase();
  const o = open.toLowerCase();
  if (!lower.includes(o)) return s;
  const closer = new Finder(s, close);
  let out = "";
  let pos = 0;
  for (let i = lower.indexOf(o); i >= 0; i = lower.indexOf(o, pos)) {
    const j = closer.next(i + open.length);
    if (j < 0) break;
    out += `${s.slice(pos, i)} `;
    pos = j + close.length;
  }
  return out + s.slice(pos);
}

function parseHtml(src: string): Block[] {
  const blocks: Block[] = [];
  let buf = "";
  let kind: Block["kind"] = "para";
  let level = 0;
  const flush = () => {
    const text = squash(decodeEntities(buf));
    if (text) blocks.push({ kind, text, level: kind === "heading" ? level : 0 });
    buf = "";
    kind = "para";
    level = 0;
  };
  const html = blankOut(blankOut(blankOut(src, "<!--", "-->"), "<![CDATA[", "]]>"), "<!DOCTYPE", ">");
  const lower = html.toLowerCase();
  const dq = new Finder(html, '"');
  const sq = new Finder(html, "'");
  const closers = new Map<string, Finder>();
  let at = 0; // text before this has been taken into `buf` (or dropped)
  let from = 0; // where to look for the next "<"
  // A linear scan for tags: `<name attr="…">`, `</name>`; a "<" that starts no tag is text.
  for (let lt = html.indexOf("<"); lt >= 0; lt = html.indexOf("<", from)) {
    from = lt + 1;
    const closing = html.charCodeAt(lt + 1) === 47; /* / */
    let e = lt + (closing ? 2 : 1);
    if (!/[A-Za-z]/.test(html.charAt(e))) continue;
    const nameStart = e;
    while (e < html.length && /[A-Za-z0-9-]/.test(html.charAt(e))) e++;
    const name = lower.slice(nameStart, e);
    // attributes: anything up to ">", with quoted values skipped whole; an unclosed quote or no ">" ends the scan
    let end = -1;
    let k = e;
    while (k < html.length) {
      const c = html.charCodeAt(k);
      if (c === 62 /* > */) {
        end = k;
        break;
      }
      if (c === 34 || c === 39) {
        const q = (c === 34 ? dq : sq).next(k + 1);
        if (q < 0) break;
        k = q + 1;
        continue;
      }
      k++;
    }
    if (end < 0) {
      from = k; // not a tag (no ">", or an unclosed quote): text, and look on from where the scan gave up
      continue;
    }
    buf += html.slice(at, lt);
    at = from = end + 1;
    const selfClosing = html.charCodeAt(end - 1) === 47;
    if (!closing && DROP.has(name) && !selfClosing) {
      // Skip to the matching close tag (these elements do not nest in practice).
      let f = closers.get(name);
      if (!f) closers.set(name, (f = new Finder(lower, `</${name}`)));
      let c = f.next(at);
      while (c >= 0 && !/^\s*>/.test(lower.slice(c + name.length + 2, c + name.length + 20))) c = f.next(c + 1);
      at = from = c < 0 ? html.length : lower.indexOf(">", c) + 1;
      continue;
    }
    const heading = /^h([1-6])$/.exec(name);
    if (heading) {
      flush();
      if (!closing) {
        kind = "heading";
        level = Number(heading[1]);
      }
    } else if (name === "li") {
      flush();
      if (!closing) kind = "item";
    } else if (BLOCK.has(name)) {
      const keep = kind === "item" && (name === "p" || name === "br" || name === "div");
      if (keep) buf += " ";
      else flush();
    }
    // Other (inline) elements are dropped without adding a space: <b>A</b>B reads "AB".
  }
  buf += html.slice(at);
  flush();
  return blocks;
}
