/** Turns schema (valibot) messages into "what is wrong — how to fix it" messages. */

const RULES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/^Invalid key: Expected "(.+)" but received undefined$/, (m) => `"${m[1]}" is missing — add "${m[1]}": …`],
  [/^Invalid key: Expected never but received "(.+)"$/, (m) => `unknown field "${m[1]}" — remove it or correct its spelling`],
  [/^Invalid type: Expected (.+) but received (.+)$/, (m) => `wrong type: expected ${m[1]} but found ${m[2]} — correct the value`],
  [/^a quiz card's (front|back) must be at most (\d+) characters$/, (m) => `too long for a quiz: a quiz card's ${m[1]} must be at most ${m[2]} characters — shorten it, or remove the distractors to make the card review-only`],
  [/^a quiz card needs at least (\d+) distractors$/, (m) => `a quiz card needs at least ${m[1]} distractors — add more, or remove the distractors to make the card review-only`],
  [/^a distractor equals the answer$/, () => "a distractor equals the answer (the back) — replace it with a wrong answer"],
  [/^two distractors are the same$/, () => "two distractors are the same — make every distractor different"],
  [/^at most (\d+) (distractors|tags)$/, (m) => `at most ${m[1]} ${m[2]} are allowed — remove some`],
  [/^(.+) is (\d+) characters; at most (\d+) allowed$/, (m) => `${m[1]} is ${m[2]} characters; at most ${m[3]} allowed — shorten it`],
  [/^(.+) is empty$/, (m) => `${m[1]} is empty — fill it in`],
  [/^(card|source) id must be lower-case letters, digits and dashes$/, (m) => `${m[1]} id must be lower-case letters, digits and dashes — e.g. "chapter-2-q3"`],
  [/^deck id must be lower-case letters, digits and dashes$/, () => 'deck id must be lower-case letters, digits and dashes, at most 40 characters — e.g. "criminology-101"'],
  [/^(card|deck) id is longer than (\d+) characters$/, (m) => `${m[1]} id is longer than ${m[2]} characters — shorten it`],
  [/^source "(.+)" is not one of the deck's sources$/, (m) => `source "${m[1]}" is not one of the deck's sources — add a source with that id to "sources", or correct the card's "source"`],
  [/^two sources share an id$/, () => "two sources share an id — give each source its own id"],
  [/^a deck needs at least one card$/, () => 'a deck needs at least one card — add cards to "cards"'],
  [/^a deck holds at most (\d+) cards$/, (m) => `a deck holds at most ${m[1]} cards — split it into two or more decks`],
];

/** Messages can quote the input (an unknown key): longer ones are cut before the patterns run. */
const MAX_MESSAGE = 2000;

export function explain(message: string): string {
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 1)}…`;
  if (message.includes(" — ")) return message;
  for (const [re, fn] of RULES) {
    const m = message.match(re);
    if (m) return fn(m);
  }
  return message;
}
