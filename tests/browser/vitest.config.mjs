// Runs the sandbox's tests (Node environment): tests/sandbox/** (the Telegram stand-in and the
// polling bridge) and tests/browser/** (the page in headless Chromium against the real Worker).
//   npx vitest run --config tests/browser/vitest.config.mjs
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: fileURLToPath(new URL("../..", import.meta.url)),
    include: ["tests/browser/**/*.test.ts", "tests/sandbox/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
  },
});
