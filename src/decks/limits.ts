/**
 * Checks a deck against what Telegram can show: one card (front, back, quote and citation) must
 * fit one message of ≤4096 characters after HTML escaping, with room for the bot's own text.
 */
import type { Deck, DeckProblem } from "./schema";

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
