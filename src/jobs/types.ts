/** Messages on the JOBS queue. Each carries what it needs to be processed idempotently. */
export type Job =
  /** Send one learner their daily quiz (slot and time of the cron run that enqueued it). */
  | { kind: "daily"; uid: number; slot: string; at: number }
  /** Notify some students of a lecturer's push (see jobs/push.ts). */
  | { kind: "push"; push: string; uids: number[] };
