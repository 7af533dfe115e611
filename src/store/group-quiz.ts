/**
 * Group quizzes: `v1:gquiz:<chat id>` (written only by the lecturer's actions, which Telegram
 * delivers one at a time per chat) and `v1:poll:<poll id>` → the chat, so a member's poll_answer
 * (which carries no chat) finds its quiz. Members' answers write only their own records.
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { Kv } from "./kv";

export const gquizKey = (chat: number) => `v1:gquiz:${chat}`;
export const pollKey = (poll: string) => `v1:poll:${poll}`;
const TTL = 2 * 86_400;

export const GroupQuizSchema = v.object({
  v: v.literal(1),
  chat: v.number(),
  deck: v.string(),
  by: v.number(),
  started: v.number(),
  /** Questions: card id, correct option, poll id and message id once sent, results once closed. */
  qs: v.array(
    v.object({
      c: v.string(),
      ok: v.number(),
      poll: v.optional(v.string()),
      msg: v.optional(v.number()),
      right: v.optional(v.number()),
      voters: v.optional(v.number()),
    }),
  ),
  /** Times (ms) of the bot's recent messages to the group, for the 20-per-minute limit. */
  sends: v.array(v.number()),
});
export type GroupQuiz = v.InferOutput<typeof GroupQuizSchema>;

/** What a member's answer needs, so it costs one read here plus their own record. */
const PollSchema = v.object({ v: v.literal(1), chat: v.number(), q: v.number(), deck: v.string(), c: v.string(), ok: v.number() });
export type GroupPoll = v.InferOutput<typeof PollSchema>;

export class GroupQuizStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }
  get(chat: number) {
    return this.kv.getJson(gquizKey(chat), GroupQuizSchema);
  }
  put(q: GroupQuiz) {
    return this.kv.put(gquizKey(q.chat), q, { expirationTtl: TTL });
  }
  delete(chat: number) {
    return this.kv.delete(gquizKey(chat));
  }
  poll(id: string) {
    return this.kv.getJson(pollKey(id), PollSchema);
  }
  putPoll(id: string, p: Omit<GroupPoll, "v">) {
    return this.kv.put(pollKey(id), { v: 1, ...p }, { expirationTtl: TTL });
  }
}
