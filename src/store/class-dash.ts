/**
 * The class dashboard (`v1:classdash:<code>`): what the latest class-stats run computed for a
 * class, kept so the Mini App's class view costs one read instead of one per student. Written only
 * by the class-stats job's report step; kept 7 days, like the run it came from.
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { Kv } from "./kv";
import { CODE_RE } from "./classes";

export const classDashKey = (code: string) => `v1:classdash:${code}`;
export const CLASS_DASH_TTL = 7 * 86_400;

const n0 = v.pipe(v.number(), v.minValue(0));

export const ClassDashSchema = v.object({
  v: v.literal(1),
  code: v.string(),
  name: v.string(),
  /** When the run that built it finished (ms). */
  at: n0,
  /** False when some chunks never reported (the run gave up waiting). */
  complete: v.boolean(),
  /** Week buckets per student: [0] = the last 7 days (the student's local days), [1] the 7 before, … */
  weeks: n0,
  students: v.array(
    v.object({
      name: v.string(),
      /** Cards of the class's decks last reviewed in each week bucket. */
      weeks: v.array(n0),
      reviews7: n0,
      due: n0,
      graded30: n0,
      good30: n0,
      lastActive: v.string(),
    }),
  ),
  hardest: v.array(v.object({ deck: v.string(), card: v.string(), front: v.string(), reviews: n0, lapses: n0, rate: n0 })),
  decks: v.array(v.object({ id: v.string(), title: v.string(), cards: n0, started: n0, seen: n0 })),
});
export type ClassDash = v.InferOutput<typeof ClassDashSchema>;

export class ClassDashStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  async get(code: string): Promise<ClassDash | null> {
    if (!CODE_RE.test(code)) return null;
    return this.kv.getJson(classDashKey(code), ClassDashSchema);
  }

  async put(dash: ClassDash): Promise<void> {
    await this.kv.put(classDashKey(dash.code), dash, { expirationTtl: CLASS_DASH_TTL });
  }
}
