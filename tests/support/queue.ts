/**
 * A stand-in for the JOBS queue binding in tests: the producer side records messages (with their
 * delay on the test clock); `drain` hands due messages to the Worker's real consumer in batches,
 * honouring ack/retry(delaySeconds) as Cloudflare Queues do, with a dead-letter list after
 * max_retries.
 */
import type { Job } from "../../src/jobs/types";

interface Pending {
  id: string;
  body: Job;
  notBefore: number;
  attempts: number;
}

export class FakeQueue {
  pending: Pending[] = [];
  dead: Pending[] = [];
  sent = 0;
  batches = 0;
  retries = 0;
  private seq = 0;

  constructor(
    private readonly now: () => number,
    private readonly maxBatch = 8,
    private readonly maxRetries = 10,
  ) {}

  readonly binding = {
    send: async (body: Job, opts?: { delaySeconds?: number }) => {
      this.push(body, opts?.delaySeconds);
    },
    sendBatch: async (msgs: Iterable<{ body: Job; delaySeconds?: number }>) => {
      const list = [...msgs];
      if (list.length > 100) throw new Error("sendBatch takes at most 100 messages");
      for (const m of list) this.push(m.body, m.delaySeconds);
    },
  } as unknown as Queue<Job>;

  private push(body: Job, delaySeconds = 0) {
    const size = JSON.stringify(body).length;
    if (size > 128_000) throw new Error(`queue message of ${size} bytes`);
    this.sent++;
    this.pending.push({ id: `m${++this.seq}`, body: structuredClone(body), notBefore: this.now() + delaySeconds * 1000, attempts: 0 });
  }

  /** The next batch of due messages, or null when none is due. */
  takeBatch(): Pending[] | null {
    const now = this.now();
    const due = this.pending.filter((m) => m.notBefore <= now).slice(0, this.maxBatch);
    if (due.length === 0) return null;
    this.pending = this.pending.filter((m) => !due.includes(m));
    return due;
  }

  /** Earliest time a pending message becomes due. */
  nextDue(): number | null {
    return this.pending.length ? Math.min(...this.pending.map((m) => m.notBefore)) : null;
  }

  /** Runs `consumer` over batches until the queue is empty, advancing the clock across delays. */
  async drain(consumer: (batch: MessageBatch<Job>) => Promise<void>, advanceTo: (ms: number) => void, maxRounds = 100_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      let batch = this.takeBatch();
      if (!batch) {
        const next = this.nextDue();
        if (next === null) return;
        advanceTo(next);
        batch = this.takeBatch();
        if (!batch) return;
      }
      this.batches++;
      const outcome = new Map<string, { ack?: boolean; retry?: number }>();
      const messages = batch.map((p) => ({
        id: p.id,
        timestamp: new Date(this.now()),
        body: p.body,
        attempts: p.attempts + 1,
        ack: () => outcome.set(p.id, { ack: true }),
        retry: (o?: { delaySeconds?: number }) => outcome.set(p.id, { retry: o?.delaySeconds ?? 0 }),
      }));
      const mb = {
        queue: "lectern-jobs",
        messages,
        ackAll: () => messages.forEach((m) => m.ack()),
        retryAll: (o?: { delaySeconds?: number }) => messages.forEach((m) => m.retry(o)),
      } as unknown as MessageBatch<Job>;
      let threw = false;
      try {
        await consumer(mb);
      } catch {
        threw = true;
      }
      for (const p of batch) {
        const o = outcome.get(p.id);
        if (o?.ack && !threw) continue;
        p.attempts++;
        this.retries++;
        if (p.attempts > this.maxRetries) this.dead.push(p);
        else this.pending.push({ ...p, notBefore: this.now() + (o?.retry ?? 0) * 1000 });
      }
    }
    throw new Error("queue did not drain");
  }
}
