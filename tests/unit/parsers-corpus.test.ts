/// <reference path="../fixtures/uploads/raw.d.ts" />
/**
 * The corpus of bad uploads: every file must be rejected with its specific first problem (line and
 * message) from tests/fixtures/uploads/bad/expected.json. Plus the cases generated here.
 */
import { describe, expect, it } from "vitest";
import { parseUpload, UPLOAD_LIMITS, type UploadResult } from "../../src/decks/parsers";
import expected from "../fixtures/uploads/bad/expected.json";

const files = import.meta.glob<string>("../fixtures/uploads/bad/*", { query: "?raw", import: "default", eager: true });
const corpus = Object.entries(files)
  .map(([path, text]) => [path.split("/").pop()!, text] as const)
  .filter(([name]) => name !== "expected.json");
const wanted = expected as Record<string, { line: number | null; message: string }>;
const utf8 = (s: string) => new TextEncoder().encode(s);

function bytesOf(name: string, text: string): Uint8Array {
  if (!name.endsWith(".b64")) return utf8(text);
  const bin = atob(text.replace(/\s+/g, ""));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function rejected(r: UploadResult): Extract<UploadResult, { ok: false }> {
  if (r.ok) throw new Error(`accepted: ${r.deck.cards.length} cards`);
  return r;
}

describe("bad uploads corpus", () => {
  it("has at least 35 files, each with an expectation (and no stale expectations)", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(35);
    expect(corpus.map(([n]) => n).sort()).toEqual(Object.keys(wanted).sort());
  });

  it.each(corpus)("%s is rejected with its specific problem", (name, text) => {
    const want = wanted[name]!;
    const r = rejected(parseUpload(name.replace(/\.b64$/, ""), bytesOf(name, text)));
    const first = r.problems[0]!;
    expect(first.message).toContain(want.message);
    expect(first.line ?? null).toBe(want.line);
    // Every message says what to do, not only what is wrong.
    for (const p of r.problems) expect(p.message).toMatch(/ — |; write /);
    expect(r.totalProblems).toBeGreaterThanOrEqual(r.problems.length);
  });
});

describe("generated bad uploads", () => {
  it("rejects a file over 1 MiB before decoding it", () => {
    const big = new Uint8Array(UPLOAD_LIMITS.bytes + 1).fill(0xff); // not even UTF-8: size comes first
    const r = rejected(parseUpload("big.csv", big));
    expect(r.problems).toEqual([{ message: expect.stringContaining("the file is too large: 1.0 MB, at most 1 MB") }]);
  });

  it("accepts a file of exactly 1 MiB (the limit is inclusive)", () => {
    const head = "front,back,quote\nWhat is 2 + 2?,4,";
    const text = head + "x".repeat(UPLOAD_LIMITS.bytes - head.length);
    const r = parseUpload("big.csv", utf8(text));
    expect(r.ok).toBe(false); // the quote is too long for a card, but the size was accepted
    expect(rejected(r).problems[0]!.message).toContain("the quote is");
  });

  it("rejects more than 5000 cards, pointing at card 5001", () => {
    const rows = Array.from({ length: 5001 }, (_, i) => `Question ${i}?,Answer ${i}`);
    const r = rejected(parseUpload("many.csv", utf8(`front,back\n${rows.join("\n")}\n`)));
    expect(r.problems).toEqual([{ line: 5002, message: expect.stringContaining("too many cards: the file has 5001 cards") }]);
    expect(parseUpload("many.csv", utf8(`front,back\n${rows.slice(0, 5000).join("\n")}\n`)).ok).toBe(true);
  });

  it("rejects a JSON deck of more than 5000 cards", () => {
    const cards = Array.from({ length: 5001 }, (_, i) => ({ id: `q${i}`, front: `Question ${i}?`, back: `${i}` }));
    const json = JSON.stringify({ id: "many", title: "Many", description: "Many cards.", language: "en", sources: [], cards }, null, 1);
    const r = rejected(parseUpload("many.json", utf8(json)));
    expect(r.problems[0]!.message).toContain("too many cards: the deck has 5001 cards");
    expect(r.problems[0]!.line).toBe(json.split("\n").findIndex((l) => l.includes('"q5000"')) + 1);
  });

  it("rejects an invalid deck id given as an option, and a title over 80 characters", () => {
    const r = rejected(parseUpload("cards.csv", utf8("front,back\nq,a\n"), { deckId: "Week 1!", title: "T".repeat(81) }));
    expect(r.problems).toEqual([
      { where: "deck id", message: expect.stringContaining('deck id "Week 1!" is not valid — use lower-case letters, digits and dashes, at most 40 characters (e.g. "week-1")') },
      { where: "title", message: expect.stringContaining("the title is 81 characters; at most 80") },
    ]);
  });

  it("finds the line of invalid UTF-8 (a truncated character at the end)", () => {
    const bytes = new Uint8Array([...utf8("front,back\nq,a\nCafé,"), 0xe2, 0x82]);
    const r = rejected(parseUpload("cards.csv", bytes));
    expect(r.problems[0]).toMatchObject({ line: 3, message: expect.stringContaining("not valid UTF-8 (byte 0xE2") });
  });

  it("rejects a UTF-16 file whose byte count is odd", () => {
    const r = rejected(parseUpload("cards.csv", new Uint8Array([0xff, 0xfe, 0x66, 0x00, 0x72])));
    expect(r.problems[0]!.message).toContain("odd number of bytes");
  });

  it("counts every problem of a JSON deck, beyond the 50 listed", () => {
    const cards = Array.from({ length: 80 }, (_, i) => ({ id: `Bad Id ${i}`, front: `Question ${i}?`, back: `${i}` }));
    const json = JSON.stringify({ id: "many", title: "Many", description: "Many cards.", language: "en", sources: [], cards }, null, 1);
    const r = rejected(parseUpload("many.json", utf8(json)));
    expect(r.problems).toHaveLength(50);
    expect(r.totalProblems).toBe(80);
  });
});
