/**
 * Classes. The class itself (`v1:class:<code>`) is written only by its lecturer; each student's
 * membership is its own key (`v1:member:<code>:<student id>`), written by the student when they
 * join — so 300 students joining in the same minute never contend for one value (KV has no atomic
 * read-modify-write and allows one write per second per key). The roster is enumerated only by
 * queue jobs (push, class stats), never on a request path.
 *
 * The code is the join code: 12 characters of base64url (72 random bits), used in
 * https://t.me/<bot>?start=join_<code>.
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { Kv } from "./kv";
import { base64url } from "./lecturers";

export const classKey = (code: string) => `v1:class:${code}`;
export const memberKey = (code: string, uid: number) => `v1:member:${code}:${uid}`;
export const memberPrefix = (code: string) => `v1:member:${code}:`;
export const CODE_RE = /^[A-Za-z0-9_-]{12}$/;

export const ClassSchema = v.object({
  v: v.literal(1),
  code: v.string(),
  name: v.string(),
  owner: v.number(),
  /** The lecturer's first name, shown on the join link's question (classes from before have none). */
  by: v.optional(v.string()),
  created: v.number(),
  closed: v.optional(v.number()),
  /** Decks pushed to the class, newest last. */
  decks: v.array(v.string()),
  /** Recent push runs (ids), newest last. */
  runs: v.optional(v.array(v.string())),
});
export type ClassDoc = v.InferOutput<typeof ClassSchema>;

export const MemberSchema = v.object({
  v: v.literal(1),
  /** The student's first name as Telegram gave it when they joined (shown to the lecturer). */
  name: v.string(),
  joined: v.number(),
});
export type MemberDoc = v.InferOutput<typeof MemberSchema>;

/** 12 base64url characters from 9 random bytes: 72 bits. */
export function newClassCode(deps: Deps): string {
  return base64url(deps.randomBytes(9));
}

export class ClassStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  async get(code: string): Promise<ClassDoc | null> {
    if (!CODE_RE.test(code)) return null;
    return this.kv.getJson(classKey(code), ClassSchema);
  }

  async put(doc: ClassDoc): Promise<void> {
    await this.kv.put(classKey(doc.code), doc);
  }

  async member(code: string, uid: number): Promise<MemberDoc | null> {
    return this.kv.getJson(memberKey(code, uid), MemberSchema);
  }

  async addMember(code: string, uid: number, m: MemberDoc): Promise<void> {
    await this.kv.put(memberKey(code, uid), m);
  }

  async removeMember(code: string, uid: number): Promise<void> {
    await this.kv.delete(memberKey(code, uid));
  }

  /** The roster, for queue jobs only (this lists keys). */
  async members(code: string): Promise<{ uid: number }[]> {
    const out: { uid: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.kv.kv.list({ prefix: memberPrefix(code), ...(cursor ? { cursor } : {}) });
      for (const k of page.keys) {
        const uid = Number(k.name.slice(memberPrefix(code).length));
        if (Number.isSafeInteger(uid)) out.push({ uid });
      }
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    return out;
  }
}
