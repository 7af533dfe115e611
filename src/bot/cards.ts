/** How a card and a deck read in chat (HTML, escaped, within Telegram's limits). */
import { clozeFilled, hasCloze, quizQuestion, type Card, type Deck } from "../decks/schema";
import type { LoadedDeck } from "../decks/registry";
import { summaryDueNow } from "../srs/progress";
import { clozeAnswers } from "../decks/cloze";
import type { Learner } from "./learner";
import { esc, cut } from "../learner/render";
import { phaseOf } from "../srs/card-state";

/** The question side: cloze deletions shown as […] (or their hint). */
export function frontHtml(card: Card): string {
  return esc(quizQuestion(card.front));
}

/** Text compared loosely: case, spacing, quotes and final punctuation aside. */
function loose(text: string): string {
  return text.replace(/\s+/g, " ").replace(/[\u2018\u2019]/g, "'").replace(/[\u201C\u201D]/g, '"').trim().replace(/[.!?;:,]+$/, "").toLowerCase();
}

/**
 * The answer side, shown under the question. For a cloze card the question above already shows
 * the sentence, so this is only what its gaps held, in bold — and the back when it says more.
 */
export function backHtml(card: Card): string {
  const answers = clozeAnswers(card.front);
  if (answers.length === 0) return `<b>${esc(card.back)}</b>`;
  const shown = `<b>${answers.map((a) => esc(a.trim())).join(" · ")}</b>`;
  const back = loose(card.back);
  const same = back === loose(answers.join(" ")) || answers.some((a) => loose(a) === back) || back === loose(clozeFilled(card.front));
  return same ? `→ ${shown}` : `→ ${shown}\n${esc(card.back)}`;
}

/** A cloze card whose quote is its own sentence: the quote would only repeat the question. */
function quoteRepeatsFront(card: Card): boolean {
  return card.quote !== undefined && hasCloze(card.front) && loose(card.quote) === loose(clozeFilled(card.front));
}

/** "— Title (Publisher, 2019)", short. */
export function citation(deck: Deck, card: Card): string {
  const s = card.source === undefined ? undefined : deck.sources.find((x) => x.id === card.source);
  if (!s) return "";
  return `— <i>${esc(cut(s.title, 90))}</i> (${esc(cut(s.publisher, 40))}, ${s.year})`;
}

/** The quote as a short blockquote with the citation. */
export function sourceHtml(deck: Deck, card: Card, max = 500): string {
  const cite = citation(deck, card);
  if (!card.quote || quoteRepeatsFront(card)) return cite;
  return `<blockquote>${esc(cut(card.quote, max))}</blockquote>${cite ? `\n${cite}` : ""}`;
}

export interface DeckCounts {
  total: number;
  unseen: number;
  learning: number;
  young: number;
  mature: number;
  due: number;
  suspended: number;
}

/**
 * Card counts by phase for one deck, with no I/O: from the loaded shard when this update loaded it,
 * else from the deck's summary in the learner's head record (as of their last save of that deck).
 */
export function deckCounts(learner: Learner, deck: LoadedDeck, today: number): DeckCounts {
  const c: DeckCounts = { total: deck.cardIds.length, unseen: 0, learning: 0, young: 0, mature: 0, due: 0, suspended: 0 };
  const id = deck.deck.id;
  const p = learner.progress(id);
  if (!p) {
    const s = learner.summary(id);
    if (!s) {
      c.unseen = c.total;
      return c;
    }
    [c.learning, c.young, c.mature, c.suspended] = s.ph;
    c.unseen = Math.max(0, c.total - s.seen);
    c.due = summaryDueNow(s, today);
    return c;
  }
  for (let i = 0; i < deck.cardIds.length; i++) {
    const s = p.get(i);
    if (s?.susp) {
      c.suspended++;
      continue;
    }
    const phase = phaseOf(s);
    if (phase === "new") c.unseen++;
    else c[phase]++;
    if (s && s.due <= today && s.last !== today) c.due++;
  }
  return c;
}
