/** Test setup: how a student gets an uploaded (private) deck — through a class it is pushed to. */
import type { Harness } from "./harness";

/** The lecturer opens a class, the students join it by code, and the deck is pushed to it. */
export async function shareDeck(h: Harness, lect: number, students: number[], deckId: string, className = `Class ${deckId}`): Promise<string> {
  h.advance(1500);
  await h.send(lect, `/newclass ${className}`);
  const code = /start=join_([A-Za-z0-9_-]{12})/.exec(h.lastBotMessage(lect)!.text!)![1]!;
  for (const s of students) {
    h.advance(1500);
    await h.send(s, `/join ${code}`);
  }
  h.advance(1500);
  await h.send(lect, `/push ${deckId} ${className}`);
  await h.drainQueue();
  h.advance(1500);
  return code;
}
