/**
 * /stats (and the review summary's 📊 button), the leech and suspended-card buttons, /export and
 * /forget. Private chat only: these are one learner's own figures and data.
 *
 * KV: /stats and /export read the learner's record once (+1 per uploaded deck not cached) and write
 * nothing. A card button (reset, suspend, unsuspend) reads once and writes at most once; a button
 * whose effect is already in place (a double tap) writes nothing. /forget asks first; its
 * confirmation deletes every key about the learner (see stats/forget.ts).
 */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import type { BotContext } from "../context";
import { appUrl } from "../../env";
import { type Learner, loadLearner, lostLine, mayRead, saveLearner } from "../learner";
import { editOrIgnore } from "../edit";
import { esc, plural } from "../../learner/render";
import { isLeech } from "../../srs/card-state";
import type { DeckProgress } from "../../srs/progress";
import type { LoadedDeck } from "../../decks/registry";
import { dayToIso } from "../../srs/days";
import { statsView, suspendedView, type StatsInput, type View } from "../../stats/view";
import { summaryFigures, type TableDeck } from "../../stats/figures";
import { ankiFileName, ankiTsv, progressCsv } from "../../stats/export";
import { EXPORT_INLINE_CARDS } from "../../jobs/export";
import { forgetLearner } from "../../stats/forget";
import {
  cardTag, FORGET_CALLBACK, packForgetNo, packForgetYes, STATS_CALLBACK, STATS_NEW, STATS_VIEW, unpackCardAction, unpackForget,
  unpackSuspendedPage, type CardAction,
} from "../../stats/callbacks";

export const statsFeature = new Composer<BotContext>();

/** Anki files sent by one /export at most (each is a Bot API call: stay well under 50 subrequests). */
export const MAX_EXPORT_DECKS = 20;
/** How long a /forget confirmation button stays valid. */
export const FORGET_VALID_MINUTES = 24 * 60;

const PRIVATE_ONLY = "That is between you and me — send it in our private chat.";

/**
 * The subscribed decks as /stats shows them. A deck whose summary in the learner's record says it
 * has no leeches and no suspended cards is counted from that summary — no deck or progress read —
 * so /stats costs about the same with 2 decks or 64; the others are loaded with their progress
 * (to list their leeches and suspended cards, or — when the stored summary is stale or missing —
 * to count them from a fresh summary of the loaded rows).
 */
async function statsInput(ctx: BotContext, learner: Learner): Promise<StatsInput> {
  const today = learner.today;
  const toLoad: [number, string][] = [];
  const summarized: NonNullable<StatsInput["summarized"]> = [];
  const listOnly = new Set<string>();
  for (const [table, id] of learner.subscribed()) {
    const e = learner.doc.decks[table]!, s = e.s;
    const exact = !s || !e.t || learner.legacy || today - s.day > 24 || learner.hasPending(id);
    if (exact) {
      toLoad.push([table, id]);
      continue;
    }
    summarized.push({ title: e.t!, ...summaryFigures(s, s.cards, today) });
    // Leeches and suspended cards are listed by card: those decks are read, for the list only.
    if (s.ph[3] > 0 || s.ph[4] > 0) {
      toLoad.push([table, id]);
      listOnly.add(id);
    }
  }
  const loaded = await ctx.decks.getMany(toLoad.map(([, id]) => id));
  // A deck no longer shared with the learner lists none of its cards (counted as not available).
  for (const [id, d] of loaded) if (!(await mayRead(ctx, learner, d))) loaded.delete(id);
  await learner.loadAll(ctx, loaded.values());
  const decks: TableDeck[] = toLoad.flatMap(([table, id]) => (loaded.has(id) ? [{ table, deck: loaded.get(id)! }] : []));
  // The decks to count exactly, counted from a summary of their loaded progress (one pass over its
  // rows), not card by card — a few 5,000-card decks whose summaries were stale cost the same.
  const exact: NonNullable<StatsInput["summarized"]> = [];
  let missing = 0;
  for (const [, id] of toLoad) {
    if (listOnly.has(id)) continue;
    const d = loaded.get(id);
    if (!d) {
      missing++;
      continue;
    }
    exact.push({ title: d.deck.title, ...summaryFigures(learner.progress(id)?.summary(today), d.cardIds.length, today) });
    listOnly.add(id);
  }
  return {
    doc: learner.doc,
    today,
    decks,
    listOnly,
    summarized: [...exact, ...summarized],
    rowsOf: (deckId) => learner.progress(deckId)?.rows,
    state: (deckId, cardId) => learner.state(deckId, cardId),
    missing,
  };
}

const markup = (v: View) => (v.keyboard.inline_keyboard.length ? v.keyboard : undefined);

async function sendStats(ctx: BotContext): Promise<void> {
  ctx.trace.feature = "stats";
  const learner = await loadLearner(ctx);
  const v = statsView(await statsInput(ctx, learner));
  const app = appUrl(ctx.env);
  if (app && ctx.chat?.type === "private") v.keyboard.row().webApp("📈 Open dashboard", app); // the Mini App
  const reply_markup = markup(v);
  await ctx.reply(v.text, { parse_mode: "HTML", link_preview_options: { is_disabled: true }, ...(reply_markup ? { reply_markup } : {}) });
}

statsFeature.command("stats", async (ctx) => {
  if (ctx.chat.type !== "private") return void (await ctx.reply(PRIVATE_ONLY));
  await sendStats(ctx);
});

statsFeature.callbackQuery(STATS_NEW, async (ctx) => {
  await ctx.answerCallbackQuery();
  await sendStats(ctx);
});

// ---- the stats views and the card buttons ------------------------------------------------

statsFeature.callbackQuery(STATS_CALLBACK, async (ctx) => {
  ctx.trace.feature = "stats";
  const data = ctx.callbackQuery.data;
  const page = unpackSuspendedPage(data);
  const action = unpackCardAction(data);
  if (data !== STATS_VIEW && page === null && !action) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  const learner = await loadLearner(ctx);
  if (action) {
    const result = await applyCardAction(ctx, learner, action);
    await ctx.answerCallbackQuery({ text: result.text });
    if (!result.render) return;
    // The loaded shards already hold the change.
    const input = await statsInput(ctx, learner);
    const v = action.op === "u" ? suspendedView(input, 0) : statsView(input);
    await editOrIgnore(ctx, v.text, markup(v));
    return;
  }
  await ctx.answerCallbackQuery();
  const input = await statsInput(ctx, learner);
  const v = page === null ? statsView(input) : suspendedView(input, page);
  await editOrIgnore(ctx, v.text, markup(v));
});

/**
 * Resets (deletes the card's state: it is new again, comes back with the day's new cards and
 * starts SM-2 afresh), suspends (susp = 1) or unsuspends (susp = 0) one card of the presser's own
 * record. Absolute operations: a repeat finds the effect in place and writes nothing. Anything
 * the button names that is not a card of the presser's decks changes nothing, and says why.
 */
async function applyCardAction(ctx: BotContext, learner: Learner, a: CardAction): Promise<{ text: string; render: boolean }> {
  const deckId = learner.deckIdAt(a.deck);
  if (deckId === undefined) return { text: "That card is not in your decks — nothing changed.", render: false };
  const deck = await ctx.decks.get(deckId);
  if (!deck) return { text: "That deck no longer exists — nothing changed.", render: false };
  const cardId = deck.cardIds[a.card];
  if (cardId === undefined || cardTag(deckId, cardId) !== a.tag) {
    return { text: "That button no longer matches one of your cards — nothing changed. Send /stats again.", render: false };
  }
  await learner.load(ctx, deck);
  const s = learner.state(deckId, cardId);
  if (a.op === "r") {
    if (!s) return { text: "Already reset — the card is new again.", render: true };
    if (!isLeech(s)) return { text: "That card is not a leech (any more) — nothing changed.", render: true };
    learner.deleteState(deckId, cardId);
    await saveLearner(ctx, learner);
    return { text: "Reset: the card is new again and comes back with your new cards.", render: true };
  }
  if (!s) return { text: "You have not studied that card yet — nothing changed.", render: true };
  const want = a.op === "s" ? 1 : 0;
  if (s.susp === want) return { text: want ? "Already suspended." : "That card is not suspended — nothing changed.", render: true };
  learner.setState(deckId, cardId, { ...s, susp: want });
  await saveLearner(ctx, learner);
  return { text: want ? "Suspended: it stays out of reviews and quizzes." : "Unsuspended: it is back in your reviews.", render: true };
}

// ---- /export -------------------------------------------------------------------------------

statsFeature.command("export", async (ctx) => {
  if (ctx.chat.type !== "private") return void (await ctx.reply(PRIVATE_ONLY));
  ctx.trace.feature = "export";
  const learner = await loadLearner(ctx);
  const withProgress = learner.doc.decks.filter((d) => learner.hasProgress(d.id)).map((d) => d.id);
  const subscribed = learner.subscribed().map(([, id]) => id);
  // A large collection is exported by queue jobs, one file each (jobs/export.ts).
  const graded = learner.doc.decks.reduce((n, d) => n + (d.s?.seen ?? 0), 0);
  if (graded > EXPORT_INLINE_CARDS && ctx.env.JOBS && !learner.legacy) {
    const anki = subscribed.slice(0, MAX_EXPORT_DECKS);
    const jobs = [
      ...withProgress.map((deck) => ({ body: { kind: "export" as const, uid: learner.id, deck, part: "csv" as const } })),
      ...anki.map((deck) => ({ body: { kind: "export" as const, uid: learner.id, deck, part: "anki" as const } })),
    ];
    for (let k = 0; k < jobs.length; k += 100) await ctx.env.JOBS.sendBatch(jobs.slice(k, k + 100));
    await ctx.reply(
      `📦 Your export is on its way: ${plural(withProgress.length, "progress file")} (CSV, one per deck — ${plural(graded, "card")} in all) and ${plural(anki.length, "Anki file")}, in the next minute or two.` +
        (subscribed.length > MAX_EXPORT_DECKS ? ` (Anki files for the first ${MAX_EXPORT_DECKS} of your ${subscribed.length} decks.)` : ""),
    );
    return;
  }
  const decks = await ctx.decks.getMany([...new Set([...withProgress, ...subscribed])]);
  // Decks no longer shared with the learner are not exported (their cards are the lecturer's); the
  // learner's progress on them is kept, and exported again if the deck is shared again.
  const lost: string[] = [];
  for (const [id, d] of decks) {
    if (await mayRead(ctx, learner, d)) continue;
    decks.delete(id);
    lost.push(d.deck.title);
  }
  if (lost.length) await ctx.reply(`${lostLine(lost)} Not exported.`);
  const shards: { deck: LoadedDeck; progress: DeckProgress }[] = [];
  for (const id of withProgress) {
    const deck = decks.get(id);
    if (deck) shards.push({ deck, progress: await learner.load(ctx, deck) });
  }
  const progress = progressCsv(shards);
  const anki = subscribed.filter((id) => decks.has(id));
  if (progress.rows === 0 && anki.length === 0) {
    await ctx.reply("Nothing to export yet: you have no progress and no decks. Pick a deck in /decks, then /review.");
    return;
  }
  const bytes = (s: string) => new TextEncoder().encode(s);
  if (progress.rows > 0) {
    await ctx.replyWithDocument(new InputFile(bytes(progress.csv), `lectern-progress-${dayToIso(learner.today)}.csv`), {
      caption: `Your progress: ${plural(progress.rows, "card")} in ${plural(progress.decks, "deck")} (CSV: deck, card, front, repetition, interval, easiness, due date, lapses, last review).`,
    });
  } else {
    await ctx.reply("You have no progress yet — here are your decks' cards.");
  }
  for (const id of anki.slice(0, MAX_EXPORT_DECKS)) {
    const d = decks.get(id)!;
    await ctx.replyWithDocument(new InputFile(bytes(ankiTsv(d)), ankiFileName(id)), {
      caption: `${d.deck.title} — ${plural(d.cardIds.length, "card")} for Anki (File → Import).`.slice(0, 1024),
    });
  }
  if (anki.length > MAX_EXPORT_DECKS) {
    await ctx.reply(`Sent the first ${MAX_EXPORT_DECKS} of your ${anki.length} decks as Anki files. Unsubscribe from some in /decks and /export again for the rest.`);
  }
});

// ---- /forget -------------------------------------------------------------------------------

const FORGET_ASK = [
  "🗑 <b>Delete everything Lectern stores about you?</b>",
  "",
  "Your progress on every card, your daily figures and streak, your settings and timezone, your decks and class memberships — all of it, at once. This cannot be undone.",
  "",
  "Want a copy first? /export sends your progress as a spreadsheet.",
].join("\n");
export const FORGET_DONE = "Everything Lectern stored about you is deleted.";

statsFeature.command("forget", async (ctx) => {
  if (ctx.chat.type !== "private") return void (await ctx.reply(PRIVATE_ONLY));
  ctx.trace.feature = "forget";
  const uid = ctx.from!.id;
  const minute = Math.floor(ctx.deps.now() / 60_000);
  const kb = new InlineKeyboard().text("Yes, delete everything", packForgetYes(uid, minute)).text("Cancel", packForgetNo(uid));
  const owns = await ctx.stores.people.owns(uid);
  const note =
    owns && (owns.classes.length || owns.decks.length)
      ? `\n\nAs a lecturer: your API token is revoked, but the ${plural(owns.decks.length, "deck")} and ${plural(owns.classes.length, "class", "classes")} you created stay, because your students use them.`
      : "";
  await ctx.reply(FORGET_ASK + note, { parse_mode: "HTML", reply_markup: kb });
});

statsFeature.callbackQuery(FORGET_CALLBACK, async (ctx) => {
  ctx.trace.feature = "forget";
  const a = unpackForget(ctx.callbackQuery.data);
  if (!a) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  if (a.uid !== ctx.from.id) return ctx.answerCallbackQuery({ text: "This button belongs to someone else — nothing was deleted.", show_alert: true });
  if (!a.confirm) {
    await ctx.answerCallbackQuery({ text: "Cancelled." });
    await editOrIgnore(ctx, "Cancelled — nothing was deleted.");
    return;
  }
  const age = Math.floor(ctx.deps.now() / 60_000) - a.minute;
  if (age < -5 || age > FORGET_VALID_MINUTES) {
    return ctx.answerCallbackQuery({ text: "This confirmation has expired — nothing was deleted. Send /forget again.", show_alert: true });
  }
  const r = await forgetLearner(ctx, a.uid);
  await ctx.answerCallbackQuery({ text: r.deleted ? "Deleted." : "Already deleted — Lectern holds nothing about you." });
  await editOrIgnore(ctx, `${esc(FORGET_DONE)}\n\nIf you come back, /start begins afresh.`);
});
