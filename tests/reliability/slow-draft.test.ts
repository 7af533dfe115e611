/**
 * The drafter in linear time: adversarial documents (punctuation, unclosed markup, cloze-like
 * marks, floods of numbers, names and lists) drafted at half the size limit and at the limit
 * (DRAFT_MAX_CHARS' default) must take at most 2.5× as long at the limit — a super-linear
 * pattern takes 4× or more. Each figure is the fastest of 9 batches, each batch of as many runs as
 * it takes to last ≥ 12 ms (workerd's clock moves in whole milliseconds); half and full sizes
 * alternate so that load on the machine hits both alike. A measurement that misses is repeated (up
 * to 5 times in all): load spikes pass, a quadratic scanner fails every time.
 */
import { describe, expect, it } from "vitest";
import { draftDeck, type DraftFormat } from "../../src/draft/index";
import { DEFAULT_DRAFT_MAX_CHARS } from "../../src/env";

const LIMIT = DEFAULT_DRAFT_MAX_CHARS;
/** ≈2.2× per doubling, with room for allocation noise on a busy 2-core machine: quadratic shows ×4. */
const MAX_RATIO = 2.5;

const fill = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
/** Sentences of just under 1,000 characters (the longest the drafter reads), each its own paragraph. */
const sentences = (unit: string, n: number) => fill(`${fill(unit, 960)}.\n\n`, n);

const CASES: { name: string; format: DraftFormat; make: (n: number) => string }[] = [
  { name: "punctuation", format: "txt", make: (n) => fill(".,;:!?-()\"'…", n) },
  { name: "cloze marks {{c1:: then colons", format: "txt", make: (n) => `{{c1::${":".repeat(n - 6)}` },
  { name: "repeated {{c1::", format: "md", make: (n) => fill("{{c1::a ", n) },
  { name: "unclosed tags <a ", format: "html", make: (n) => fill("<a ", n) },
  { name: "unclosed attribute quotes", format: "html", make: (n) => fill('<a href="x ', n) },
  { name: "unclosed comments", format: "html", make: (n) => fill("<!--", n) },
  { name: "unclosed CDATA and doctype", format: "html", make: (n) => fill("<![CDATA[<!DOCTYPE ", n) },
  { name: "unclosed script", format: "html", make: (n) => fill("<script>x ", n) },
  { name: "open brackets", format: "md", make: (n) => fill("[", n) },
  { name: "links without targets", format: "md", make: (n) => fill("[a](", n) },
  { name: "images and footnotes", format: "md", make: (n) => fill("![a][^", n) },
  { name: "unclosed emphasis", format: "md", make: (n) => fill("**a __b *c _d ~~e ", n) },
  { name: "backtick runs", format: "md", make: (n) => fill("``a", n) },
  { name: "heading with a long run of spaces", format: "md", make: (n) => `# a${" ".repeat(n - 5)}b\n` },
  { name: "figures", format: "txt", make: (n) => fill("1 ", n) },
  { name: "figure after a full stop", format: "txt", make: (n) => fill("ab. 1 ", n) },
  { name: "abbreviations", format: "txt", make: (n) => fill("Dr. ", n) },
  { name: "a long word before a stop", format: "txt", make: (n) => `${"a".repeat(n - 7)} b. 1 c` },
  { name: "sentences of figures", format: "txt", make: (n) => sentences("1 ", n) },
  { name: "sentences of lists", format: "txt", make: (n) => sentences("ab, cd and ef ", n) },
  { name: "sentences of acronyms", format: "txt", make: (n) => sentences("X (ABC) ", n) },
  { name: "sentences of names", format: "md", make: (n) => sentences("The Abc of Def ", n) },
  { name: "sentences of parentheses", format: "txt", make: (n) => sentences("(see (a ", n) },
  { name: "one-word lines", format: "txt", make: (n) => fill("a.\n", n) },
];

/** Milliseconds per call: the median of 5 batches at each size, sizes alternating. */
function measure(make: () => [string, string], format: DraftFormat): { half: number; full: number } {
  const [half, full] = make();
  const run = (text: string) => {
    try {
      draftDeck(text, { format });
    } catch {
      // a DraftError ("no card could be drafted") is an answer too; its time counts
    }
  };
  for (let i = 0; i < 2; i++) {
    run(half);
    run(full);
  }
  // workerd's clock moves in whole milliseconds: a batch must last well over one, so the number of
  // runs per batch grows until a batch of the smaller input takes 12 ms or more.
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run(half);
    if (performance.now() - t0 >= 12 || reps >= 4096) break;
    reps *= 2;
  }
  const batch = (text: string) => {
    const s = performance.now();
    for (let i = 0; i < reps; i++) run(text);
    return (performance.now() - s) / reps;
  };
  const h: number[] = [];
  const f: number[] = [];
  for (let k = 0; k < 9; k++) {
    h.push(batch(half));
    f.push(batch(full));
  }
  // The fastest batch of each: the cost itself, with the least of the machine's other load in it.
  return { half: Math.min(...h), full: Math.min(...f) };
}

describe("the drafter runs in linear time on adversarial input up to DRAFT_MAX_CHARS", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const a = c.make(LIMIT / 2);
      const b = c.make(LIMIT);
      expect(a.length).toBe(LIMIT / 2);
      expect(b.length).toBe(LIMIT);
      let m = { half: 0, full: 0 };
      let ratio = Infinity;
      for (let attempt = 0; attempt < 5 && ratio > MAX_RATIO; attempt++) {
        m = measure(() => [a, b], c.format);
        ratio = m.full / m.half;
      }
      console.log(`slow-draft ${c.name} (${c.format}): ${m.half.toFixed(2)} ms at ${LIMIT / 2} chars, ${m.full.toFixed(2)} ms at ${LIMIT} — ×${ratio.toFixed(2)}`);
      expect(ratio).toBeLessThanOrEqual(MAX_RATIO);
    });
  }
});
