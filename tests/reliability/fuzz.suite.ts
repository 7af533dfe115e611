/**
 * Suite 2 — fuzz. A world with an administrator, a lecturer (a class, an uploaded deck, an API
 * token, a running group quiz), a student in the class and mid-quiz, one mid-review, one who only
 * said /start and one who never wrote; then thousands of generated updates: every update type
 * (unknown ones too), text with odd characters (RTL overrides, zero-width, NUL, lone surrogates,
 * emoji, HTML and Markdown, up to 4,096 characters and beyond), every command with sensible, odd
 * and forged arguments (other users' ids, real and forged class codes), callback data in every
 * format the bot knows with wrong ids (review sessions, settings, decks, stats, /forget of other
 * users, group quiz, drafts — classes have no buttons of their own: their codes are forged in the
 * commands' arguments) and junk, poll answers to unknown, other learners' and group polls,
 * documents from anyone, my_chat_member, edited messages and channel posts, updates without
 * `from`, `chat` or `text`, bodies that are not updates at all — and some without or with a wrong
 * secret. For every one:
 *  - the answer is 200, or 401 when the secret is missing or wrong (then no KV access and no Bot
 *    API call at all);
 *  - no handler error for an update Telegram could send (a person in a chat they are in, on a
 *    message that exists; callback data may be anything — Telegram warns that it need not match the
 *    message's buttons). Updates Telegram never sends (no `from`, no `chat`, a message that does not
 *    exist, an unknown chat, a body that is not JSON) may fail inside — they are counted and the
 *    answer must still be 200;
 *  - it touched only keys it may touch (see `violations` in fuzz.ts): its sender's own keys, the
 *    shared keys it legitimately reads, shared keys its sender owns, and another learner's keys only
 *    for an administrator's /lecturer or a lecturer's /removestudent of their own student.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { facts, show, specArb, violations, World } from "./fuzz";
import { LONG, runs, SEED, tally } from "./tally";

/** Why an update Telegram never sends failed inside (for the report line). */
function reason(error: string): string {
  if (/reading 'id'/.test(error)) return "no from";
  if (/reading 'type'/.test(error) || /API call to sendMessage/.test(error)) return "no chat";
  if (/API call to editMessageText/.test(error)) return "callback without a message";
  if (/SyntaxError/.test(error)) return "body not JSON";
  if (/'in' operator|reading 'update_id'/.test(error)) return "body not an object";
  if (/chat not found/.test(error)) return "a chat that does not exist";
  if (/message to edit not found/.test(error)) return "a message that does not exist";
  return error.replace(/\d+/g, "N").slice(0, 100);
}

describe("suite 2: fuzz", () => {
  it(`${runs(2000, 20_000)} generated updates: 200 (or 401), no handler error, no cross-user access`, async () => {
    const w = new World();
    await w.setup();
    const specs = fc.sample(specArb(() => [w.code]), { seed: SEED + 3, numRuns: runs(2000, 20_000) });
    const problems: string[] = [];
    const tolerated = new Map<string, number>();
    let possible = 0, unauthorized = 0;
    for (const spec of specs) {
      const u = w.build(spec);
      const before = facts(w.rig);
      const mark = w.rig.kv.touched.length, logMark = w.rig.logs.length, calls = w.rig.tg.calls.length;
      w.rig.advance(1100);
      const res = await w.rig.post(u.body, u.secret);
      const want = u.secret === w.rig.env.WEBHOOK_SECRET ? 200 : 401;
      if (want === 401) unauthorized++;
      else if (u.possible) possible++;
      if (res.status !== want) problems.push(`HTTP ${res.status}, expected ${want}: ${show(u.body)}`);
      const touched = w.rig.kv.touched.slice(mark);
      if (want === 401 && (touched.length || w.rig.tg.calls.length !== calls)) problems.push(`401 but ${touched.length} KV operations and ${w.rig.tg.calls.length - calls} Bot API calls: ${show(u.body)}`);
      for (const e of w.rig.errors(logMark)) {
        if (u.possible) problems.push(`handler error ${JSON.stringify(e.error)}: ${show(u.body)}`);
        else {
          const k = reason(String(e.error));
          tolerated.set(k, (tolerated.get(k) ?? 0) + 1);
        }
      }
      const ownerAfter = (key: string) => {
        const e = w.rig.memory!.data.get(key);
        try {
          return e ? (JSON.parse(e.value) as { owner?: number }).owner : undefined;
        } catch {
          return undefined;
        }
      };
      const v = violations(touched, u, before, facts(w.rig), ownerAfter);
      tally.crossUser += v.length;
      if (v.length) problems.push(`cross-user access ${v.join(", ")} by ${u.sender ?? "nobody"}: ${show(u.body)}`);
      if (w.rig.kv.touched.length > 50_000) w.rig.kv.touched.length = 0;
    }
    // Queued fan-out (pushes, class reports) runs to the end without dead letters.
    await w.rig.drainQueue();
    expect(w.rig.queue.dead).toEqual([]);
    console.log(
      `[fuzz] ${specs.length} updates: ${possible} Telegram could send, ${specs.length - possible - unauthorized} it never sends, ${unauthorized} without the secret; ` +
        `tolerated failures inside impossible updates: ${[...tolerated].map(([k, n]) => `${n}× ${k}`).join("; ") || "none"}`,
    );
    expect(problems.slice(0, 10)).toEqual([]);
    expect(possible).toBeGreaterThan(specs.length / 3);
    expect(unauthorized).toBeGreaterThan(0);
  }, LONG);
});
