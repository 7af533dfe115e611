#!/usr/bin/env node
// Builds the Mini App's page: app/main.js (with uPlot and the CSS it imports) → public/app/app.js
// and public/app/app.css, minified. `npm test`, `npm start` and `npm run deploy` run it first.
//   npm run build:app
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildApp() {
  const r = await build({
    absWorkingDir: root,
    entryPoints: { app: "app/main.js" },
    outdir: "public/app",
    bundle: true,
    minify: true,
    format: "esm",
    target: ["es2020", "safari14"],
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
  });
  return Object.fromEntries(Object.entries(r.metafile.outputs).map(([file, o]) => [file, o.bytes]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await buildApp();
  for (const [file, bytes] of Object.entries(out)) console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`);
}
