/**
 * Write limits, applied to the KV namespace every store writes through (see createServices):
 *
 * 1. **Per user.** An update of user U is handled with stores whose namespace carries U as its
 *    writer (guardWrites(kv, env, deps, writer), built per update by the bot's rate-limit guard),
 *    so every KV put counts against the Rate Limiting binding RL_WRITES keyed by U (10 a minute in
 *    wrangler.toml; a learner save — their record and a deck's progress together — counts as one,
 *    asOneWrite); an HTTP API request counts against its bearer token (a lecturer's one token). A
 *    put the limit refuses never reaches KV (RefusedError "user-rate"):
 *    the update is answered 200 with a short "slow down" and that change is not saved. Deletes
 *    are not limited — each removes what an earlier, counted put created — so /forget always
 *    completes. Queue jobs and the cron are not an update of anyone and are not limited here.
 *
 * 2. **Per day, namespace-wide.** A ledger counts this isolate's puts of the UTC day and, every
 *    LEDGER_EVERY puts (at most once a second), adds them to `v1:writes:<YYYY-MM-DD>` (read, add,
 *    write: one read and one put per 25 puts, ≈4% more writes) and learns the day's total from it.
 *    When the known total nears DAILY_WRITE_QUOTA (from 80%), non-essential writes — class
 *    statistics runs, group-quiz bookkeeping, drafts — are refused ("daily-quota"), and the
 *    commands that start them say so; everything else (grades, settings, subscriptions, joins,
 *    uploads, deletions) keeps writing. It is a guard, not an accounting: two isolates adding at
 *    the same moment lose one addition (KV has no atomic increment), an isolate that ends keeps
 *    up to 24 uncounted puts, and a new isolate learns the total at its first addition.
 *
 * Both are off when RATE_LIMITS = "off" (the test suites of other features; load tests).
 */
import type { Env } from "../env";
import type { Deps } from "../deps";
import { RefusedError } from "./errors";

/**
 * Whose writes these are, for one update or API request: passed explicitly to the namespace its
 * stores write through (no async context: nothing to carry across every await of the update).
 */
export interface Writer {
  /** `u<telegram id>` for a bot update, `t<token hash>` for an API request. */
  key: string;
  limiter?: RateLimit;
  /** Inside one learner save (asOneWrite): already counted, its puts count no more. */
  charged?: boolean;
}

export const DEFAULT_DAILY_WRITE_QUOTA = 1000;
/** Non-essential writes stop when the day's known writes reach this share of the quota. */
export const NON_ESSENTIAL_SHARE = 0.8;
export const LEDGER_EVERY = 25;
export const ledgerKey = (day: string) => `v1:writes:${day}`;
const LEDGER_TTL = 2 * 86_400;

/** Key prefixes of non-essential writes: class statistics runs, group quizzes, drafts. */
export const NON_ESSENTIAL_PREFIXES = ["v1:run:stats-", "v1:run:export-", "v1:gquiz:", "v1:poll:", "v1:draft:"] as const;

export function isNonEssential(key: string): boolean {
  return NON_ESSENTIAL_PREFIXES.some((p) => key.startsWith(p));
}

export function limitsOn(env: Pick<Env, "RATE_LIMITS">): boolean {
  return (env.RATE_LIMITS ?? "").trim().toLowerCase() !== "off";
}

export function dailyWriteQuota(env: Pick<Env, "DAILY_WRITE_QUOTA">): number {
  const n = Number(env.DAILY_WRITE_QUOTA);
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_DAILY_WRITE_QUOTA;
}

interface Ledger {
  day: string;
  /** Puts of this isolate not yet added to the day's key. */
  pending: number;
  /** The day's total as last read (this isolate's additions included). */
  known: number;
  lastFlush: number;
  flushing: boolean;
}

/** One ledger per namespace (per isolate). */
const ledgers = new WeakMap<KVNamespace, Ledger>();

function ledgerFor(kv: KVNamespace, now: number): Ledger {
  const day = new Date(now).toISOString().slice(0, 10);
  let l = ledgers.get(kv);
  if (!l || l.day !== day) {
    l = { day, pending: 0, known: 0, lastFlush: 0, flushing: false };
    ledgers.set(kv, l);
  }
  return l;
}

/** The day's writes as this isolate knows them, and whether non-essential writes still go. */
export function dailyWrites(kv: KVNamespace, env: Pick<Env, "DAILY_WRITE_QUOTA" | "RATE_LIMITS">, now: number) {
  const l = ledgerFor(kv, now);
  const quota = dailyWriteQuota(env);
  const estimate = l.known + l.pending;
  return { estimate, quota, nonEssentialOpen: !limitsOn(env) || estimate < quota * NON_ESSENTIAL_SHARE };
}

export const SLOW_DOWN = "⏳ Slow down a little — you are going faster than I can save. That last change was not saved; try it again in a minute.";
export const QUOTA_NEAR = "Lectern is close to today's storage limit, so class reports, group quizzes and drafts pause until 00:00 UTC. Reviews, quizzes and settings keep working.";

/**
 * The namespace the stores write through, with both limits applied: the daily guard always, the
 * per-user limit when `writer` is given (a bot update, an API request — not a queue job or the cron).
 */
export function guardWrites(kv: KVNamespace, env: Env, deps: Deps, writer?: Writer): KVNamespace {
  if (!limitsOn(env)) return kv;
  const quota = dailyWriteQuota(env);

  async function flush(l: Ledger): Promise<void> {
    const now = deps.now();
    if (l.flushing || l.pending < LEDGER_EVERY || now - l.lastFlush < 1000) return;
    l.flushing = true;
    const adding = l.pending + 1; // the ledger's own put counts too
    try {
      const stored = Number(await kv.get(ledgerKey(l.day), "text")) || 0;
      const total = stored + adding;
      await kv.put(ledgerKey(l.day), String(total), { expirationTtl: LEDGER_TTL });
      l.pending -= adding - 1;
      l.known = total;
      l.lastFlush = now;
    } catch (err) {
      // Best effort: the pending puts are added next time.
      deps.log({ t: "ledger", problem: err instanceof Error ? err.message.slice(0, 120) : String(err).slice(0, 120) });
    } finally {
      l.flushing = false;
    }
  }

  const guarded: Partial<KVNamespace> = {
    get: kv.get.bind(kv) as KVNamespace["get"],
    getWithMetadata: kv.getWithMetadata.bind(kv) as KVNamespace["getWithMetadata"],
    list: kv.list.bind(kv) as KVNamespace["list"],
    delete: kv.delete.bind(kv),
    async put(key: string, value: string | ArrayBuffer | ArrayBufferView | ReadableStream, options?: KVNamespacePutOptions) {
      const l = ledgerFor(kv, deps.now());
      if (isNonEssential(key) && l.known + l.pending >= quota * NON_ESSENTIAL_SHARE) {
        throw new RefusedError("daily-quota", `daily write guard: ${l.known + l.pending} of ${quota}`, QUOTA_NEAR);
      }
      if (writer?.limiter && !writer.charged) {
        let allowed = true;
        try {
          allowed = (await writer.limiter.limit({ key: writer.key })).success;
        } catch (err) {
          // A limiter that fails lets the write through (it is a guard), and says so.
          deps.log({ t: "rate-limit", problem: err instanceof Error ? err.message.slice(0, 120) : String(err).slice(0, 120) });
        }
        if (!allowed) throw new RefusedError("user-rate", "per-user write limit", SLOW_DOWN);
      }
      await kv.put(key, value as string, options);
      l.pending++;
      if (l.pending >= LEDGER_EVERY) await flush(l);
    },
  };
  return guarded as KVNamespace;
}

/**
 * Runs one learner save — its progress shards and its record, one change as the learner sees it —
 * as one write against the per-user limit: the limit is asked once (RefusedError "user-rate" when
 * it says no, before anything is written), then the save's puts run without asking again.
 */
export async function asOneWrite<T>(writer: Writer | undefined, fn: () => Promise<T>): Promise<T> {
  if (!writer?.limiter || writer.charged) return fn();
  let allowed = true;
  try {
    allowed = (await writer.limiter.limit({ key: writer.key })).success;
  } catch {
    // a limiter that fails lets the write through (it is a guard)
  }
  if (!allowed) throw new RefusedError("user-rate", "per-user write limit", SLOW_DOWN);
  writer.charged = true;
  try {
    return await fn();
  } finally {
    writer.charged = false;
  }
}

/**
 * Runs `fn` with the per-user write limit lifted: for the one-time migration of a first-version
 * record (its progress moves into one shard per deck at once — more than ten writes for a large
 * collection, once). The daily guard still counts them.
 */
export async function withoutUserLimit<T>(writer: Writer | undefined, fn: () => Promise<T>): Promise<T> {
  if (!writer?.limiter) return fn();
  const limiter = writer.limiter;
  writer.limiter = undefined;
  try {
    return await fn();
  } finally {
    writer.limiter = limiter;
  }
}
