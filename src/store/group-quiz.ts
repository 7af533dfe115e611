/**
 * Group quizzes: `v1:gquiz:<chat id>` (written only by the lecturer's actions, which Telegram
 * delivers one at a time per chat) and `v1:poll:<poll id>` → the chat, so a member's poll_answer
 * (which carries no chat) finds its quiz.
 *
 * Members' answers are batched: a member's answer is a message on the answer queue (no KV write,
 * but for one marker in the member's own record at their first answer of a quiz); the queue's
 * consumer — one at a time — files a batch of answers into the quiz's answer sheet,
 * `v1:gsheet:<chat id>:<started>`, with one write. The sheet has that one writer.
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { Kv } from "./kv";

export const gquizKey = (chat: number) => `v1:gquiz:${chat}`;
export const pollKey = (poll: string) => `v1:poll:${poll}`;
export const sheetKey = (chat: number, started: number) => `v1:gsheet:${chat}:${started}`;
const TTL = 2 * 86_400;
/** A quiz's answer sheet is kept this long after its last write (members apply it on their next update). */
export const SHEET_TTL_DAYS = 8;
/** A group quiz ends, at the latest, this long after it started (its answers then reach schedules). */
export const QUIZ_LIFE_MS = 86_400_000;
/**
 * Members whose answers one sheet holds. Filing a batch of 100 answers into a full sheet (500 × 30
 * answers, ≈300 KB) took ≈5 ms in workerd, KV read included (1,000 members: ≈9 ms, too close to the
 * free plan's 10 ms); and 500 members' marks are already half the free plan's daily writes.
 */
export const MAX_SHEET_MEMBERS = 500;
/** Questions of one group quiz, at most. */
export const MAX_GROUP_QUESTIONS = 30;

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

/** What a member's answer needs, so it costs one read here plus their own record. `s`: the quiz's start (its sheet). */
const PollSchema = v.object({ v: v.literal(1), chat: v.number(), q: v.number(), deck: v.string(), c: v.string(), ok: v.number(), s: v.optional(v.number()) });
export type GroupPoll = v.InferOutput<typeof PollSchema>;

/** One member's answer on the sheet: question index, grade (4 right, 1 wrong), time (ms). */
export type SheetAnswer = [q: number, g: number, at: number];

const isInt = (n: unknown, min = 0): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= min;

export interface Sheet {
  v: 1;
  chat: number;
  started: number;
  deck: string;
  /** Card id of each question answered (by question index). */
  c: Record<string, string>;
  /** Answers by member (Telegram user id): each question once, the first answer filed. */
  a: Record<string, SheetAnswer[]>;
  /** Time of the sheet's last write (ms), for the 1 write/s rule. */
  at: number;
  /** When the lecturer ended the quiz (ms): members apply the sheet from then on. */
  end?: number;
  /** Members who deleted their data (/forget): their answers are not kept, nor filed again. */
  gone?: number[];
}

// The answers are checked by plain loops: a valibot pipe per number would cost more than the filing.
const SheetSchema = v.custom<Sheet>((x) => {
  if (!x || typeof x !== "object") return false;
  const s = x as Sheet;
  if (s.v !== 1 || !Number.isSafeInteger(s.chat) || !isInt(s.started) || typeof s.deck !== "string" || !isInt(s.at)) return false;
  if (s.end !== undefined && !isInt(s.end)) return false;
  if (s.gone !== undefined && !(Array.isArray(s.gone) && s.gone.length <= MAX_SHEET_MEMBERS && s.gone.every((u) => isInt(u, 1)))) return false;
  if (!s.c || typeof s.c !== "object" || Array.isArray(s.c) || !Object.values(s.c).every((c) => typeof c === "string")) return false;
  if (!s.a || typeof s.a !== "object" || Array.isArray(s.a)) return false;
  for (const list of Object.values(s.a)) {
    if (!Array.isArray(list) || list.length > MAX_GROUP_QUESTIONS) return false;
    for (const e of list) if (!Array.isArray(e) || e.length !== 3 || !isInt(e[0]) || !isInt(e[1]) || !isInt(e[2])) return false;
  }
  return true;
}, "an answer sheet");

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
  /** A quiz's answer sheet (null: nothing filed yet, expired, or unreadable — logged). */
  sheet(chat: number, started: number): Promise<Sheet | null> {
    return this.kv.getJson(sheetKey(chat, started), SheetSchema);
  }
  /** Only the answer queue's consumer writes a sheet. */
  putSheet(s: Sheet) {
    return this.kv.put(sheetKey(s.chat, s.started), s, { expirationTtl: SHEET_TTL_DAYS * 86_400 });
  }
}
