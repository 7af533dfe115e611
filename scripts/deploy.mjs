#!/usr/bin/env node
// npm run deploy: makes sure the queues exist, checks the KV namespace id, then `wrangler deploy`.
// npm run deploy -- --dry-run [--outdir dir]   bundles offline without deploying.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const wrangler = (args, opts = {}) => spawnSync(process.execPath, ["node_modules/.bin/wrangler", ...args], { stdio: "inherit", env, ...opts });
const args = process.argv.slice(2);

// The Mini App's page (public/app/app.js, app.css) is built from app/ first: wrangler uploads it as assets.
await (await import("./build-app.mjs")).buildApp();

if (args.includes("--dry-run")) {
  env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  const outdir = args[args.indexOf("--outdir") + 1] && args.includes("--outdir") ? args[args.indexOf("--outdir") + 1] : "dist";
  process.exit(wrangler(["deploy", "--dry-run", "--outdir", outdir]).status ?? 1);
}

const toml = readFileSync("wrangler.toml", "utf8");
if (/id = "0{32}"/.test(toml)) {
  console.error("wrangler.toml still has the placeholder KV id. Run `npx wrangler kv namespace create KV` and paste the id it prints into [[kv_namespaces]].");
  process.exit(1);
}
for (const q of ["lectern-jobs", "lectern-jobs-dlq", "lectern-gquiz"]) {
  const r = wrangler(["queues", "create", q], { stdio: ["inherit", "pipe", "pipe"] });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status === 0) console.log(`Created queue ${q}.`);
  else if (/already (exists|taken)/i.test(out)) console.log(`Queue ${q} exists.`);
  else {
    console.error(out.trim());
    console.error(`Could not create queue ${q}.`);
    process.exit(1);
  }
}
process.exit(wrangler(["deploy"]).status ?? 1);
