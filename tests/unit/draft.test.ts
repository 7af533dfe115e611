/**
 * The deck drafter (src/draft): each extractor on crafted sentences, the filters, the merge of
 * near-duplicates, distractors, and the input formats.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quizQuestion, quoteIsGrounded, validateDeck, type Card } from "../../src/decks/schema";
import { DraftError, draftDeck, formatFor, type DraftOptions } from "../../src/draft/index";
import { parseDocument } from "../../src/draft/parse";
import { findAcronymDefs, findNames, findNumbers } from "../../src/draft/spans";
import { splitSentences } from "../../src/draft/units";

const draft = (text: string, opts: DraftOptions = {}) => draftDeck(text, { fileName: "test.txt", year: 2026, ...opts });
const cards = (text: string, opts: DraftOptions = {}) => draft(text, opts).deck.cards;
const clozed = (c: Card) => /\{\{c1::(.*?)\}\}/.exec(c.front)?.[1];
const byBack = (cs: Card[], back: string) => cs.find((c) => c.back === back);
const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");

/** Every drafted deck: valid, ids unique, each quote a sentence of the input. */
function checkDeck(text: string, opts: DraftOptions = {}) {
  const { deck, stats } = draft(text, opts);
  const v = validateDeck(JSON.parse(JSON.stringify(deck)));
  expect(v.ok ? [] : v.problems).toEqual([]);
  expect(new Set(deck.cards.map((c) => c.id)).size).toBe(deck.cards.length);
  for (const c of deck.cards) {
    expect(c.quote && quoteIsGrounded(c.quote, text)).toBe(true);
    expect(c.source).toBe(deck.sources[0]!.id);
  }
  expect(stats.cards).toBe(deck.cards.length);
  expect(stats.candidates).toBe(stats.cards + stats.merged + stats.dropped);
  return deck;
}

describe("definitions", () => {
  it("asks “X is defined as …”, “… is a term used to describe …”, “refers to” and “is a/an …”", () => {
    const text = [
      "Pollination is defined as the transfer of pollen from one flower to another.",
      "Cybercrime is a term used to describe crimes committed through the use of information technology.",
      "Colony collapse refers to the sudden disappearance of the worker bees of a hive.",
      "The counterfeit business is a global operation organized by cross-border criminal networks.",
    ].join("\n");
    const cs = checkDeck(text).cards;
    expect(cs.find((c) => c.front === "How is pollination defined?")?.back).toBe("The transfer of pollen from one flower to another");
    expect(cs.find((c) => c.front === "What does the term “cybercrime” describe?")?.back).toBe("Crimes committed through the use of information technology");
    expect(cs.find((c) => c.front === "What does colony collapse refer to?")?.back).toBe("The sudden disappearance of the worker bees of a hive");
    expect(cs.find((c) => c.front === "What is the counterfeit business?")?.back).toBe("A global operation organized by cross-border criminal networks");
  });

  it("takes the source of “defined in article 3 of …” into the question and trims the definition", () => {
    const text = 'Smuggling of migrants is defined by article 3 of the Protocol against the Smuggling of Migrants as "the procurement of the illegal entry of a person into a State Party; this is the core".';
    const c = cards(text).find((x) => x.front.startsWith("How is"));
    expect(c?.front).toBe("How is smuggling of migrants defined by article 3 of the Protocol against the Smuggling of Migrants?");
    expect(c?.back).toBe("The procurement of the illegal entry of a person into a State Party");
  });

  it("does not take a negated or an adverbial “X is …” for a definition", () => {
    const cs = cards("The smuggling of migrants is not always a serious crime for which a heavy penalty could be imposed.\nIn a bid to tackle these crimes there is an ever-growing need for action at the local level.");
    expect(cs.filter((c) => c.front.startsWith("What is"))).toEqual([]);
  });
});

describe("acronyms", () => {
  it("finds “Long Name (ACR)”, syllabic acronyms and a lower-case long form", () => {
    expect(findAcronymDefs("It is run by the United Nations Office on Drugs and Crime (UNODC) in Vienna.").map((d) => [d.acronym, d.long])).toEqual([["UNODC", "United Nations Office on Drugs and Crime"]]);
    expect(findAcronymDefs("Among them is the International Criminal Police Organization (INTERPOL), which helps.").map((d) => d.long)).toEqual(["International Criminal Police Organization"]);
    expect(findAcronymDefs("It depends on information and communication technology (ICT) everywhere.").map((d) => d.long)).toEqual(["information and communication technology"]);
    expect(findAcronymDefs("Among the most influential is the Convention on International Trade in Endangered Species of Wild Fauna and Flora (CITES), to which 175 States are parties.").map((d) => d.long)).toEqual([
      "Convention on International Trade in Endangered Species of Wild Fauna and Flora",
    ]);
  });

  it("finds “ACR, the Long Name” and refuses letters that do not match", () => {
    expect(findAcronymDefs("CITES, the Convention on International Trade in Endangered Species, was signed in 1973.").map((d) => [d.acronym, d.long])).toEqual([["CITES", "Convention on International Trade in Endangered Species"]]);
    expect(findAcronymDefs("The World Customs Organization (UNODC) is not what it says.")).toEqual([]);
  });

  it("asks what an acronym stands for once, with other organisations as distractors", () => {
    const text = [
      "The International Pollinator Alliance (IPA) was founded in Lisbon.",
      "The Committee for European Research on Apiculture publishes a report.",
      "The World Beekeeping Federation and the Global Seed Network work with the Alliance.",
      "Later, the International Pollinator Alliance (IPA) moved to Geneva.",
    ].join("\n");
    const cs = checkDeck(text).cards.filter((c) => c.front === "What does IPA stand for?");
    expect(cs).toHaveLength(1);
    expect(cs[0]!.back).toBe("International Pollinator Alliance");
    expect(cs[0]!.distractors).toHaveLength(3);
    for (const d of cs[0]!.distractors!) expect(["Committee for European Research on Apiculture", "World Beekeeping Federation", "Global Seed Network"]).toContain(d);
  });
});

describe("numbers and dates", () => {
  it("finds dates, years, counts with what they count, percentages and ordinals; skips references and citations", () => {
    const s = "In October 2012 the sixth session met, 170 parties had ratified it by mid-2012 and 75 per cent agreed (see Module 5; Smith, 2016) in 1998.";
    expect(findNumbers(s).map((n) => [n.text, n.kind, n.noun])).toEqual([
      ["October 2012", "date", ""],
      ["sixth", "ordinal", "session"],
      ["170", "number", "parties"],
      ["mid-2012", "date", ""],
      ["75 per cent", "number", "agreed"],
      ["1998", "year", ""],
    ]);
    expect(findNumbers("See Module 14 and Chapter 3, then E4J and COVID-19.")).toEqual([]);
  });

  it("clozes the figure, keeps what it counts in view, and offers figures of the same kind", () => {
    const text = [
      "The Convention has been ratified by 170 parties.",
      "The Protocol had 150 States parties in June 2012.",
      "The other agreement counts 175 States parties since 1975.",
      "More than 30,000 species are listed in its appendices.",
    ].join("\n");
    const cs = checkDeck(text).cards;
    const c170 = byBack(cs, "170")!;
    expect(c170.front).toBe("The Convention has been ratified by {{c1::170}} parties.");
    for (const d of c170.distractors!) {
      expect(d).toMatch(/^\d+$/);
      const v = Number(d);
      expect(v).not.toBe(170);
      expect(v >= 170 / 3 && v <= 170 * 3).toBe(true);
    }
    const species = byBack(cs, "30,000")!;
    expect(species.front).toContain("More than {{c1::30,000}} species");
    for (const d of species.distractors!) expect(d).toMatch(/^\d{1,3}(,\d{3})+$/); // perturbed, same format
    const june = byBack(cs, "June 2012")!;
    for (const d of june.distractors!) expect(d).toMatch(/^[A-Z][a-z]+ \d{4}$/);
  });

  it("perturbs a small count deterministically when the document has no other", () => {
    const c = byBack(cards("A colony has three castes of bees living together in the hive."), "three")!;
    expect(c.distractors).toEqual(["four", "two", "five"]);
  });

  it("skips “two” and similar small word counts", () => {
    expect(cards("The differences between the two offences are explored in the next chapter, written in 2019.").map((c) => c.back)).not.toContain("two");
  });
});

describe("names", () => {
  it("finds organisations, instruments and places, and leaves out sentence-initial words", () => {
    const s = "Organizations such as INTERPOL and the World Customs Organization met in Vienna under the Protocol against the Smuggling of Migrants by Land, Sea and Air.";
    expect(findNames(s).map((n) => [n.text, n.cls])).toEqual([
      ["INTERPOL", "org"],
      ["World Customs Organization", "org"],
      ["Vienna", "place"],
      ["Protocol against the Smuggling of Migrants by Land, Sea and Air", "instrument"],
    ]);
    expect(findNames("Governments, businesses and Consumers also have a role.")).toEqual([]);
  });

  it("clozes a name with other names of the same kind as distractors, none visible in the question", () => {
    const text = [
      "The Pollinator Recovery Fund supports small farms.",
      "The World Beekeeping Federation trains beekeepers.",
      "The Global Seed Network shares seeds.",
      "The Bee Health Council advises Governments.",
      "Farmers can apply to the Pollinator Recovery Fund for grants every spring.",
    ].join("\n");
    const c = checkDeck(text).cards.find((x) => clozed(x) === "Pollinator Recovery Fund")!;
    expect(c.distractors).toHaveLength(3);
    const question = quizQuestion(c.front);
    for (const d of c.distractors!) {
      expect(["World Beekeeping Federation", "Global Seed Network", "Bee Health Council"]).toContain(d);
      expect(question).not.toContain(d);
    }
  });
});

describe("enumerations", () => {
  it("asks “which three X?” for a count with a colon list", () => {
    const c = cards("Trafficking in persons is a combination of three elements: act, means and purpose.").find((x) => x.front.includes("which"));
    expect(c).toMatchObject({ front: "Trafficking in persons is a combination of which three elements?", back: "Act, means and purpose" });
  });

  it("clozes what a sentence includes, the last item of a list, or a list of single words", () => {
    const cs = cards(
      [
        "The work of the Office in countering environmental crime includes local, regional and global initiatives.",
        "The use of the dark web, anonymous online profiles and disposable devices facilitates concealment.",
        "Only actors within countries of origin, transit and destination can stop it.",
      ].join("\n"),
    );
    const answers = cs.map(clozed);
    expect(answers).toContain("local, regional and global initiatives");
    expect(answers).toContain("disposable devices");
    expect(answers).toContain("origin, transit and destination");
  });

  it("does not mistake an opening phrase or an “and” inside a name for a list", () => {
    const answers = cards("By the same token, technologies and globalization have changed organized crime in 2010.").map(clozed);
    expect(answers).not.toContain("globalization");
  });
});

describe("readable fronts", () => {
  it("replaces “It”/“They” opening a sentence with the previous sentence's subject", () => {
    const text = "Trafficking in persons, smuggling of migrants and cybercrime can be more than individual crimes. They are also types of organized crime recorded since 1990.";
    const c = byBack(cards(text), "1990")!;
    expect(c.front).toBe("Trafficking in persons, smuggling of migrants and cybercrime are also types of organized crime recorded since {{c1::1990}}.");
    expect(c.quote).toBe("They are also types of organized crime recorded since 1990.");
  });

  it("skips sentences whose opening pronoun has no referent, and expletive “It is … to”", () => {
    const text = "The Fund was set up in 2015.\nThis is why the 2019 report was written.\nIt is better to report it in 2020 than to wait.\nIt should also be a given that 2021 counts.";
    expect(cards(text).map((c) => c.quote)).toEqual(["The Fund was set up in 2015."]);
  });

  it("cuts citations from fronts but quotes the sentence verbatim", () => {
    const text = "UNTOC applies to all serious crimes punishable by at least four years of prison (see Module 1 on Definitions of Organized Crime).";
    const c = byBack(cards(text), "four")!;
    expect(c.front).toBe("UNTOC applies to all serious crimes punishable by at least {{c1::four}} years of prison.");
    expect(c.quote).toBe(text);
  });

  it("never deletes most of a sentence and keeps quiz questions within 300 characters", () => {
    const long = `In 2000, the United Nations Convention against Transnational Organized Crime and the Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children, supplementing the United Nations Convention against Transnational Organized Crime, were adopted by the General Assembly and entered into force at the end of 2003.`;
    const cs = checkDeck(`${long}\nThe Convention is in force.\nThe World Bank helps.\nThe Global Fund helps.\nThe Asian Development Bank helps.`).cards;
    expect(cs.length).toBeGreaterThan(0);
    for (const c of cs) {
      const answer = clozed(c);
      if (answer) expect(answer.length).toBeLessThanOrEqual(0.5 * c.front.replace(/\{\{c1::|\}\}/g, "").length);
      expect(quizQuestion(c.front).length).toBeLessThanOrEqual(300);
    }
    expect(cs.find((c) => c.back === "2000")?.front.length).toBeLessThanOrEqual(300);
  });
});

describe("merging and ids", () => {
  it("merges the same figure asked twice and the same acronym defined twice", () => {
    const text = [
      "The Convention has been ratified by 170 parties and provides a universal legal framework.",
      "170 parties are currently party to the Convention and have committed to fight crime.",
      "The International Pollinator Alliance (IPA) was founded in Lisbon.",
      "The International Pollinator Alliance (IPA) has many friends.",
    ].join("\n");
    const { deck, stats } = draft(text);
    expect(deck.cards.filter((c) => c.back === "170")).toHaveLength(1);
    expect(deck.cards.filter((c) => c.front === "What does IPA stand for?")).toHaveLength(1);
    expect(stats.merged).toBeGreaterThanOrEqual(2);
  });

  it("is deterministic: the same text gives the same deck and the same stable ids", () => {
    const text = "The Convention has been ratified by 170 parties since 2003.\nThe International Pollinator Alliance (IPA) was founded in March 1998.";
    const a = draft(text);
    const b = draft(text);
    expect(b).toEqual(a);
    expect(a.deck.cards.map((c) => c.id)).toEqual(["num-170-eb3691", "date-2003-eb3691", "acr-international-pollinator-alliance-e73572", "date-march-1998-e73572"]);
    // the id depends on the sentence, not on its neighbours
    const c = draft(`Bees are insects.\n${text}`);
    expect(c.deck.cards.map((x) => x.id)).toEqual(expect.arrayContaining(a.deck.cards.map((x) => x.id)));
  });

  it("respects maxCards, keeping the best-ranked cards in document order", () => {
    const text = "In 1998 the Fund was set up.\nThe Fund had 42 members in 2001.\nThe International Pollinator Alliance (IPA) has 300 stations.";
    const { deck, stats } = draft(text, { maxCards: 2 });
    expect(deck.cards).toHaveLength(2);
    expect(stats.dropped).toBeGreaterThan(0);
  });
});

describe("distractors", () => {
  it("are of the answer's kind, distinct, never the answer and within poll limits, else absent", () => {
    const text = [
      "The Alliance was founded in 1998.",
      "Its Protocol was adopted in 2009 by 42 countries.",
      "The Fund was set up in 2015 with 120 members.",
      "The Council first met in 2021 with 35 delegates.",
      "The World Beekeeping Federation, the Global Seed Network and the Bee Health Council met in Vienna.",
    ].join("\n");
    for (const c of checkDeck(text).cards) {
      if (!c.distractors) continue;
      expect(c.distractors.length).toBeGreaterThanOrEqual(3);
      expect(new Set(c.distractors.map(norm)).size).toBe(c.distractors.length);
      expect(c.distractors.map(norm)).not.toContain(norm(c.back));
      for (const d of c.distractors) expect(d.length).toBeLessThanOrEqual(100);
      if (/^\d{4}$/.test(c.back)) for (const d of c.distractors) expect(d).toMatch(/^\d{4}$/);
    }
    expect(byBack(cards(text), "Vienna")?.distractors).toBeUndefined(); // the only place: review-only
  });
});

describe("input formats", () => {
  it("picks the format from the file name", () => {
    expect(formatFor("notes.md")).toBe("md");
    expect(formatFor("page.HTM")).toBe("html");
    expect(formatFor("a.txt")).toBe("txt");
    expect(formatFor("slides.pdf")).toBeNull();
  });

  it("strips Markdown: headings become topics, list items units, emphasis and links plain text", () => {
    const md = [
      "---",
      "title: ignored",
      "---",
      "# Bees",
      "",
      "## The *Alliance*",
      "",
      "The **International Pollinator Alliance** (IPA) was [founded](https://example.org) in `1998`.",
      "",
      "```",
      "code 2001",
      "```",
      "- Plant: choose _native_ flowers in 2005.",
    ].join("\n");
    const blocks = parseDocument(md, "md");
    expect(blocks).toEqual([
      { kind: "heading", text: "Bees", level: 1 },
      { kind: "heading", text: "The Alliance", level: 2 },
      { kind: "para", text: "The International Pollinator Alliance (IPA) was founded in 1998.", level: 0 },
      { kind: "item", text: "Plant: choose native flowers in 2005.", level: 0 },
    ]);
    const deck = draftDeck(md, { fileName: "bees.md", year: 2026 }).deck;
    expect(deck.title).toBe("Bees");
    for (const c of deck.cards) expect(blocks.some((b) => b.text.includes(c.quote!))).toBe(true); // verbatim in the plain text
    expect(deck.cards.find((c) => c.back === "1998")?.tags).toEqual(["the-alliance"]);
    expect(deck.cards.find((c) => c.back === "2005")?.tags).toEqual(["the-alliance", "plant"]);
    expect(deck.cards.map((c) => c.back)).not.toContain("2001");
  });

  it("strips HTML: scripts and styles dropped, h1–h6 headings, li items, entities decoded", () => {
    const html = `<!doctype html><html><head><title>T</title><style>p{color:red}</style></head><body>
      <h1>Bees &amp; people</h1><script>var x = "In 1999 nothing";</script>
      <p>The Pollinator Recovery Fund&nbsp;was set up in <b>2015</b> with &#8220;120&#8221; members.</p>
      <h2>Threats</h2><ul><li>Mites arrived in Europe in the 1970s.</li><li>Pesticides&hellip;</li></ul></body></html>`;
    expect(parseDocument(html, "html")).toEqual([
      { kind: "heading", text: "Bees & people", level: 1 },
      { kind: "para", text: "The Pollinator Recovery Fund was set up in 2015 with “120” members.", level: 0 },
      { kind: "heading", text: "Threats", level: 2 },
      { kind: "item", text: "Mites arrived in Europe in the 1970s.", level: 0 },
      { kind: "item", text: "Pesticides…", level: 0 },
    ]);
    const deck = draftDeck(html, { fileName: "bees.html", year: 2026 }).deck;
    expect(deck.title).toBe("Bees & people");
    for (const c of deck.cards) expect(parseDocument(html, "html").some((b) => b.text.includes(c.quote!))).toBe(true);
    expect(deck.cards.find((c) => c.back === "1970s")?.tags).toEqual(["threats"]);
    expect(deck.cards.map((c) => c.back)).not.toContain("1999");
  });

  it("splits sentences after abbreviations correctly and before a sentence opening with a figure", () => {
    expect(splitSentences("Dr. Smith met the U.S. delegation. It was 3 p.m. on Monday.")).toEqual(["Dr. Smith met the U.S. delegation.", "It was 3 p.m. on Monday."]);
    expect(splitSentences("The Convention tackles this issue. 170 countries are party to it.")).toEqual(["The Convention tackles this issue.", "170 countries are party to it."]);
  });

  it("joins hard-wrapped plain text into paragraphs and reads short lines as headings", () => {
    const wrapped = [
      "Bee Keeping",
      "",
      "The International Pollinator Alliance (IPA) was founded in March 1998 in",
      "Lisbon and has grown ever since, adding new members across the world every",
      "single year of its existence, in large and small countries alike, north",
      "and south, rich and poor, with more than 300 research stations by 2020.",
      "",
      "Threats",
      "",
      "The main threats to bees include habitat loss, pesticide exposure and mites,",
      "all of which have grown since the 1970s according to the Alliance reports",
      "published in every member country of the Alliance in the last ten years.",
    ].join("\n");
    const blocks = parseDocument(wrapped, "txt");
    expect(blocks.map((b) => b.kind)).toEqual(["heading", "para", "heading", "para"]);
    const deck = checkDeck(wrapped);
    expect(deck.title).toBe("Bee Keeping");
  });
});

describe("deck", () => {
  it("names the deck and its one source from the options, the file name and the first heading", () => {
    const { deck } = draftDeck("Bees and People\n\nThe Fund was set up in 2015 with 120 members.", { fileName: "My Notes (v2).txt", year: 2025 });
    expect(deck.id).toBe("my-notes-v2");
    expect(deck.title).toBe("Bees and People");
    expect(deck.sources).toEqual([{ id: "my-notes-v2", title: "Bees and People", publisher: "Uploaded document", year: 2025 }]);
    const other = draftDeck("The Fund was set up in 2015 with 120 members.", { deckId: "Bio 101", title: "Biology", sourceTitle: "Lecture 3", publisher: "Prof. Ada" }).deck;
    expect(other).toMatchObject({ id: "bio-101", title: "Biology", sources: [{ id: "bio-101", title: "Lecture 3", publisher: "Prof. Ada", year: 2026 }] });
  });

  it("throws a DraftError when nothing can be drafted", () => {
    expect(() => draftDeck("hello there\n\nnothing to see", {})).toThrow(DraftError);
  });
});

describe("any document", () => {
  const fragments = [
    "The International Pollinator Alliance (IPA)", "UNODC", "the World Bank", "It", "They", "This", "Bees", "Consumers",
    "was founded in", "has", "is defined as", "refers to", "includes", "requires", "met in Vienna in", "counts",
    "March 1998", "2009", "mid-2012", "170 parties", "more than 30,000 species", "three elements:", "75 per cent",
    "habitat loss, pesticide exposure and parasitic mites", "a global network of bee scientists", "(see Module 3)",
    "the Protocol against the Smuggling of Migrants by Land, Sea and Air", ",", ";", "and", "which", "—", "\"", "(", ")",
  ];
  const sentence = fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 14 }).map((ws) => `${ws.join(" ")}.`);
  const line = fc.oneof(
    fc.array(sentence, { minLength: 1, maxLength: 4 }).map((ss) => ss.join(" ")),
    sentence.map((s) => `  • Plant: ${s}`),
    fc.constantFrom("Threats", "# Heading", "", "Back to top"),
  );

  it("drafts a valid deck with verbatim quotes, or refuses with a DraftError", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 12 }), (lines) => {
        const text = lines.join("\n");
        let result;
        try {
          result = draftDeck(text, { fileName: "fuzz.txt", year: 2026 });
        } catch (e) {
          expect(e).toBeInstanceOf(DraftError);
          return;
        }
        const v = validateDeck(JSON.parse(JSON.stringify(result.deck)));
        expect(v.ok ? [] : v.problems).toEqual([]);
        for (const c of result.deck.cards) expect(text.includes(c.quote!)).toBe(true);
        expect(draftDeck(text, { fileName: "fuzz.txt", year: 2026 })).toEqual(result);
      }),
      { numRuns: 150, seed: 20260426 },
    );
  });
});
