/** Anki fields with `#html:true` → plain text. */

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

/** Strips HTML to text (`<br>`, `<div>`, `<p>` → line breaks) and removes media; counts the media. */
export function htmlToText(html: string): { text: string; media: number } {
  let media = 0;
  const drop = () => {
    media++;
    return "";
  };
  const s = html
    .replace(/\[sound:[^\]]*\]/gi, drop)
    .replace(/<img\b[^>]*>/gi, drop)
    .replace(/<(audio|video|object|iframe)\b[\s\S]*?<\/\1\s*>/gi, drop)
    .replace(/<(audio|video|source|embed)\b[^>]*>/gi, drop)
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/?(div|p|li|ul|ol|tr|table|h[1-6]|blockquote|pre)\b[^>]*>/gi, "\n")
    .replace(/<\/?[a-zA-Z][^>]*>/g, "");
  const text = decodeEntities(s)
    .split("\n")
    .map((line) => line.replace(/[ \t\u00a0]+/g, " ").trim())
    .filter((line) => line !== "")
    .join("\n");
  return { text, media };
}
