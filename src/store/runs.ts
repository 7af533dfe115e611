/**
 * Class fan-out runs (see jobs/fanout.ts): `v1:run:<id>` and each chunk's result
 * `v1:run:<id>:<n>`, kept 7 days; and `v1:pause`, the bot-wide pause after Telegram's 429.
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { Kv } from "./kv";

export const runKey = (id: string) => `v1:run:${id}`;
export const chunkKey = (id: string, n: number) => `v1:run:${id}:${n}`;
export const RESULT_TTL = 7 * 86_400;

export const RunSchema = v.object({
  v: v.literal(1),
  id: v.string(),
  op: v.picklist(["push", "stats"]),
  class: v.string(),
  owner: v.number(),
  /** Where the report goes. */
  chat: v.number(),
  created: v.number(),
  /** op-specific parameters (push: deck id; stats: export as CSV). */
  deck: v.optional(v.string()),
  csv: v.optional(v.boolean()),
  /** The lecturer's name as shown to students, the class's name, its decks (stats). */
  by: v.optional(v.string()),
  className: v.optional(v.string()),
  decks: v.optional(v.array(v.string())),
  /** Set by the plan job. */
  chunks: v.optional(v.number()),
  total: v.optional(v.number()),
  /** Gathering: chunks gathered so far and the aggregate. */
  gathered: v.optional(v.number()),
  agg: v.optional(v.unknown()),
  done: v.optional(v.boolean()),
  /** After the report: chunk results deleted so far (0 … chunks), a bounded number per invocation. */
  swept: v.optional(v.number()),
});
export type RunDoc = v.InferOutput<typeof RunSchema>;

export class RunStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }
  get(id: string) {
    return this.kv.getJson(runKey(id), RunSchema);
  }
  put(run: RunDoc) {
    return this.kv.put(runKey(run.id), run, { expirationTtl: RESULT_TTL });
  }
  /** A chunk's result: null if not there yet; a stored value that fails `schema` is logged and counts as empty. */
  async getChunk<R>(id: string, n: number, schema: v.GenericSchema<unknown, R>, empty: R): Promise<R | null> {
    const t = await this.kv.getText(chunkKey(id, n));
    if (t === null) return null;
    return this.kv.parse(chunkKey(id, n), t, schema) ?? empty;
  }
  async hasChunk(id: string, n: number): Promise<boolean> {
    return (await this.kv.getText(chunkKey(id, n))) !== null;
  }
  putChunk(id: string, n: number, r: unknown) {
    return this.kv.put(chunkKey(id, n), r, { expirationTtl: RESULT_TTL });
  }
  deleteChunk(id: string, n: number) {
    return this.kv.delete(chunkKey(id, n));
  }
}

export const PAUSE_KEY = "v1:pause";
const PauseSchema = v.object({ v: v.literal(1), until: v.number() });

/** Telegram asked the bot to wait (429): until when, bot-wide. */
export class PauseStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }
  async until(): Promise<number> {
    return (await this.kv.getJson(PAUSE_KEY, PauseSchema))?.until ?? 0;
  }
  set(until: number, ttlSeconds: number) {
    return this.kv.put(PAUSE_KEY, { v: 1, until }, { expirationTtl: Math.max(60, ttlSeconds) });
  }
}
