// Types of decks.mjs, which scripts/build-lazy.mjs builds from decks/*.json (catalogue order).
import type { Deck } from "../decks/schema";
declare const decks: Deck[];
export default decks;
