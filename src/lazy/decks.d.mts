// Types of decks.mjs, which scripts/build-lazy.mjs builds: one loader per bundled deck (deck-<id>.mjs).
import type { Deck } from "../decks/schema";
export declare const loaders: Readonly<Record<string, () => Promise<{ default: Deck }>>>;
