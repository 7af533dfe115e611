import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** Test bindings: what `wrangler dev` gets from .dev.vars, here fixed for tests. */
export const TEST_BINDINGS = {
  BOT_TOKEN: "123456:test-token",
  WEBHOOK_SECRET: "test-secret",
  BOT_INFO: JSON.stringify({
    id: 123456, is_bot: true, first_name: "Lectern", username: "lectern_test_bot",
    can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
  }),
  TELEGRAM_API_ROOT: "https://telegram.test",
  ADMIN_USER_IDS: "900",
  // The per-user rate limits and the daily write guard are tested in tests/reliability/hostile.test.ts
  // (which turns them on); the other suites send faster than any person and test other things.
  RATE_LIMITS: "off",
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: TEST_BINDINGS,
              queueConsumers: { "lectern-jobs": { maxBatchTimeout: 0 }, "lectern-gquiz": { maxBatchTimeout: 0 } },
            },
          }),
        ],
        test: {
          name: "workers",
          // wrangler.toml's [define] reaches the tests: build the lazily loaded modules first.
          globalSetup: ["./scripts/build-lazy.mjs"],
          include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "tests/reliability/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "node",
          environment: "node",
          include: ["tests/sandbox/**/*.test.ts", "tests/browser/**/*.test.ts", "tests/scripts/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
