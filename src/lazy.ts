/**
 * What the Worker loads on first use instead of at start-up: the drafter, the upload parsers (with
 * papaparse) and each bundled deck's texts. A review press or an echo-like update never loads them.
 *
 * In the deployed Worker (wrangler.toml defines LECTERN_SPLIT) each is a separate module,
 * src/lazy/*.mjs, built by scripts/build-lazy.mjs and uploaded beside the main module; the
 * `import()` below stays in the main module and workerd loads the module the first time it runs.
 * Elsewhere (the vitest pool, the benchmark's hot loops) the same functions import the
 * TypeScript sources. This file sits at the top of src/ because wrangler keeps these import paths
 * as written, relative to the main module.
 */
import type { Deck } from "./decks/schema";

declare const LECTERN_SPLIT: boolean | undefined;
/** True in a wrangler build (a compile-time constant: the other branch is not bundled). */
export const SPLIT = typeof LECTERN_SPLIT !== "undefined" && LECTERN_SPLIT === true;

export type DrafterModule = typeof import("./lazy/drafter.mjs");
export type ParsersModule = typeof import("./lazy/parsers.mjs");

let drafter: Promise<DrafterModule> | undefined;
let parsers: Promise<ParsersModule> | undefined;
let deckLoaders: Promise<DeckLoaders> | undefined;
type DeckLoaders = Readonly<Record<string, () => Promise<{ default: Deck }>>>;

/** The drafter (src/draft), loaded once per isolate. */
export function loadDrafter(): Promise<DrafterModule> {
  return (drafter ??= SPLIT ? import("./lazy/drafter.mjs") : import("./draft/index"));
}

/** The upload parsers (src/decks/parsers, with papaparse), loaded once per isolate. */
export function loadParsers(): Promise<ParsersModule> {
  return (parsers ??= SPLIT ? import("./lazy/parsers.mjs") : import("./decks/parsers/index"));
}

/**
 * One bundled deck with its texts (each is a module of its own: a review loads only its deck's).
 * Rejects for an id that is not a bundled deck. Modules load once per isolate.
 */
export function loadBundledDeck(id: string): Promise<Deck> {
  // One expression per build: the branch a build does not take is not bundled.
  return SPLIT
    ? (deckLoaders ??= import("./lazy/decks.mjs").then(
        (m) => m.loaders,
        (err: unknown) => {
          deckLoaders = undefined; // a failed load is retried by the next update
          throw err;
        },
      )).then((loaders) => {
        const load = Object.hasOwn(loaders, id) ? loaders[id] : undefined;
        if (!load) throw new Error(`no bundled deck "${id}" among src/lazy/decks.mjs's loaders: run \`node scripts/build-lazy.mjs\``);
        return load().then((m) => m.default);
      })
    : import("./decks/bundled-texts").then((m) => {
        const deck = m.default.find((d) => d.id === id);
        if (!deck) throw new Error(`no bundled deck "${id}" in src/decks/bundled-texts.ts`);
        return deck;
      });
}
