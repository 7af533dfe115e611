/** Messages on the JOBS queue. Each carries what it needs to be processed idempotently. */
export type Job =
  /** Send one learner their daily quiz (slot and time of the cron run that enqueued it). */
  | { kind: "daily"; uid: number; slot: string; at: number }
  /** A class fan-out (push, class stats): list the roster and enqueue its chunks. */
  | { kind: "plan"; run: string }
  /** Process some students of a fan-out run. */
  | { kind: "chunk"; run: string; n: number; uids: number[] }
  /** Gather the chunks' results and report to the lecturer (re-enqueues itself until done). */
  | { kind: "final"; run: string }
  /** One file of a large /export: a deck's progress CSV or its Anki text file (one per invocation). */
  | { kind: "export"; uid: number; deck: string; part: "csv" | "anki" }
  /** Group quizzes (the answer queue, jobs/gsheet.ts): a member's answer to question `q`, or the quiz's end. */
  | SheetJob;

/**
 * A member's group-quiz answer (grade 4 right, 1 wrong, at `at` ms), the lecturer's end of the
 * quiz, or a member's /forget (their answers leave the sheet).
 */
export type SheetJob =
  | { kind: "gans"; chat: number; started: number; deck: string; q: number; c: string; uid: number; g: number; at: number }
  | { kind: "gend"; chat: number; started: number; deck: string; at: number }
  | { kind: "gforget"; chat: number; started: number; deck: string; uid: number; at: number };
