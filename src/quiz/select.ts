/**
 * Which cards a quiz asks: quiz-capable cards of the scope, due ones first (most overdue first),
 * then new ones in deck order; cards already graded today are left for tomorrow. Pure.
 */
import { F, type CardState } from "../srs/card-state";
import { W } from "../srs/progress";

export interface QuizDeckView {
  cardIds: readonly string[];
  quiz: readonly boolean[];
  /** The learner's progress shard rows (W int32 per card, n < 0 = new): read in place when given. */
  rows?: Int32Array;
  state(cardId: string): CardState | undefined;
}

export interface QuizPick {
  deck: number;
  card: number;
}

/**
 * `newLeft`: new cards the day's budget still allows (shared with reviews). One pass over the
 * cards keeping only the `n` most overdue and the first new ones — no list of every card.
 */
export function selectQuiz(decks: readonly QuizDeckView[], today: number, n: number, newLeft = Infinity): QuizPick[] {
  const due: (QuizPick & { due: number })[] = [];
  const fresh: QuizPick[] = [];
  const freshCap = Math.min(n, newLeft);
  const consider = (deck: number, card: number, dueOn: number) => {
    if (due.length === n && dueOn >= due[n - 1]!.due) return; // ties keep the earlier deck/card
    let i = due.length < n ? due.length : n - 1;
    due[i] = { deck, card, due: dueOn };
    while (i > 0 && due[i - 1]!.due > dueOn) {
      [due[i - 1], due[i]] = [due[i]!, due[i - 1]!];
      i--;
    }
  };
  decks.forEach((d, di) => {
    const r = d.rows;
    for (let ci = 0; ci < d.cardIds.length; ci++) {
      if (!d.quiz[ci]) continue;
      if (r) {
        const o = ci * W;
        if (r[o]! < 0) {
          if (fresh.length < freshCap) fresh.push({ deck: di, card: ci });
        } else if (!r[o + F.susp] && r[o + F.last] !== today && r[o + F.due]! <= today) consider(di, ci, r[o + F.due]!);
        continue;
      }
      const s = d.state(d.cardIds[ci]!);
      if (!s) {
        if (fresh.length < freshCap) fresh.push({ deck: di, card: ci });
      } else if (!s.susp && s.last !== today && s.due <= today) consider(di, ci, s.due);
    }
  });
  return [...due.map(({ deck, card }) => ({ deck, card })), ...fresh].slice(0, n);
}
