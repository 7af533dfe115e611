/**
 * Class fan-out through the JOBS queue: a run (`v1:run:<id>`) is planned by a job that lists the
 * class roster (a job, never a request path), cut into chunks that fit one consumer invocation's
 * 50 subrequests; each chunk writes its own result key (`v1:run:<id>:<n>`, no contention); a final
 * job gathers them — up to 40 per invocation, re-enqueuing itself — and reports to the lecturer;
 * then the same job deletes the chunk results, up to 200 per invocation (a 10,000-student push has
 * 2,000 of them, and Workers allow 1,000 KV operations per invocation).
 *
 * Operations: "push" (subscribe each student to a deck and notify them once — the student's
 * record remembers the run id, so retries never notify twice) and "stats" (read each student's
 * record and summarise, for /classstats and /classexport).
 */
import type * as v from "valibot";
import type { Services } from "../services";
import type { Job } from "./types";
import type { RunDoc } from "../store/runs";

export type { RunDoc };

const GATHER_PER_INVOCATION = 40;
/**
 * Chunk results deleted per invocation once the run is reported (Workers allow 1,000 operations
 * to KV and other services per invocation; a sweep step makes this many + 3).
 */
export const SWEEP_PER_INVOCATION = 200;
/** Chunk results the reporting invocation deletes itself (it has read up to 40 chunk results). */
const SWEEP_INLINE = SWEEP_PER_INVOCATION - GATHER_PER_INVOCATION;
const FINAL_DELAY = 5;
/** Between sweep steps: each writes the run key, and KV takes one write per second per key. */
const SWEEP_DELAY = 1;
/** Runs not finished after this long are reported with what they have. */
const GIVE_UP_MS = 6 * 3600_000;

export interface FanoutOp<R, A> {
  /** Students per chunk (each costs some subrequests; stay under 50 per invocation). */
  chunkSize: number;
  /** The stored shape of a chunk's result (validated when read back). */
  result: v.GenericSchema<unknown, R>;
  /** Processes one chunk of students; returns its result (stored under the chunk key). */
  chunk(svc: Services, run: RunDoc, uids: number[]): Promise<R>;
  /** What a chunk whose stored result is unreadable counts as. */
  empty: R;
  /** Folds a chunk result into the aggregate. */
  fold(agg: A | undefined, r: R): A;
  /** Sends the report. */
  report(svc: Services, run: RunDoc, agg: A | undefined, complete: boolean): Promise<void>;
}

/** Creates a run and enqueues its plan. Returns false if the run already exists (a redelivered command). */
export async function startRun(svc: Services, run: RunDoc): Promise<boolean> {
  const runs = svc.stores.runs;
  if (await runs.get(run.id)) return false;
  await runs.put(run);
  // The plan job writes the run again: at least a second later (1 write per second per key).
  await svc.env.JOBS!.send({ kind: "plan", run: run.id }, { delaySeconds: 1 });
  return true;
}

export async function plan(svc: Services, ops: Record<RunDoc["op"], FanoutOp<unknown, unknown>>, id: string): Promise<void> {
  const runs = svc.stores.runs;
  const run = await runs.get(id);
  if (!run || run.chunks !== undefined) return; // unknown, or already planned (a retried plan job)
  const roster = await svc.stores.classes.members(run.class);
  const size = ops[run.op].chunkSize;
  const chunks: Job[] = [];
  for (let i = 0; i < roster.length; i += size) chunks.push({ kind: "chunk", run: id, n: chunks.length, uids: roster.slice(i, i + size).map((m) => m.uid) });
  run.chunks = chunks.length;
  run.total = roster.length;
  run.gathered = 0;
  await runs.put(run);
  const queue = svc.env.JOBS!;
  for (let k = 0; k < chunks.length; k += 100) await queue.sendBatch(chunks.slice(k, k + 100).map((body) => ({ body })));
  await queue.send({ kind: "final", run: id }, { delaySeconds: chunks.length ? FINAL_DELAY : 0 });
}

export async function chunk(svc: Services, ops: Record<RunDoc["op"], FanoutOp<unknown, unknown>>, id: string, n: number, uids: number[]): Promise<void> {
  const runs = svc.stores.runs;
  if (await runs.hasChunk(id, n)) return; // done before (a redelivered chunk)
  const run = await runs.get(id);
  if (!run || run.done) return; // a chunk redelivered after the report: nothing to add
  const result = await ops[run.op].chunk(svc, run, uids);
  await runs.putChunk(id, n, result);
}

export async function finalize(svc: Services, ops: Record<RunDoc["op"], FanoutOp<unknown, unknown>>, id: string): Promise<void> {
  const runs = svc.stores.runs;
  const run = await runs.get(id);
  if (!run || run.chunks === undefined) return;
  if (run.done) return sweep(svc, run);
  const op = ops[run.op];
  let gathered = run.gathered ?? 0;
  let agg = run.agg;
  let budget = GATHER_PER_INVOCATION;
  while (gathered < run.chunks && budget-- > 0) {
    const r = await runs.getChunk(id, gathered, op.result, op.empty);
    if (r === null) break;
    agg = op.fold(agg, r);
    gathered++;
  }
  const complete = gathered >= run.chunks;
  const stale = svc.deps.now() - run.created > GIVE_UP_MS;
  if (complete || stale) {
    run.gathered = gathered;
    run.done = true;
    run.swept = 0;
    // Once reported, a run keeps no one's figures: the record keeps only that it is done (a
    // redelivered final job then reports nothing twice, and chunks redelivered now do nothing),
    // and the chunk results (names, ids, figures) are deleted — here if few, else by sweep steps.
    delete run.agg;
    await runs.put(run);
    await op.report(svc, run, agg, complete);
    if (run.chunks <= SWEEP_INLINE) await sweep(svc, run);
    else await svc.env.JOBS!.send({ kind: "final", run: id }, { delaySeconds: SWEEP_DELAY });
    return;
  }
  if (gathered !== run.gathered) {
    run.gathered = gathered;
    run.agg = agg;
    await runs.put(run);
  }
  await svc.env.JOBS!.send({ kind: "final", run: id }, { delaySeconds: budget < 0 ? 1 : FINAL_DELAY });
}

/**
 * After the report: deletes the next SWEEP_PER_INVOCATION chunk results; if some remain, records
 * how far it got (`swept`) and re-enqueues itself. The last step writes nothing (so a run of up to
 * SWEEP_INLINE chunks is swept by the reporting invocation without a second write to the run key):
 * a redelivered or doubled step only deletes some keys again. Runs reported before sweeps existed
 * (done, no `swept`) had their chunk results deleted at once.
 */
async function sweep(svc: Services, run: RunDoc): Promise<void> {
  const chunks = run.chunks ?? 0;
  const from = run.swept;
  if (from === undefined || from >= chunks) return;
  const to = Math.min(chunks, from + SWEEP_PER_INVOCATION);
  for (let n = from; n < to; n++) await svc.stores.runs.deleteChunk(run.id, n);
  if (to >= chunks) return;
  run.swept = to;
  await svc.stores.runs.put(run);
  await svc.env.JOBS!.send({ kind: "final", run: run.id }, { delaySeconds: SWEEP_DELAY });
}
