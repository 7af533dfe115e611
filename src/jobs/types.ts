/** Messages on the JOBS queue. Every kind carries what it needs to be processed idempotently. */
export type Job = { kind: "noop" };
