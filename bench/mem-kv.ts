/**
 * An in-memory KVNamespace for the benchmark: a Map of strings and binary values with just the
 * surface Lectern uses (get as text/json/arrayBuffer, getWithMetadata, put, delete, list with
 * prefix/cursor/limit). Binary values are copied in and out, as KV hands each reader its own buffer. It counts
 * operations in plain integers (cheap enough to leave on in timed loops); for per-update windows
 * and write times, wrap it in tests/support/counting-kv.ts.
 */
export class MemKv {
  readonly data = new Map<string, string | ArrayBuffer>();
  reads = 0;
  writes = 0;
  deletes = 0;
  lists = 0;
  readonly kv: KVNamespace;

  constructor() {
    const self = this;
    const read = (key: string, type?: unknown): unknown => {
      self.reads++;
      const v = self.data.get(key);
      if (v === undefined) return null;
      const t = typeof type === "string" ? type : (type as { type?: string } | undefined)?.type ?? "text";
      if (t === "arrayBuffer") return typeof v === "string" ? new TextEncoder().encode(v).buffer : v.slice(0);
      const text = typeof v === "string" ? v : new TextDecoder().decode(v);
      if (t === "json") return JSON.parse(text);
      if (t === "text") return text;
      throw new Error(`MemKv: get type ${t} is not supported`);
    };
    this.kv = {
      async get(key: string, type?: unknown) {
        return read(key, type);
      },
      async getWithMetadata(key: string, type?: unknown) {
        return { value: read(key, type), metadata: null };
      },
      async put(key: string, value: string | ArrayBuffer | ArrayBufferView) {
        self.writes++;
        if (typeof value === "string") self.data.set(key, value);
        else if (value instanceof ArrayBuffer) self.data.set(key, value.slice(0));
        else if (ArrayBuffer.isView(value)) self.data.set(key, value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer);
        else throw new Error("MemKv: only text and binary values are supported");
      },
      async delete(key: string) {
        self.deletes++;
        self.data.delete(key);
      },
      async list(options?: { prefix?: string; cursor?: string; limit?: number }) {
        self.lists++;
        const prefix = options?.prefix ?? "";
        const limit = Math.min(options?.limit ?? 1000, 1000);
        const keys = [...self.data.keys()].filter((k) => k.startsWith(prefix)).sort();
        const start = options?.cursor ? Number(options.cursor) : 0;
        const page = keys.slice(start, start + limit).map((name) => ({ name }));
        const end = start + page.length;
        return end < keys.length ? { keys: page, list_complete: false, cursor: String(end) } : { keys: page, list_complete: true, cacheStatus: null };
      },
    } as unknown as KVNamespace;
  }

  counts() {
    return { reads: this.reads, writes: this.writes, deletes: this.deletes, lists: this.lists };
  }
}
