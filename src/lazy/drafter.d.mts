// Types of drafter.mjs, which scripts/build-lazy.mjs builds from src/draft.
export * from "../draft/index";
