/** The bundled decks' always-loaded index and their texts loaded on first use (src/decks/registry.ts). */
import { describe, expect, it } from "vitest";
import { DeckRegistry } from "../../src/decks/registry";
import type { LazyDecks } from "../../src/decks/bundled";
import { BUNDLED } from "../../src/decks/bundled";
import { makeDeck } from "../support/fixtures";

function lazySource(decks = [makeDeck("one", 3), makeDeck("two", 2)]) {
  const source = { loads: [] as string[], index: decks.map((d) => ({ id: d.id, title: d.title, cards: d.cards.map((c) => c.id) })), async load(id: string) {
    source.loads.push(id);
    const d = decks.find((x) => x.id === id);
    if (!d) throw new Error(`no deck ${id}`);
    return d;
  } };
  return source;
}

describe("bundled decks: index now, texts on first use", () => {
  it("knows ids, titles and card ids without loading the texts; get() loads that deck's once per isolate", async () => {
    const src = lazySource();
    const r = new DeckRegistry(src as LazyDecks);
    expect(r.isBundled("one")).toBe(true);
    expect(r.isBundled("three")).toBe(false);
    const [one] = r.catalogue();
    expect(one!.deck.id).toBe("one");
    expect(one!.deck.title).toBe(src.index[0]!.title);
    expect(one!.cardIds).toEqual(src.index[0]!.cards);
    expect(() => one!.deck.cards).toThrow(/not loaded: get it with `await decks.get\(id\)`/);
    expect(src.loads).toEqual([]);
    const got = await r.get("one");
    expect(src.loads).toEqual(["one"]); // only the deck asked for
    expect(got).toBe(one); // the same entry, now with its texts
    expect(got!.deck.cards).toHaveLength(3);
    expect(got!.quiz).toHaveLength(3);
    await new DeckRegistry(src as LazyDecks).get("one"); // another registry of the same isolate
    await Promise.all([r.get("two"), r.get("two")]); // at once: one load
    expect(src.loads).toEqual(["one", "two"]);
    expect((await new DeckRegistry(src as LazyDecks).loadCatalogue()).map((d) => d.deck.cards.length)).toEqual([3, 2]);
    expect(src.loads).toEqual(["one", "two"]);
  });

  it("says how to fix an index that does not match the decks' texts", async () => {
    const src = lazySource();
    src.index[1]!.cards = ["two-c0", "renamed"];
    expect((await new DeckRegistry(src as LazyDecks).get("one"))!.deck.cards).toHaveLength(3);
    await expect(new DeckRegistry(src as LazyDecks).get("two")).rejects.toThrow(/bundled-index\.json does not match deck "two": run `node scripts\/build-lazy\.mjs`/);
  });

  it("retries a failed load on the next use", async () => {
    const src = lazySource();
    let fail = true;
    const flaky = { index: src.index, load: async (id: string) => (fail ? Promise.reject(new Error("boom")) : src.load(id)) };
    const r = new DeckRegistry(flaky);
    await expect(r.get("one")).rejects.toThrow("boom");
    fail = false;
    expect((await r.get("one"))!.deck.cards).toHaveLength(3);
  });

  it("the Worker's bundled decks: the index lists every deck, and their texts match it", async () => {
    const r = new DeckRegistry(BUNDLED);
    const ids = r.catalogue().map((d) => d.deck.id);
    expect(ids).toEqual(["untoc", "trafficking-in-persons", "smuggling-of-migrants", "environmental-crime", "counterfeiting", "cybercrime-technology"]);
    const loaded = await r.loadCatalogue();
    expect(loaded.reduce((n, d) => n + d.deck.cards.length, 0)).toBe(193);
  });
});
