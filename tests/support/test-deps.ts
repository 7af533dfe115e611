/** The Worker's deps in tests: a test clock, the Telegram stand-in, a counted KV, a seeded byte stream. */
import type { Deps } from "../../src/deps";
import type { Telegram } from "../../sandbox/telegram-core.mjs";

export interface TestDepsOptions {
  clock: { now: number };
  tg: Telegram;
  kv: KVNamespace;
  logs: Record<string, unknown>[];
  /** Returns the next 32-bit state of the random stream (tests decide how it is seeded). */
  random: { state: number };
}

/** A linear congruential byte stream: deterministic, different per seed. */
export function seededBytes(random: { state: number }) {
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      random.state = (Math.imul(random.state, 1103515245) + 12345) >>> 0;
      out[i] = random.state >>> 24;
    }
    return out;
  };
}

export function testDeps(o: TestDepsOptions): Partial<Deps> {
  return {
    now: () => o.clock.now,
    fetch: o.tg.fetch.bind(o.tg) as typeof fetch,
    kv: o.kv,
    log: (line) => o.logs.push(line),
    // Waiting advances the test clock instead of the wall clock.
    sleep: async (ms) => {
      o.clock.now += ms;
    },
    randomBytes: seededBytes(o.random),
  };
}
