/**
 * Which cards a quiz asks: quiz-capable cards of the scope, due ones first (most overdue first),
 * then new ones in deck order; cards already graded today are left for tomorrow. Pure.
 */
import type { CardState } from "../srs/card-state";

export interface QuizDeckView {
  cardIds: readonly string[];
  quiz: readonly boolean[];
  state(cardId: string): CardState | undefined;
}

export interface QuizPick {
  deck: number;
  card: number;
}

/** `newLeft`: new cards the day's budget still allows (shared with reviews). */
export function selectQuiz(decks: readonly QuizDeckView[], today: number, n: number, newLeft = Infinity): QuizPick[] {
  const due: (QuizPick & { due: number })[] = [];
  const fresh: QuizPick[] = [];
  decks.forEach((d, di) => {
    d.cardIds.forEach((id, ci) => {
      if (!d.quiz[ci]) return;
      const s = d.state(id);
      if (!s) fresh.push({ deck: di, card: ci });
      else if (!s.susp && s.last !== today && s.due <= today) due.push({ deck: di, card: ci, due: s.due });
    });
  });
  due.sort((a, b) => a.due - b.due || a.deck - b.deck || a.card - b.card);
  return [...due.map(({ deck, card }) => ({ deck, card })), ...fresh.slice(0, newLeft)].slice(0, n);
}
