/** Worker entry: the hono app for HTTP, the cron for daily quizzes, the queue consumer for fan-out. */
import { createWorker } from "./worker";

export default createWorker();
