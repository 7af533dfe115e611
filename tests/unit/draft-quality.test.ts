/**
 * The drafter on documents it was not tuned on (tests/fixtures/draft/eval): key facts asked,
 * trivial and unresolved cards refused, year options near the answer; and the review helpers
 * (description, counts by kind, re-grounding an edited card).
 */
import { describe, expect, it } from "vitest";
import { quoteIsGrounded, validateDeck, type Card } from "../../src/decks/schema";
import { draftDeck, draftDescription, frontFromEdit, kindSummary, regroundCard } from "../../src/draft/index";
import dna from "../fixtures/draft/eval/dna-replication.md?raw";
import hanse from "../fixtures/draft/eval/hanseatic-league.html?raw";
import photo from "../fixtures/draft/eval/photosynthesis.txt?raw";

const asked = (c: Card) => /\{\{c1::(.*?)\}\}/.exec(c.front)?.[1] ?? c.back;
const question = (c: Card) => c.front.replace(/\{\{c1::.*?\}\}/, " ");

const DOCS = [
  { name: "dna-replication.md", text: dna, facts: ["Deoxyribonucleic acid", "deoxyribose", "thymine", "helicase", "Okazaki fragments", "semi-conservative", "1953", "1958"] },
  { name: "photosynthesis.txt", text: photo, facts: ["chloroplasts", "chlorophyll", "grana", "photolysis", "the stroma", "the Calvin cycle", "RuBisCO", "Jan Ingenhousz", "crassulacean acid metabolism"] },
  { name: "hanseatic-league.html", text: hanse, facts: ["the Hansetag", "the cog", "the Steelyard", "1143", "1370", "1669"] },
];

describe("documents the drafter was not tuned on", () => {
  for (const d of DOCS) {
    it(`${d.name}: asks its key terms, names and dates; no trivial or unresolved card`, () => {
      const { deck } = draftDeck(d.text, { fileName: d.name, year: 2026 });
      expect(validateDeck(JSON.parse(JSON.stringify(deck))).ok).toBe(true);
      const answers = deck.cards.map(asked);
      for (const f of d.facts) expect(answers).toContain(f);
      for (const c of deck.cards) {
        const a = asked(c);
        expect(c.quote && quoteIsGrounded(c.quote, c.quote) && c.quote.toLowerCase().includes(a.toLowerCase())).toBe(true);
        expect(a).not.toMatch(/^(?:some|many|most|each|every|several|few|both|such|this|these|those|it|its|they|their)\b/i);
        expect(a).not.toMatch(/['’]s$/);
        expect(` ${question(c).toLowerCase()} `).not.toContain(` ${a.toLowerCase().replace(/^the /, "")} `);
        expect(question(c)).not.toMatch(/^\W*(?:this|these|those)\s|\b(?:this|these|those)\s+(?:is|are|was|were|in|on|by|to|of)\b/i);
        if (c.distractors && /^\d{4}$/.test(c.back)) for (const x of c.distractors) expect(Math.abs(Number(x) - Number(c.back))).toBeLessThanOrEqual(40);
      }
    });
  }

  it("refuses a blanked word the sentence repeats, a determiner-led answer and a bare “this”", () => {
    const text = [
      "# Pollinators",
      "Bees pollinate flowers, and bees also make honey in the hive.",
      "Some plants depend on a single species of moth for pollination.",
      "Rosalind Franklin demonstrated this in 1952 at King's College London.",
      "The International Pollinator Alliance was founded in 1998 in Geneva.",
    ].join("\n");
    const cs = draftDeck(text, { fileName: "p.md", year: 2026 }).deck.cards;
    expect(cs.map(asked)).not.toContain("Bees");
    expect(cs.map(asked).some((a) => /^some\b/i.test(a))).toBe(false);
    expect(cs.map(asked)).not.toContain("1952");
    expect(cs.map(asked)).toContain("1998");
  });

  it("a year read as a year (“In 1953 scientists …”) gets near years as wrong options, a count near counts", () => {
    const text = "In 1953 scientists described the double helix. The Royal Society awarded the Copley Medal in 1962. About 2000 people attended the Cambridge Conference in 1968. The European Molecular Biology Organization was founded in 1964.";
    const cs = draftDeck(text, { fileName: "g.txt", year: 2026 }).deck.cards;
    const y = cs.find((c) => c.back === "1953")!;
    expect(y.distractors!.every((x) => /^\d{4}$/.test(x) && Math.abs(Number(x) - 1953) <= 40)).toBe(true);
    const n = cs.find((c) => c.back === "2000");
    if (n?.distractors) expect(n.distractors.every((x) => Number(x.replace(/,/g, "")) >= 2000 / 3 && Number(x.replace(/,/g, "")) <= 6000)).toBe(true);
  });
});

describe("reviewing a draft", () => {
  const card = (over: Partial<Card> = {}): Card => ({ id: "c", front: "The Board was established in {{c1::1786}}.", back: "1786", source: "s", quote: "The Board was established in 1786.", distractors: ["1785", "1787", "1790"], ...over });
  const sentences = ["The Board was established in 1786.", "The Bell Rock Lighthouse was completed in 1810.", "By 1900 the Board operated more than 60 lighthouses."];

  it("counts what is kept, in the singular for one", () => {
    expect(draftDescription("Lights", [card(), card()])).toBe("Drafted automatically from “Lights”: 2 cards, each quoting the sentence it came from. Review before publishing.");
    expect(draftDescription("Lights", [card()])).toBe("Drafted automatically from “Lights”: 1 card, quoting the sentence it came from. Review before publishing.");
    expect(draftDescription("Lights", [card(), card({ quote: undefined })])).toContain("2 cards, 1 of them quoting");
    expect(kindSummary({ definition: 1, date: 1, name: 3, number: 0 })).toBe("1 definition, 1 date, 3 names");
  });

  it("re-grounds an edit in the sentence holding the new answer, or leaves no quote", () => {
    const moved = regroundCard(card(), "When was the Bell Rock Lighthouse completed?", "1810", sentences);
    expect(moved.quote).toBe(sentences[1]);
    expect(moved.card.quote).toBe(sentences[1]);
    expect(moved.card.distractors).toBeUndefined();
    const same = regroundCard(card(), "When was the Board established?", "1786", sentences);
    expect(same.card.quote).toBe(sentences[0]);
    expect(same.card.distractors).toEqual(["1785", "1787", "1790"]);
    const none = regroundCard(card(), "Who designed the Bell Rock?", "Robert Stevenson", sentences);
    expect(none.quote).toBeNull();
    expect(none.card.quote).toBeUndefined();
    // whole words only: "60" is not in "1860"
    expect(regroundCard(card(), "How many?", "190", sentences).quote).toBeNull();
  });

  it("a blank sent back in an edit becomes the cloze of the answer", () => {
    expect(frontFromEdit("The Board was established in […].", "1786")).toBe("The Board was established in {{c1::1786}}.");
    expect(frontFromEdit("The Board was established in [...].", "1786")).toBe("The Board was established in {{c1::1786}}.");
    expect(frontFromEdit("When was the Board established?", "1786")).toBe("When was the Board established?");
  });
});
