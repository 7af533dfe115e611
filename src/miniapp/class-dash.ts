/**
 * Builds the class dashboard the Mini App shows from a class-stats run's aggregate (pure but for
 * reading the class's decks through the registry: bundled decks cost nothing, uploaded ones are
 * cached). Written by the class-stats job's report step (src/jobs/class-stats.ts).
 */
import type { Services } from "../services";
import type { RunDoc } from "../store/runs";
import type { StatsResult } from "../jobs/class-stats";
import type { ClassDash } from "../store/class-dash";
import { quizQuestion } from "../decks/schema";

/** Weeks of activity per student on the dashboard. */
export const DASH_WEEKS = 8;
/** Hardest cards kept: the cards the class graded Again most first, as /classstats ranks them. */
export const DASH_HARDEST = 10;
const FRONT_CHARS = 120;

export async function buildClassDash(svc: Services, run: RunDoc, agg: StatsResult, complete: boolean): Promise<ClassDash> {
  const deckIds = run.decks ?? [];
  const decks = await svc.decks.getMany(deckIds);
  const students = agg.rows.map((r) => ({
    name: r.name,
    weeks: r.weeks && r.weeks.length === DASH_WEEKS ? r.weeks : new Array<number>(DASH_WEEKS).fill(0),
    reviews7: r.reviews7,
    due: r.due,
    graded30: r.graded30,
    good30: r.good30,
    lastActive: r.lastActive,
  }));
  const hardest: ClassDash["hardest"] = [];
  const ranked = Object.entries(agg.cards)
    .filter(([, [, lapses]]) => lapses > 0)
    .map(([key, [reps, lapses]]) => ({ key, reps, lapses, rate: Math.round((100 * (reps - lapses)) / reps) }))
    .sort((x, y) => y.lapses - x.lapses || y.reps - x.reps || (x.key < y.key ? -1 : 1)); // the order /classstats lists them in
  for (const r of ranked) {
    if (hardest.length >= DASH_HARDEST) break;
    const slash = r.key.indexOf("/");
    const deckId = r.key.slice(0, slash), cardId = r.key.slice(slash + 1);
    const deck = decks.get(deckId);
    const card = deck?.deck.cards[deck.index.get(cardId) ?? -1];
    if (!card) continue;
    hardest.push({ deck: deckId, card: cardId, front: quizQuestion(card.front).slice(0, FRONT_CHARS), reviews: r.reps, lapses: r.lapses, rate: Math.max(0, r.rate) });
  }
  const deckRows: ClassDash["decks"] = [];
  for (const id of deckIds) {
    const d = decks.get(id);
    if (!d) continue;
    let started = 0, seen = 0;
    for (const r of agg.rows) {
      const n = r.seen?.[id] ?? 0;
      if (n > 0) started++;
      seen += n;
    }
    deckRows.push({ id, title: d.deck.title, cards: d.cardIds.length, started, seen });
  }
  return {
    v: 1, code: run.class, name: run.className ?? run.class, at: svc.deps.now(), complete, weeks: DASH_WEEKS,
    students, hardest, decks: deckRows,
  };
}
