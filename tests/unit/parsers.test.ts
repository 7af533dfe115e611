/// <reference path="../fixtures/uploads/raw.d.ts" />
import { describe, expect, it } from "vitest";
import { formatReport, parseUpload, UPLOAD_LIMITS, type UploadResult } from "../../src/decks/parsers";
import fc from "fast-check";
import * as v from "valibot";
import { CardSchema, clozeFilled, quizQuestion, type Deck } from "../../src/decks/schema";
import { clozeSpans } from "../../src/decks/cloze";
import { htmlToText } from "../../src/decks/parsers/html";
import { whereParts } from "../../src/decks/parsers/json";
import deckJson from "../fixtures/uploads/good/deck.json?raw";
import cardsCsv from "../fixtures/uploads/good/cards.csv?raw";
import cardsTsv from "../fixtures/uploads/good/cards.tsv?raw";
import ankiBasic from "../fixtures/uploads/good/anki-basic.txt?raw";
import ankiCloze from "../fixtures/uploads/good/anki-cloze.txt?raw";
import quizletTab from "../fixtures/uploads/good/quizlet-tab-newline.txt?raw";
import quizletSemicolon from "../fixtures/uploads/good/quizlet-comma-semicolon.txt?raw";

const utf8 = (s: string) => new TextEncoder().encode(s);

function parseOk(name: string, text: string | Uint8Array, opts?: Parameters<typeof parseUpload>[2]): Extract<UploadResult, { ok: true }> & { deck: Deck } {
  const r = parseUpload(name, typeof text === "string" ? utf8(text) : text, opts);
  if (!r.ok) throw new Error(`${name} was rejected:\n${formatReport(r)}`);
  return r;
}

const fronts = (d: Deck) => d.cards.map((c) => c.front);
const backs = (d: Deck) => d.cards.map((c) => c.back);
const ids = (d: Deck) => d.cards.map((c) => c.id);

describe("JSON decks", () => {
  it("accepts the project's deck format as is", () => {
    const r = parseOk("deck.json", deckJson);
    expect(r.format).toBe("json");
    expect(r.deck.id).toBe("intro-criminology");
    expect(r.deck.title).toBe("Introduction to criminology");
    expect(r.deck.sources).toHaveLength(1);
    expect(ids(r.deck)).toEqual(["untoc-year", "organized-crime-group-size", "serious-crime"]);
    expect(r.deck.cards[0]!.quote).toMatch(/adopted/);
    expect(r.deck.cards[1]!.front).toContain("{{c1::three}}");
    expect(r.warnings).toEqual([expect.stringContaining("1 of 3 cards has no distractors")]);
  });

  it("is detected from the content whatever the extension", () => {
    expect(parseOk("deck.txt", deckJson).format).toBe("json");
  });

  it("takes the deck id and title from the options when given", () => {
    const r = parseOk("deck.json", deckJson, { deckId: "crim-101", title: "Criminology 101" });
    expect(r.deck.id).toBe("crim-101");
    expect(r.deck.title).toBe("Criminology 101");
    expect(r.warnings.some((w) => w.includes('"intro-criminology" in the file was replaced by "crim-101"'))).toBe(true);
  });
});

describe("CSV and TSV with a header row", () => {
  it("reads cards.csv: quotes, multi-line fields, distractor columns, tags, trimming", () => {
    const r = parseOk("cards.csv", cardsCsv);
    expect(r.format).toBe("csv");
    expect(r.deck.cards).toHaveLength(5);
    expect(fronts(r.deck)).toEqual([
      "What is the capital of France?",
      'Who wrote "Hamlet"?',
      "Name the three branches\nof government",
      "What does <b>HTML</b> stand for?", // kept as typed: the bot escapes it when showing
      "Boiling point of water at sea level (°C)?",
    ]);
    expect(backs(r.deck)).toEqual(["Paris", "William Shakespeare", "Legislative; executive; judicial", "HyperText Markup Language", "100"]);
    expect(r.deck.cards[0]!.distractors).toEqual(["Lyon", "Marseille", "Nice"]);
    expect(r.deck.cards[0]!.tags).toEqual(["geography", "europe"]);
    expect(r.deck.cards[1]!.tags).toEqual(["literature", "drama"]);
    expect(r.deck.cards[2]!.distractors).toBeUndefined();
    expect(r.deck.cards[4]!.distractors).toEqual(["90", "80", "110"]);
    expect(r.warnings).toContainEqual(expect.stringContaining('the column "Notes" is ignored'));
    expect(r.warnings).toContainEqual(expect.stringContaining("2 of 5 cards have no distractors"));
  });

  it("defaults the deck's id, title, description, language and sources from the file name", () => {
    const r = parseOk("uploads/Week 3 — Crime & Society (2025).csv", cardsCsv);
    expect(r.deck.id).toBe("week-3-crime-society-2025");
    expect(r.deck.title).toBe("Week 3 — Crime & Society (2025)");
    expect(r.deck.description).toBe("Uploaded by a lecturer from Week 3 — Crime & Society (2025).csv.");
    expect(r.deck.language).toBe("en");
    expect(r.deck.sources).toEqual([]);
    const o = parseOk("cards.csv", cardsCsv, { deckId: "week-3", title: "Week 3", description: "Revision cards." });
    expect([o.deck.id, o.deck.title, o.deck.description]).toEqual(["week-3", "Week 3", "Revision cards."]);
  });

  it("reads cards.tsv: a distractors column with |, an id column, a quote column", () => {
    const r = parseOk("cards.tsv", cardsTsv);
    expect(r.format).toBe("tsv");
    expect(r.deck.cards).toHaveLength(3);
    expect(r.deck.cards[0]).toEqual({ id: "sum-basic", front: "2 + 2", back: "4", distractors: ["3", "5", "22"], tags: ["maths"] });
    expect(r.deck.cards[1]!.quote).toBe("The square root of 81 is 9.");
    expect(r.deck.cards[2]!.distractors).toEqual(["Saturn", "Neptune", "Earth"]);
    expect(r.deck.cards[2]!.tags).toEqual(["astronomy", "space"]);
  });

  it("detects a semicolon-delimited CSV (as Excel writes in many locales)", () => {
    const r = parseOk("cards.csv", "Front;Back;Tags\nWhat is 2 + 2?;4;maths\n\"Capital; of France?\";Paris;\n");
    expect(r.format).toBe("csv");
    expect(fronts(r.deck)).toEqual(["What is 2 + 2?", "Capital; of France?"]);
  });

  it("detects the header from the content when the extension says otherwise", () => {
    expect(parseOk("notes.txt", "front\tback\nq\ta\n").format).toBe("tsv");
    expect(parseOk("notes.txt", "front,back\nq,a\n").format).toBe("csv");
  });

  it("reads CRLF and a UTF-8 byte-order mark", () => {
    const lf = parseOk("cards.csv", cardsCsv);
    const crlf = parseOk("cards.csv", new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(cardsCsv.replace(/\n/g, "\r\n"))]));
    expect(crlf.deck).toEqual(lf.deck);
  });

  it("decodes UTF-16 LE and BE when a byte-order mark says so", () => {
    const text = "front,back\nCafé?,☕ coffee 𝄞\n";
    const le = [0xff, 0xfe];
    const be = [0xfe, 0xff];
    for (let i = 0; i < text.length; i++) {
      const u = text.charCodeAt(i);
      le.push(u & 0xff, u >> 8);
      be.push(u >> 8, u & 0xff);
    }
    for (const bytes of [le, be]) {
      const r = parseOk("cards.csv", new Uint8Array(bytes));
      expect(r.deck.cards).toEqual([expect.objectContaining({ front: "Café?", back: "☕ coffee 𝄞" })]);
    }
  });
});

describe("Anki Notes in Plain Text", () => {
  it("reads anki-basic.txt: header lines, special columns, HTML stripped, media removed, guid ids", () => {
    const r = parseOk("anki-basic.txt", ankiBasic);
    expect(r.format).toBe("anki");
    expect(fronts(r.deck)).toEqual(["What is the capital of Italy?", 'Translate "dog" & <cat>', "Which instrument?"]);
    expect(backs(r.deck)).toEqual(["Rome\n(Roma)", "perro & gato", "Violin"]);
    expect(r.deck.cards.map((c) => c.tags)).toEqual([["geography", "italy"], ["spanish"], ["music"]]);
    for (const i of [0, 2]) expect(fronts(r.deck)[i]! + backs(r.deck)[i]!).not.toMatch(/<|>|\[sound:|&\w+;/);
    // Guids make the ids: a clean guid is kept, others get a hash (guids are case-sensitive).
    expect(r.deck.cards[2]!.id).toBe("g-plainguid1");
    expect(r.deck.cards[0]!.id).toMatch(/^g-ab1-cd-e-[a-z0-9]{10}$/);
    expect(new Set(ids(r.deck)).size).toBe(3);
    expect(r.warnings).toContainEqual(expect.stringContaining("removed 2 image and sound references from 1 note"));
    expect(r.warnings).toContainEqual(expect.stringContaining('fields after the back are ignored on 1 note: "Extra" (column 5)'));
  });

  it("guid ids do not depend on the text: editing a note keeps its id", () => {
    const a = parseOk("anki-basic.txt", ankiBasic);
    const b = parseOk("anki-basic.txt", ankiBasic.replace("What is the", "Name the").replace("Violin", "The violin"));
    expect(ids(b.deck)).toEqual(ids(a.deck));
  });

  it("reads anki-cloze.txt: cloze cards keep their deletions; back = the deleted texts or the back field", () => {
    const r = parseOk("anki-cloze.txt", ankiCloze);
    expect(r.format).toBe("anki");
    expect(fronts(r.deck)).toEqual([
      "Rome was founded in {{c1::753 BC}} by {{c2::Romulus}}.",
      "The {{c1::Colosseum::building}} was completed in 80 AD.",
      "Who was the first Roman emperor?",
    ]);
    expect(backs(r.deck)).toEqual(["753 BC; Romulus", "An amphitheatre in Rome", "Augustus"]);
    expect(r.deck.cards[1]!.tags).toEqual(["history", "architecture"]);
    expect(r.deck.cards[0]!.id).toMatch(/^c-[a-z0-9]{10}$/);
    expect(r.warnings).toContainEqual(expect.stringContaining('2 Anki decks ("History::Rome", "History")'));
  });

  it("understands separator names and #html:false", () => {
    const r = parseOk("notes.txt", '#separator:Pipe\n#html:false\nWhat is <b>bold</b>?|"a | b"\n');
    expect(r.deck.cards[0]).toMatchObject({ front: "What is <b>bold</b>?", back: "a | b" });
    // Anki quotes a field that contains the separator (here the ; of an entity).
    const s = parseOk("notes.txt", '#separator:semicolon\n#html:true\n"A&amp;B?";<p>yes</p><p>really</p>\n');
    expect(s.deck.cards[0]).toMatchObject({ front: "A&B?", back: "yes\nreally" });
  });
});

describe("Quizlet exports", () => {
  it("reads term<TAB>definition lines", () => {
    const r = parseOk("quizlet-tab-newline.txt", quizletTab);
    expect(r.format).toBe("quizlet");
    expect(r.deck.cards).toHaveLength(4);
    expect(fronts(r.deck)).toEqual(["mitochondria", "osmosis", "photosynthesis", "ribosome"]);
    expect(r.deck.cards[2]!.back).toBe("conversion of light energy into chemical energy, in chloroplasts");
    expect(r.warnings).toEqual([expect.stringContaining("none of the 4 cards has distractors")]);
  });

  it("reads term,definition rows separated by semicolons", () => {
    const r = parseOk("quizlet-comma-semicolon.txt", quizletSemicolon);
    expect(r.format).toBe("quizlet");
    expect(r.deck.cards.map((c) => [c.front, c.back])).toEqual([
      ["der Hund", "the dog"],
      ["die Katze", "the cat"],
      ["das Haus", "the house, the home"],
      ["der Baum", "the tree"],
    ]);
    expect(r.warnings).toContainEqual(expect.stringContaining("1 row (row 3) has more than one comma"));
  });

  it("reads comma-separated lines, with rows ending in ;", () => {
    const r = parseOk("set.txt", "dog,der Hund;\ncat,die Katze;\n");
    expect(r.deck.cards.map((c) => [c.front, c.back])).toEqual([["dog", "der Hund"], ["cat", "die Katze"]]);
  });
});

describe("card ids", () => {
  it("are stable: re-parsing gives the same ids, and they are pinned (students' progress is keyed by them)", () => {
    const a = parseOk("cards.csv", cardsCsv);
    const b = parseOk("cards.csv", cardsCsv);
    expect(ids(b.deck)).toEqual(ids(a.deck));
    expect(a.deck.cards[0]!.id).toBe("c-t27ndx45wd");
    expect(parseOk("q.txt", quizletTab).deck.cards[0]!.id).toBe("c-ggdu8dgd88");
  });

  it("do not change when only the back (or distractors) change", () => {
    const a = parseOk("cards.csv", cardsCsv);
    const b = parseOk("cards.csv", cardsCsv.replace(",Paris,Lyon,", ",Paris (France),Lille,").replace("William Shakespeare", "Shakespeare"));
    expect(backs(b.deck)[0]).toBe("Paris (France)");
    expect(ids(b.deck)).toEqual(ids(a.deck));
  });

  it("do not change with the case or spacing of the front, but change when its words change", () => {
    const a = parseOk("q.txt", "Osmosis\tmovement of water\nDiffusion\tspreading out\n");
    const b = parseOk("q.txt", "  OSMOSIS \tmovement of water\nActive transport\tagainst the gradient\n");
    expect(b.deck.cards[0]!.id).toBe(a.deck.cards[0]!.id);
    expect(b.deck.cards[1]!.id).not.toBe(a.deck.cards[1]!.id);
  });

  it("are the same for the same front across formats", () => {
    const csv = parseOk("a.csv", "front,back\nOsmosis,movement of water\n");
    const quizlet = parseOk("a.txt", "Osmosis\tmovement of water\n");
    const anki = parseOk("a.txt", "#separator:tab\n#html:true\n<b>Osmosis</b>\tmovement of water\n");
    expect(quizlet.deck.cards[0]!.id).toBe(csv.deck.cards[0]!.id);
    expect(anki.deck.cards[0]!.id).toBe(csv.deck.cards[0]!.id);
  });
});

describe("formatReport", () => {
  it("summarises an accepted deck with its warnings", () => {
    const report = formatReport(parseUpload("cards.csv", utf8(cardsCsv)));
    expect(report).toBe(
      [
        '✓ 5 cards accepted (CSV) — deck "cards" (id: cards).',
        "3 quiz cards (with distractors), 2 review-only cards.",
        "2 warnings:",
        '• the column "Notes" is ignored — Lectern reads the columns front, back, distractor1…distractorN or distractors (with | between), tags, id, quote',
        "• 2 of 5 cards have no distractors: they are review-only and won't appear in quizzes (give a card 3 or more distractors to quiz on it)",
      ].join("\n"),
    );
    expect(report).not.toMatch(/<[a-z]/i);
  });

  it("lists the problems of a rejected file with their lines", () => {
    const r = parseUpload("cards.csv", utf8("front,back\nWhat is 2 + 2?,4\n,6\nWhat is 2 + 2?,four\n"));
    expect(formatReport(r)).toBe(
      [
        "✗ 2 problems — nothing was saved:",
        "• line 3: the front is empty — fill it in or delete the row",
        '• line 4: duplicate front: "What is 2 + 2?" is also on line 2 — merge the two rows or reword one of them',
        "The file was read as CSV. Fix the problems and send it again.",
      ].join("\n"),
    );
    expect(formatReport(parseUpload("x.csv", new Uint8Array()))).toMatch(/^✗ 1 problem — nothing was saved:\n• the file is empty — /);
  });

  it("shows at most maxProblems and counts the rest; stays within a Telegram message", () => {
    const rows = Array.from({ length: 120 }, (_, i) => `Question ${i}?,`).join("\n");
    const r = parseUpload("cards.csv", utf8(`front,back\n${rows}\n`));
    if (r.ok) throw new Error("accepted");
    expect(r.problems).toHaveLength(50);
    expect(r.totalProblems).toBe(120);
    const report = formatReport(r, 5);
    expect(report.split("\n").filter((l) => l.startsWith("• "))).toHaveLength(5);
    expect(report).toContain("…and 115 more problems.");
    expect(formatReport(r).length).toBeLessThanOrEqual(4096);
    expect(formatReport(r, 1000).length).toBeLessThanOrEqual(4096);
  });

  it("uses `where` when a problem has no line", () => {
    const r = parseUpload("cards.csv", utf8("front,back\nq,a\n"), { deckId: "Week 1!" });
    expect(formatReport(r)).toContain('• deck id: deck id "Week 1!" is not valid');
  });
});

it("UPLOAD_LIMITS are 1 MiB and 5000 cards", () => {
  expect(UPLOAD_LIMITS).toEqual({ bytes: 1024 * 1024, cards: 5000 });
});

describe("linear scanners give what the old patterns gave", () => {
  // The patterns the scanners replace (quadratic or worse on hostile input; fine on short text).
  const CLOZE = /\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}/g;
  const ANKI_CLOZE = /\{\{c\d+::([\s\S]*?)(?:::[\s\S]*?)?\}\}/g;
  const pieces = fc.constantFrom("{{c1::", "{{c12::", "{{c", "::", ":", "}}", "}", "{{", "a", " b ", "\n", "x::y");
  const text = fc.array(pieces, { maxLength: 14 }).map((xs) => xs.join(""));

  it("cloze: questions, filled fronts and well-formedness", () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(quizQuestion(s)).toBe(s.replace(CLOZE, (_m, _n, _a, hint: string | undefined) => (hint ? `[${hint}…]` : "[…]")));
        expect(clozeFilled(s)).toBe(s.replace(CLOZE, (_m, _n, answer: string) => answer));
        const opens = (s.match(/\{\{/g) ?? []).length;
        const matches = [...s.matchAll(CLOZE)];
        const wellFormed = opens === matches.length && matches.every((m) => m[2]!.trim().length > 0);
        expect(v.safeParse(CardSchema, { id: "c", front: s.trim() || "x", back: "b" }).success).toBe(s.trim() ? wellFormed || !s.trim().includes("{{") : true);
        expect(clozeSpans(s, true).map((m) => m.answer)).toEqual([...s.matchAll(ANKI_CLOZE)].map((m) => m[1]));
      }),
      { numRuns: 3000 },
    );
  });

  it("HTML: the old pipeline's text and media count on ordinary Anki fields", () => {
    const cases: [string, string, number][] = [
      ['<div>Which <b>instrument</b>?</div><div>[sound:clip.mp3]</div>', "Which instrument?", 1],
      ['Violin<img src="violin.jpg"><br/>(string)', "Violin\n(string)", 1],
      ["<audio controls><source src=a.mp3></audio>after", "after", 1],
      ["<video src=x>text", "text", 1],
      ["<object data=x>no close", "no close", 0],
      ["<script>alert(1)</script>safe<style>p{}</style>", "safe", 0],
      ["a<!-- note -->b<!-- open", "ab<!-- open", 0],
      ["5 < 6 and 7 > 3", "5 < 6 and 7 > 3", 0],
      ["<p>one</p><p>two</p><ul><li>x</li></ul>", "one\ntwo\nx", 0],
      ["&amp;&lt;b&gt; &#x41;&#66; &nbsp;x", "&<b> AB x", 0],
      ["<AUDIO>x</Audio >y", "y", 1],
    ];
    for (const [html, text, media] of cases) expect(htmlToText(html), html).toEqual({ text, media });
  });

  it("JSON problem paths: the card-id notes are dropped, whatever the id holds", () => {
    expect(whereParts("cards[12] (some-id).back")).toEqual(["cards", "[12]", "back"]);
    expect(whereParts("cards[3] (a ) (b [1] (c).front")).toEqual(["cards", "[3]", "front"]);
    expect(whereParts("sources[0].year")).toEqual(["sources", "[0]", "year"]);
    expect(whereParts("deck")).toEqual(["deck"]);
  });
});

describe("bounds before patterns", () => {
  it("refuses JSON nested deeper than a deck can be, with its line", () => {
    const r = parseUpload("deck.json", utf8(`{"cards":\n${"[".repeat(100_000)}`));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ line: 2, message: expect.stringContaining("nested more than 32 deep") });
  });

  it("keeps an over-long Anki HTML field as it is and reports its length", () => {
    const r = parseUpload("notes.txt", utf8(`#separator:tab\n#html:true\n${"<audio ".repeat(3000)}\tback\n`));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]!.message).toMatch(/the front is 20999 characters; at most 1000/);
  });

  it("a smaller card limit names itself and the setting that raises it; at the limit a file passes", () => {
    const rows = Array.from({ length: 11 }, (_, i) => `Question ${i}?,Answer ${i}`);
    const r = parseUpload("many.csv", utf8(`front,back\n${rows.join("\n")}\n`), { maxCards: 10 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toEqual([{ line: 12, message: expect.stringContaining("too many cards: the file has 11 cards but an upload takes at most 10 cards") }]);
      expect(r.problems[0]!.message).toContain("UPLOAD_MAX_CARDS");
    }
    expect(parseUpload("many.csv", utf8(`front,back\n${rows.slice(0, 10).join("\n")}\n`), { maxCards: 10 }).ok).toBe(true);
    // Far past the limit the file is not read to its end.
    const more = parseUpload("many.csv", utf8(`front,back\n${[...rows, ...rows.map((r) => `x${r}`)].join("\n")}\n`), { maxCards: 10 });
    expect(!more.ok && more.problems[0]!.message).toContain("the file has more than 10 cards");
  });
});

describe("the row checks cover the card schema", () => {
  // buildDeck runs CardSchema only on cloze fronts: every card a CSV upload accepts must pass it.
  const odd = fc.constantFrom(" ", "  ", "\t", "ß", "\u00a0", "\u2028", "x".repeat(37), "y".repeat(95), "z".repeat(290), ",", '"', "|", ";", "(", "{", "}");
  const piece = fc.oneof({ arbitrary: fc.stringMatching(/^[a-zA-Zé0-9]{1,4}$/), weight: 5 }, { arbitrary: odd, weight: 2 });
  const field = (max: number) => fc.array(piece, { maxLength: max }).map((xs) => xs.join(""));
  const quoted = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const row = fc.record({
    front: field(6), back: field(4), quote: field(3),
    distractors: fc.oneof(fc.constant([]), fc.array(field(3), { minLength: 3, maxLength: 4 }), fc.array(field(3), { maxLength: 12 })),
    tags: fc.array(fc.oneof(field(2), fc.constantFrom("t".repeat(40), "u".repeat(41))), { maxLength: 11 }),
  });

  it("a card the row checks accept is valid by the schema, unchanged", () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 3 }), (rows) => {
        const lines = rows.map((r) => [r.front, r.back, r.quote, r.distractors.join("|"), r.tags.join(" ")].map(quoted).join(","));
        const res = parseUpload("cards.csv", utf8(`front,back,quote,distractors,tags\n${lines.join("\n")}\n`));
        if (!res.ok) return;
        accepted++;
        for (const card of res.deck.cards) {
          const r = v.safeParse(CardSchema, card, { abortPipeEarly: false });
          expect(r.issues?.map((i) => i.message) ?? [], JSON.stringify(card)).toEqual([]);
          expect(r.output).toEqual(card);
        }
      }),
      { numRuns: 4000 },
    );
    expect(accepted).toBeGreaterThan(200); // the property was exercised on accepted files
  });
});
