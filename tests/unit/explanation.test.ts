/** The explanation window and the cloze scanner, on their own (issue 14). */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { answerSpan, windowAround } from "../../src/quiz/poll";
import { clozeAnswers, clozeParts } from "../../src/decks/cloze";

const word = fc.array(fc.constantFrom("a", "B", "é", "😀", "x", "Z", "."), { minLength: 1, maxLength: 12 }).map((c) => c.join(""));
const sentence = fc.array(word, { minLength: 1, maxLength: 60 }).map((w) => w.join(" "));

describe("windowAround", () => {
  it("fits in max characters and holds the answer whenever the answer fits", () => {
    fc.assert(
      fc.property(sentence, fc.nat(), fc.nat(), fc.integer({ min: 20, max: 200 }), (text, a, b, max) => {
        // A span of whole characters (an answer found in the text never starts inside an emoji).
        const chars = Array.from(text);
        const cf = a % chars.length, ct = Math.min(chars.length, cf + 1 + (b % 30));
        const from = chars.slice(0, cf).join("").length, to = chars.slice(0, ct).join("").length;
        const out = windowAround(text, from, to, max);
        expect(out.length).toBeLessThanOrEqual(max);
        if (to - from <= max - 2) expect(out).toContain(text.slice(from, to).trim()); // answers are trimmed
        if (text.length <= max) expect(out).toBe(text);
        // Never half a surrogate pair.
        expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("starts at the sentence that holds the answer when it can, with … on the cut sides", () => {
    const text = `${"Filler words here. ".repeat(12)}The Convention was adopted by the General Assembly in 2000. ${"More text follows after it. ".repeat(5)}`;
    const [from, to] = answerSpan(text, ["the general assembly"])!;
    const out = windowAround(text, from, to, 100);
    expect(out).toMatch(/^…The Convention was adopted by the General Assembly in 2000\./);
    expect(out.endsWith("…")).toBe(true);
  });
});

describe("clozeParts", () => {
  const CLOZE = /\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}/g;
  const piece = fc.constantFrom("{{c1::", "{{c2::", "::", "}}", "{{", "}", "a", "b c", "{{c", "12", "x");
  it("reads what the schema's pattern reads (single-line fronts)", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }).map((p) => p.join("")), (front) => {
        const expected = [...front.matchAll(CLOZE)].map((m) => m[2]!);
        expect(clozeAnswers(front)).toEqual(expected);
        // Text and answers together are the front with its deletions filled in.
        const filled = clozeParts(front).map((p) => ("text" in p ? p.text : p.answer)).join("");
        expect(filled).toBe(front.replace(CLOZE, (_m, _n, a: string) => a));
      }),
      { numRuns: 3000 },
    );
  });

  it("takes linear time on unclosed deletions", () => {
    const time = (n: number) => {
      const s = "{{c1::".repeat(n);
      const t0 = performance.now();
      for (let i = 0; i < 5; i++) clozeParts(s);
      return performance.now() - t0;
    };
    time(2000);
    const small = time(20_000), big = time(40_000);
    expect(big).toBeLessThan(small * 4 + 5);
  });
});
