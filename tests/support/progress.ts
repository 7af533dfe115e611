/**
 * Tests read a learner's progress the way the first version stored it — `{ [cardId]: packed state }`
 * per deck — from the binary shards (`v2:prog:<id>:<deck>`), so assertions stay readable.
 */
import { packCard, unpackCard } from "../../src/srs/card-state";
import { applyGrade, emptyDay } from "../../src/srs/session";
import type { Grade } from "../../src/srs/sm2";
import { DeckProgress, shardIds } from "../../src/srs/progress";
import { progressKey, progressPrefix, userKey, type UserDoc } from "../../src/store/users";
import { latin1Bytes } from "./reliability-rig";

export type ProgressMap = Record<string, number[]>;

export function decodeShard(buf: ArrayBuffer): ProgressMap {
  const ids = shardIds(buf);
  if (!ids) throw new Error("not a progress shard");
  const p = DeckProgress.decode(buf, ids)!;
  const out: ProgressMap = {};
  ids.forEach((id, i) => {
    const s = p.get(i);
    if (s) out[id] = packCard(s);
  });
  return out;
}

/** One deck's progress of a learner from a KV namespace (undefined: no shard). */
export async function progressOf(kv: KVNamespace, uid: number, deckId: string): Promise<ProgressMap | undefined> {
  const buf = await kv.get(progressKey(uid, deckId), "arrayBuffer");
  return buf ? decodeShard(buf) : undefined;
}

/** Every deck's progress of a learner from a memory KV dump (keys → latin1 strings). */
export function progressFromDump(dump: Record<string, string>, uid: number): Record<string, ProgressMap> {
  const out: Record<string, ProgressMap> = {};
  const prefix = progressPrefix(uid);
  for (const [k, v] of Object.entries(dump)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = decodeShard(latin1Bytes(v).buffer as ArrayBuffer);
  return out;
}

/**
 * The learner's view of their progress: the shards with the quiz answers still waiting in the
 * record (`pend`) applied, as the next update that reads those decks will apply them.
 */
export function withPending(doc: { decks: { id: string }[]; pend?: [number, string, number, number, number][] }, progress: Record<string, ProgressMap>): Record<string, ProgressMap> {
  for (const [table, cardId, grade, day] of doc.pend ?? []) {
    const deckId = doc.decks[table]?.id;
    if (!deckId) continue;
    const m = (progress[deckId] ??= {});
    const prev = m[cardId] ? unpackCard(m[cardId]) : undefined;
    m[cardId] = packCard(applyGrade(prev, grade as Grade, day, 0, emptyDay()).state);
  }
  return progress;
}

/** The head record with a first-version-style `progress` map built from the shards (null: no record). */
export async function recordWithProgress(kv: KVNamespace, uid: number): Promise<(UserDoc & { progress: Record<string, ProgressMap> }) | null> {
  const text = await kv.get(userKey(uid));
  if (text === null) return null;
  const doc = JSON.parse(text) as UserDoc & { progress: Record<string, ProgressMap> };
  doc.progress = {};
  for (const d of doc.decks) {
    const m = await progressOf(kv, uid, d.id);
    if (m && Object.keys(m).length) doc.progress[d.id] = m;
  }
  withPending(doc, doc.progress);
  return doc;
}

/** The same from a memory KV dump, as a JSON string (what tests used to read from `v1:user:<id>`). */
export function dumpRecord(dump: Record<string, string>, uid: number): string | undefined {
  const text = dump[userKey(uid)];
  if (text === undefined) return undefined;
  const doc = JSON.parse(text) as Record<string, unknown>;
  const progress = withPending(doc as never, progressFromDump(dump, uid));
  for (const k of Object.keys(progress)) if (!Object.keys(progress[k]!).length) delete progress[k];
  doc.progress = progress;
  return JSON.stringify(doc);
}
