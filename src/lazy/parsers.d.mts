// Types of parsers.mjs, which scripts/build-lazy.mjs builds from src/decks/parsers.
export * from "../decks/parsers/index";
