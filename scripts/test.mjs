#!/usr/bin/env node
// `npm test`: typecheck, decks:check, then every vitest project (workerd + node/browser).
// The last line is a plain summary: `N passed, N failed` (checks count as one test each).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

const bin = (name) => join("node_modules", ".bin", name);
let passed = 0;
let failed = 0;
const failures = [];

function step(name, cmd, args) {
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  if (r.status === 0) passed++;
  else {
    failed++;
    failures.push(name);
  }
  return r.status === 0;
}

step("build the Mini App page", process.execPath, ["scripts/build-app.mjs"]);
step("typecheck", process.execPath, [bin("tsc"), "-p", "tsconfig.json", "--noEmit"]);
step("typecheck (node tests and sandbox)", process.execPath, [bin("tsc"), "-p", "tests/browser/tsconfig.json", "--noEmit"]);
step("typecheck (scripts and benchmark)", process.execPath, [bin("tsc"), "-p", "bench/tsconfig.json", "--noEmit"]);
step("decks:check", process.execPath, ["scripts/run-ts.mjs", "scripts/decks-check.ts"]);

const outDir = join("node_modules", ".cache", "lectern-test");
mkdirSync(outDir, { recursive: true });
const report = join(outDir, "vitest.json");
rmSync(report, { force: true });
const extra = process.argv.slice(2);
console.log("\n▶ vitest (workerd and node projects)");
const v = spawnSync(process.execPath, [bin("vitest"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra], {
  stdio: "inherit",
  env: process.env,
});
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed += json.numPassedTests ?? 0;
  failed += (json.numFailedTests ?? 0);
  // A file that failed to load has no tests but is a failure.
  for (const file of json.testResults ?? []) {
    // A file that failed with no failed test of its own (it did not load, or a beforeAll failed and
    // its tests were skipped) is a failure too.
    const results = file.assertionResults ?? [];
    if (file.status === "failed" && !results.some((t) => t.status === "failed")) {
      failed++;
      failures.push(`${file.name} (${results.length ? "its setup failed" : "did not run"}: ${String(file.message ?? "").split("\n")[0]})`);
    }
    for (const t of file.assertionResults ?? []) if (t.status === "failed") failures.push(t.fullName);
  }
} else {
  failed++;
  failures.push("vitest did not produce a report");
}
if (v.status !== 0 && failed === 0) {
  failed++;
  failures.push(`vitest exited with status ${v.status}`);
}
if (failures.length) {
  console.log("\nFailed:");
  for (const f of failures.slice(0, 50)) console.log(`  ✗ ${f}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
