/**
 * The Worker's three entry points built around injectable deps, so tests, the benchmark and the
 * deployed Worker run the same code: fetch (hono), scheduled (daily quiz), queue (fan-out).
 */
import type { Env } from "./env";
import type { Job } from "./jobs/types";
import { createApp, type AppOptions } from "./http/app";
import { withDefaults } from "./deps";
import { BUNDLED } from "./decks/bundled";
import { createServices } from "./services";
import { runDaily } from "./jobs/daily";
import { consume } from "./jobs/queue";

export function createWorker(options: AppOptions = {}) {
  const app = createApp(options);
  const deps = withDefaults(options.deps);
  const decks = options.decks ?? BUNDLED;
  return {
    fetch: app.fetch,
    async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void> {
      void ctx;
      await runDaily(createServices(env, deps, decks), controller.scheduledTime);
    },
    async queue(batch: MessageBatch<Job>, env: Env): Promise<void> {
      await consume(createServices(env, deps, decks), batch);
    },
  } satisfies ExportedHandler<Env, Job>;
}
