/**
 * Just enough English grammar for the drafter, from word lists rather than a tagger: where the
 * subject of a sentence ends, which words are verbs, and whether it opens with a dangling pronoun.
 */

/** Auxiliaries and modals. */
export const AUX = new Set(
  "is are was were be been being has have had can could should would will shall may might must do does did cannot".split(" "),
);

const VERB_STEMS =
  "accept accompany achieve act address adopt affect aim allow apply arise assist attract become begin bring build buy call carry cause change check choose collaborate collect combat come commit compare concern conduct consider consist constitute contain continue contribute convict counter create curb cut deal decide define demand depend describe deter develop differ discourage dismantle dispel distinguish do drive emerge enable encourage engage enhance ensure enter equip establish evaluate evolve exert exist expand explain explore expose express face facilitate fail fall fight find focus follow form fuel gain generate get give go grow happen harm help hinder highlight hold identify illustrate impact implement improve include increase influence inform involve join keep know lack launch lead learn leave limit link live look make manage mean measure meet monitor move need note obtain occur offer operate organize organise own participate pay perform permit place play pose prevent produce profit promote protect prove provide pursue raise reach receive recognize reduce reflect refer refuse reinforce relate rely remain remember report represent require respond result review risk run save see seek seem sell serve set share show speak spread stand stay stop strengthen suffer suggest supplement support take tackle target tend threaten track trade transport turn undermine understand use vary work write"
    .split(" ");

const VERBS = new Set<string>();
for (const v of VERB_STEMS) {
  VERBS.add(v);
  VERBS.add(/(s|sh|ch|x|z|o)$/.test(v) ? `${v}es` : /[^aeiou]y$/.test(v) ? `${v.slice(0, -1)}ies` : `${v}s`);
  VERBS.add(/e$/.test(v) ? `${v}d` : /[^aeiou]y$/.test(v) ? `${v.slice(0, -1)}ied` : `${v}ed`);
}
for (const v of "led made took gave brought built bought chose found held kept knew left meant met paid ran saw sold set spoke stood went wrote became began came cut got grew rose fell fought thought sought taught told lost won spent sent put felt dealt drew drove flew forgot hid hit hurt laid lay lent lit rode rang shook shot shut slept spread struck swept swore threw understood wore".split(" ")) VERBS.add(v);
for (const v of "lose win spend send feed reach bloom carry double hope inspect avoid ask plant record visit buy pledge adopt call study count lay telephone phone contact tell email write".split(" ")) {
  VERBS.add(v);
  VERBS.add(/(s|sh|ch|x|z|o)$/.test(v) ? `${v}es` : /[^aeiou]y$/.test(v) ? `${v.slice(0, -1)}ies` : `${v}s`);
}
// words that are verbs in the list but far more often nouns right after a subject
for (const n of "need needs work works trade trades demand demands use uses lack report reports risk risks impact aim aims set face faces cut act acts place places show shows form forms link links concern concerns result results change changes support stand share turn".split(" ")) VERBS.delete(n);

export function isVerbWord(w: string): boolean {
  const l = w.toLowerCase();
  return AUX.has(l) || VERBS.has(l);
}

/** Nouns that are also verbs: counted as the main verb only right after a plural or named subject. */
const AMBIGUOUS = new Set("need work trade demand use lack report risk impact aim face cut act place show form link concern result change support stand share turn".split(" "));

export const PRONOUNS = new Set(["it", "they", "he", "she", "we", "this", "these", "that", "those", "its", "their", "such", "them", "both"]);
const DEMONSTRATIVES = new Set(["this", "these", "that", "those"]);
/** Words that open a sentence but never a subject. */
export const OPENERS = new Set(
  "in as while among under despite if when although because since for with by at to from on after before only beyond aside moreover however furthermore therefore thus nonetheless nevertheless unfortunately importantly critically increasingly finally first next then here there where what how why unlike like based towards toward during through without within across according given following remember let key".split(
    " ",
  ),
);

export interface Clause {
  /** Subject span (start, end) in the sentence, and the verb group that follows it. */
  subject: { start: number; end: number; text: string };
  verb: { start: number; end: number; text: string };
}

const WORDS = /[A-Za-z0-9\u00C0-\u024F][A-Za-z0-9\u00C0-\u024F'’\-]*|[,;:()"“”]/g;

/**
 * Subject + main verb of a sentence that opens with its subject ("Developing countries need …",
 * "The work of UNODC in … includes …"). Null when it opens with an adverbial, a pronoun, or the
 * verb cannot be found within the first dozen words.
 */
export function mainClause(s: string, from = 0): Clause | null {
  const toks: { t: string; start: number; end: number }[] = [];
  WORDS.lastIndex = from;
  for (let m = WORDS.exec(s); m && toks.length < 16; m = WORDS.exec(s)) toks.push({ t: m[0], start: m.index, end: m.index + m[0].length });
  const first = toks[0];
  if (!first || !/^[A-Z"“]/.test(first.t)) return null;
  const f = first.t.toLowerCase();
  if (OPENERS.has(f) || PRONOUNS.has(f) && !DEMONSTRATIVES.has(f)) return null;
  let parens = 0;
  for (let i = 1; i < Math.min(toks.length, 14); i++) {
    const t = toks[i]!.t;
    if (t === "(") parens++;
    else if (t === ")") parens = Math.max(0, parens - 1);
    if (parens) continue;
    if (t === ";" || t === ":") return null;
    const l = t.toLowerCase();
    if (l === "which" || l === "who" || l === "whom" || l === "what" || l === "that") return null;
    const prev = toks[i - 1]!.t;
    // a capitalised word inside a sentence is a name, not a verb ("… Transnational Organized Crime")
    if (/^[A-Z]/.test(t) && !AUX.has(l)) continue;
    // right after a determiner a word is a noun ("these measures", "the work")
    if (!AUX.has(l) && /^(the|a|an|this|these|that|those|its|their|our|his|her|some|many|most|all|each|every|such|no|any|other)$/i.test(prev)) continue;
    const ambiguous = AMBIGUOUS.has(l) || AMBIGUOUS.has(l.replace(/e?s$/, ""));
    const verb = AUX.has(l) || VERBS.has(l) || (ambiguous && (/^[a-z]+$/.test(l) && /s$/.test(l) ? /^[A-Z]|[^s]$/.test(prev) && !/^(the|a|an)$/i.test(prev) : /(s|[A-Z]{2,})$/.test(prev) && !/ss$/.test(prev)));
    if (!verb) continue;
    if (prev === ",") return null; // "X, which …, is" — too tangled
    // include adverbs and "not" before the verb in the verb group? No: the subject ends here.
    let vEnd = i;
    while (vEnd + 1 < toks.length && (AUX.has(toks[vEnd + 1]!.t.toLowerCase()) || /^(not|also|often|still|only|now|currently|already|always|never|usually|generally|thus|therefore|ultimately|increasingly|extensively|explicitly)$/i.test(toks[vEnd + 1]!.t) || (VERBS.has(toks[vEnd + 1]!.t.toLowerCase()) && AUX.has(toks[vEnd]!.t.toLowerCase())))) vEnd++;
    const subject = { start: first.start, end: toks[i - 1]!.end, text: s.slice(first.start, toks[i - 1]!.end) };
    if (DEMONSTRATIVES.has(f) && i === 1) return null; // "This is …": bare demonstrative
    return { subject, verb: { start: toks[i]!.start, end: toks[vEnd]!.end, text: s.slice(toks[i]!.start, toks[vEnd]!.end) } };
  }
  return null;
}

export interface Dangling {
  /** Length of the pronoun (or demonstrative + noun is not dangling). */
  end: number;
  word: string;
  plural: boolean;
}

/** A sentence body that opens with a bare pronoun whose referent is elsewhere ("It applies …", "They also …", "This is …"). */
export function danglingOpener(s: string, from = 0): Dangling | null {
  const m = /^(It|They|He|She|We|This|These|That|Those|Its|Their|Such|Both|Them)\b(\s+(\w+))?/.exec(s.slice(from));
  if (!m) return null;
  const w = m[1]!;
  const next = (m[3] ?? "").toLowerCase();
  if (DEMONSTRATIVES.has(w.toLowerCase()) || w === "Such" || w === "Both") {
    // "This threshold …" names what it points at; "This is …", "These are …" do not
    if (next && !AUX.has(next) && !/^(also|only|not|often|includes?|means?|shows?|suggests?|indicates?|remains?|seems?|appears?|reflects?|explains?|allows?|helps?|makes?|provides?|requires?|involves?)$/.test(next)) return null;
  }
  return { end: from + w.length, word: w, plural: /^(They|These|Those|Their|Them|Both)$/.test(w) };
}

/** Plural-looking noun phrase (for agreement when replacing "It"/"They"). */
export function looksPlural(np: string): boolean {
  const ws = np.trim().split(/\s+/);
  if (/,|\band\b/.test(np)) return true;
  // head noun: last word before a preposition
  const prepAt = ws.findIndex((w, i) => i > 0 && /^(of|in|on|for|to|against|with|by|from|at)$/.test(w));
  const head = (prepAt > 0 ? ws[prepAt - 1] : ws[ws.length - 1]) ?? "";
  return /[^s]s$/.test(head) && !/(ss|us|is|sis)$/.test(head) || /^(people|children|women|men|police)$/i.test(head);
}
