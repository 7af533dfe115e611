/**
 * The one wrapper every KV call goes through: JSON values, a log line when a stored value fails
 * validation (then the caller's safe default is used), and errors classified (errors.ts): a key
 * KV would refuse (empty, over 512 bytes) is refused before any call, a 4xx from KV (key too
 * long, value too large, invalid key) is a RefusedError — answered 200 with a clear message —
 * and only 5xx, 429, timeouts and unknown faults are a TransientError (503, redelivered).
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { checkKey, classifyKvError, KV_MAX_VALUE_BYTES, RefusedError, refusal } from "./errors";
import { guard } from "./guard";

export class Kv {
  constructor(
    readonly kv: KVNamespace,
    readonly deps: Deps,
  ) {}

  async getText(key: string): Promise<string | null> {
    checkKey("get", key, keyKind(key));
    try {
      return await this.kv.get(key, "text");
    } catch (err) {
      throw refusal(err) ?? classifyKvError("get", keyKind(key), err);
    }
  }

  async getBuffer(key: string): Promise<ArrayBuffer | null> {
    checkKey("get", key, keyKind(key));
    try {
      return await this.kv.get(key, "arrayBuffer");
    } catch (err) {
      throw refusal(err) ?? classifyKvError("get", keyKind(key), err);
    }
  }

  /** Writes a value as it is (binary shards); no JSON. */
  async putRaw(key: string, value: ArrayBuffer | string, options?: KVNamespacePutOptions): Promise<void> {
    checkKey("put", key, keyKind(key));
    try {
      await this.kv.put(key, value, options);
    } catch (err) {
      throw refusal(err) ?? classifyKvError("put", keyKind(key), err);
    }
  }

  /** Reads and validates a JSON value; a missing key gives null, a bad value logs and gives null. */
  async getJson<S extends v.GenericSchema>(key: string, schema: S): Promise<v.InferOutput<S> | null> {
    const text = await this.getText(key);
    if (text === null) return null;
    return this.parse(key, text, schema);
  }

  parse<S extends v.GenericSchema>(key: string, text: string, schema: S): v.InferOutput<S> | null {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.deps.log({ t: "bad-value", key: keyKind(key), problem: "not JSON" });
      return null;
    }
    // The schema as plain checks (guard.ts); valibot runs only for a value they refuse, for its issues.
    if (guard(schema)(json)) return json as v.InferOutput<S>;
    const r = v.safeParse(schema, json);
    if (!r.success) {
      this.deps.log({ t: "bad-value", key: keyKind(key), problem: r.issues.slice(0, 3).map((i) => `${v.getDotPath(i) ?? "-"}: ${i.message}`) });
      return null;
    }
    return r.output;
  }

  async put(key: string, value: unknown, options?: KVNamespacePutOptions): Promise<void> {
    checkKey("put", key, keyKind(key));
    const text = JSON.stringify(value);
    // UTF-8 is at most 3 bytes per UTF-16 unit: only a long text needs measuring.
    if (text.length * 3 > KV_MAX_VALUE_BYTES && new TextEncoder().encode(text).length > KV_MAX_VALUE_BYTES) {
      throw new RefusedError("value", `KV put refused for ${keyKind(key)}: value over 25 MiB`, "That is more than I can store in one piece. Try a smaller one.");
    }
    try {
      await this.kv.put(key, text, options);
    } catch (err) {
      // A refusal of Lectern's own write limits (write-guard.ts) passes through as it is.
      throw refusal(err) ?? classifyKvError("put", keyKind(key), err);
    }
  }

  async delete(key: string): Promise<void> {
    checkKey("delete", key, keyKind(key));
    try {
      await this.kv.delete(key);
    } catch (err) {
      throw refusal(err) ?? classifyKvError("delete", keyKind(key), err);
    }
  }
}

/** KV allows one write per second per key: the least time between two writes of one value. */
export const MIN_WRITE_GAP_MS = 1000;

/**
 * Waits until a value last written at `at` (ms, 0 = never) may be written again, then returns the
 * time to record as its new `at`. Waiting costs wall time, not CPU.
 */
export async function writeGap(deps: Deps, at: number): Promise<number> {
  const since = deps.now() - at;
  if (at > 0 && since < MIN_WRITE_GAP_MS) await deps.sleep(MIN_WRITE_GAP_MS - since);
  return deps.now();
}

/** The key without its identifying parts, for logs: `v1:user:123` → `v1:user`. */
export function keyKind(key: string): string {
  const a = key.indexOf(":");
  const b = a < 0 ? -1 : key.indexOf(":", a + 1);
  return b < 0 ? key : key.slice(0, b);
}
