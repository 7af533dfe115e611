#!/usr/bin/env node
// Runs a TypeScript script with Node: bundles it with esbuild into a temporary ES module, then
// imports it. Usage: node scripts/run-ts.mjs <file.ts> [args...]
import { build } from "esbuild";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.mjs <file.ts> [args...]");
  process.exit(2);
}
// Inside the project so the bundle resolves packages from node_modules.
const cache = resolve("node_modules/.cache");
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, "lectern-ts-"));
const outfile = join(dir, "main.mjs");
try {
  await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    packages: "external",
    logLevel: "error",
    loader: { ".json": "json" },
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
} catch {
  rmSync(dir, { recursive: true, force: true });
  process.exit(2);
}
process.argv = [process.argv[0], resolve(entry), ...rest];
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
await import(pathToFileURL(outfile).href);
