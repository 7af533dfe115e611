/**
 * The group-quiz answer sheet's writer (jobs/gsheet.ts) on its own: a stale read of the sheet (KV
 * is eventually consistent) loses no answer, a failed write is retried and files each answer once,
 * a member's /forget keeps them off the sheet, and merging two versions keeps the first answer.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createServices } from "../../src/services";
import { withDefaults } from "../../src/deps";
import { fileAnswers, mergeSheets } from "../../src/jobs/gsheet";
import { sheetKey, type Sheet } from "../../src/store/group-quiz";
import type { Env } from "../../src/env";
import type { Job, SheetJob } from "../../src/jobs/types";
import { makeDeck } from "../support/fixtures";

const deck = makeDeck("alpha", 5);

function rig(chat: number) {
  const clock = { now: Date.UTC(2026, 10, 2, 9, 0, 0) };
  const base = env.KV;
  const faults = { staleSheet: false, failPut: 0 };
  const kv = {
    get: (key: string, type?: unknown) => (faults.staleSheet && key.startsWith("v1:gsheet:") ? Promise.resolve(null) : (base.get as (k: string, t?: unknown) => Promise<unknown>)(key, type)),
    put: (key: string, value: string, o?: KVNamespacePutOptions) => {
      if (key.startsWith("v1:gsheet:") && faults.failPut > 0) {
        faults.failPut--;
        return Promise.reject(new Error("KV put failed: 503 Service Unavailable"));
      }
      return base.put(key, value, o);
    },
    delete: (key: string) => base.delete(key),
    list: base.list.bind(base),
    getWithMetadata: base.getWithMetadata.bind(base),
  } as unknown as KVNamespace;
  const logs: Record<string, unknown>[] = [];
  const deps = withDefaults({ kv, now: () => clock.now, sleep: async (ms) => void (clock.now += ms), log: (l) => logs.push(l) });
  const svc = createServices({ ...(env as Env), RATE_LIMITS: "off" }, deps, [deck]);
  const started = clock.now - 60_000;
  const outcome = { acked: 0, retried: 0 };
  let seq = 0;
  const msg = (body: SheetJob): Message<Job> => ({
    id: `m${++seq}`, timestamp: new Date(clock.now), body, attempts: 1,
    ack: () => void outcome.acked++,
    retry: () => void outcome.retried++,
  });
  const answer = (uid: number, q: number, g = 4) => msg({ kind: "gans", chat, started, deck: "alpha", q, c: deck.cards[q]!.id, uid, g, at: clock.now });
  const read = async () => (await base.get<Sheet>(sheetKey(chat, started), "json"))!;
  return { svc, clock, faults, outcome, answer, msg, read, started, chat, logs };
}

describe("the answer sheet's writer", () => {
  it("a read that lags behind its own last write loses no answer", async () => {
    const r = rig(-5001);
    await fileAnswers(r.svc, [r.answer(1, 0), r.answer(2, 0)]);
    r.clock.now += 5_000;
    r.faults.staleSheet = true; // the next read does not see the write yet
    await fileAnswers(r.svc, [r.answer(3, 0), r.answer(1, 1)]);
    r.faults.staleSheet = false;
    const sheet = await r.read();
    expect(Object.keys(sheet.a).sort()).toEqual(["1", "2", "3"]);
    expect(sheet.a["1"]!.map((e) => e[0])).toEqual([0, 1]);
    expect(r.outcome).toEqual({ acked: 4, retried: 0 });
  });

  it("a failed write is retried and files each answer once; a second answer to a question is not filed", async () => {
    const r = rig(-5002);
    r.faults.failPut = 1;
    const batch = [r.answer(1, 0, 4), r.answer(2, 0, 1)];
    await fileAnswers(r.svc, batch);
    expect(r.outcome).toEqual({ acked: 0, retried: 2 });
    r.clock.now += 2_000;
    await fileAnswers(r.svc, batch); // the retry
    await fileAnswers(r.svc, [r.answer(1, 0, 1)]); // the same member again (a redelivered update)
    const sheet = await r.read();
    expect(sheet.a).toEqual({ "1": [[0, 4, expect.any(Number)]], "2": [[0, 1, expect.any(Number)]] });
    expect(r.outcome).toEqual({ acked: 3, retried: 2 });
  });

  it("never writes a sheet twice within a second", async () => {
    const r = rig(-5003);
    const t0 = r.clock.now;
    await fileAnswers(r.svc, [r.answer(1, 0)]);
    const first = (await r.read()).at;
    await fileAnswers(r.svc, [r.answer(2, 0)]); // at once: waits (the clock moves on by the wait)
    const second = (await r.read()).at;
    expect(first).toBe(t0);
    expect(second - first).toBeGreaterThanOrEqual(1000);
  });

  it("a member's /forget takes them off, and an answer of theirs still in the queue stays off", async () => {
    const r = rig(-5004);
    await fileAnswers(r.svc, [r.answer(1, 0), r.answer(2, 0)]);
    r.clock.now += 2_000;
    await fileAnswers(r.svc, [r.answer(1, 1), r.msg({ kind: "gforget", chat: r.chat, started: r.started, deck: "", uid: 1, at: r.clock.now })]);
    const sheet = await r.read();
    expect(Object.keys(sheet.a)).toEqual(["2"]);
    expect(sheet.gone).toEqual([1]);
    r.clock.now += 2_000;
    await fileAnswers(r.svc, [r.answer(1, 2)]);
    expect(Object.keys((await r.read()).a)).toEqual(["2"]);
  });

  it("merging two versions keeps the first answer to each question, the earliest end and every deletion", () => {
    const a: Sheet = { v: 1, chat: 1, started: 10, deck: "d", c: { "0": "x" }, a: { "1": [[0, 4, 20]], "3": [[0, 4, 22]] }, at: 30 };
    const b: Sheet = { v: 1, chat: 1, started: 10, deck: "d", c: { "0": "x", "1": "y" }, a: { "1": [[0, 1, 25], [1, 4, 26]], "2": [[0, 1, 21]], "3": [[1, 4, 27]] }, at: 40, end: 50, gone: [3] };
    expect(mergeSheets(a, b)).toEqual({
      v: 1, chat: 1, started: 10, deck: "d", c: { "0": "x", "1": "y" }, at: 40, end: 50, gone: [3],
      a: { "1": [[0, 4, 20], [1, 4, 26]], "2": [[0, 1, 21]] },
    });
    expect(mergeSheets(null, b)).toBe(b);
    expect(mergeSheets(a, null)).toBe(a);
  });
});
