#!/usr/bin/env node
// The modules the Worker loads on first use, not at start-up (wrangler.toml runs this as its
// [build] command before `wrangler dev` and `wrangler deploy`):
//   src/lazy/drafter.mjs   the drafter (src/draft), for /draft and POST /api/draft
//   src/lazy/parsers.mjs   the upload parsers with papaparse, for uploads
//   src/lazy/deck-<id>.mjs one bundled deck's texts, as a JSON string (JSON.parse is cheaper
//                          to load than the same data as a JavaScript object literal)
//   src/lazy/decks.mjs     a loader per bundled deck (`loaders[id]()` imports deck-<id>.mjs), so
//                          a review loads only its own deck's texts
// and src/decks/bundled-index.json, the always-loaded index of the bundled decks (ids, titles,
// card ids) — committed, so the Worker's tests need no build.
//
// wrangler uploads src/lazy/*.mjs as separate modules (find_additional_modules + rules) and keeps
// the `import()` of each in the main module; src/lazy.ts chooses them when LECTERN_SPLIT is
// defined (wrangler.toml [define]), and the TypeScript sources otherwise (tests, the benchmark's
// hot loops). Files are written only when their content changed, so `wrangler dev`'s watcher
// does not loop.
//
//   node scripts/build-lazy.mjs           build
//   node scripts/build-lazy.mjs --check   exit 1 if src/decks/bundled-index.json is stale
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "src", "lazy");
const INDEX = join(ROOT, "src", "decks", "bundled-index.json");

/** The bundled decks' files in catalogue order (the order /decks lists them). */
export const BUNDLED_DECK_FILES = [
  "untoc.json",
  "trafficking-in-persons.json",
  "smuggling-of-migrants.json",
  "environmental-crime.json",
  "counterfeiting.json",
  "cybercrime-technology.json",
];

/** The code modules: entry (TypeScript source) → output name under src/lazy/. */
const CODE = [
  { entry: "src/draft/index.ts", out: "drafter.mjs" },
  { entry: "src/decks/parsers/index.ts", out: "parsers.mjs" },
];

function writeIfChanged(file, content) {
  if (existsSync(file) && readFileSync(file, "utf8") === content) return false;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return true;
}

export function readBundledDecks() {
  return BUNDLED_DECK_FILES.map((f) => JSON.parse(readFileSync(join(ROOT, "decks", f), "utf8")));
}

/** What src/decks/bundled-index.json holds for these decks. */
export function indexOf(decks) {
  const index = decks.map((d) => ({
    id: d.id,
    title: d.title,
    cards: d.cards.map((c) => c.id),
  }));
  return `[\n${index.map((d) => JSON.stringify(d)).join(",\n")}\n]\n`;
}

/** vitest's globalSetup for the workerd project: the tests run the modules a deploy would. */
export async function setup() {
  await buildLazy({ check: false, quiet: true });
}

async function main() {
  await buildLazy({ check: process.argv.includes("--check"), quiet: false });
}

async function buildLazy({ check, quiet }) {
  const decks = readBundledDecks();
  const index = indexOf(decks);
  if (check) {
    const current = existsSync(INDEX) ? readFileSync(INDEX, "utf8") : "";
    if (current !== index) {
      console.error("src/decks/bundled-index.json does not match decks/*.json: run `node scripts/build-lazy.mjs` and commit it.");
      process.exit(1);
    }
    return;
  }
  const written = [];
  if (writeIfChanged(INDEX, index)) written.push("src/decks/bundled-index.json");
  for (const { entry, out } of CODE) {
    const r = await build({
      entryPoints: [join(ROOT, entry)],
      bundle: true,
      format: "esm",
      platform: "browser",
      conditions: ["workerd", "worker", "browser"],
      target: "es2022",
      minify: true,
      write: false,
      logLevel: "error",
      legalComments: "none",
    });
    const code = `// Built by scripts/build-lazy.mjs from ${entry} — do not edit.\n${r.outputFiles[0].text}`;
    if (writeIfChanged(join(OUT, out), code)) written.push(`src/lazy/${out}`);
  }
  for (const d of decks) {
    const deckModule = `// Built by scripts/build-lazy.mjs from decks/*.json — do not edit.\nexport default JSON.parse(${JSON.stringify(JSON.stringify(d))});\n`;
    if (writeIfChanged(join(OUT, `deck-${d.id}.mjs`), deckModule)) written.push(`src/lazy/deck-${d.id}.mjs`);
  }
  const loaders = decks.map((d) => `  ${JSON.stringify(d.id)}: () => import(${JSON.stringify(`./deck-${d.id}.mjs`)}),`).join("\n");
  const decksModule = `// Built by scripts/build-lazy.mjs from decks/*.json — do not edit.\nexport const loaders = {\n${loaders}\n};\n`;
  if (writeIfChanged(join(OUT, "decks.mjs"), decksModule)) written.push("src/lazy/decks.mjs");
  // A deck module of a deck no longer bundled would be uploaded for nothing.
  for (const f of readdirSync(OUT)) {
    if (/^deck-.+\.mjs$/.test(f) && !decks.some((d) => f === `deck-${d.id}.mjs`)) rmSync(join(OUT, f));
  }
  if (written.length && !quiet) console.log(`build-lazy: wrote ${written.join(", ")}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
