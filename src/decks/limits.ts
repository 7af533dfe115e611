/**
 * Checks a deck against what Telegram can show: one card (front, back, quote and citation) must
 * fit one message of ≤4096 characters after HTML escaping, with room for the bot's own text.
 */
import type { Env } from "../env";
import { DECK_LIMITS, type Deck, type DeckProblem } from "./schema";

/** Telegram's message limit, less room for headers, citation and buttons' labels. */
export const MESSAGE_BUDGET = 4096 - 400;

export function escapedLength(s: string): number {
  let n = s.length;
  for (const ch of s) if (ch === "<" || ch === ">") n += 3;
  else if (ch === "&") n += 4;
  else if (ch === '"') n += 5;
  return n;
}

export function checkDeckLimits(deck: Deck): DeckProblem[] {
  const problems: DeckProblem[] = [];
  deck.cards.forEach((c, i) => {
    const len = escapedLength(c.front) + escapedLength(c.back) + escapedLength(c.quote ?? "");
    if (len > MESSAGE_BUDGET) {
      problems.push({ where: `cards[${i}] (${c.id})`, message: `front, back and quote together are ${len} characters once escaped; at most ${MESSAGE_BUDGET} fit one Telegram message` });
    }
  });
  return problems;
}

/**
 * Most cards one upload may hold on the free plan: what parsing, validating and storing an upload
 * costs within the 10 ms of CPU a request gets there, measured with `npm run bench`
 * (upload_limit_cards; see the README's "Limits"). Larger files are refused with a message naming
 * this limit and UPLOAD_MAX_CARDS.
 */
export const FREE_PLAN_UPLOAD_CARDS = 1000;

/** The upload limit in force: UPLOAD_MAX_CARDS when set (paid plan), at most a deck's 5,000 cards. */
export function uploadMaxCards(env: Pick<Env, "UPLOAD_MAX_CARDS">): number {
  const n = Number(env.UPLOAD_MAX_CARDS);
  if (env.UPLOAD_MAX_CARDS === undefined || env.UPLOAD_MAX_CARDS.trim() === "" || !Number.isSafeInteger(n) || n < 1) return FREE_PLAN_UPLOAD_CARDS;
  return Math.min(n, DECK_LIMITS.cards);
}
