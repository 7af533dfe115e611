/** Fan-out limits: the subrequest budget per invocation and the bot-wide pause after a 429. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createHarness, user } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { CALLS_PER_INVOCATION } from "../../src/jobs/telegram-errors";

const ADMIN = 900, LECT = 9801;
const alpha = makeDeck("alpha", 4);

describe("queue invocations stay within the free plan and Telegram's pace", () => {
  it("a batch bigger than the subrequest budget hands the rest back instead of failing students", async () => {
    const students = Array.from({ length: 120 }, (_, i) => 40_000 + i);
    // 20 chunk messages per batch would be 100 Bot API calls in one invocation.
    const h = createHarness({ users: [user(ADMIN), user(LECT), ...students.map((id) => user(id))], decks: [alpha], queueBatch: 20 });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/newclass Budget");
    const code = /join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(LECT)!.text!)![1]!;
    for (const s of students) await h.send(s, `/join ${code}`);
    // Count Bot API calls per queue invocation.
    const perInvocation: number[] = [];
    const original = h.worker.queue.bind(h.worker);
    h.worker.queue = async (batch, e) => {
      const before = h.tg.calls.length;
      await original(batch, e);
      perInvocation.push(h.tg.calls.length - before);
    };
    h.advance(1500);
    await h.send(LECT, "/push alpha Budget");
    await h.drainQueue();
    for (const s of students) {
      const notes = h.tg.calls.filter((c) => c.method === "sendMessage" && c.ok && c.params.chat_id === s && /shared a deck/.test(String(c.params.text)));
      expect(notes, `student ${s}`).toHaveLength(1);
    }
    expect(Math.max(...perInvocation)).toBeLessThanOrEqual(CALLS_PER_INVOCATION);
    expect(h.lastBotMessage(LECT)!.text).toMatch(/120 of 120 students notified/);
    expect(h.queue.dead).toHaveLength(0);
  });

  it("after a 429 the next batches wait for retry_after instead of running into it, and no retries are used up", async () => {
    const students = Array.from({ length: 60 }, (_, i) => 41_000 + i);
    const h = createHarness({ users: [user(ADMIN), user(LECT), ...students.map((id) => user(id))], decks: [alpha] });
    await h.send(ADMIN, `/lecturer ${LECT}`);
    await h.send(LECT, "/newclass Pace");
    const code = /join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(LECT)!.text!)![1]!;
    for (const s of students) await h.send(s, `/join ${code}`);
    // Telegram answers 429 (retry after 30 s) to every send for a while after the 10th.
    let sent = 0;
    let blockedUntil = 0;
    h.tg.setFault((method) => {
      if (method !== "sendMessage") return undefined;
      if (h.clock.now < blockedUntil) return { error_code: 429, retry_after: Math.ceil((blockedUntil - h.clock.now) / 1000) };
      if (++sent === 10) {
        blockedUntil = h.clock.now + 30_000;
        return { error_code: 429, retry_after: 30 };
      }
      return undefined;
    });
    h.advance(1500);
    await h.send(LECT, "/push alpha Pace");
    await h.drainQueue();
    h.tg.setFault(undefined);
    const rejected = h.tg.calls.filter((c) => c.method === "sendMessage" && !c.ok).length;
    expect(rejected).toBe(1); // only the call that met the 429: every later batch waited
    for (const s of students) expect(h.tg.calls.filter((c) => c.method === "sendMessage" && c.ok && c.params.chat_id === s && /shared a deck/.test(String(c.params.text)))).toHaveLength(1);
    expect(h.queue.dead).toHaveLength(0);
    expect(await env.KV.get("v1:pause")).not.toBeNull();
  });
});
