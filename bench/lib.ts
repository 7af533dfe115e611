/**
 * Everything the benchmark drives, in one module that scripts/bench.ts bundles with esbuild the
 * way wrangler does for workerd (conditions workerd/worker/browser: grammY's web build, not its
 * Node build with node-fetch and the abort-controller polyfill), so the timed code is the code
 * that is deployed. Only scripts/bench.ts imports it.
 */
export { createWorker } from "../src/worker";
export { default as BUNDLED_DECKS } from "../src/decks/bundled-texts";
export { loadDeck, type LoadedDeck } from "../src/decks/registry";
export { DeckRegistry } from "../src/decks/registry";
export { parseUpload } from "../src/decks/parsers";
export { FREE_PLAN_UPLOAD_CARDS } from "../src/decks/limits";
export { UploadedDecks, deckKeyV1 } from "../src/store/decks";
export { Learner } from "../src/learner/learner";
export { pickNext, outlook, emptyDay } from "../src/srs/session";
export { packCard, unpackCard, type CardState } from "../src/srs/card-state";
export { localDay } from "../src/srs/days";
export { newUser, userKey, progressKey, UserStore, type UserDoc } from "../src/store/users";
export { DeckProgress } from "../src/srs/progress";
export { slotFor, slotAt } from "../src/store/schedule";
export { memberKey, classKey } from "../src/store/classes";
export { hashUserId } from "../src/log";
export { withDefaults } from "../src/deps";
export type { Deck } from "../src/decks/schema";
export type { Env } from "../src/env";
export type { Job } from "../src/jobs/types";
export { makeDeck } from "../tests/support/fixtures";
export { FakeQueue } from "../tests/support/queue";
export { CountingKv } from "../tests/support/counting-kv";
export { createTelegram } from "../sandbox/telegram-core.mjs";
export { createEchoWorker } from "./echo-worker";
export { createFloorWorker } from "./floor-worker";
export { MemKv } from "./mem-kv";
export type { InlineKeyboardMarkup } from "grammy/types";
export { UserSchema } from "../src/store/users";
export { safeParse } from "valibot";
export { guard } from "../src/store/guard";
export { sheetKey, MAX_SHEET_MEMBERS, MAX_GROUP_QUESTIONS } from "../src/store/group-quiz";
