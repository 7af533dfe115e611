/**
 * What the Worker takes from the outside world, injected so tests, the benchmark and the sandbox
 * can stand in for it: the clock, the Bot API transport, the KV binding, randomness and the log.
 */
export interface Deps {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Transport for Bot API calls (default: the global fetch). */
  fetch?: typeof fetch;
  /** Overrides env.KV (tests wrap it to count or fail operations). */
  kv?: KVNamespace;
  /** Fills a byte array with random bytes (default: crypto.getRandomValues). */
  randomBytes(n: number): Uint8Array;
  /** One structured log line (default: console.log of JSON, readable with `wrangler tail`). */
  log(line: Record<string, unknown>): void;
  /** Waits (used to keep ≥1 s between writes to one KV key). */
  sleep(ms: number): Promise<void>;
}

export const defaultDeps: Deps = {
  now: () => Date.now(),
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
  log: (line) => console.log(JSON.stringify(line)),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** `n` random characters of [0-9a-z] (session and quiz ids; not for secrets). */
export function randomId(deps: Pick<Deps, "randomBytes">, n: number): string {
  let s = "";
  for (const b of deps.randomBytes(n)) s += (b % 36).toString(36);
  return s;
}

export function withDefaults(partial: Partial<Deps> = {}): Deps {
  return { ...defaultDeps, ...partial };
}
