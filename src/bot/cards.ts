/** How a card and a deck read in chat (HTML, escaped, within Telegram's limits). */
import { clozeFilled, hasCloze, quizQuestion, type Card, type Deck } from "../decks/schema";
import type { LoadedDeck } from "../decks/registry";
import { summaryDueNow } from "../srs/progress";
import type { Learner } from "./learner";
import { esc, cut } from "./render";
import { phaseOf } from "../srs/card-state";

/** The question side: cloze deletions shown as […] (or their hint). */
export function frontHtml(card: Card): string {
  return esc(quizQuestion(card.front));
}

/** The answer side: for cloze cards the sentence with the deletions filled in and bold. */
export function backHtml(card: Card): string {
  if (hasCloze(card.front)) {
    const parts = card.front.split(/(\{\{c\d+::.*?(?:::.*?)?\}\})/);
    const filled = parts
      .map((p) => {
        const m = /^\{\{c\d+::(.*?)(?:::.*?)?\}\}$/.exec(p);
        return m ? `<b>${esc(m[1]!)}</b>` : esc(p);
      })
      .join("");
    const answer = clozeFilled(card.front);
    return answer.trim() === card.back.trim() ? filled : `${filled}\n<b>${esc(card.back)}</b>`;
  }
  return `<b>${esc(card.back)}</b>`;
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
  if (!card.quote) return cite;
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
