/**
 * A test rig for the reliability and security suites (tests/reliability): the Worker with injected
 * deps, like harness.ts, plus what those suites need on top of it —
 *
 *  - a fresh in-memory KV namespace per rig (`MemoryKv`), so two runs of one journey can be
 *    compared key by key (the shared `env.KV` persists across the tests of a file), optionally the
 *    shared one;
 *  - the counting KV (`CountingKv`, with its `fault` hook for faults *before* an operation) over a
 *    `LateFaultKv`, whose hook fails an operation *after* it took effect (a write that landed but
 *    whose answer was lost — a timeout);
 *  - randomness that is a pure function of a seed set per delivery (`reseed`), so a redelivered
 *    update draws the same session and quiz ids as its first delivery, and a run with
 *    redeliveries draws the same ids for every original update as a run without;
 *  - `post` answers every status (the harness's `deliver` throws on non-200), and `api` calls the
 *    lecturers' HTTP API.
 */
import { runWebhookReply } from "./webhook-reply";
import { env, createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createTelegram, type SandboxGroup, type SandboxUser, type Telegram } from "../../sandbox/telegram-core.mjs";
import { createWorker } from "../../src/worker";
import type { Deck } from "../../src/decks/schema";
import type { Env } from "../../src/env";
import { CountingKv, type KvFault } from "./counting-kv";
import { FakeQueue } from "./queue";
import { BOT_INFO, START } from "./harness";
import { UploadedDecks } from "../../src/store/decks";
import { testDeps } from "./test-deps";

// ---- an in-memory KV namespace ------------------------------------------------------------

interface Entry {
  value: string;
  expires?: number;
  metadata?: unknown;
}

/**
 * The part of KVNamespace Lectern uses, in memory: text/json gets, puts with expirationTtl (on the
 * injected clock), deletes and prefix lists with cursors. Values are stored as strings, as KV does.
 */
function latin1(value: ArrayBuffer | ArrayBufferView): string {
  const b = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  let out = "";
  for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
  return out;
}

export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

export class MemoryKv {
  readonly data = new Map<string, Entry>();
  constructor(private readonly now: () => number = () => Date.now()) {}

  private live(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e && e.expires !== undefined && e.expires <= this.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  private decode(text: string, type: unknown): unknown {
    const t = typeof type === "string" ? type : (type as { type?: string } | undefined)?.type ?? "text";
    if (t === "json") return JSON.parse(text);
    if (t === "arrayBuffer") return latin1Bytes(text).buffer;
    if (t === "stream") return new Response(text).body;
    return text;
  }

  readonly kv = {
    get: async (key: string, type?: unknown) => {
      const e = this.live(key);
      return e ? this.decode(e.value, type) : null;
    },
    getWithMetadata: async (key: string, type?: unknown) => {
      const e = this.live(key);
      return { value: e ? this.decode(e.value, type) : null, metadata: e?.metadata ?? null, cacheStatus: null };
    },
    put: async (key: string, value: string | ArrayBuffer | ArrayBufferView, options?: KVNamespacePutOptions) => {
      if (key.length === 0 || new TextEncoder().encode(key).length > 512) throw new Error(`KV put: bad key length ${key.length}`);
      // Binary values (progress shards) are kept byte for byte, one char per byte.
      const text = typeof value === "string" ? value : latin1(value);
      if (text.length > 25 * 1024 * 1024) throw new Error("KV put: value over 25 MiB");
      const entry: Entry = { value: text };
      if (options?.expirationTtl !== undefined) {
        if (options.expirationTtl < 60) throw new Error(`KV put: expirationTtl ${options.expirationTtl} is under 60 s`);
        entry.expires = this.now() + options.expirationTtl * 1000;
      }
      if (options?.expiration !== undefined) entry.expires = options.expiration * 1000;
      if (options?.metadata !== undefined) entry.metadata = options.metadata;
      this.data.set(key, entry);
    },
    delete: async (key: string) => {
      this.data.delete(key);
    },
    list: async (options?: KVNamespaceListOptions) => {
      const prefix = options?.prefix ?? "";
      const limit = Math.min(options?.limit ?? 1000, 1000);
      const keys = [...this.data.keys()].filter((k) => k.startsWith(prefix) && this.live(k)).sort();
      const start = options?.cursor ? Number(options.cursor) : 0;
      const page = keys.slice(start, start + limit);
      const complete = start + limit >= keys.length;
      return {
        keys: page.map((name) => ({ name })),
        list_complete: complete,
        ...(complete ? {} : { cursor: String(start + limit) }),
        cacheStatus: null,
      };
    },
  } as unknown as KVNamespace;

  /** Every live key and its value (strings), sorted by key. */
  dump(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of [...this.data.keys()].sort()) {
      const e = this.live(k);
      if (e) out[k] = e.value;
    }
    return out;
  }
}

/**
 * A KV wrapper whose `fault` hook makes an operation throw *after* it took effect (the write
 * landed, the answer was lost). CountingKv's own hook throws *before* the operation.
 */
export class LateFaultKv {
  fault?: (f: KvFault) => Error | undefined;
  readonly kv: KVNamespace;
  constructor(inner: KVNamespace) {
    const self = this;
    const after = async <T>(op: KvFault["op"], key: string, run: () => Promise<T>): Promise<T> => {
      const r = await run();
      const err = self.fault?.({ op, key });
      if (err) throw err;
      return r;
    };
    this.kv = {
      get: (key: string, type?: unknown) => after("get", key, () => (inner.get as (k: string, t?: unknown) => Promise<unknown>)(key, type)),
      getWithMetadata: (key: string, type?: unknown) =>
        after("get", key, () => (inner.getWithMetadata as (k: string, t?: unknown) => Promise<unknown>)(key, type)),
      put: (key: string, value: string, options?: KVNamespacePutOptions) => after("put", key, () => inner.put(key, value, options)),
      delete: (key: string) => after("delete", key, () => inner.delete(key)),
      list: (options?: KVNamespaceListOptions) => after("list", options?.prefix ?? "", () => inner.list(options)),
    } as unknown as KVNamespace;
  }
}

// ---- deterministic randomness ----------------------------------------------------------------

/** FNV-1a of a string, for seeds. */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

// ---- the rig ---------------------------------------------------------------------------------

/** Every webhook POST and API request made through any rig (for the suites' summary line). */
export const rigStats = { posts: 0, apiRequests: 0 };

export interface RigOptions {
  decks?: readonly Deck[];
  users?: SandboxUser[];
  groups?: SandboxGroup[];
  start?: number;
  /** "memory" (default): a fresh namespace for this rig; "shared": the test's env.KV. */
  kv?: "memory" | "shared";
  env?: Partial<Env>;
}

export function createRig(options: RigOptions = {}) {
  const clock = { now: options.start ?? START };
  const now = () => clock.now;
  const tg: Telegram = createTelegram({ token: env.BOT_TOKEN, botInfo: BOT_INFO, users: options.users ?? [], groups: options.groups ?? [], now });
  const memory = options.kv === "shared" ? undefined : new MemoryKv(now);
  // Uploaded decks are cached per isolate (on the injected clock): a fresh namespace, a fresh cache.
  if (memory) UploadedDecks.clearCache();
  const base = memory ? memory.kv : env.KV;
  const late = new LateFaultKv(base);
  const kv = new CountingKv(late.kv, now);
  const logs: Record<string, unknown>[] = [];
  const queue = new FakeQueue(now);
  const random = { state: hashSeed("lectern-reliability") };
  const deps = testDeps({ clock, tg, kv: kv.kv, logs, random });
  const worker = createWorker({
    deps,
    ...(options.decks ? { decks: options.decks } : {}),
  });
  const testEnv: Env = { ...(env as Env), KV: base, JOBS: queue.binding, GQUIZ: queue.binding, ...options.env };

  async function post(body: unknown, secret: string | null = testEnv.WEBHOOK_SECRET): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret !== null) headers["x-telegram-bot-api-secret-token"] = secret;
    rigStats.posts++;
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("https://lectern.test/telegram/webhook", { method: "POST", headers, body: typeof body === "string" ? body : JSON.stringify(body) }),
      testEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return runWebhookReply(res, deps.fetch!, testEnv);
  }

  /** A call to the lecturers' HTTP API (`path` below /api, e.g. "/decks?name=x.csv"). */
  async function api(path: string, init: { method?: string; token?: string | null; authorization?: string; body?: string; contentType?: string } = {}) {
    const headers: Record<string, string> = { "content-type": init.contentType ?? "text/csv" };
    if (init.authorization !== undefined) headers.authorization = init.authorization;
    else if (init.token) headers.authorization = `Bearer ${init.token}`;
    rigStats.apiRequests++;
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`https://lectern.test/api${path}`, { method: init.method ?? "POST", headers, ...(init.body !== undefined ? { body: init.body } : {}) }),
      testEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // not JSON
    }
    return { status: res.status, json, text };
  }

  return {
    tg, clock, kv, late, memory, logs, queue, worker, env: testEnv, post, api,
    /** Makes the randomness of the next deliveries a function of `seed` alone. */
    reseed(seed: string | number) {
      random.state = hashSeed(`seed:${seed}`);
    },
    advance(ms: number) {
      clock.now += ms;
    },
    /** Every key of the namespace and its value (memory KV only). */
    dump(): Record<string, string> {
      if (!memory) throw new Error("dump() needs the rig's memory KV");
      return memory.dump();
    },
    /** Delivers every queued job to the Worker's consumer, advancing the clock over delays. */
    async drainQueue() {
      await queue.drain(
        (batch) => worker.queue(batch, testEnv),
        (ms) => {
          clock.now = Math.max(clock.now, ms);
        },
      );
    },
    /** Error lines the bot logged (`{t:"error"}`), from index `from`. */
    errors(from = 0) {
      return logs.slice(from).filter((l) => l.t === "error");
    },
  };
}

export type Rig = ReturnType<typeof createRig>;
