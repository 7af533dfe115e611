/**
 * The bundled decks, part of the Worker bundle, in catalogue order. They are validated by
 * `npm run decks:check` (part of `npm test`), so the Worker does not re-validate them at start-up.
 */
import type { Deck } from "./schema";
import untoc from "../../decks/untoc.json";
import trafficking from "../../decks/trafficking-in-persons.json";
import smuggling from "../../decks/smuggling-of-migrants.json";
import environment from "../../decks/environmental-crime.json";
import counterfeiting from "../../decks/counterfeiting.json";
import cyber from "../../decks/cybercrime-technology.json";

export const BUNDLED_DECKS: readonly Deck[] = [untoc, trafficking, smuggling, environment, counterfeiting, cyber] as Deck[];
