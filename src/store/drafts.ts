/**
 * A lecturer's draft deck while they review it: `v1:draft:<lecturer id>` (one at a time; expires
 * after 7 days). `decisions[i]` is "k" keep, "d" drop or "?" undecided (kept when published).
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { DeckSchema } from "../decks/schema";
import { Kv, writeGap } from "./kv";

export const draftKey = (uid: number) => `v1:draft:${uid}`;
const TTL = 7 * 86_400;

export const DraftSchema = v.object({
  v: v.literal(1),
  deck: DeckSchema,
  decisions: v.string(),
  fileName: v.string(),
  created: v.number(),
  /** The document's sentences, to re-ground an edited card's quote (drafts made before this have none). */
  sentences: v.optional(v.array(v.string())),
  /** Card index awaiting an edit (the lecturer's next text message replaces it). */
  editing: v.optional(v.number()),
  /** Time of the last write, for the 1 write/s rule. */
  at: v.number(),
});
export type DraftDoc = v.InferOutput<typeof DraftSchema>;

export class DraftStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }
  get(uid: number) {
    return this.kv.getJson(draftKey(uid), DraftSchema);
  }
  async put(uid: number, d: DraftDoc) {
    d.at = await writeGap(this.deps, d.at);
    await this.kv.put(draftKey(uid), d, { expirationTtl: TTL });
  }
  delete(uid: number) {
    return this.kv.delete(draftKey(uid));
  }
}
