/**
 * Span finders over one sentence: citations and URLs to skip, names (organisations, instruments,
 * places), acronyms with their expansions, numbers, dates and ordinals.
 */
import { MONTHS, NUMBER_WORDS, ORDINALS, STOPWORDS } from "./text";

export interface Span {
  start: number;
  end: number;
}

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

// ---- things to skip ----------------------------------------------------------------------

/**
 * URLs, cross-references and citations: "(see Module 5 …)", "(Maras, 2016)", "(for example, …)".
 * Extractors ignore what lies inside; fronts leave cross-references and citations out.
 */
export function skipRanges(s: string): Span[] {
  const out: Span[] = [];
  for (const m of s.matchAll(/\b(?:https?:\/\/|www\.)[^\s)]+/gi)) out.push({ start: m.index, end: m.index + m[0].length });
  for (const m of s.matchAll(/\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)) {
    const inner = m[1]!.trim();
    const cite = /^(see|cf\.?|e\.g\.|i\.e\.)\b/i.test(inner) || /\bsee\s+(?:also\s+)?[A-Z]/.test(inner) || /\b(?:Module|Chapter|Section)\s+\d/.test(inner) || /^[A-Z][\p{L}'’\- ]+(?:,| et al\.?,?| and [A-Z][\p{L}'’\-]+,)\s*(1[89]|20)\d\d[a-z]?$/u.test(inner) || /^(https?:|www\.)/i.test(inner);
    if (cite) out.push({ start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Citation/cross-reference parentheses only (these are cut from fronts). */
export function citationRanges(s: string, skip: readonly Span[] = skipRanges(s)): Span[] {
  return skip.filter((r) => /^\s*\(/.test(s.slice(r.start, r.end)));
}

export function insideAny(span: Span, ranges: readonly Span[]): boolean {
  return ranges.some((r) => overlaps(span, r));
}

// ---- names -------------------------------------------------------------------------------

export type NameClass = "instrument" | "org" | "place" | "person" | "other";

const INSTRUMENT_HEADS = new Set(
  "Convention Conventions Protocol Protocols Treaty Treaties Agreement Agreements Act Charter Declaration Toolkit Directive Regulation Resolution Statute Code Guidelines Principles Strategy Plan Framework Covenant Accord Accords Pact Law Amendment Handbook Manual Report Module Series Bill".split(
    " ",
  ),
);
const ORG_HEADS = new Set(
  "Office Organization Organisation Consortium Fund Bank Conference Assembly Council Agency Commission Committee Court Union Association Secretariat Nations Institute University Foundation Network Forum Group Police Ministry Department Service Bureau Authority Board Centre Center Programme Program Campaign Initiative Partnership Alliance Federation Society Party Parliament Tribunal Panel Mission Task Force Coalition Company Corporation Inc Ltd".split(
    " ",
  ),
);
const PLACE_WORDS = new Set(
  "Asia Africa Europe America Americas Oceania Pacific Atlantic Mediterranean Caribbean Balkans Sahel Arctic Antarctic Gulf Sea Ocean River Mountains Islands Island Republic Kingdom States".split(" "),
);
/** Capitalised words that are not names on their own. */
const NOT_NAMES = new Set(
  "I A An The This That These Those It Its They Their There Here He She We You Our Your Governments Government States State Parties Party Convention Protocol Module Programme Internet Web Consumers Companies Organizations Countries Authorities However Moreover Furthermore Therefore Thus Also Yet Still Unlike Despite While Although Because Since When Where If As Among Under Over Beyond Aside Only Key Based Both Each Every Many Most Some Such Other Importantly Unfortunately Nonetheless Critically Increasingly Particularly Finally First Second Third Next Then Now Today Mr Mrs Ms Dr Prof".split(
    " ",
  ),
);
const MONTH_SET = new Set<string>(MONTHS);
const CONNECTORS = new Set(["of", "on", "in", "and", "against", "for", "to", "the", "de", "du", "des", "la", "le", "von", "van", "der", "del", "by", "&"]);

export interface NameSpan extends Span {
  text: string;
  cls: NameClass;
  /** The head word ("Convention", "Office"), or "" for acronyms and plain names. */
  head: string;
  acronym: boolean;
  /** Number of capitalised words. */
  caps: number;
}

const TOKEN = /[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’.\-]*|&|,/g;

interface Tok {
  t: string;
  start: number;
  end: number;
}

function tokens(s: string): Tok[] {
  const out: Tok[] = [];
  for (const m of s.matchAll(TOKEN)) {
    let t = m[0];
    // a trailing full stop belongs to the sentence, not the word (except initials such as "U.S.")
    if (t.length > 1 && t.endsWith(".") && !/^(?:[A-Z]\.)+$/.test(t)) t = t.replace(/\.+$/, "");
    out.push({ t, start: m.index, end: m.index + t.length });
  }
  return out;
}

export function isAcronym(w: string): boolean {
  return /^[A-Z][A-Z0-9&]*[A-Z0-9]$/.test(w) && /[A-Z].*[A-Z]/.test(w) && w.length <= 12;
}

function isCap(w: string): boolean {
  const c = w.charCodeAt(0);
  return c >= 65 && c <= 90 && /^[A-Z][A-Za-z0-9\u00C0-\u024F'’.&]*(?:-[A-Z0-9][A-Za-z0-9\u00C0-\u024F]*)*$/.test(w);
}

function headOf(capWords: string[], allWords: string[]): string {
  const firstConn = allWords.findIndex((w) => CONNECTORS.has(w));
  const before = firstConn < 0 ? allWords : allWords.slice(0, firstConn);
  let head = "";
  for (const w of before) if (INSTRUMENT_HEADS.has(w) || ORG_HEADS.has(w)) head = w;
  if (!head) for (const w of capWords) if (INSTRUMENT_HEADS.has(w) || ORG_HEADS.has(w)) return w;
  return head;
}

function classify(words: string[], head: string, acronym: boolean): NameClass {
  if (acronym) return "org";
  if (head && INSTRUMENT_HEADS.has(head)) return "instrument";
  if (head && ORG_HEADS.has(head)) return "org";
  if (words.some((w) => PLACE_WORDS.has(w.replace(/^.*-/, "")))) return "place";
  return "other";
}

/**
 * Capitalised names in a sentence: multi-word names ("United Nations Office on Drugs and Crime",
 * "Protocol against the Smuggling of Migrants by Land, Sea and Air"), acronyms ("UNODC"), and
 * single capitalised words after "in/at/from" mid-sentence (places such as "Vienna").
 */
export function findNames(s: string, bodyStart = 0): NameSpan[] {
  const toks = tokens(s);
  const out: NameSpan[] = [];
  let i = 0;
  while (i < toks.length) {
    const tok = toks[i]!;
    if (!isCap(tok.t) || tok.start < bodyStart) {
      i++;
      continue;
    }
    // grow a name from token i
    const words: Tok[] = [tok];
    let j = i + 1;
    let hasConnector = false;
    let hasHead = INSTRUMENT_HEADS.has(tok.t) || ORG_HEADS.has(tok.t);
    while (j < toks.length) {
      const w = toks[j]!;
      if (w.start !== toks[j - 1]!.end + 1 && w.t !== ",") break; // words must be space-separated
      if (isCap(w.t) && !isAcronymBreak(words, w)) {
        words.push(w);
        if (INSTRUMENT_HEADS.has(w.t) || ORG_HEADS.has(w.t)) hasHead = true;
        j++;
        continue;
      }
      // connectors: only between capitalised words
      let k = j;
      const conn: Tok[] = [];
      while (k < toks.length && (CONNECTORS.has(toks[k]!.t) || (toks[k]!.t === "," && hasHead))) {
        conn.push(toks[k]!);
        k++;
      }
      const nxt = toks[k];
      if (!conn.length || !nxt || !isCap(nxt.t) || isAcronym(nxt.t) && conn.some((c) => c.t === "," || c.t === "and")) break;
      const ts = conn.map((c) => c.t);
      if (ts[0] === "the" || ts.includes("the") && !/^(of|to|against|on|in|for|by)$/.test(ts[ts.indexOf("the") - 1] ?? "")) break;
      if (ts.includes(",") && ts.includes("the")) break;
      if (ts.includes("and") || ts.includes(",")) {
        const prevWord = words[words.length - 1]!.t;
        if (INSTRUMENT_HEADS.has(prevWord) || ORG_HEADS.has(prevWord) && !hasConnector) break;
        if (!hasConnector && !restEndsWithHead(toks, k)) break;
      }
      if (ts.includes(",") && !hasHead) break;
      hasConnector = true;
      words.push(...conn);
      j = k;
    }
    // trim trailing connectors / commas
    while (words.length > 1 && !isCap(words[words.length - 1]!.t)) words.pop();
    const capWords = words.filter((w) => isCap(w.t)).map((w) => w.t);
    const first = words[0]!;
    const start = first.start;
    const end = words[words.length - 1]!.end;
    const atSentenceStart = start === bodyStart || /^\W*$/.test(s.slice(bodyStart, start));
    const allWords = words.map((w) => w.t);
    const acronym = capWords.length === 1 && isAcronym(first.t);
    const head = acronym ? "" : headOf(capWords, allWords);
    let keep = false;
    if (acronym) keep = true;
    else if (capWords.length >= 2) {
      // a sentence-initial run needs a head word ("United Nations Convention …") or three capitals to count
      keep = !atSentenceStart || !!head || capWords.every((w) => !NOT_NAMES.has(w)) && capWords.length >= 3;
      if (capWords.every((w) => NOT_NAMES.has(w) || isAcronym(w.replace(/s$/, "")))) keep = false;
    } else if (!atSentenceStart && !NOT_NAMES.has(first.t) && !MONTH_SET.has(first.t) && !first.t.includes("-") && /\b(?:in|at|from)\s+$/.test(s.slice(Math.max(0, start - 6), start))) {
      keep = true; // "held in Vienna"
    }
    if (keep) {
      // a sentence-initial name loses an opening "The"/"In"/...; names never start with a NOT_NAMES word
      let w0 = 0;
      while (w0 < words.length - 1 && (NOT_NAMES.has(words[w0]!.t) && !(INSTRUMENT_HEADS.has(words[w0]!.t) || ORG_HEADS.has(words[w0]!.t)) || CONNECTORS.has(words[w0]!.t.toLowerCase()))) w0++;
      const ws = words.slice(w0);
      const caps = ws.filter((w) => isCap(w.t));
      if (ws.length && (caps.length >= 2 || acronym || capWords.length === 1)) {
        const st = ws[0]!.start;
        const allW = ws.map((w) => w.t);
        const capW = caps.map((w) => w.t);
        const hd = acronym ? "" : headOf(capW, allW);
        out.push({ start: st, end, text: s.slice(st, end), cls: capWords.length === 1 && !acronym ? "place" : classify(capW, hd, acronym), head: hd, acronym, caps: capW.length });
      }
    }
    i = j;
  }
  return out;
}

const PERSON_RE = /(?<![A-Za-z\u00C0-\u024F])([A-Z][a-z\u00E0-\u024F]+(?:\s+[A-Z]\.)*\s+(?:(?:van|von|de|da|del|der|van der)\s+)?[A-Z][a-z\u00E0-\u024F]+(?:-[A-Z][a-z\u00E0-\u024F]+)?)(?![A-Za-z\u00C0-\u024F])/g;
const PERSON_BEFORE = /\b(?:by|chemist|scientist|biologist|physicist|botanist|physician|historian|mathematician|philosopher|engineer|explorer|inventor|economist|astronomer|geologist|naturalist|writer|author|poet|painter|composer|Sir|Dr\.?|Professor|Prof\.?)\s+$/;
const PERSON_VERBS = "showed|described|discovered|confirmed|proposed|found|demonstrated|invented|wrote|founded|established|developed|published|observed|argued|explained|worked|predicted|identified|designed|measured|isolated|introduced|formulated|named";
const PERSON_AFTER = new RegExp(`^(?:\\s+(?:and\\s+[A-Z][a-z]+\\s+[A-Z][a-z]+\\s+)?(?:first\\s+|later\\s+|also\\s+)?(?:${PERSON_VERBS})\\b|,\\s+(?:a|an|the)\\s+(?:[A-Za-z-]+\\s+){0,2}(?:scientist|chemist|biologist|physicist|botanist|physician|historian|mathematician|philosopher|engineer|explorer|inventor|economist|astronomer|geologist|naturalist|writer|poet|painter|composer)\\b)`);

/**
 * People: two or three capitalised words that the sentence marks as a person — after "by" or a
 * profession ("the chemist Melvin Calvin"), before a verb of discovery ("Rosalind Franklin showed"),
 * before ", a Dutch scientist", or joined by "and" to such a name ("James Watson and Francis Crick").
 */
export function findPersons(s: string, bodyStart = 0): NameSpan[] {
  const out: NameSpan[] = [];
  let lastEnd = -1;
  for (const m of s.matchAll(PERSON_RE)) {
    const start = m.index;
    const end = start + m[1]!.length;
    if (start < bodyStart) continue;
    const first = m[1]!.split(/\s+/)[0]!;
    if (NOT_NAMES.has(first) || MONTH_SET.has(first) || INSTRUMENT_HEADS.has(first) || ORG_HEADS.has(first) || PLACE_WORDS.has(first)) continue;
    const ws = m[1]!.split(/\s+/);
    if (ws.some((w) => INSTRUMENT_HEADS.has(w) || ORG_HEADS.has(w) || PLACE_WORDS.has(w))) continue;
    const before = s.slice(Math.max(0, start - 16), start);
    const after = s.slice(end, end + 80);
    const joined = lastEnd >= 0 && /^\s+and\s+$/.test(s.slice(lastEnd, start));
    if (joined || PERSON_BEFORE.test(before) || PERSON_AFTER.test(after)) {
      out.push({ start, end, text: m[1]!, cls: "person", head: "", acronym: false, caps: ws.length });
      lastEnd = end;
    }
  }
  return out;
}

function isAcronymBreak(words: Tok[], w: Tok): boolean {
  // "UNODC, INTERPOL" never reach here (comma); an acronym right after a name ends it: "… Crime UNODC".
  return isAcronym(w.t) && words.length > 0 && !isAcronym(words[words.length - 1]!.t) && words.length >= 2;
}

function restEndsWithHead(toks: Tok[], k: number): boolean {
  for (let i = k; i < toks.length; i++) {
    const t = toks[i]!.t;
    if (INSTRUMENT_HEADS.has(t) || ORG_HEADS.has(t)) return true;
    if (!isCap(t) && !CONNECTORS.has(t)) return false;
  }
  return false;
}

// ---- acronyms ----------------------------------------------------------------------------

export interface AcronymDef {
  acronym: string;
  long: string;
  /** Span of the long form and of the acronym in the sentence. */
  longSpan: Span;
  acrSpan: Span;
}

/** True when the acronym's letters occur in order in `long`, the first at its first letter. */
export function acronymMatches(acr: string, long: string): boolean {
  const letters = acr.replace(/[^A-Za-z0-9]/g, "").toLowerCase();
  const l = long.toLowerCase();
  if (!letters || l[0] !== letters[0]) return false;
  let at = 0;
  for (const ch of letters) {
    const k = l.indexOf(ch, at);
    if (k < 0) return false;
    at = k + 1;
  }
  // most letters should start a word (lets syllabic acronyms such as INTERPOL through)
  const initials = long.split(/[\s\-]+/).filter((w) => w && !CONNECTORS.has(w.toLowerCase())).map((w) => w[0]!.toLowerCase());
  const hits = [...new Set(letters)].filter((ch) => initials.includes(ch)).length;
  return hits >= Math.min(2, letters.length);
}

/** "Long Name (ACR)", "long form (ACR)" and "ACR, the Long Name" / "ACR (Long Name)". */
export function findAcronymDefs(s: string): AcronymDef[] {
  const out: AcronymDef[] = [];
  let tries = 0; // at most 12 of each form per sentence are looked at
  // Long Name (ACR)
  for (const m of s.matchAll(/\(\s*([A-Z][A-Za-z0-9&\-]{1,11}?)s?\s*\)/g)) {
    const acr = m[1]!;
    if (!isAcronym(acr) || ++tries > 12) continue;
    // the long form ends right before "(ACR)" and is at most a few words: read only the last 200 characters
    const full = s.slice(0, m.index).replace(/\s+$/, "");
    let from = Math.max(0, full.length - 200);
    if (from > 0) from = full.indexOf(" ", from) + 1 || full.length;
    const before = full.slice(from);
    const names = findNames(before)
      .filter((n) => n.end === before.length && !n.acronym)
      .map((n) => ({ ...n, start: n.start + from, end: n.end + from }));
    let long = "";
    let longStart = -1;
    const name = names[names.length - 1];
    if (name) {
      // drop leading words until the first letter agrees
      const parts = name.text.split(" ");
      for (let k = 0; k < parts.length; k++) {
        const cand = parts.slice(k).join(" ");
        if (CONNECTORS.has(parts[k]!)) continue;
        if (acronymMatches(acr, cand)) {
          long = cand;
          longStart = name.end - cand.length;
          break;
        }
      }
    }
    if (!long) {
      // lower-case long form: the last few words whose initials spell the acronym
      const ws = [...before.matchAll(/[A-Za-z][A-Za-z\-]*/g)];
      for (let n = acr.length; n <= acr.length + 3 && n <= ws.length; n++) {
        const first = ws[ws.length - n]!;
        const cand = before.slice(first.index);
        if (/[,;:()]/.test(cand)) break;
        const content = cand.split(/[\s]+/).filter((w) => !CONNECTORS.has(w.toLowerCase()));
        const initials = content.map((w) => w[0]!.toLowerCase()).join("");
        if (initials === acr.toLowerCase()) {
          long = cand;
          longStart = from + first.index;
          break;
        }
      }
    }
    if (!long) {
      // "Deoxyribonucleic acid (DNA)": two to four words whose letters spell the acronym in order
      const ws = [...before.matchAll(/[A-Za-z][A-Za-z\-]*/g)];
      for (let n = 2; n <= Math.min(4, ws.length); n++) {
        const first = ws[ws.length - n]!;
        const cand = before.slice(first.index);
        if (/[,;:()]/.test(cand) || CONNECTORS.has(first[0].toLowerCase()) || STOPWORDS.has(first[0].toLowerCase())) break;
        if (acronymMatches(acr, cand) && cand.length >= acr.length * 3) {
          long = cand;
          longStart = from + first.index;
          break;
        }
      }
    }
    if (long) {
      out.push({ acronym: acr, long, longSpan: { start: longStart, end: longStart + long.length }, acrSpan: { start: m.index, end: m.index + m[0].length } });
    }
  }
  // ACR, the Long Name …  /  ACR (Long Name)
  for (const m of s.matchAll(/\b([A-Z][A-Z0-9&]{1,11})(?:,\s+(?:the\s+)?|\s+\((?:the\s+)?)/g)) {
    const acr = m[1]!;
    if (!isAcronym(acr) || out.some((d) => d.acronym === acr) || ++tries > 24) continue;
    const restStart = m.index + m[0].length;
    const rest = s.slice(restStart, restStart + 200);
    const name = findNames(rest).find((n) => n.start === 0);
    if (name && acronymMatches(acr, name.text)) {
      out.push({ acronym: acr, long: name.text, longSpan: { start: restStart, end: restStart + name.text.length }, acrSpan: { start: m.index, end: m.index + acr.length } });
    }
  }
  return out;
}

// ---- numbers and dates -------------------------------------------------------------------

export type NumberKind = "year" | "date" | "number" | "ordinal";

export interface NumberSpan extends Span {
  kind: NumberKind;
  text: string;
  /** Numeric value (a year for dates; the count for numbers; the rank for ordinals). */
  value: number;
  /** For dates: "month" (October 2012), "part" (mid-2012), "day" (3 May 2019), "decade" (1990s), "year". */
  shape: string;
  /** Written as a word ("three")? */
  word: boolean;
  /** The word(s) after a count or ordinal: what it counts ("parties", "years"). */
  noun: string;
}

const MONTH_RE = MONTHS.join("|");
const DAY_MONTH_YEAR = new RegExp(`\\b(\\d{1,2})\\s+(${MONTH_RE})\\s+(\\d{4})\\b`, "g");
const MONTH_DAY_YEAR = new RegExp(`\\b(${MONTH_RE})\\s+(\\d{1,2}),\\s+(\\d{4})\\b`, "g");
const MONTH_YEAR = new RegExp(`\\b(${MONTH_RE})\\s+(\\d{4})\\b`, "g");
const NUMBER_WORD_RE = new RegExp(`\\b(${Object.keys(NUMBER_WORDS).join("|")})\\b`, "gi");
const ORDINAL_RE = new RegExp(`\\b(${Object.keys(ORDINALS).join("|")}|\\d{1,3}(?:st|nd|rd|th))\\b`, "gi");
const REFERENCE_BEFORE = /\b(?:modules?|chapters?|sections?|fig(?:ure)?s?\.?|tables?|pages?|p\.|pp\.|no\.|nos\.|parts?|annex(?:es)?|appendix|volumes?|vol\.|steps?|series|resolutions?|goals?|targets?|rules?|phases?|levels?|grades?|rooms?|units?|paragraphs?|para\.|version|v\.|box|item|question|exercise|lesson|session|week|day|act|decision)\s*$/i;

export function findNumbers(s: string, skip: readonly Span[] = skipRanges(s)): NumberSpan[] {
  const out: NumberSpan[] = [];
  const add = (n: NumberSpan) => {
    if (insideAny(n, skip) || out.some((o) => overlaps(o, n))) return;
    out.push(n);
  };
  const nounAfter = (end: number) => {
    const m = /^\s+((?:[a-z][a-z\-]*|[A-Z][a-z]+)(?:\s+(?:of\s+)?[a-z][a-z\-]*)?)/.exec(s.slice(end));
    if (!m) return "";
    const ws = m[1]!.split(/\s+/);
    return STOPWORDS.has(ws[0]!.toLowerCase()) ? "" : ws[0]!;
  };
  if (!/\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|twentieth)\b/i.test(s)) return out;
  for (const m of s.matchAll(DAY_MONTH_YEAR)) add({ start: m.index, end: m.index + m[0].length, kind: "date", text: m[0], value: Number(m[3]), shape: "day", word: false, noun: "" });
  for (const m of s.matchAll(MONTH_DAY_YEAR)) add({ start: m.index, end: m.index + m[0].length, kind: "date", text: m[0], value: Number(m[3]), shape: "day", word: false, noun: "" });
  for (const m of s.matchAll(MONTH_YEAR)) add({ start: m.index, end: m.index + m[0].length, kind: "date", text: m[0], value: Number(m[2]), shape: "month", word: false, noun: "" });
  for (const m of s.matchAll(/\b(early|mid|late)[-\s](1[5-9]\d\d|20\d\d)\b/gi)) add({ start: m.index, end: m.index + m[0].length, kind: "date", text: m[0], value: Number(m[2]), shape: "part", word: false, noun: "" });
  for (const m of s.matchAll(/\b(1[5-9]\d0|20\d0)s\b/g)) add({ start: m.index, end: m.index + m[0].length, kind: "date", text: m[0], value: Number(m[1]), shape: "decade", word: false, noun: "" });
  for (const m of s.matchAll(/(?<![\w$€£.,\-/])(1[5-9]\d\d|20\d\d)(?![\w%.,]\d|[\w%\-/])/g)) {
    const noun = nounAfter(m.index + m[0].length);
    const dated = /\b(?:in|since|by|until|till|from|before|after|around|circa|c\.)\s+$/i.test(s.slice(Math.max(0, m.index - 8), m.index)); // "in 1953 scientists": a year
    if (!dated && noun && (/s$/.test(noun) && !/^(was|is|has|saw|as)$/.test(noun) || /^(people|children|men|women)$/.test(noun))) continue; // "2000 people": a count
    add({ start: m.index, end: m.index + m[0].length, kind: "year", text: m[0], value: Number(m[1]), shape: "year", word: false, noun: "" });
  }
  // older years, where the sentence dates something: "founded in 1143", "since 800"
  for (const m of s.matchAll(/\b(?:in|since|until|till|by|from|before|after|around|circa)\s+(\d{3,4})(?![\w%\-/]|[.,]\d)/gi)) {
    const value = Number(m[1]);
    if (value < 500 || value >= 1500) continue;
    const start = m.index + m[0].length - m[1]!.length;
    add({ start, end: start + m[1]!.length, kind: "year", text: m[1]!, value, shape: "year", word: false, noun: "" });
  }
  // counts and measures in figures
  for (const m of s.matchAll(/(?<![\w.,\-/#])([$€£]?)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s?(?:%|per cent|percent))?(\s(?:million|billion|thousand|trillion))?(?![\w\-/]|[.,]\d)/g)) {
    const start = m.index;
    const end = m.index + m[0].length;
    if (REFERENCE_BEFORE.test(s.slice(Math.max(0, start - 20), start))) continue;
    const value = Number(m[2]!.replace(/,/g, "")) * (m[4] ? ({ thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 } as Record<string, number>)[m[4].trim()]! : 1);
    if (!Number.isFinite(value)) continue;
    add({ start, end, kind: "number", text: m[0], value, shape: m[3] ? "percent" : m[1] ? "money" : "count", word: false, noun: nounAfter(end) });
  }
  // counts in words: "three elements", "four years"
  for (const m of s.matchAll(NUMBER_WORD_RE)) {
    const end = m.index + m[0].length;
    const noun = nounAfter(end);
    if (!noun || /^(of|to|or|and)$/i.test(noun)) continue;
    if (REFERENCE_BEFORE.test(s.slice(Math.max(0, m.index - 20), m.index))) continue;
    add({ start: m.index, end, kind: "number", text: m[0], value: NUMBER_WORDS[m[1]!.toLowerCase()]!, shape: "count", word: true, noun });
  }
  // ordinals: "the sixth session"
  for (const m of s.matchAll(ORDINAL_RE)) {
    const end = m.index + m[0].length;
    const noun = nounAfter(end);
    if (!noun) continue;
    const w = m[1]!.toLowerCase();
    const value = ORDINALS[w] ?? parseInt(w, 10);
    add({ start: m.index, end, kind: "ordinal", text: m[0], value, shape: /^\d/.test(w) ? "digits" : "word", word: !/^\d/.test(w), noun });
  }
  return out.sort((a, b) => a.start - b.start);
}
