/**
 * /forget: delete everything Lectern stores about a learner — and keep it deleted.
 *
 * 1. A tombstone `v2:gone:<id>` is written first (it expires after GONE_TTL, longer than any job
 *    or queue retry can still hold the person). Every writer other than the person checks it after
 *    writing and undoes its write (store/people.ts guardedPut); the person's own updates from before
 *    the /forget (a redelivery, an old button) find no record, see the tombstone and write nothing.
 * 2. Then every key about the person is deleted: the daily-quiz index key, class memberships and
 *    push deliveries, a lecturer's token, ownership record and draft, the roles, the daily job's
 *    and the blocked keys, every progress shard named in the head record, the first-version record,
 *    and the head record itself — last, so a failure half-way (a KV fault answers 503 and Telegram
 *    redelivers the confirmation) leaves the record to say what is still to delete.
 */
import type { Deps } from "../deps";
import type { Stores } from "../store/stores";
import type { UserDoc, UserStore } from "../store/users";
import { blockedKey, dailyKey, ownKey, pushedKey, roleInviteKey, roleKey } from "../store/people";
import type { Env } from "../env";
import { forgetAnswers } from "../jobs/gsheet";

export interface ForgetIO {
  users: UserStore;
  stores: Stores;
  deps: Deps;
  /** The answer queue: group quizzes' answer sheets are written only by its consumer. */
  env?: Env;
}

export type ForgetResult = { deleted: false } | { deleted: true; keys: number };

/** Deletes every stored key about learner `id`. The BotContext is a ForgetIO. */
export async function forgetLearner(io: ForgetIO, id: number): Promise<ForgetResult> {
  const got = await io.users.load(id);
  const people = io.stores.people;
  const owns = await people.owns(id);
  if (!got && !owns) return { deleted: false };
  const doc: UserDoc | undefined = got?.doc;
  await people.markGone(id);
  let keys = 0;
  const del = async (key: string) => {
    await people.delete(key);
    keys++;
  };

  // The daily-quiz index: `v1:slot:<HHMM>:<id>`.
  if (doc?.daily.slot) {
    await io.stores.schedule.move(id, doc.daily.slot, undefined);
    keys++;
  }
  // Class memberships — the record is the only list of them — and this person's push deliveries.
  for (const code of doc?.classes ?? []) {
    await io.stores.classes.removeMember(code, id);
    keys++;
    const cls = await io.stores.classes.get(code);
    for (const run of cls?.runs ?? []) await del(pushedKey(run, id));
  }
  // A lecturer's token, ownership record and draft. The classes and decks they created stay:
  // their students use them (the confirmation says so).
  const token = owns?.token ?? got?.legacy?.owns?.token;
  if (token) {
    await io.stores.lecturers.revokeToken(token);
    keys++;
  }
  await io.stores.drafts.delete(id);
  // Group quizzes' answer sheets the record remembers: their one writer drops this person's answers.
  if (io.env) for (const [chat, started] of doc?.gq ?? []) await forgetAnswers(io.env, id, chat, started, io.deps.now());
  for (const key of [ownKey(id), roleKey(id), roleInviteKey(id), dailyKey(id), blockedKey(id)]) await del(key);
  // Progress shards: one per deck of the table (and of a first-version record not yet migrated).
  const decks = new Set([...(doc?.decks ?? []).map((d) => d.id), ...Object.keys(got?.legacy?.progress ?? {})]);
  for (const deckId of decks) {
    await io.users.deleteProgress(id, deckId);
    keys++;
  }
  await io.users.deleteLegacy(id);
  // The record itself, last.
  await io.users.delete(id);
  keys += 2;
  io.deps.log({ t: "forget", keys });
  return { deleted: true, keys };
}
