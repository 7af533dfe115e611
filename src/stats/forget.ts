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
import type { UserStore } from "../store/users";

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

  // 2. Class memberships (`v1:member:<code>:<id>`) — the record is the only list of them — and,
  //    for a lecturer, their API token and a draft in progress. The classes and decks a lecturer
  //    created stay: their students use them (the confirmation says so).
  for (const code of doc.classes) {
    await io.stores.classes.removeMember(code, id);
    keys++;
  }
  if (doc.owns?.token) {
    await io.stores.lecturers.revokeToken(doc.owns.token);
    keys++;
  }
  if (doc.role === "lecturer" || doc.owns) {
    await io.stores.drafts.delete(id); // a draft deck under review (they also expire after 7 days)
    keys++;
  }

  // 3. The record itself, last.
  await io.users.delete(id);
  keys++;
  io.deps.log({ t: "forget", keys });
  return { deleted: true, keys };
}
