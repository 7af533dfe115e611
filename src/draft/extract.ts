/**
 * Candidate facts of one analysed sentence: definitions, acronyms, numbers and dates, names,
 * enumerations and key phrases, each already shaped as a card (front/back) with a fact key for
 * de-duplication and a score for ranking.
 */
import { AUX, OPENERS, isVerbWord, mainClause } from "./grammar";
import { displayExact, mapOffset, type Analysed } from "./sentence";
import { isAcronym, overlaps, type NameClass, type NumberSpan, type Span } from "./spans";
import { STOPWORDS, cutWords, norm, squash, stem, upperFirst, words, type WordUse } from "./text";

export type CardKind = "definition" | "term" | "acronym" | "date" | "number" | "name" | "enumeration" | "phrase";

/** What the answer is, for choosing distractors of the same kind. */
export type Answer =
  | { type: "date"; span: NumberSpan }
  | { type: "number"; span: NumberSpan }
  | { type: "name"; cls: NameClass; head: string; acronym: boolean }
  | { type: "definition" }
  | { type: "term" }
  | { type: "list"; items: number }
  | { type: "phrase"; role: "subject" | "object" | "item"; agent: boolean };

export interface Candidate {
  kind: CardKind;
  a: Analysed;
  front: string;
  back: string;
  answer: Answer;
  /** The fact: candidates with the same key are one card. */
  key: string;
  score: number;
  /** Cloze span in the sentence (for overlap checks between cards of one sentence). */
  span?: Span;
}

export const QUESTION_MAX = 300;

// ---- cloze fronts ------------------------------------------------------------------------

function tidy(s0: string): string {
  let s = s0;
  if (s.includes('"') && (s.match(/"/g) ?? []).length % 2 === 1) s = s.replace(/\s"(?=\S)|(?<=\S)"(?=[\s.,;]|$)/, (m) => (m.startsWith(" ") ? " " : ""));
  if ((s.includes("“") || s.includes("”")) && (s.match(/“/g) ?? []).length !== (s.match(/”/g) ?? []).length) s = s.replace(/[“”]/g, "");
  if (/\s[,.;:!?]/.test(s)) s = s.replace(/\s+([,.;:!?])/g, "$1");
  if (s.includes("( ")) s = s.replace(/\(\s+/g, "(");
  s = squash(s);
  return s.endsWith(":") ? `${s.slice(0, -1)}.` : s;
}

/**
 * The sentence with `span` deleted as `{{c1::…}}`, cut to its clause when the sentence is too long
 * for a poll. Null when the deletion would leave too little, or take too much, of the sentence.
 */
export function clozeFront(a: Analysed, span: Span): string | null {
  if (a.edits.some((e) => overlaps(e, span) && e.end > e.start)) return null;
  const s = displayExact(a);
  const start = mapOffset(a.edits, span.start);
  const end = mapOffset(a.edits, span.end);
  const answer = s.slice(start, end);
  if (!answer.trim() || /\{\{|\}\}|::/.test(s)) return null;
  let before = s.slice(0, start);
  let after = s.slice(end);
  const limit = QUESTION_MAX - 20;
  const fits = () => before.length + after.length + 3 <= limit;
  if (!fits()) {
    // leave out asides that do not hold the answer: "(…)", ", supplementing …,", ", which …" at the end
    before = dropAsides(before);
    after = dropAsides(after).replace(/,\s(?:which|while|thereby|particularly|especially|including|in order)\b[^;]*?([.!?"”]*)$/, "$1");
  }
  if (!fits()) {
    // cut to the clause holding the answer: boundaries are ; : – and ", which/while/and …"
    const cuts = /;\s|:\s|\s[–—-]\s|,\s(?=(?:which|while|whereas|and|but|as well as|thereby|where|so that|in order)\b)/g;
    let lo = 0;
    for (const m of before.matchAll(cuts)) lo = m.index + m[0].length;
    cuts.lastIndex = 0;
    const m2 = cuts.exec(after);
    const hi = m2 ? m2.index : after.length;
    before = (lo > 0 ? "…" : "") + before.slice(lo);
    after = after.slice(0, hi) + (hi < after.length ? "…" : "");
  }
  if (!fits()) {
    // last resort: keep as much as fits of the comma-delimited stretch around the answer
    const origAfter = after;
    const cuts = [...origAfter.matchAll(/,\s|\s(?:and|but|while|which)\s/g)].map((m) => m.index).reverse();
    for (const at of cuts) {
      after = `${origAfter.slice(0, at)}…`;
      if (fits()) break;
    }
    const orig = before;
    for (const m of orig.matchAll(/,\s/g)) {
      if (fits()) break;
      before = `…${orig.slice(m.index + 2).replace(/^…/, "")}`;
    }
  }
  if (!fits()) return null;
  const visible = before + after;
  if (!/\w+\W+\w+\W+\w+\W+\w+/.test(visible)) return null; // at least four words of context
  if (answer.length > 0.5 * (visible.length + answer.length)) return null;
  const front = tidy(`${before}{{c1::${answer}}}${after}`);
  const q = front.replace(/\{\{c1::.*?\}\}/, "[…]");
  if (q.length > QUESTION_MAX) return null;
  return front;
}

/** Remove parentheses and comma-delimited asides (", supplementing the Convention,"). */
function dropAsides(t: string): string {
  return t
    .replace(/\s*\([^()]*\)/g, "")
    .replace(/,\s(?:[a-z]+ing|[a-z]+ed|which|who|in particular|for instance|for example|in partnership with|among others|however|therefore|moreover|thus|including|such as|especially)\b[^,;:()]*?,(?=\s)/g, "");
}

// ---- helpers -----------------------------------------------------------------------------

/** Lower-case a term's first letter unless it is a name or an acronym. */
function termCase(term: string, ctx: DocContext): string {
  const first = term.split(/\s+/)[0] ?? "";
  if (isAcronym(first.replace(/s$/, "")) || /^[A-Z][a-z]*[A-Z]/.test(first)) return term;
  // a name keeps its capital: capitalised inside sentences and never seen in lower case
  if (ctx.words.nameInside(first) && !ctx.words.lowerCase(first.toLowerCase())) return term;
  return term.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
}

/** Trim a definition to its first clause; strip quotes and the final full stop. */
export function trimDefinition(def: string): string {
  let d = def.trim().replace(/^["“']+|["”']+\.?$/g, "").trim();
  const cut = /;\s|\s\(|,\s(?:which|where|while|such as|for example|e\.g\.|including|and|but|as)\b|\s[–—-]\s/.exec(d);
  if (cut && cut.index > 20) d = d.slice(0, cut.index);
  d = d.replace(/[.,;:]+$/, "").trim();
  return upperFirst(cutWords(d, 160));
}

function cleanTerm(t: string): string | null {
  const term = t.trim().replace(/^(?:the term|the concept of|the notion of)\s+/i, "").replace(/^["“'‘]|["”'’]$/g, "");
  const n = words(term).length;
  if (n < 1 || n > 8 || /[,;:()]/.test(term)) return null;
  if (/^(It|They|This|These|That|Those|There|Here|What|Which|Who|Such|One|Each|Both|All|Some|Many|Key|You|We)\b/i.test(term)) return null;
  if (OPENERS.has((term.split(/\s+/)[0] ?? "").toLowerCase()) || /\b(there|here|this|these|it|they)\b/i.test(term)) return null;
  if (words(term).some((w) => AUX.has(w.toLowerCase()) || /^(which|who|that|because|if|when)$/i.test(w))) return null;
  return term;
}

// ---- extractors --------------------------------------------------------------------------

export interface DocContext {
  /** How the document uses words (a capitalised "Smuggling" that is also "smuggling" is no name). */
  words: WordUse;
  /** How often each name occurs in the document (normalised text → count). */
  nameCount: ReadonlyMap<string, number>;
  /** The unit where each acronym is first defined. */
  acronymFirst: ReadonlyMap<string, number>;
}

export function extract(a: Analysed, ctx: DocContext): Candidate[] {
  if (!a.readable) return [];
  const out: Candidate[] = [];
  definitions(a, ctx, out);
  terms(a, out);
  acronyms(a, out);
  counts(a, out);
  names(a, ctx, out);
  phrases(a, out);
  return out;
}

const DEF_PATTERNS: { re: RegExp; q: (term: string, verb: string, m: RegExpExecArray) => string; score: number }[] = [
  // "Smuggling of migrants is defined by article 3 of the Protocol … as "…""
  { re: /^(.+?) (is|are) defined (in|by|under) (.+?) as:?\s+(.{12,})$/, q: (t, v, m) => `How ${v} ${t} defined ${m[3]} ${m[4]}?`, score: 9 },
  { re: /^(.+?) (is|are) defined as:?\s+(.{12,})$/, q: (t, v) => `How ${v} ${t} defined?`, score: 9 },
  { re: /^(.+?) (is|are) (?:a|an|the) (?:term|word|expression|concept|name) (?:used )?(?:to (?:describe|denote|refer to|mean)|for|that (?:describes|denotes|refers to)) (.{8,})$/, q: (t) => `What does the term “${t}” describe?`, score: 9 },
  { re: /^(.+?) (means|refers to|denotes) (.{8,})$/, q: (t, v) => `What does ${t} ${v === "means" ? "mean" : v === "denotes" ? "denote" : "refer to"}?`, score: 8 },
  { re: /^(.+?) (is|are) ((?:those|the ones|any (?:act|offence|crime)s?) (?:which|that|who) .{8,})$/, q: (t, v) => `What ${v} ${t}?`, score: 8 },
  { re: /^(.+?) (is|are|was|were)(?: (?:also|often|thus|essentially|generally|usually|currently|now|still|therefore|by nature|by definition))? ((?:a|an|the) .{8,})$/, q: (t, v) => `What ${v} ${t}?`, score: 6 },
];

function definitions(a: Analysed, ctx: DocContext, out: Candidate[]): void {
  const s = tidy(a.display).replace(/\.$/, "");
  const body = a.unit.bodyStart ? upperFirst(s.slice(labelLength(a))) : s;
  const maybeDef = / (?:is|are|was|were|means|refers|denotes) /.test(body);
  for (const p of maybeDef ? DEF_PATTERNS : []) {
    const m = p.re.exec(body);
    if (!m) continue;
    const term = cleanTerm(m[1]!);
    if (!term) continue;
    const defRaw = m[m.length - 1]!;
    if (/^(?:a|an|the)\s+(?:need|case|result|way|reason|fact|part|one|number|lack|key|matter)\b/i.test(defRaw) && p.score < 8) continue;
    if (/\bnot\b/.test(m[0].slice(m[1]!.length, m[1]!.length + 30)) && p.score < 8) continue;
    // a list with a count ("a combination of three elements: …") is asked as an enumeration
    if (/\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+[a-z]+:\s/.test(defRaw)) continue;
    const def = trimDefinition(defRaw);
    if (def.endsWith("…")) continue; // too long to learn as one answer
    if (p.score === 6 && words(def).length > 22) continue;
    if (words(def).length < 2) continue;
    const t = termCase(term, ctx).replace(/^(A|An|The)\s/, (w) => w.toLowerCase());
    const verb = m[2] ?? "is";
    const front = p.q(t, verb, m).replace(/\s+/g, " ");
    if (front.length > QUESTION_MAX) continue;
    out.push({ kind: "definition", a, front, back: def, answer: { type: "definition" }, key: `def:${norm(term)}`, score: p.score });
    return;
  }
  // "three elements: act, means and purpose" → "… which three elements?"
  const cm = !body.includes(":") ? null : /^(.*?\b)((two|three|four|five|six|seven|eight|nine|ten|\d+)\s+([a-z][a-z\-]*(?:\s[a-z][a-z\-]*)?)):\s+(.+)$/.exec(body);
  if (cm && cm[1]!.trim().length >= 8 && /,|\band\b|\bor\b/.test(cm[5]!)) {
    const list = upperFirst(cm[5]!.replace(/[.;]+$/, "").trim());
    if (words(list).length <= 14) {
      const front = `${upperFirst(cm[1]!)}which ${cm[2]}?`;
      out.push({ kind: "enumeration", a, front, back: list, answer: { type: "list", items: list.split(/,\s*|\s+(?:and|or)\s+/).length }, key: `enum:${norm(front)}`, score: 8 });
    }
  }
}

/**
 * A term the sentence introduces: "… inside organelles called {{chloroplasts}}", "… are known as
 * {{the Calvin cycle}}", "… a ship known as {{the cog}}". What a lecturer asks first; its wrong
 * options are the document's other terms.
 */
function terms(a: Analysed, out: Candidate[]): void {
  const s = a.unit.text;
  if (!/\b(?:called|known as|termed)\s/.test(s)) return;
  let n = 0;
  for (const m of s.matchAll(/\b(?:called|known\s+as|termed)\s+/g)) {
    if (++n > 4) break;
    const from = m.index + m[0].length;
    if (from < a.unit.bodyStart || a.skip.some((r) => r.start <= from && from < r.end)) continue;
    const stop = /[,;:.()!?]/.exec(s.slice(from, from + 120));
    const end = phraseEnd(stop ? s.slice(0, from + stop.index) : s, from, 5); // a term ends at the clause's end
    if (end <= from) continue;
    const term = s.slice(from, end).replace(/[\s,;:]+$/, "");
    const ws = words(term);
    if (ws.length < 1 || ws.length > 5 || /^(?:after|for|by|in|on|to|from|upon|into|this|these|that|those|it|them|such|which|what)\b/i.test(term)) continue;
    if (!ws.some((w) => !STOPWORDS.has(w.toLowerCase()))) continue;
    const span = { start: from, end: from + term.length };
    if (a.numbers.some((x) => overlaps(x, span))) continue;
    const front = clozeFront(a, span);
    if (!front) continue;
    out.push({ kind: "term", a, front, back: term, answer: { type: "term" }, key: `term:${norm(term.replace(/^(?:the|a|an)\s+/i, ""))}`, score: 8.5, span });
  }
}

function labelLength(a: Analysed): number {
  const m = /^[^:]{1,80}:\s+/.exec(a.display);
  return a.unit.label && m ? m[0].length : 0;
}

function acronyms(a: Analysed, out: Candidate[]): void {
  for (const d of a.acronyms) {
    const cls = /\b(Convention|Protocol|Treaty|Agreement|Act|Charter|Declaration|Toolkit)\b/.test(d.long) ? "instrument" : "org";
    out.push({
      kind: "acronym",
      a,
      front: `What does ${d.acronym} stand for?`,
      back: d.long,
      answer: { type: "name", cls, head: "", acronym: false },
      key: `acr:${d.acronym}`,
      score: 9,
    });
  }
}

/**
 * At most this many figures, names or lists of one sentence are tried as cards: a sentence keeps at
 * most 4 cards, and trying each of hundreds ("1 1 1 …") would cost time in the square of its length.
 */
const SPANS_PER_SENTENCE = 10;

/** The word that ends right before `i` (as /([A-Za-z][A-Za-z-]*)$/ on s.slice(0, i), without rescanning the prefix). */
function wordBefore(s: string, i: number): [string, string] | null {
  let k = i;
  while (k > 0 && /[A-Za-z-]/.test(s.charAt(k - 1))) k--;
  while (k < i && s.charAt(k) === "-") k++;
  return k < i ? [s.slice(k, i), s.slice(k, i)] : null;
}

function counts(a: Analysed, out: Candidate[]): void {
  const hasEnumeration = out.some((c) => c.kind === "enumeration" && c.a === a);
  for (const n of a.numbers.slice(0, SPANS_PER_SENTENCE)) {
    if (hasEnumeration && /^\s+[a-z][a-z\-]*(?:\s[a-z][a-z\-]*)?:\s/.test(a.unit.text.slice(n.end))) continue; // asked by the enumeration
    const front = clozeFront(a, n);
    if (!front) continue;
    const isDate = n.kind === "date" || n.kind === "year";
    const noun = stem(n.noun || "");
    // the same figure counting the same thing is one fact; a figure counting nothing named is this sentence's own
    const key = isDate ? `date:${norm(n.text)}` : `num:${n.kind}:${n.value}:${noun || `#${a.unit.index}`}`;
    let score = isDate ? 7 : n.noun ? 7 : 5;
    if (n.word && n.value <= 2) continue; // "the two offences": seldom a fact worth asking
    if (n.kind === "ordinal") score = 5;
    if (/article\s+$/i.test(a.unit.text.slice(Math.max(0, n.start - 9), n.start))) score = 5;
    out.push({ kind: isDate ? "date" : "number", a, front, back: n.text, answer: isDate ? { type: "date", span: n } : { type: "number", span: n }, key, score, span: n });
  }
}

function names(a: Analysed, ctx: DocContext, out: Candidate[]): void {
  const acr = a.acronyms;
  for (const d of acr.slice(0, SPANS_PER_SENTENCE)) {
    if (ctx.acronymFirst.get(d.acronym) === a.unit.index) continue; // asked by the acronym card
    // defined again: ask the name, with its acronym, as a name
    const span = { start: Math.min(d.longSpan.start, d.acrSpan.start), end: Math.max(d.longSpan.end, d.acrSpan.end) };
    const front = clozeFront(a, span);
    if (!front) continue;
    const back = a.unit.text.slice(span.start, span.end);
    out.push({ kind: "name", a, front, back, answer: { type: "name", cls: "org", head: "", acronym: false }, key: `name:${norm(back)}:${a.unit.index}`, score: 6, span });
  }
  for (const n of a.names.slice(0, SPANS_PER_SENTENCE)) {
    // a name defined by an acronym in this sentence is asked by the acronym card (or as above)
    if (acr.some((d) => overlaps(d.longSpan, n) || overlaps(d.acrSpan, n))) continue;
    if (n.cls === "other") continue; // a capitalised phrase of no known kind ("the Blue Heart"): no good distractors, seldom a fact
    if (a.unit.path.some((p) => norm(p) === norm(n.text))) continue;
    const next = /^\s+([a-z]+)/.exec(a.unit.text.slice(n.end, n.end + 30))?.[1];
    if (n.acronym && next && !STOPWORDS.has(next) && !isVerbWord(next) && !/(?:ly|ed)$/.test(next)) continue; // "DNA ligase": the acronym is half of a name
    const front = clozeFront(a, n);
    if (!front) continue;
    const count = ctx.nameCount.get(norm(n.text)) ?? 1;
    let score = 5;
    if (n.head && n.caps >= 2) score += 1;
    if (count <= 2) score += 1;
    if (count >= 5) score -= 2;
    if (n.start <= a.unit.bodyStart + 4) score -= 1; // the sentence's own subject: often what it is about
    if (a.unit.text.length <= 200) score += 0.5;
    out.push({ kind: "name", a, front, back: n.text, answer: { type: "name", cls: n.cls, head: n.head, acronym: n.acronym }, key: `name:${norm(n.text)}:${a.unit.index}`, score, span: n });
  }
}

// ---- key phrases -------------------------------------------------------------------------

/** Cue words whose object is a good answer; `examples`: asked even in a definition's sentence. */
const CUES: { re: RegExp; strong: boolean; keys: string[]; minWords?: number; examples?: boolean; oneWord?: boolean }[] = [
  { re: /\b(?:requires?|required|requiring)\s+/g, strong: true, keys: ["requir"] },
  { re: /\b(?:includes?|including|involves?|involving)\s+/g, strong: true, keys: ["includ", "involv"] },
  { re: /\b(?:leads?|led)\s+to\s+/g, strong: true, keys: ["lead", "led"] },
  { re: /\b(?:results?|resulted|result)\s+in\s+/g, strong: true, keys: ["result"] },
  { re: /\b(?:contributes?|contributed)\s+to\s+/g, strong: false, keys: ["contribut"] },
  { re: /\b(?:is|are|was|were|be)\s+(?:\w+\s+)?(?:crucial|essential|vital|central|important|necessary|instrumental)\s+(?:in|for|to)\s+/g, strong: true, keys: ["crucial", "essential", "vital", "central", "important", "necessary", "instrumental"] },
  { re: /\b(?:is|are|was|were|be)\s+(?:also\s+)?(?:subject|dedicated|limited)\s+to\s+/g, strong: true, keys: ["subject", "dedicated", "limited"] },
  { re: /\b(?:is|are|was|were|be)\s+(?:\w+\s+)?equipped\s+with\s+/g, strong: true, keys: ["equipped"] },
  { re: /\bbrings?\s+together\s+/g, strong: true, keys: ["together"] },
  { re: /\b(?:provides?|provided|offers?)\s+/g, strong: false, keys: ["provide", "offer"] },
  { re: /\b(?:depends?|relies?|focus(?:es)?)\s+on\s+/g, strong: false, keys: ["depend", "relies", "focus"] },
  { re: /\b(?:consists?\s+of|comprises?)\s+/g, strong: true, keys: ["consist", "compris"] },
  { re: /\b(?:needs?)\s+(?!to\b)/g, strong: false, keys: ["need"] },
  { re: /\bsuch\s+as\s+/g, strong: false, keys: ["such"], minWords: 1, examples: true },
  { re: /\b(?:should|must|can)\s+(?:also\s+)?(?:check|learn more about|take|exert)\s+/g, strong: false, keys: ["check", "learn", "take", "exert"], minWords: 1 },
  { re: /\b(?:located|held|found)\s+in\s+/g, strong: false, keys: ["located", "held", "found"] },
  { re: /\b(?:takes?|took|taking)\s+place\s+(?:mainly\s+|mostly\s+|only\s+)?(?:in|inside|within)\s+/g, strong: true, keys: ["place"] },
  { re: /\b(?:pairs?|paired|binds?|bound)\s+(?:only\s+)?(?:with|to)\s+/g, strong: true, keys: ["pair", "bind", "bound"] },
  { re: /\b(?:produces?|produced|releases?|released)\s+/g, strong: false, keys: ["produc", "releas"] },
  { re: /\bthe\s+(?:enzymes?|hormones?|pigments?|proteins?)\s+(?=[A-Za-z])/g, strong: true, keys: ["enzyme", "hormone", "pigment", "protein"], oneWord: true },
  { re: /\b(?:applies|apply|applied)\s+to\s+/g, strong: true, keys: ["appl"] },
  { re: /\b(?:attention|alert)\s+to\s+/g, strong: false, keys: ["attention", "alert"] },
  { re: /\b(?:awareness|aware)\s+of\s+/g, strong: false, keys: ["aware"] },
  { re: /\b(?:is|are|was|were|be|been)\s+(?:\w+\s+)?(?:[a-z]+ed|[a-z]+en|backed\s+up|organized|organised)\s+(?:by|through)\s+(?!means\b)/g, strong: true, keys: ["by", "through"], minWords: 2 },
  { re: /\b(?:spread|organized|organised|committed|caused|driven|funded|run|led)\s+(?:across|by|through)\s+/g, strong: false, keys: ["spread", "organi", "committed", "caused", "driven", "funded", "run", "led"] },
];

/** Every cue's key words in one pattern: one pass finds which cues can match a sentence. */
const CUE_KEYS = new RegExp([...new Set(CUES.flatMap((c) => c.keys))].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi");

const ADVERBS = new Set(
  "also often only still now currently already always never usually generally thus therefore ultimately increasingly extensively explicitly especially particularly then however moreover furthermore indeed even just mainly mostly largely notably further perhaps directly indirectly".split(" "),
);
/** Words too general to make an answer on their own ("addressing the crime", "the issue"). */
const GENERIC = new Set("crime crimes issue issues problem problems matter matters thing things way ways people work action actions measure measures effort efforts activity activities area areas level levels part parts kind kinds sort sorts form forms case cases".split(" "));
const STOP_AT = new Set("which that who whom whose where when while whereas because so although though unless if thereby but as than whether how what why every each".split(" "));
const BAD_START = /^(?:it|its|them|this|these|that|those|such|which|who|what|how|there|here|one|to|and|or|but|not|whether|you|your|we|our|us|of|in|on|at|by|for|with|from|into|than|as|if|when|while|because|so|out|up|off|down|away|back)\b|^[^A-Za-z0-9]/i;
const BAD_END = /\b(?:this|these|that|those|it|them|the|a|an|of|to|in|on|for|with|by|and|or|from|at|as|than|such|their|its|big|small|key|important|major|great|main|new|other|many|more|most|few|several|various|same|different|own|high|low|good|bad|large|little)$/i;
const AGENT_HEADS = new Set(
  "people citizens consumers agencies governments companies businesses individuals voices organizations organisations countries states authorities groups networks smugglers traffickers victims migrants police units officers prosecutors ngos tourists customers parties members perpetrators criminals counterfeiters actors communities families friends neighbours lecturers students society public secretariat institutions partners donors makers politicians judges courts employers workers children women men users buyers sellers".split(
    " ",
  ),
);

/** Does a noun phrase name people or bodies (who) rather than things (what)? */
export function isAgent(np: string): boolean {
  const ws = np.toLowerCase().split(/\s+/);
  const prep = ws.findIndex((w, i) => i > 0 && /^(of|in|on|for|to|against|with|by|from|at|behind|across|within)$/.test(w));
  const heads = (prep > 0 ? ws.slice(0, prep) : ws).join(" ").split(/,\s*|\s+(?:and|or)\s+/).map((x) => x.trim().split(/\s+/).pop() ?? "").filter(Boolean);
  return heads.length > 0 && heads.every((h) => AGENT_HEADS.has(h) || /^(governments?|ngos|individuals|family|people)$/.test(h));
}

/** End of a key phrase that starts at `from`: at punctuation, a clause word, "to + verb" or too many words. */
function phraseEnd(s: string, from: number, maxWords = 8): number {
  const re = /[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’\-]*|[,;:.()!?"“”\[\]–—]|(?<=\s)-(?=\s)/g;
  re.lastIndex = from;
  let end = from;
  let n = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const t = m[0];
    const l = t.toLowerCase();
    if (/^[,;:.()!?"“”\[\]–—-]$/.test(t)) {
      if (t === ",") {
        const list = listAt(s, m.index, s.slice(from, m.index));
        if (list && words(s.slice(from, list.end)).length <= maxWords + 2) return list.end;
        if (n === 1 && /^,\s+\w+(?:,|\s+(?:and|or)\b)/.test(s.slice(m.index))) return -1; // "identifying, investigating and …": a list we could not parse
        // "demand for cheap, undocumented labour": the comma joins adjectives, the phrase goes on
        const next = /^,\s+([A-Za-z"“\d][\w'’\-]*)/.exec(s.slice(m.index))?.[1] ?? "";
        const after2 = /^,\s+[\w'’\-]+\s+([\w'’\-]+)/.exec(s.slice(m.index))?.[1] ?? "";
        const participle = /ed$/.test(next) && /^(as|by|in|to|with|for|at|from|on|the|a|an|under|into)$/.test(after2); // ", defined as …"
        if (next && /^[a-z]/.test(next) && !participle && !/^(which|who|whom|whose|where|when|while|whereas|and|or|but|as|so|the|a|an|with|including|such|especially|particularly|notably|to|in|for|by|on|at|from|of|thereby|thus|therefore|not|than|if|although|though|because|since|until|unless|before|after|among|between|without|within|through|despite|like|whether|then|its|their|his|her|our|your|this|these|that|those|it|they|we|you|he|she|one|all|both|each|many|most|some|any|no|nor|rather|even|also|only|often|perhaps|probably)$/.test(next) && !/ing$/.test(next)) continue; // "demand for cheap, undocumented labour": go on
      }
      break;
    }
    if (n > 0 && STOP_AT.has(l)) break;
    if (n > 1 && ADVERBS.has(l)) break; // "… migrants only for the profit"
    if (n > 0 && l === "to") {
      const nx = /^\s+([a-z]+)/.exec(s.slice(m.index + 2));
      if (nx && (isVerbWord(nx[1]!) || /^(help|identify|ensure|promote|prevent|tackle|assist|raise|build|fight|protect|reduce|stop|achieve|obtain|escape|address|be)$/.test(nx[1]!))) break;
    }
    if (n > 0 && (l === "and" || l === "or")) {
      const nx = /^\s+([a-z]+)/.exec(s.slice(m.index + l.length));
      if (nx && (AUX.has(nx[1]!) || isVerbWord(nx[1]!))) break;
    }
    if (n > 0 && AUX.has(l)) break;
    n++;
    end = m.index + t.length;
    if (n >= maxWords + 1) return -1;
  }
  return end;
}

interface ListMatch {
  /** End of the list (after its last item). */
  end: number;
  /** Start and end of its last item. */
  lastStart: number;
  /** Items between the commas (without the first and the last), and where they are. */
  middle: string[];
  middleSpans: Span[];
  last: string;
}

/** "A, B and C" from the first comma after A: where the list ends, or null when it is no list. */
function listAt(s: string, comma: number, first = ""): ListMatch | null {
  const rest = s.slice(comma, comma + 400);
  if (!/\s(?:and|or)\s/.test(rest)) return null;
  const m = /^((?:,\s+[^,;:.()"“”]{1,40}?){1,6}),?\s+(?:and|or)\s+([^,;:.()"“”]+)/.exec(rest);
  if (!m) return null;
  const middle = m[1]!.split(",").map((x) => x.trim()).filter(Boolean);
  // "access to information and communication technology": one "item" with a preposition is no list
  if (middle.length === 1 && /\s(?:to|of|in|for|on|with|by|from)\s/.test(` ${middle[0]} `)) return null;
  // "migrants, leaving smugglers, …" is a participle clause, not a list (unless the list is of -ing words)
  if (middle.some((x) => /^[a-z]+ing\b/.test(x)) && !/ing$/.test(first.trim())) return null;
  if (middle.some((x) => words(x).length > 4 || isVerbWord(words(x)[0] ?? "") || /^(and|or|but|which|that|who|whom)\b/.test(x) || /^(especially|including|such|the)\b/.test(x) && words(x).length > 3)) return null;
  // the last item stops before a verb or a clause word ("… and destination work together")
  const lastText = m[2]!;
  const ws = [...lastText.matchAll(/[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’\-]*|\s[–—-]\s/g)];
  let cut = lastText.length;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]![0].toLowerCase();
    const prevW = (ws[i - 1]?.[0] ?? "").toLowerCase();
    const quantifier = /^(all|both)$/.test(w) && !/^(in|of|at|for|on|to|from|with|by)$/.test(prevW);
    if (/^\s*[–—-]\s*$/.test(w) || i > 0 && (AUX.has(w) || isVerbWord(w) || quantifier || /ly$/.test(w) && w.length > 4 || /^(work|works|need|needs|play|plays|continue|remain|which|that|who|whom|whose|to|so|because|while|if|when|where|thereby|but)$/.test(w))) {
      cut = ws[i]!.index;
      break;
    }
  }
  let last = lastText.slice(0, cut).trim();
  // "furs, wax, timber and grain from the east for cloth": items of one word; the last one is "grain"
  if (middle.every((x) => words(x).length === 1) && words(last).length > 2) {
    const prep = /\s(?:from|for|to|in|on|at|with|by|into|across)\s/.exec(last);
    if (prep && words(last.slice(0, prep.index)).length === 1) last = last.slice(0, prep.index);
  }
  if (!last || words(last).length > 7) return null;
  const lastStart = comma + m[0].length - lastText.length + (lastText.length - lastText.trimStart().length);
  const middleSpans: Span[] = [];
  for (const im of m[1]!.matchAll(/,\s+([^,]+)/g)) {
    const start = comma + im.index + im[0].length - im[1]!.length;
    const text = im[1]!.trimEnd();
    middleSpans.push({ start, end: start + text.length });
  }
  return { end: lastStart + last.length, lastStart, middle, middleSpans, last };
}

const headingSets = new WeakMap<readonly string[], Set<string>>();
function headingSet(path: readonly string[]): Set<string> {
  let h = headingSets.get(path);
  if (!h) {
    h = new Set(path.map(norm));
    headingSets.set(path, h);
  }
  return h;
}

function phrases(a: Analysed, out: Candidate[]): void {
  const s = a.unit.text;
  const bodyStart = a.unit.bodyStart;
  const taken: Span[] = [];
  const headings = headingSet(a.unit.path);
  const hasDefinition = out.some((c) => (c.kind === "definition" || c.kind === "enumeration") && c.a === a);
  let tries = 0;
  const push = (span0: Span, role: "subject" | "object" | "item", score: number, minWords = 1) => {
    if (++tries > 3 * SPANS_PER_SENTENCE) return;
    let span = { ...span0 };
    // "Many {{national authorities and …}} are involved": a quantifier is no part of the answer
    const quant = /^(?:many|some|most|several|few|both|various|numerous)\s+(?=[a-z])/i.exec(s.slice(span.start, span.end));
    if (quant) span = { start: span.start + quant[0].length, end: span.end };
    // trim trailing adverbs ("Consumers also") and spaces
    for (;;) {
      const t = s.slice(span.start, span.end);
      const m = /\s+([A-Za-z]+)\s*$/.exec(t);
      if (m && ADVERBS.has(m[1]!.toLowerCase())) span = { start: span.start, end: span.start + m.index };
      else break;
    }
    const ans = s.slice(span.start, span.end).trim();
    const ws = words(ans);
    const n = ws.length;
    if (n < minWords || n > 8 || ans.length > 80) return;
    if (BAD_START.test(ans) || BAD_END.test(ans) || ADVERBS.has(ws[0]!.toLowerCase())) return;
    if (/\b(?:for|of|in|to|by|on|at)\s+[a-z]+ing$/.test(ans)) return; // "a basis for evaluating"
    if (/\b(?:this|these|that|those|such)\b/i.test(ans)) return; // "tackling this sort of crime": what "this" is, is elsewhere
    if (/^others?\b/i.test(ans) && /\b(?:or|and)\s+$/.test(s.slice(0, span.start))) return; // "… or other forms of forced subjugation": a list's catch-all end
    if (ws.some((w) => GENERIC.has(w.toLowerCase())) && ws.every((w) => STOPWORDS.has(w.toLowerCase()) || GENERIC.has(w.toLowerCase()) || /ing$/.test(w))) return; // "addressing the crime"
    // inside a quotation (a definition quoted in full) or a condition ("If a medicine … requires a prescription")
    const q = (s.slice(0, span.start).match(/["“”]/g) ?? []).length;
    if (q % 2 === 1 && hasDefinition) return;
    const clause = s.slice(Math.max(bodyStart, s.lastIndexOf(",", span.start) + 1), span.start).trim();
    if (role !== "subject" && /^(?:if|when|whenever|unless|whether)\b/i.test(clause)) return;
    if (n === 1 && (/ing$|ly$/.test(ans) || role === "subject" && !isAgent(ans))) return;
    if (!ws.some((w) => !STOPWORDS.has(w.toLowerCase()) && !/^\d+$/.test(w))) return;
    if (headings.has(norm(ans)) || headings.has(norm(ans.replace(/^(the|a|an)\s+/i, "")))) return;
    if (/^the\s+[A-Z][a-z]+$/i.test(ans) && /^[A-Z]/.test(ans.split(/\s+/)[1] ?? "")) return; // "the Alliance": a short name for something named elsewhere
    if (taken.some((t) => overlaps(t, span))) return;
    const bare = ans.replace(/^(the|a|an)\s+/i, "");
    if (a.names.some((nm) => nm.text === bare || nm.start <= span.start && nm.end >= span.end)) return; // a name: asked as a name
    if (a.acronyms.some((d) => overlaps(d.acrSpan, span))) return; // "Deoxyribonucleic acid (DNA)": asked by the acronym card
    if (a.numbers.some((nm) => overlaps(nm, span) && nm.end - nm.start >= ans.length * 0.5)) return;
    const front = clozeFront(a, span);
    if (!front) return;
    taken.push(span);
    const kind = role === "item" ? "enumeration" : "phrase";
    out.push({ kind, a, front, back: ans, answer: { type: "phrase", role, agent: isAgent(ans) }, key: `phr:${a.unit.index}:${norm(ans)}`, score, span });
  };
  // objects after cue verbs (a definition's sentence is asked by its definition card)
  const present = new Set<string>();
  for (const m of s.matchAll(CUE_KEYS)) present.add(m[0].toLowerCase());
  for (const cue of present.size ? CUES : []) {
    if (!cue.keys.some((k) => present.has(k)) || hasDefinition && !cue.examples) continue;
    for (const m of s.matchAll(cue.re)) {
      const from = m.index + m[0].length;
      if (from < bodyStart) continue;
      if (a.skip.some((r) => r.start <= from && from < r.end)) continue;
      if (/\bnot\s+$/.test(s.slice(Math.max(0, m.index - 5), m.index))) continue;
      const end = cue.oneWord ? from + (/^[A-Za-z0-9][\w\-]*/.exec(s.slice(from, from + 40))?.[0].length ?? 0) : phraseEnd(s, from, 10);
      if (end <= from) continue;
      const n = words(s.slice(from, end)).length;
      push({ start: from, end }, "object", 3 + (cue.strong ? 1 : 0) + (n >= 2 && n <= 6 ? 0.5 : 0), cue.minWords ?? (cue.strong || isAgent(s.slice(from, end)) ? 1 : 2));
    }
  }
  // subject of the main clause
  let body = s.slice(bodyStart);
  // a sentence whose opening pronoun was replaced: find its verb with the pronoun masked
  const masked = a.referent !== undefined;
  if (masked) body = body.replace(/^[A-Za-z]+/, (w) => `Q${"x".repeat(w.length - 1)}`);
  let c = hasDefinition ? null : mainClause(bodyStart && /^[a-z]/.test(body) ? upperFirst(body) : body);
  if (!c && !hasDefinition && !masked) {
    // "In some countries, traditional practices … hinder …": the clause after an opening phrase
    const comma = /^(?:In|At|On|For|Under|Among|Despite|Beyond|Across|Throughout|Within|By|As of|Since|After|Before|Today|Increasingly|Importantly|However|Moreover|Critically|Unfortunately)\b[^,;:]{0,60},\s+/.exec(body);
    if (comma) {
      const rest = body.slice(comma[0].length);
      const c2 = mainClause(upperFirst(rest));
      if (c2) c = { subject: { ...c2.subject, start: c2.subject.start + comma[0].length, end: c2.subject.end + comma[0].length }, verb: { ...c2.verb, start: c2.verb.start + comma[0].length, end: c2.verb.end + comma[0].length } };
    }
  }
  if (c && !masked) {
    const subj = c.subject.text.replace(/(?:\s+[a-z]+ly|\s+(?:also|often|only|still|now|thus|therefore|further|even))+$/, "");
    const ws = words(subj);
    const first = (ws[0] ?? "").toLowerCase();
    const ok =
      ws.length >= 2 && ws.length <= (/ing$/.test(first) ? 5 : 8) && !/\s[A-Z][a-z]+\s+[A-Z]/.test(subj) &&
      !/\b(that|which|who|what|whom|this|these|it|they|such as|including)\b/i.test(subj) &&
      !(isVerbWord(first) && !/ing$/.test(first)) &&
      !/^(attempts?|efforts?|ways?)$/.test(first);
    const defines = /^(?:is|are)\s+(?:defined|described|known|understood)\b|^(?:means|refers|denotes)\b/.test(c.verb.text.toLowerCase()) || /^\s*(?:defined|described)\b/.test(s.slice(bodyStart + c.verb.end));
    if (ok && !defines) push({ start: bodyStart + c.subject.start, end: bodyStart + c.subject.end }, "subject", 3.5);
    if (!ok && (/\b(that|which|who|what|whom)\b/i.test(subj) || isVerbWord(first) && !/ing$/.test(first))) c = null; // no object of a clause we misread
  }
  // a state described by an adjective that closes the clause: "implementation … is {{still very uneven}}."
  for (const m of s.matchAll(/\b(?:is|are|was|were|remains?|remained)\s+(?:(?:still|often|now|generally|largely|also)\s+)?((?:(?:very|highly|particularly|relatively|increasingly|extremely|far|much)\s+){0,2}[a-z][a-z\-]+)(?=\s*(?:[,.;:]|$))/g)) {
    const phrase = m[1]!;
    const last = phrase.split(/\s+/).pop()!;
    if (m.index < bodyStart || /(?:ed|ing)$/.test(last) || STOPWORDS.has(last) || isVerbWord(last)) continue;
    const clause = s.slice(Math.max(bodyStart, s.lastIndexOf(",", m.index) + 1), m.index).trim();
    if (/^(?:if|when|while|although|though|as|because|since|unless|whether)\b/i.test(clause)) continue;
    const start = m.index + m[0].length - phrase.length;
    push({ start, end: start + phrase.length }, "object", 3, phrase.includes("-") ? 1 : 2); // "is {{semi-conservative}}"
  }
  // the object of the main verb: "UNODC helps strengthen {{the capacity of States}} to …"
  if (c) {
    const vEnd = bodyStart + c.verb.end;
    const tail = s.slice(vEnd);
    const skip = /^(?:\s+(?:to|be|been|being|not|also|often|only|still|further|more|help|helps)\b|\s+[a-z]+(?:ed|en)\b(?=\s+(?:through|by|with|to|on|in|for|at|from|into|about|against|as)\b)|\s+(?:through|by|with|to|on|in|for|at|from|into|about|against|as)\b(?=\s+(?:the|a|an|their|its|[a-z]+s)\b)|\s+(?!the\b|a\b|an\b)[a-z]+\b(?=\s+(?:the|a|an|their|its)\b))*/.exec(tail);
    const from = vEnd + (skip ? skip[0].length : 0) + (/^\s+/.exec(s.slice(vEnd + (skip ? skip[0].length : 0)))?.[0].length ?? 0);
    if (from > vEnd && from < s.length && !taken.some((t) => t.start <= from && from < t.end)) {
      const end = phraseEnd(s, from, 10);
      // only people and bodies ("often target {{migrants}}"): other objects of plain verbs make weak cards
      if (end > from && isAgent(s.slice(from, end))) push({ start: from, end }, "object", 2.5);
    }
  }
  // enumerations: the last item of "A, B and C", or the shared modifiers of "A, B and C nouns"
  let coveredTo = -1;
  // "By the same token, A and B …": a comma that closes an opening phrase starts no list
  const openerComma = /^(\S+)(?:\s+\S+){0,4},\s/.exec(s.slice(bodyStart));
  const openerEnd = openerComma && OPENERS.has(openerComma[1]!.toLowerCase()) ? bodyStart + openerComma[0].length - 2 : -1;
  let lists = 0;
  for (const m of s.matchAll(/,\s/g)) {
    if (++lists > 3 * SPANS_PER_SENTENCE) break;
    if (m.index < bodyStart || m.index < coveredTo) continue; // inside a list already seen
    if (m.index === openerEnd) continue;
    const before = wordBefore(s, m.index);
    const list = listAt(s, m.index, before?.[1] ?? "");
    if (!list) continue;
    coveredTo = list.end;
    const lastWords = words(list.last);
    const sharedTail = lastWords.length === 2 || lastWords.length >= 3 && /^(of|for|to|in|on|against)$/i.test(lastWords[1]!); // "… and deployment of malware"
    if (list.middle.every((x) => words(x).length === 1) && sharedTail && before && !/^(the|a|an)$/i.test(lastWords[0]!)) {
      // "social, economic and political pressures" → "social, economic and political"; "creation, dissemination and deployment of malware" → "creation, dissemination and deployment"
      const start = m.index - before[1]!.length;
      const end = list.lastStart + lastWords[0]!.length;
      push({ start, end }, "item", 3.5);
      continue;
    }
    if (lastWords.length > 7 || isVerbWord(lastWords[0] ?? "") && !/ed$/.test(lastWords[0] ?? "")) continue;
    const lead = s.slice(bodyStart, m.index - (before?.[1]?.length ?? 0));
    if (list.middle.every((x) => words(x).length === 1) && lastWords.length === 1 && before && !STOPWORDS.has(before[1]!.toLowerCase()) && !/\b(?:same|very)\s*$/i.test(lead)) {
      // "origin, transit and destination": the whole list is the fact
      push({ start: m.index - before[1]!.length, end: list.end }, "item", 3.5);
      continue;
    }
    push({ start: list.lastStart, end: list.end }, "item", 3);
    // a second item of a list of longer items ("the dark web, {{anonymous online profiles}} and …")
    const longer = list.middleSpans.filter((sp) => {
      const ws = words(s.slice(sp.start, sp.end));
      return ws.length >= 2 && ws.length <= 4 && !isVerbWord(ws[0]!) && !STOPWORDS.has(ws[0]!.toLowerCase());
    });
    const pick = longer.sort((x, y) => y.end - y.start - (x.end - x.start))[0];
    // (only in a list of three: in a longer list of examples any item would do)
    if (pick && list.middle.length === 1 && lastWords.length >= 2 && !isAgent(s.slice(pick.start, pick.end))) push(pick, "item", 2.8);
  }
}
