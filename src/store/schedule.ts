/**
 * The daily-quiz index: one small KV key per learner under their 15-minute UTC slot,
 * `v1:slot:<HHMM>:<user id>`, written only when a setting changes (or when daylight saving moves
 * the learner's slot). The cron lists one slot's prefix per run — never a request path — and a
 * key per learner means two learners changing settings at once can never overwrite each other
 * (KV has no atomic read-modify-write for a shared list value).
 */
import type { Deps } from "../deps";
import { offsetMinutes } from "../srs/days";
import { Kv } from "./kv";
import type { UserDoc } from "./users";

export const SLOT_MINUTES = 15;

export const slotKey = (slot: string, uid: number) => `v1:slot:${slot}:${uid}`;
export const slotPrefix = (slot: string) => `v1:slot:${slot}:`;

/** "HHMM" of a UTC minute of the day, floored to the slot. */
export function slotName(utcMinute: number): string {
  const m = ((Math.floor(utcMinute / SLOT_MINUTES) * SLOT_MINUTES) % 1440 + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}${String(m % 60).padStart(2, "0")}`;
}

/** The UTC slot in which local time `localMinute` (in `tz`) falls, as of instant `ms`. */
export function slotFor(localMinute: number, tz: string, ms: number): string {
  return slotName(localMinute - offsetMinutes(tz, ms));
}

/** The slot a cron run at `ms` serves. */
export function slotAt(ms: number): string {
  const d = new Date(ms);
  return slotName(d.getUTCHours() * 60 + d.getUTCMinutes());
}

/**
 * Puts a learner in the daily-quiz slot their settings call for — none when the daily quiz is off
 * or they blocked the bot — moving the index key from `from` (default: the slot the record names)
 * and updating the record in memory. Writes only when the slot changes.
 */
export async function syncSlot(index: ScheduleIndex, uid: number, doc: UserDoc, now: number, from = doc.daily.slot): Promise<void> {
  const want = doc.settings.dailyOn ? slotFor(doc.settings.dailyAt, doc.tz, now) : undefined;
  if (want !== from) await index.move(uid, from, want);
  if (want) doc.daily.slot = want;
  else delete doc.daily.slot;
}

export class ScheduleIndex {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  /** Moves a learner from one slot to another (either may be absent). */
  async move(uid: number, from: string | undefined, to: string | undefined): Promise<void> {
    if (from === to) return;
    if (from) await this.kv.delete(slotKey(from, uid));
    if (to) await this.kv.put(slotKey(to, uid), 1);
  }

  /** Every learner id in a slot (cron only: this lists keys). */
  async members(slot: string): Promise<number[]> {
    const out: number[] = [];
    let cursor: string | undefined;
    do {
      let page: KVNamespaceListResult<unknown, string>;
      try {
        page = await this.kv.kv.list({ prefix: slotPrefix(slot), ...(cursor ? { cursor } : {}) });
      } catch (err) {
        throw new Error(`KV list failed for slot ${slot}`, { cause: err });
      }
      for (const k of page.keys) {
        const id = Number(k.name.slice(slotPrefix(slot).length));
        if (Number.isSafeInteger(id)) out.push(id);
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return out;
  }
}
