/**
 * The one wrapper every KV call goes through: JSON values, errors turned into TransientError, and
 * a log line when a stored value fails validation (then the caller's safe default is used).
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { TransientError } from "./errors";

export class Kv {
  constructor(
    readonly kv: KVNamespace,
    readonly deps: Deps,
  ) {}

  async getText(key: string): Promise<string | null> {
    try {
      return await this.kv.get(key, "text");
    } catch (err) {
      throw new TransientError(`KV get failed for ${keyKind(key)}`, { cause: err });
    }
  }

  async getBuffer(key: string): Promise<ArrayBuffer | null> {
    try {
      return await this.kv.get(key, "arrayBuffer");
    } catch (err) {
      throw new TransientError(`KV get failed for ${keyKind(key)}`, { cause: err });
    }
  }

  /** Writes a value as it is (binary shards); no JSON. */
  async putRaw(key: string, value: ArrayBuffer | string, options?: KVNamespacePutOptions): Promise<void> {
    try {
      await this.kv.put(key, value, options);
    } catch (err) {
      throw new TransientError(`KV put failed for ${keyKind(key)}`, { cause: err });
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
    const r = v.safeParse(schema, json);
    if (!r.success) {
      this.deps.log({ t: "bad-value", key: keyKind(key), problem: r.issues.slice(0, 3).map((i) => `${v.getDotPath(i) ?? "-"}: ${i.message}`) });
      return null;
    }
    return r.output;
  }

  async put(key: string, value: unknown, options?: KVNamespacePutOptions): Promise<void> {
    try {
      await this.kv.put(key, JSON.stringify(value), options);
    } catch (err) {
      throw new TransientError(`KV put failed for ${keyKind(key)}`, { cause: err });
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.kv.delete(key);
    } catch (err) {
      throw new TransientError(`KV delete failed for ${keyKind(key)}`, { cause: err });
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
  return key.split(":").slice(0, 2).join(":");
}
