/**
 * Distractors of the same kind as the answer, drawn from the same document: other years for a
 * year, counts of a similar size for a count (else deterministic perturbations of the same
 * magnitude), other organisations/instruments for a name, other definitions for a definition,
 * other phrases of the same shape for a phrase. Never equal to the answer, distinct, ≤ 100
 * characters; fewer than three means the card stays review-only.
 */
import { QUIZ_LIMITS } from "../decks/schema";
import type { Candidate } from "./extract";
import type { NameClass, NumberSpan } from "./spans";
import { MONTHS, ORDINAL_FOR, WORD_FOR, fnv1a, formatLike, jaccard, norm, roundLike, stem, tokenSet, words, type WordUse } from "./text";

export interface PoolName {
  text: string;
  cls: NameClass;
  head: string;
  acronym: boolean;
  /** Entity key: names that are the same thing (an acronym and its expansion) share it. */
  entity: string;
  /** The normalised text. */
  key: string;
}

/** A phrase answer of the document, with what distractor choice compares computed once. */
export interface PoolPhrase {
  text: string;
  role: string;
  agent: boolean;
  section: string;
  key: string;
  head: string;
  shape: string;
  words: number;
  list: boolean;
  of: boolean;
  digits: boolean;
}

export function poolPhrase(text: string, role: string, agent: boolean, section: string): PoolPhrase {
  return {
    text,
    role,
    agent,
    section,
    key: norm(text),
    head: headWord(text),
    shape: shape(text),
    words: wordCount(text),
    list: /,|\s(?:and|or)\s/.test(text),
    of: /\sof\s/.test(text),
    digits: /\d/.test(text),
  };
}

export interface Pools {
  dates: NumberSpan[];
  numbers: NumberSpan[];
  names: PoolName[];
  definitions: string[];
  /** Terms the document introduces ("called chlorophyll", "known as the cog"). */
  terms: string[];
  lists: { text: string; items: number }[];
  phrases: PoolPhrase[];
  /** How the document uses words (so "Ordinary" in "Ordinary people" is no name). */
  words: WordUse;
  /** acronym ↔ expansion, both directions, normalised. */
  sameEntity: Map<string, string>;
}

const WANT = 3;

export function pickDistractors(c: Candidate, pools: Pools): string[] | undefined {
  const ans = c.answer;
  let picks: string[] = [];
  switch (ans.type) {
    case "date":
      picks = dateDistractors(ans.span, pools, c.back);
      break;
    case "number":
      picks = numberDistractors(ans.span, pools, c.back);
      break;
    case "name":
      picks = nameDistractors(c, pools);
      break;
    case "definition":
      // other definitions of the document, whatever their length (there are seldom many)
      picks = rank(c, pools.definitions.map((d) => ({ text: d, bonus: 0 })), -3);
      break;
    case "term": {
      // the document's other terms, with the answer's article ("the cog" → "the Steelyard")
      const the = /^the\s/i.exec(c.back)?.[0];
      const bare = (x: string) => x.replace(/^(?:the|a|an)\s+/i, "");
      const options = pools.terms.map(bare);
      picks = rank(c, options.map((t) => ({ text: the && !/^[A-Z]{2,}/.test(t) ? `${the}${t}` : t, bonus: 0 })), -3);
      if (/^an?\s/i.test(c.back)) picks = []; // "a limiting factor": "a chloroplasts" would read wrong; review-only
      break;
    }
    case "list":
      picks = rank(c, pools.lists.filter((l) => Math.abs(l.items - ans.items) <= (ans.items >= 4 ? 1 : 0)).map((l) => ({ text: l.text, bonus: 0 })));
      break;
    case "phrase": {
      // Who-answers get other actors of the document; what-answers only phrases of the same build
      // ("the establishment of …" / "the concealment of …"); lists and the rest stay review-only.
      const me = poolPhrase(c.back, ans.role, ans.agent, c.a.unit.path.join("/"));
      if (me.agent && me.role === "item") break; // one actor of a list of actors: any other actor might belong there too
      const options = pools.phrases.filter((p) => {
        if (p.agent !== me.agent || p.digits || p.head === me.head) return false; // "ordinary citizens" for "concerned citizens": too close to be wrong
        if (me.agent) return p.list === me.list;
        if (me.list || me.words < 3 || me.shape !== "det" || !me.of || p.list) return false;
        // and from the same part of the document, or sharing a word: "the removal of human organs" is no alternative to "the increasing involvement of organized crime groups"
        const near = p.section.split("/")[0] === me.section.split("/")[0] || jaccard(tokenSet(p.text), tokenSet(me.text)) > 0;
        return near && p.shape === me.shape && p.of && Math.abs(p.words - me.words) <= 2;
      });
      picks = rank(c, options.map((p) => ({ text: p.text, key: p.key, bonus: (p.role === me.role ? 0.3 : 0) + (p.section === me.section ? 0.3 : 0) })));
      picks = picks.map((p) => matchCase(p, c.back, pools.words));
      break;
    }
  }
  const clean = finalise(c, picks);
  return clean.length >= WANT ? clean.slice(0, WANT) : undefined;
}

/** The head noun of a phrase: its last word before a preposition, stemmed. */
function headWord(p: string): string {
  const ws = p.toLowerCase().split(/\s+/);
  const at = ws.findIndex((w, i) => i > 0 && /^(of|in|on|for|to|against|with|by|from|at|behind|across|within)$/.test(w));
  const head = stem((at > 0 ? ws[at - 1] : ws[ws.length - 1]) ?? "");
  return SAME_HEAD[head] ?? head;
}

/** Heads that name the same kind of people: "ordinary people" is no wrong answer for "concerned citizens". */
const SAME_HEAD: Record<string, string> = { citizen: "people", people: "people", individual: "people", person: "people", public: "people", consumer: "people" };

/** Give a distractor the answer's initial case (a sentence-initial "Ordinary people" becomes "ordinary people"). */
function matchCase(d: string, answer: string, use: WordUse): string {
  const first = /^[A-Za-z]+/.exec(d)?.[0] ?? "";
  if (/^[a-z]/.test(answer) && /^[A-Z][a-z]/.test(first) && use.lowerCase(first.toLowerCase())) return d.charAt(0).toLowerCase() + d.slice(1);
  if (/^[A-Z]/.test(answer) && /^[a-z]/.test(d)) return d.charAt(0).toUpperCase() + d.slice(1);
  return d;
}

/** Distinct, not the answer, not visible in the question, within poll limits. */
function finalise(c: Candidate, picks: readonly string[]): string[] {
  const seen = new Set([norm(c.back)]);
  const visible = norm(c.front.replace(/\{\{c1::.*?\}\}/, " "));
  const out: string[] = [];
  for (const p of picks) {
    const k = norm(p);
    if (!k || seen.has(k) || p.length > QUIZ_LIMITS.option) continue;
    if (c.answer.type !== "number" && c.answer.type !== "date" && k.length > 3 && visible.includes(k)) continue;
    seen.add(k);
    out.push(p);
  }
  return out;
}

/** Order candidates by closeness to the answer (length, shape), ties broken by a stable hash. */
function rank(c: Candidate, options: { text: string; bonus: number; key?: string }[], floor = -1.2): string[] {
  const ansTokens = tokenSet(c.back);
  const n = wordCount(c.back);
  const len = c.back.length;
  const back = norm(c.back);
  // cheap pre-selection (length and bonus), then the costlier checks on the best few dozen
  const pre = options
    .map((o) => ({ o, cheap: o.bonus - Math.abs(o.text.length - len) / Math.max(20, len) }))
    .sort((x, y) => y.cheap - x.cheap)
    .slice(0, 40)
    .map((x) => x.o);
  const scored = pre
    .filter((o) => {
      const t = o.key ?? norm(o.text);
      return t !== back && !t.includes(back) && !back.includes(t) && jaccard(tokenSet(o.text), ansTokens) < 0.5;
    })
    .map((o) => {
      const m = wordCount(o.text);
      const closeness = -Math.abs(m - n) / Math.max(1, n) - Math.abs(o.text.length - len) / Math.max(20, len);
      return { text: o.text, score: closeness + o.bonus, tie: fnv1a(`${c.back}|${o.text}`) };
    })
    .filter((o) => o.score > floor)
    .sort((x, y) => y.score - x.score || x.tie - y.tie);
  return dedupe(scored.map((o) => o.text));
}

const countMemo = new Map<string, number>();
function wordCount(s: string): number {
  let n = countMemo.get(s);
  if (n === undefined) {
    n = words(s).length;
    if (countMemo.size > 5000) countMemo.clear();
    countMemo.set(s, n);
  }
  return n;
}

/** Share of the smaller set's members that the other holds. */
function containment(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  if (small.size === 0) return 0;
  let n = 0;
  for (const x of small) if (big.has(x)) n++;
  return n / small.size;
}

function dedupe(xs: string[]): string[] {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = norm(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** First-word class of a phrase: article, gerund, capitalised, plural noun, other. */
function shape(p: string): string {
  const w = p.split(/\s+/)[0] ?? "";
  if (/^(the|a|an)$/i.test(w)) return "det";
  if (/ing$/.test(w)) return "ing";
  if (/^[A-Z]/.test(w)) return "cap";
  const last = p.split(/\s+/).pop() ?? "";
  return /[^s]s$/.test(last) ? "plural" : "other";
}

// ---- numbers and dates -------------------------------------------------------------------

function dateDistractors(span: NumberSpan, pools: Pools, back: string): string[] {
  const year = span.value;
  const sameShape = pools.dates.filter((d) => d.shape === span.shape && d.value !== year || d.shape === span.shape && norm(d.text) !== norm(back));
  const docYears = [...new Set(pools.dates.map((d) => d.value))].filter((y) => y !== year && Math.abs(y - year) <= 40);
  const byDistance = (ys: number[]) => [...ys].sort((a, b) => Math.abs(a - year) - Math.abs(b - year) || a - b);
  const perturbed = [1, -1, 2, -3, 3, -2, 4, -5, 5].map((d) => year + d).filter((y) => y >= 1000 && y <= 2100);
  const years = [...byDistance(docYears), ...perturbed.filter((y) => !docYears.includes(y))];
  const out: string[] = [];
  const seed = fnv1a(back);
  switch (span.shape) {
    case "month": {
      const month = back.split(/\s+/)[0]!;
      out.push(...sameShape.map((d) => d.text));
      // the same month in other years, then other months of the same year
      for (const y of years) out.push(`${month} ${y}`);
      const mi = MONTHS.indexOf(month as (typeof MONTHS)[number]);
      for (const k of [3, 8, 5]) out.push(`${MONTHS[(mi + k + (seed % 2)) % 12]} ${year}`);
      break;
    }
    case "part": {
      const m = /^(early|mid|late)([-\s])/i.exec(back);
      const part = m?.[1] ?? "mid";
      const sep = m?.[2] ?? "-";
      out.push(...sameShape.map((d) => d.text));
      for (const y of years) out.push(`${part}${sep}${y}`);
      break;
    }
    case "day": {
      out.push(...sameShape.map((d) => d.text));
      for (const y of years) out.push(back.replace(String(year), String(y)));
      break;
    }
    case "decade": {
      for (const d of [10, -10, 20, -20]) out.push(`${year + d}s`);
      break;
    }
    default:
      for (const y of years) out.push(String(y));
  }
  return dedupe(out);
}

function renderNumber(n: number, like: NumberSpan): string | null {
  if (like.word) {
    const w = WORD_FOR[n];
    if (!w) return null;
    return /^[A-Z]/.test(like.text) ? w.charAt(0).toUpperCase() + w.slice(1) : w;
  }
  if (like.shape === "percent") {
    const suffix = like.text.replace(/^[$€£]?[\d.,]+/, "");
    return `${formatLike(n, like.text)}${suffix}`;
  }
  const m = /^([$€£]?)([\d.,]+)(.*)$/.exec(like.text);
  if (!m) return null;
  const scale = /million|billion|thousand|trillion/.exec(m[3]!)?.[0];
  const unit = scale ? { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 }[scale]! : 1;
  return `${m[1]}${formatLike(n / unit, m[2]!)}${m[3]}`;
}

function numberDistractors(span: NumberSpan, pools: Pools, back: string): string[] {
  const n = span.value;
  if (span.kind === "ordinal") {
    const out: string[] = [];
    for (const d of [1, -1, 2, -2, 3, 4]) {
      const v = n + d;
      if (v < 1) continue;
      const w = span.word ? ORDINAL_FOR[v] : `${v}${v % 10 === 1 && v % 100 !== 11 ? "st" : v % 10 === 2 && v % 100 !== 12 ? "nd" : v % 10 === 3 && v % 100 !== 13 ? "rd" : "th"}`;
      if (w) out.push(/^[A-Z]/.test(span.text) ? w.charAt(0).toUpperCase() + w.slice(1) : w);
    }
    return out;
  }
  const similar = (v: number) => (n <= 12 ? Math.abs(v - n) <= 6 && v > 0 : v >= n / 3 && v <= n * 3);
  const fromDoc = pools.numbers
    .filter((o) => o.kind === "number" && o.shape === span.shape && o.value !== n && similar(o.value))
    .sort((a, b) => Math.abs(Math.log(a.value / n)) - Math.abs(Math.log(b.value / n)) || a.value - b.value)
    .map((o) => renderNumber(o.value, span))
    .filter((x): x is string => !!x);
  const perturbed: string[] = [];
  if (n <= 12 && Number.isInteger(n)) {
    for (const d of [1, -1, 2, -2, 3, 5]) if (n + d >= 1 && (n + d !== 1 || !span.word)) perturbed.push(renderNumber(n + d, span) ?? "");
  } else {
    for (const f of [1.2, 0.8, 1.5, 0.6, 1.1, 0.9, 2]) {
      const v = roundLike(n * f, n);
      if (v !== n && v > 0) perturbed.push(renderNumber(span.shape === "percent" ? Math.min(v, 99) : v, span) ?? "");
    }
  }
  return dedupe([...fromDoc, ...perturbed.filter(Boolean)]).filter((x) => norm(x) !== norm(back));
}

// ---- names -------------------------------------------------------------------------------

const WATER = /\b(?:Sea|Ocean|River|Gulf|Lake|Bay|Strait|Channel)$/;

function nameDistractors(c: Candidate, pools: Pools): string[] {
  if (c.answer.type !== "name") return [];
  const ans = c.answer;
  const back = norm(c.back);
  const entity = pools.sameEntity.get(back) ?? back;
  const tokens = tokenSet(c.back);
  const n = wordCount(c.back);
  const wantAcronym = c.kind === "acronym" ? false : ans.acronym;
  const options: { text: string; score: number; tie: number }[] = [];
  for (const p of pools.names) {
    if (p.entity === entity || p.key === back || p.key.includes(back) || back.includes(p.key)) continue;
    if ((ans.cls === "place") !== (p.cls === "place") || (ans.cls === "person") !== (p.cls === "person")) continue;
    if (wantAcronym && !p.acronym) continue; // "NADPH": other acronyms, not "crassulacean acid metabolism"
    if (ans.cls === "place" && WATER.test(c.back) !== WATER.test(p.text)) continue; // a city is no sea: "London" ≠ "North Sea"
    let score = 0;
    if (p.cls === ans.cls) score += 3;
    if (ans.head && p.head === ans.head) score += 2;
    if (p.acronym === wantAcronym) score += 2;
    score -= Math.abs(wordCount(p.text) - n) * 0.3;
    if (score < 2 || jaccard(tokenSet(p.text), tokens) >= 0.6 || containment(tokenSet(p.text), tokens) >= 0.75) continue; // "Smuggling of Migrants Protocol" is the Protocol against the Smuggling of Migrants
    options.push({ text: p.text, score, tie: fnv1a(`${c.back}|${p.text}`) });
  }
  options.sort((x, y) => y.score - x.score || x.tie - y.tie);
  return dedupe(options.map((o) => o.text));
}
