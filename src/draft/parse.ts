/**
 * Documents → blocks. A block is a heading, a paragraph or a list item, as plain text with its
 * whitespace collapsed. Supported inputs: plain text, Markdown and HTML.
 */
import { squash } from "./text";

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

/** Inline Markdown → plain text: links, images, emphasis, code, escapes and inline HTML. */
export function stripInlineMarkdown(s: string): string {
  return squash(
    decodeEntities(
      s
        .replace(/!\[([^\]]*)\]\([^)]*\)/g, "")
        .replace(/\[\^[^\]]+\]/g, "")
        .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
        .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
        .replace(/<(https?:[^>\s]+)>/g, "$1")
        .replace(/<\/?[A-Za-z][^>]*>/g, "")
        .replace(/`+([^`]+)`+/g, "$1")
        .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2")
        .replace(/(^|[^\w*])\*(?=\S)([^*]*?\S)\*(?!\w)/g, "$1$2")
        .replace(/(^|[^\w])_(?=\S)([^_]*?\S)_(?!\w)/g, "$1$2")
        .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "$1")
        .replace(/\\([\\`*_{}[\]()#+\-.!>|~])/g, "$1"),
    ),
  );
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
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (atx) {
      flush();
      blocks.push({ kind: "heading", text: stripInlineMarkdown(atx[2]!), level: atx[1]!.length });
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
  const html = src.replace(/<!--[\s\S]*?-->/g, " ").replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, " ").replace(/<!DOCTYPE[^>]*>/gi, " ");
  const tag = /<(\/?)([A-Za-z][A-Za-z0-9-]*)\b(?:[^>"']|"[^"]*"|'[^']*')*?(\/?)>/g;
  let at = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(html))) {
    buf += html.slice(at, m.index);
    at = tag.lastIndex;
    const closing = m[1] === "/";
    const name = m[2]!.toLowerCase();
    if (!closing && DROP.has(name) && m[3] !== "/") {
      // Skip to the matching close tag (these elements do not nest in practice).
      const end = new RegExp(`</${name}\\s*>`, "ig");
      end.lastIndex = at;
      const e = end.exec(html);
      at = e ? end.lastIndex : html.length;
      tag.lastIndex = at;
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
