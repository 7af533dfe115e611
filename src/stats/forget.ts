/**
 * /forget: delete everything Lectern stores about a learner.
 *
 * Order: the daily-quiz index key, then class memberships, then the learner's record — last, so a
 * failure half-way (a KV fault answers 503 and Telegram redelivers the confirmation) leaves the
 * record in place to say what is still to delete, and a retry finishes the job. With the record
 * gone there is nothing left to delete: a second confirmation reads one key and writes nothing.
 *
 * Cost: one read (the record), then one delete per stored key (the slot key if the daily quiz is
 * on, one per class membership, the record).
 */
import type { Deps } from "../deps";
import type { Stores } from "../store/stores";
import type { UserDoc, UserStore } from "../store/users";

export interface ForgetIO {
  users: UserStore;
  stores: Stores;
  deps: Deps;
}

export type ForgetResult = { deleted: false } | { deleted: true; keys: number };

/** Deletes every stored key about learner `id`. The BotContext is a ForgetIO. */
export async function forgetLearner(io: ForgetIO, id: number): Promise<ForgetResult> {
  const doc = await io.users.get(id);
  if (!doc) return { deleted: false };
  let keys = 0;

  // 1. The daily-quiz index: `v1:slot:<HHMM>:<id>`.
  if (doc.daily.slot) {
    await io.stores.schedule.move(id, doc.daily.slot, undefined);
    keys++;
  }

  // 2. ── CLASS MEMBERSHIPS ───────────────────────────────────────────────────────────────────
  //    Wire the classes feature here: remove the learner from every class in `doc.classes`
  //    (their `v1:member:<code>:<id>` keys), before the record goes (the record is the only
  //    list of them).
  //    NOT handled here yet — lecturers' data, owned by the lecturer/classes features: an API
  //    token (`doc.owns.token` → `v1:token:<hash>`, which should be revoked), and the classes
  //    and uploaded decks they own (`doc.owns`; shared with students, their values name the owner).
  keys += await removeClassMemberships(io, id, doc);

  // 3. The record itself, last.
  await io.users.delete(id);
  keys++;
  io.deps.log({ t: "forget", keys });
  return { deleted: true, keys };
}

/**
 * Removes the learner's class memberships; returns how many keys it deleted.
 * TODO(classes): not wired yet — the classes feature is being built. Call its membership removal
 * here (e.g. `for (const code of doc.classes) await classes.removeMember(code, id)`).
 */
async function removeClassMemberships(_io: ForgetIO, _id: number, doc: UserDoc): Promise<number> {
  void doc.classes;
  return 0;
}
