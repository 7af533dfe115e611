/**
 * A KVNamespace wrapper for tests and the benchmark: counts reads, writes, deletes and lists (in
 * total and per update), remembers when each key was written (on the test clock) so tests can
 * assert "never two writes to one key within a second", and can inject faults.
 */
export interface KvFault {
  op: "get" | "put" | "delete" | "list";
  key: string;
}

export interface KvCounters {
  reads: number;
  writes: number;
  deletes: number;
  lists: number;
}

export class CountingKv {
  total: KvCounters = { reads: 0, writes: 0, deletes: 0, lists: 0 };
  window: KvCounters = { reads: 0, writes: 0, deletes: 0, lists: 0 };
  /** Write times per key, on the injected clock. */
  writeTimes = new Map<string, number[]>();
  /** Keys read/written, for cross-user checks. */
  touched: { op: string; key: string }[] = [];
  /** Return an Error to make that operation throw (a storage fault). */
  fault?: (f: KvFault) => Error | undefined;
  readonly kv: KVNamespace;

  constructor(
    private readonly inner: KVNamespace,
    private readonly now: () => number,
  ) {
    const self = this;
    this.kv = {
      async get(key: string, type?: unknown) {
        self.count("reads", "get", key);
        return (self.inner.get as (k: string, t?: unknown) => Promise<unknown>)(key, type);
      },
      async put(key: string, value: string, options?: KVNamespacePutOptions) {
        self.count("writes", "put", key);
        const times = self.writeTimes.get(key) ?? [];
        times.push(self.now());
        self.writeTimes.set(key, times);
        return self.inner.put(key, value, options);
      },
      async delete(key: string) {
        self.count("deletes", "delete", key);
        return self.inner.delete(key);
      },
      async list(options?: KVNamespaceListOptions) {
        self.count("lists", "list", options?.prefix ?? "");
        return self.inner.list(options);
      },
      getWithMetadata: async (key: string, type?: unknown) => {
        self.count("reads", "get", key);
        return (self.inner.getWithMetadata as (k: string, t?: unknown) => Promise<unknown>)(key, type);
      },
    } as unknown as KVNamespace;
  }

  private count(kind: keyof KvCounters, op: KvFault["op"], key: string) {
    const err = this.fault?.({ op, key });
    if (err) throw err;
    this.total[kind]++;
    this.window[kind]++;
    this.touched.push({ op, key });
  }

  /** Starts a new counting window (e.g. per update); returns the previous one. */
  resetWindow(): KvCounters {
    const w = this.window;
    this.window = { reads: 0, writes: 0, deletes: 0, lists: 0 };
    return w;
  }

  /** Pairs of writes to one key less than `ms` apart. */
  writesWithin(ms: number): { key: string; gap: number }[] {
    const out: { key: string; gap: number }[] = [];
    for (const [key, times] of this.writeTimes) {
      for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < ms) out.push({ key, gap: times[i]! - times[i - 1]! });
    }
    return out;
  }
}
