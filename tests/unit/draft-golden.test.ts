/// <reference path="../fixtures/draft/raw.d.ts" />
/**
 * Golden test of the deck drafter: tests/fixtures/draft/golden.txt (a short text written for this
 * test) must draft to exactly tests/fixtures/draft/golden.json.
 *
 * This test only compares. After an intended change to the drafter, regenerate the golden deck
 * and review the diff before committing it:
 *
 *   node scripts/run-ts.mjs scripts/draft.ts tests/fixtures/draft/golden.txt --year 2026 > tests/fixtures/draft/golden.json
 *
 * (the CLI drafts with fileName "golden.txt" and the given year, as below).
 */
import { describe, expect, it } from "vitest";
import { quoteIsGrounded, validateDeck } from "../../src/decks/schema";
import { draftDeck } from "../../src/draft/index";
import { splitSentences } from "../../src/draft/units";
import goldenJson from "../fixtures/draft/golden.json?raw";
import golden from "../fixtures/draft/golden.txt?raw";

const opts = { fileName: "golden.txt", year: 2026 };

describe("golden deck", () => {
  it("drafts golden.txt to exactly golden.json", () => {
    const { deck } = draftDeck(golden, opts);
    expect(deck).toEqual(JSON.parse(goldenJson));
  });

  it("is a valid deck whose quotes are verbatim sentences of the text", () => {
    const { deck, stats } = draftDeck(golden, opts);
    const v = validateDeck(JSON.parse(JSON.stringify(deck)));
    expect(v.ok ? [] : v.problems).toEqual([]);
    const sentences = new Set(golden.split(/\n+/).flatMap((line) => splitSentences(line.replace(/^\s*•\s*/, ""))));
    for (const c of deck.cards) {
      expect(golden.includes(c.quote!)).toBe(true);
      expect(quoteIsGrounded(c.quote!, golden)).toBe(true);
      expect(sentences.has(c.quote!)).toBe(true);
    }
    expect(stats.cards).toBe(deck.cards.length);
    expect(Object.values(stats.byKind).reduce((a, b) => a + b, 0)).toBe(deck.cards.length);
  });

  it("drafts the same deck twice (deterministic)", () => {
    expect(draftDeck(golden, opts)).toEqual(draftDeck(golden, opts));
  });
});
