/**
 * A smoke run of the benchmark (`scripts/bench.ts --quick`: few iterations, a 400-student push,
 * 3 cold samples), so a change to the review flow, the stores or the queue that breaks the
 * benchmark shows up in `npm test`. It checks the shape of the JSON line and the KV facts the README
 * promises — never the timings, which a smoke run cannot measure.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("npm run bench -- --quick", () => {
  it("ends with one JSON line holding the benchmark's figures", () => {
    const r = spawnSync(process.execPath, ["scripts/run-ts.mjs", "scripts/bench.ts", "--quick"], {
      encoding: "utf8",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      timeout: 110_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    const last = JSON.parse(lines[lines.length - 1]!);
    expect(Object.keys(last).sort()).toEqual([
      "bundle_gzip_kib", "cold_start_ratio_vs_echo", "cold_start_ratio_vs_echo_spread", "cpu_ratio_floor_vs_echo", "cpu_ratio_review_vs_echo", "cpu_ratio_review_vs_echo_spread", "cpu_ratio_review_vs_floor",
      "deck_read_5000_cards_ms", "due_pick_10k_ms", "grade_press_ratio_50k_vs_150", "kv_list_calls_on_request_paths",
      "kv_reads_per_update_max", "kv_writes_per_graded_card", "limits", "push_10k", "request_paths_over_10ms_at_limits", "same_key_writes_within_1s",
      "upload_cards_within_10ms", "upload_limit_cards", "upload_limit_p50_ms",
    ]);
    expect(Object.keys(last.push_10k).sort()).toEqual(["duplicated", "kv_ops_per_invocation_max", "lost", "simulated_seconds", "students"]);
    // The spread of the per-round ratios: the headline ratio is their median.
    for (const k of ["cpu_ratio_review_vs_echo", "cold_start_ratio_vs_echo"]) {
      const s = last[`${k}_spread`];
      expect(Object.keys(s).sort()).toEqual(["max", "median", "min", "rounds"]);
      expect(s.min).toBeLessThanOrEqual(s.median);
      expect(s.median).toBeLessThanOrEqual(s.max);
      expect(s.median).toBe(last[k]);
      expect(s.rounds).toBeGreaterThanOrEqual(2);
    }
    for (const k of ["bundle_gzip_kib", "cold_start_ratio_vs_echo", "cpu_ratio_review_vs_echo", "cpu_ratio_floor_vs_echo", "cpu_ratio_review_vs_floor", "due_pick_10k_ms", "deck_read_5000_cards_ms", "upload_limit_p50_ms"]) expect(last[k]).toBeGreaterThan(0);
    // The upload limit the README documents (its timing is the full benchmark's to judge).
    expect(last.upload_limit_cards).toBe(1000);
    // At the limits: the learner and deck sizes the README documents, and what the full run judges.
    expect(last.limits).toEqual({ learner_cards: 50_000, deck_cards: 5_000, upload_cards: last.upload_limit_cards });
    expect(last.grade_press_ratio_50k_vs_150).toBeGreaterThan(0);
    expect(Number.isFinite(last.grade_press_ratio_50k_vs_150)).toBe(true);
    expect(Array.isArray(last.request_paths_over_10ms_at_limits)).toBe(true);
    for (const name of last.request_paths_over_10ms_at_limits) expect(typeof name).toBe("string");
    // The table of every path at the limits, each named once.
    const atLimits = lines.findIndex((l) => l.startsWith("path ") && l.includes("CPU p50 ms"));
    expect(atLimits).toBeGreaterThan(0);
    for (const path of ["grade press", "show answer", "/review start (all decks)", "/review start (one deck)", "/quiz start", "quiz answer", "/decks", "/stats", "/export", "/forget (confirm press)", "daily job (one learner)"]) {
      expect(lines.slice(atLimits).some((l) => l.startsWith(`${path}  `)), path).toBe(true);
    }
    for (const path of ["push chunk", "class-stats chunk"]) expect(lines.slice(atLimits).some((l) => l.startsWith(path)), path).toBe(true);
    // What the README's "Staying within the free plan" table says about KV.
    expect(last.kv_writes_per_graded_card).toBeLessThanOrEqual(0.3);
    expect(last.kv_reads_per_update_max).toBeLessThanOrEqual(2);
    expect(last.kv_list_calls_on_request_paths).toBe(0);
    expect(last.push_10k).toMatchObject({ students: 400, lost: 0, duplicated: 0 });
    // Workers allow 1,000 KV operations per invocation (tests/integration/push-scale.test.ts checks 5,000 students).
    expect(last.push_10k.kv_ops_per_invocation_max).toBeGreaterThan(0);
    expect(last.push_10k.kv_ops_per_invocation_max).toBeLessThanOrEqual(1000);
    expect(lines.some((l) => l.startsWith("scenario"))).toBe(true);
  }, 120_000);
});
