/**
 * /export of a large collection, as queue jobs: one job per file — a deck's progress CSV, or a
 * deck's Anki text file — each built and sent in its own consumer invocation, so even 50,000
 * cards of progress stay within the free plan's 10 ms CPU per invocation. The request itself
 * only reads the learner's record and enqueues the jobs. Jobs write nothing; a learner who deleted
 * their data meanwhile (/forget) gets nothing.
 */
import { InputFile } from "grammy";
import type { Services } from "../services";
import { lostLine, mayRead, readLearner } from "../learner/learner";
import { ankiFileName, ankiTsv, progressCsv } from "../stats/export";
import { dayToIso } from "../srs/days";
import { plural } from "../learner/render";

export type ExportPart = "csv" | "anki";

/** Up to this many graded cards, /export builds its files in the request itself. */
export const EXPORT_INLINE_CARDS = 3000;

export async function exportPart(svc: Services, uid: number, deckId: string, part: ExportPart): Promise<void> {
  const learner = await readLearner(svc, uid);
  if (!learner.stored && !learner.legacy) return; // deleted their data since
  const deck = await svc.decks.get(deckId);
  if (!deck) return;
  if (!(await mayRead(svc, learner, deck))) {
    // No longer shared with the learner: not exported; said once per deck (with its progress file, if any).
    if (part === "csv" || !learner.hasProgress(deckId)) await svc.api.sendMessage(uid, `${lostLine([deck.deck.title])} Not exported.`);
    return;
  }
  const bytes = (s: string) => new TextEncoder().encode(s);
  if (part === "anki") {
    await svc.api.sendDocument(uid, new InputFile(bytes(ankiTsv(deck)), ankiFileName(deckId)), {
      caption: `${deck.deck.title} — ${plural(deck.cardIds.length, "card")} for Anki (File → Import).`.slice(0, 1024),
    });
    return;
  }
  const progress = await learner.load(svc, deck);
  const out = progressCsv([{ deck, progress }]);
  if (out.rows === 0) return;
  await svc.api.sendDocument(uid, new InputFile(bytes(out.csv), `lectern-progress-${deckId}-${dayToIso(learner.today)}.csv`), {
    caption: `Your progress in ${deck.deck.title}: ${plural(out.rows, "card")} (CSV: deck, card, front, repetition, interval, easiness, due date, lapses, last review).`.slice(0, 1024),
  });
}
