/** Worker entry: the hono app for HTTP, the cron for daily quizzes, the queue consumer for fan-out. */
import type { Env } from "./env";
import type { Job } from "./jobs/types";
import { createApp } from "./http/app";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env, Job>;
