/**
 * Group-quiz answers, batched: every member's poll answer is one message on the answer queue
 * (`lectern-gquiz`, binding GQUIZ; one consumer at a time — wrangler.toml's max_concurrency = 1 —
 * up to 100 messages or 60 s per batch). A batch is filed here with one read and one write per
 * quiz sheet (`v1:gsheet:<chat>:<started>`), whatever the number of answers in it:
 *
 * - one writer at a time (the queue's single consumer), ≥1 s between two writes of a sheet (writeGap);
 * - each member's answer to a question is filed once — a redelivered update, a retried message or a
 *   second answer adds nothing (the first one filed stands);
 * - a sheet only grows, so what this isolate last wrote is merged with what it reads: a read that
 *   lags behind our own last write (KV is eventually consistent) loses no answer;
 * - the quiz's end (`gend`, sent by the lecturer's ⏹) is filed after the batch's answers: from then
 *   on members apply the sheet to their own schedules on their next update (learner/group-answers.ts);
 * - a member's /forget (`gforget`) removes their answers and keeps them out (`gone`), also against
 *   an answer still in the queue and this isolate's remembered copy.
 */
import type { Env } from "../env";
import type { Services } from "../services";
import type { Job, SheetJob } from "./types";
import { MAX_GROUP_QUESTIONS, MAX_SHEET_MEMBERS, sheetKey, type Sheet } from "../store/group-quiz";
import { writeGap } from "../store/kv";
import { RefusedError } from "../store/errors";

export function isSheetJob(job: Job): job is SheetJob {
  return job.kind === "gans" || job.kind === "gend" || job.kind === "gforget";
}

/** Asks the sheet's writer to drop a member's answers (their /forget). */
export async function forgetAnswers(env: Env, uid: number, chat: number, started: number, at: number): Promise<void> {
  await answerQueue(env)?.send({ kind: "gforget", chat, started, deck: "", uid, at });
}

/** The queue answers go to: the dedicated one, or (a Worker configured without it) the jobs queue. */
export function answerQueue(env: Env): Queue<Job> | undefined {
  return env.GQUIZ ?? env.JOBS;
}

/** Sheets this isolate wrote last, per namespace (a few quizzes at a time). */
const written = new WeakMap<KVNamespace, Map<string, Sheet>>();
const KEEP_WRITTEN = 16;

function valid(j: SheetJob): boolean {
  const ok = Number.isSafeInteger(j.chat) && Number.isSafeInteger(j.started) && typeof j.deck === "string" && Number.isSafeInteger(j.at);
  if (!ok || j.kind === "gend") return ok;
  if (j.kind === "gforget") return Number.isSafeInteger(j.uid) && j.uid > 0;
  return Number.isSafeInteger(j.uid) && j.uid > 0 && Number.isSafeInteger(j.q) && j.q >= 0 && j.q < MAX_GROUP_QUESTIONS && (j.g === 1 || j.g === 4) && typeof j.c === "string" && j.c.length <= 200;
}

/** The union of two versions of one sheet (answers: the first filed per member and question). */
export function mergeSheets(a: Sheet | null, b: Sheet | null | undefined): Sheet | null {
  if (!a || !b) return a ?? b ?? null;
  const out: Sheet = { ...a, c: { ...b.c, ...a.c }, a: { ...a.a }, at: Math.max(a.at, b.at) };
  const end = a.end === undefined ? b.end : b.end === undefined ? a.end : Math.min(a.end, b.end);
  if (end !== undefined) out.end = end;
  const gone = [...new Set([...(a.gone ?? []), ...(b.gone ?? [])])];
  if (gone.length) out.gone = gone;
  for (const [uid, list] of Object.entries(b.a)) {
    const mine = out.a[uid];
    if (!mine) out.a[uid] = list;
    else {
      const more = list.filter((e) => !mine.some((m) => m[0] === e[0]));
      if (more.length) out.a[uid] = [...mine, ...more].sort((x, y) => x[2] - y[2]);
    }
  }
  for (const uid of gone) delete out.a[String(uid)];
  return out;
}

/** Adds one message to a sheet; true if it changed anything. */
function fileOne(sheet: Sheet, j: SheetJob, log: Services["deps"]["log"]): boolean {
  if (j.kind === "gend") {
    if (sheet.end !== undefined) return false;
    sheet.end = j.at;
    return true;
  }
  const uid = String(j.uid);
  if (j.kind === "gforget") {
    const had = uid in sheet.a;
    delete sheet.a[uid];
    if (sheet.gone?.includes(j.uid)) return had;
    sheet.gone = [...(sheet.gone ?? []), j.uid].slice(-MAX_SHEET_MEMBERS);
    return true;
  }
  if (sheet.gone?.includes(j.uid)) return false; // deleted their data: nothing about them is filed
  const list = sheet.a[uid];
  if (list?.some((e) => e[0] === j.q)) return false; // filed already (redelivered, retried, answered twice)
  if (!list && Object.keys(sheet.a).length >= MAX_SHEET_MEMBERS) {
    log({ t: "gsheet", problem: "sheet full", members: MAX_SHEET_MEMBERS });
    return false;
  }
  sheet.a[uid] = [...(list ?? []), [j.q, j.g, j.at]];
  sheet.c[String(j.q)] ??= j.c;
  return true;
}

/** Files a batch's group-quiz messages: per sheet one read and (if anything is new) one write. */
export async function fileAnswers(svc: Services, messages: readonly Message<Job>[]): Promise<void> {
  const ns = svc.deps.kv ?? svc.env.KV;
  let mine = written.get(ns);
  if (!mine) written.set(ns, (mine = new Map()));
  const bySheet = new Map<string, Message<SheetJob>[]>();
  for (const m of messages) {
    const j = m.body as SheetJob;
    if (!valid(j)) {
      svc.deps.log({ t: "gsheet", problem: "bad message" });
      m.ack();
      continue;
    }
    const key = sheetKey(j.chat, j.started);
    bySheet.set(key, [...(bySheet.get(key) ?? []), m as Message<SheetJob>]);
  }
  for (const [key, list] of bySheet) {
    const first = list[0]!.body;
    try {
      const stored = await svc.stores.groupQuiz.sheet(first.chat, first.started);
      const sheet = mergeSheets(stored, mine.get(key)) ?? { v: 1, chat: first.chat, started: first.started, deck: first.deck, c: {}, a: {}, at: 0 };
      let changed = !stored && mine.has(key); // our last write is not visible yet: write the union
      // Answers first, then deletions and an end in the same batch (they came after them).
      const rank = { gans: 0, gforget: 1, gend: 2 } as const;
      const ordered = [...list].sort((x, y) => rank[x.body.kind] - rank[y.body.kind]);
      for (const m of ordered) if (fileOne(sheet, m.body, svc.deps.log)) changed = true;
      if (changed) {
        sheet.at = await writeGap(svc.deps, sheet.at);
        await svc.stores.groupQuiz.putSheet(sheet);
        mine.delete(key);
        mine.set(key, sheet);
        while (mine.size > KEEP_WRITTEN) mine.delete(mine.keys().next().value!);
      }
      for (const m of list) m.ack();
    } catch (err) {
      svc.deps.log({ t: "gsheet", problem: err instanceof Error ? err.message.slice(0, 120) : String(err).slice(0, 120), answers: list.length });
      // A refusal (a value KV will not take) does not change on a retry; a fault does.
      if (err instanceof RefusedError) for (const m of list) m.ack();
      else for (const m of list) m.retry({ delaySeconds: Math.min(60, 2 ** m.attempts) });
    }
  }
}
