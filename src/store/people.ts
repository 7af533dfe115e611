/**
 * Keys about a person that the person's own updates do not write — each with exactly one kind of
 * writer (ARCHITECTURE.md's key table):
 *
 *   v2:role:<id>          admins only: the lecturer role given or taken away (`/lecturer <id>`, `/lecturer remove`)
 *   v2:roleinv:<id>       the person redeeming an admin's invite link (valid while that admin is an admin and no
 *                         later admin decision says otherwise)
 *   v2:own:<id>           the lecturer's own actions (chat and HTTP API): classes and decks they own, token hash
 *   v2:gone:<id>          /forget: a tombstone every other writer checks (expires after GONE_TTL)
 *   v2:daily:<id>         the daily job: the quiz it sent today and when it last said "all caught up"
 *   v2:blocked:<id>       queue and cron jobs: Telegram answered 403 at `at` (the learner's next own write clears it)
 *   v2:pushed:<run>:<id>  a push chunk: this person was told about this push (retries skip them)
 *
 * Jobs write with `guardedPut`: write, then look for a tombstone and undo the write if one is
 * there. /forget writes the tombstone before deleting, so either the job sees it or /forget's
 * deletes come after the job's write — nothing a job had in flight outlives "Deleted".
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { Kv } from "./kv";
import { QuizSchema } from "./users";

export const roleKey = (id: number) => `v2:role:${id}`;
export const roleInviteKey = (id: number) => `v2:roleinv:${id}`;
export const ownKey = (id: number) => `v2:own:${id}`;
export const goneKey = (id: number) => `v2:gone:${id}`;
export const dailyKey = (id: number) => `v2:daily:${id}`;
export const blockedKey = (id: number) => `v2:blocked:${id}`;
export const pushedKey = (run: string, id: number) => `v2:pushed:${run}:${id}`;

/** Tombstones outlive every job that may still hold the person (queue retries, fan-out runs: 7 days). */
export const GONE_TTL_S = 8 * 86_400;
const DAILY_TTL_S = 8 * 86_400;
const BLOCKED_TTL_S = 90 * 86_400;
const PUSHED_TTL_S = 8 * 86_400;

const int = v.pipe(v.number(), v.safeInteger());
const RoleSchema = v.object({ v: v.literal(1), role: v.picklist(["lecturer", "none"]), by: int, at: int });
export type RoleDoc = v.InferOutput<typeof RoleSchema>;
const RoleInviteSchema = v.object({ v: v.literal(1), code: v.string(), by: int, at: int });
export const OwnsSchema = v.object({
  v: v.literal(1),
  classes: v.array(v.object({ code: v.string(), name: v.string(), closed: v.optional(v.boolean()) })),
  decks: v.array(v.object({ id: v.string(), title: v.string(), cards: v.number(), public: v.optional(v.boolean()) })),
  /** SHA-256 (hex) of the lecturer's current API token, so /token revoke can find it. */
  token: v.optional(v.string()),
  at: v.optional(int),
});
export type OwnsDoc = v.InferOutput<typeof OwnsSchema>;
const GoneSchema = v.object({ v: v.literal(1), at: int });
const DailySchema = v.object({ v: v.literal(1), day: int, quiz: v.optional(QuizSchema), caughtUp: v.optional(int) });
export type DailyDoc = v.InferOutput<typeof DailySchema>;
const BlockedSchema = v.object({ v: v.literal(1), at: int });

export class PeopleStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  // ---- roles (admins) ------------------------------------------------------------------------

  async role(id: number): Promise<RoleDoc | null> {
    return this.kv.getJson(roleKey(id), RoleSchema);
  }
  async roleInvite(id: number) {
    return this.kv.getJson(roleInviteKey(id), RoleInviteSchema);
  }
  /** Admins only. */
  async setRole(id: number, role: "lecturer" | "none", by: number): Promise<void> {
    await this.guardedPut(id, roleKey(id), { v: 1, role, by, at: this.deps.now() });
  }
  /** The redeemer of an admin's invite. */
  async setRoleInvite(id: number, code: string, by: number): Promise<void> {
    await this.kv.put(roleInviteKey(id), { v: 1, code, by, at: this.deps.now() });
  }

  /**
   * The stored lecturer role: an admin's latest decision, or an invite redeemed after it from an
   * issuer who is still an administrator.
   */
  async isLecturer(id: number, isAdmin: (id: number) => boolean): Promise<boolean> {
    const [role, inv] = await Promise.all([this.role(id), this.roleInvite(id)]);
    const invited = inv !== null && isAdmin(inv.by) && (!role || role.at < inv.at);
    if (invited) return true;
    return role?.role === "lecturer";
  }

  // ---- what a lecturer owns (the lecturer's own actions) -------------------------------------

  async owns(id: number): Promise<OwnsDoc | null> {
    return this.kv.getJson(ownKey(id), OwnsSchema);
  }
  async putOwns(id: number, doc: OwnsDoc): Promise<void> {
    doc.at = this.deps.now();
    await this.kv.put(ownKey(id), doc);
  }

  // ---- /forget -------------------------------------------------------------------------------

  async gone(id: number): Promise<{ at: number } | null> {
    return this.kv.getJson(goneKey(id), GoneSchema);
  }
  async markGone(id: number): Promise<void> {
    await this.kv.put(goneKey(id), { v: 1, at: this.deps.now() }, { expirationTtl: GONE_TTL_S });
  }

  /**
   * A write by anyone but the person: written, then undone if the person has deleted their data
   * meanwhile. Returns false (and leaves nothing) when they have.
   */
  async guardedPut(id: number, key: string, value: unknown, options?: KVNamespacePutOptions): Promise<boolean> {
    if (await this.gone(id)) return false;
    await this.kv.put(key, value, options);
    if (await this.gone(id)) {
      await this.kv.delete(key);
      return false;
    }
    return true;
  }

  // ---- the daily job's own key ---------------------------------------------------------------

  async daily(id: number): Promise<DailyDoc | null> {
    return this.kv.getJson(dailyKey(id), DailySchema);
  }
  async putDaily(id: number, doc: DailyDoc): Promise<boolean> {
    return this.guardedPut(id, dailyKey(id), doc, { expirationTtl: DAILY_TTL_S });
  }

  // ---- blocked (jobs) ------------------------------------------------------------------------

  async blocked(id: number): Promise<number | null> {
    return (await this.kv.getJson(blockedKey(id), BlockedSchema))?.at ?? null;
  }
  async markBlocked(id: number): Promise<void> {
    await this.guardedPut(id, blockedKey(id), { v: 1, at: this.deps.now() }, { expirationTtl: BLOCKED_TTL_S });
  }

  // ---- push deliveries (push chunks) ---------------------------------------------------------

  async pushed(run: string, id: number): Promise<boolean> {
    return (await this.kv.getText(pushedKey(run, id))) !== null;
  }
  async markPushed(run: string, id: number): Promise<void> {
    await this.guardedPut(id, pushedKey(run, id), 1, { expirationTtl: PUSHED_TTL_S });
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }
}
