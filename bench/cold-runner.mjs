#!/usr/bin/env node
// One cold-start sample, in a fresh Node process (a fresh V8 isolate): imports a Worker module
// bundled by `wrangler deploy --dry-run` and hands it one webhook update, timing
//   import() (module evaluation) + the first fetch (the first update),
// then prints one JSON line. Usage: node bench/cold-runner.mjs <bundle.js> <fixture.json>
//
// What is not timed: reading the fixture, and warming Node's lazily loaded web globals (Request,
// Response, URL, crypto.subtle, TextEncoder…), which workerd has built in — otherwise loading
// undici would be most of the sample and both workers would pay it alike.
// The Bot API is a canned stand-in (globalThis.fetch), KV a Map, logs are silenced.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [bundle, fixturePath] = process.argv.slice(2);
const fx = JSON.parse(readFileSync(fixturePath, "utf8"));

// --- warm Node's lazy built-ins (same for every worker) ---
{
  const r = new Request("https://warm.test/x", { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' });
  await r.json();
  await new Response('{"ok":true}', { headers: { "content-type": "application/json" } }).json();
  new URL("https://warm.test/a?b=c").searchParams.get("b");
  new Headers({ a: "b" }).get("a");
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("warm"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("1"));
  crypto.getRandomValues(new Uint8Array(4));
  const ac = new AbortController();
  clearTimeout(setTimeout(() => {}, 1000));
  ac.abort();
  structuredClone({ a: 1 });
}

// --- the world the worker sees ---
const calls = [];
const canned = JSON.stringify(fx.canned);
globalThis.fetch = async (input, init) => {
  const url = typeof input === "string" ? input : input.url;
  calls.push({ method: url.slice(url.lastIndexOf("/") + 1), body: typeof init?.body === "string" ? init.body.slice(0, 400) : "" });
  return new Response(canned, { status: 200, headers: { "content-type": "application/json" } });
};
const quiet = () => {};
console.log = quiet;
console.info = quiet;
console.debug = quiet;
// Values are text, or binary given as { b64 } (progress shards); a binary read gets its own copy.
const data = new Map(Object.entries(fx.kv).map(([k, v]) => [k, typeof v === "string" ? v : new Uint8Array(Buffer.from(v.b64, "base64")).buffer]));
const KV = {
  async get(key, type) {
    const v = data.get(key);
    if (v === undefined) return null;
    const t = (typeof type === "string" ? type : type?.type) ?? "text";
    if (t === "arrayBuffer") return typeof v === "string" ? new TextEncoder().encode(v).buffer : v.slice(0);
    const text = typeof v === "string" ? v : new TextDecoder().decode(v);
    return t === "json" ? JSON.parse(text) : text;
  },
  async getWithMetadata(key, type) {
    return { value: await KV.get(key, type), metadata: null };
  },
  async put(key, value) {
    data.set(key, typeof value === "string" ? value : value instanceof ArrayBuffer ? value.slice(0) : value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  },
  async delete(key) {
    data.delete(key);
  },
  async list() {
    return { keys: [], list_complete: true };
  },
};
const JOBS = { async send() {}, async sendBatch() {} };
const env = { ...fx.env, KV, JOBS };
const ctx = { waitUntil() {}, passThroughOnException() {} };
const request = new Request(fx.url, { method: "POST", headers: fx.headers, body: fx.body });
const url = pathToFileURL(bundle).href;

// --- the sample ---
const t0 = performance.now();
const mod = await import(url);
const t1 = performance.now();
const res = await mod.default.fetch(request, env, ctx);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ ms: t2 - t0, importMs: t1 - t0, firstMs: t2 - t1, status: res.status, calls }) + "\n");
