/**
 * The bundled decks with their texts, in catalogue order — what src/lazy/decks.mjs holds in a
 * wrangler build (scripts/build-lazy.mjs keeps the same order). Only src/lazy.ts imports this,
 * dynamically; the start-up module holds only src/decks/bundled-index.json.
 */
import type { Deck } from "./schema";
import untoc from "../../decks/untoc.json";
import trafficking from "../../decks/trafficking-in-persons.json";
import smuggling from "../../decks/smuggling-of-migrants.json";
import environment from "../../decks/environmental-crime.json";
import counterfeiting from "../../decks/counterfeiting.json";
import cyber from "../../decks/cybercrime-technology.json";

const decks: Deck[] = [untoc, trafficking, smuggling, environment, counterfeiting, cyber] as Deck[];
export default decks;
