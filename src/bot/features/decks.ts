/** /decks: the catalogue with the learner's progress, a deck's page, subscribe and unsubscribe. */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import { cb, DECK_CALLBACK, unpackCatalogue, unpackDeck } from "../../learner/callback-data";
import { editOrIgnore } from "../edit";
import { foldClassDecks, isLecturer, loadLearner, loseDeck, lostLine, mayRead, openDeck, saveLearner, type Learner } from "../learner";
import { deckCounts } from "../cards";
import { bar, esc, plural } from "../../learner/render";
import type { LoadedDeck } from "../../decks/registry";

export const decksFeature = new Composer<BotContext>();
const PAGE = 8;

/**
 * Every deck the learner can see: bundled ones, then subscribed uploaded ones they may still open
 * (those no longer shared with them are unsubscribed in memory and listed in `learner.lost`).
 */
export async function visibleDecks(ctx: BotContext, learner: Learner): Promise<LoadedDeck[]> {
  const out = ctx.decks.catalogue();
  const extra = learner.subscribed().map(([, id]) => id).filter((id) => !ctx.decks.isBundled(id));
  const loaded = await ctx.decks.getMany(extra);
  for (const d of loaded.values()) {
    if (await mayRead(ctx, learner, d)) out.push(d);
    else {
      loseDeck(learner, d);
      learner.lost.push({ id: d.deck.id, title: d.deck.title });
    }
  }
  return out;
}

function catalogueText(learner: Learner, decks: LoadedDeck[], page: number, lecturer: boolean): string {
  const today = learner.today;
  const lines = ["<b>📚 Decks</b>", "Tap a deck to see what it covers and to subscribe. Your subscribed decks are marked ✅.", ""];
  if (lecturer) lines.splice(2, 0, "For lecturers: the deck id is in <code>code</code> — <code>/push &lt;deck id&gt; &lt;class&gt;</code>, or /push alone for buttons.");
  for (const d of decks.slice(page * PAGE, page * PAGE + PAGE)) {
    const c = deckCounts(learner, d, today);
    const seen = c.total - c.unseen - c.suspended;
    const mark = learner.isSubscribed(d.deck.id) ? "✅" : "▫️";
    lines.push(`${mark} <b>${esc(d.deck.title)}</b> — ${plural(c.total, "card")}${lecturer ? ` · <code>${esc(d.deck.id)}</code>` : ""}`);
    if (seen > 0 || learner.isSubscribed(d.deck.id)) lines.push(`    new ${c.unseen} · learning ${c.learning} · due ${c.due}`);
  }
  if (decks.length === 0) lines.push("No decks yet.");
  if (learner.lost.length) lines.push("", esc(lostLine(learner.lost.map((l) => l.title))));
  return lines.join("\n");
}

function catalogueKeyboard(learner: Learner, decks: LoadedDeck[], page: number): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const d of decks.slice(page * PAGE, page * PAGE + PAGE)) {
    kb.text(`${learner.isSubscribed(d.deck.id) ? "✅ " : ""}${d.deck.title}`, cb.deck("d", d.deck.id)).row();
  }
  const pages = Math.ceil(decks.length / PAGE);
  if (pages > 1) {
    if (page > 0) kb.text("« Previous", cb.catalogue(page - 1));
    if (page < pages - 1) kb.text("Next »", cb.catalogue(page + 1));
    kb.row();
  }
  if (learner.subscribed().length) kb.text("▶️ Review my decks", cb.deck("R", "*"));
  return kb;
}

async function showCatalogue(ctx: BotContext, page: number, edit: boolean) {
  ctx.trace.feature = "decks";
  const learner = await loadLearner(ctx);
  const folded = await foldClassDecks(ctx, learner);
  const decks = await visibleDecks(ctx, learner);
  if (folded || learner.lost.length) await saveLearner(ctx, learner);
  // A first-version record shows its figures from its progress (once: it migrates on its next save).
  if (learner.legacy) await learner.loadAll(ctx, decks.filter((d) => learner.legacy!.progress[d.deck.id]));
  const p = Math.min(Math.max(0, page), Math.max(0, Math.ceil(decks.length / PAGE) - 1));
  const text = catalogueText(learner, decks, p, await isLecturer(ctx.env, ctx, learner.id));
  const reply_markup = catalogueKeyboard(learner, decks, p);
  if (edit && ctx.callbackQuery?.message) {
    await ctx.answerCallbackQuery();
    await editOrIgnore(ctx, text, reply_markup);
  } else {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    await ctx.reply(text, { parse_mode: "HTML", reply_markup });
  }
}

function deckPage(learner: Learner, d: LoadedDeck, lecturer: boolean): { text: string; kb: InlineKeyboard } {
  const today = learner.today;
  const c = deckCounts(learner, d, today);
  const deck = d.deck;
  const quiz = d.quiz.filter(Boolean).length;
  const seen = c.total - c.unseen;
  const sources = deck.sources.map((s) => `• <i>${esc(s.title)}</i> — ${esc(s.publisher)}, ${s.year}${s.url ? ` (<a href="${esc(s.url)}">link</a>)` : ""}`);
  const subscribed = learner.isSubscribed(deck.id);
  const text = [
    `<b>${esc(deck.title)}</b>${subscribed ? " ✅" : ""}`,
    esc(deck.description),
    "",
    `${plural(c.total, "card")} (${quiz} can be asked as a quiz)${d.bundled ? "" : " · uploaded by a lecturer"}`,
    `Your progress: ${bar(c.total ? seen / c.total : 0)}`,
    `new ${c.unseen} · learning ${c.learning} · young ${c.young} · mature ${c.mature} · due now ${c.due}`,
    "",
    "<b>Drawn from</b>",
    ...sources,
    ...(lecturer ? ["", `Deck id: <code>${esc(deck.id)}</code> — send it to a class with <code>/push ${esc(deck.id)} &lt;class&gt;</code>`] : []),
  ].join("\n");
  const kb = new InlineKeyboard();
  if (subscribed) kb.text("▶️ Review", cb.deck("R", deck.id)).text("🧩 Quiz", cb.deck("Q", deck.id)).row().text("Unsubscribe", cb.deck("u", deck.id));
  else kb.text("➕ Subscribe", cb.deck("s", deck.id));
  kb.text("« All decks", cb.catalogue(0));
  if (lecturer) kb.row().text("📣 Push to a class", cb.push(deck.id));
  return { text, kb };
}

decksFeature.command("decks", async (ctx) => showCatalogue(ctx, 0, false));

decksFeature.callbackQuery(/^D\d{1,3}$/, async (ctx) => {
  const page = unpackCatalogue(ctx.callbackQuery.data);
  await showCatalogue(ctx, page ?? 0, true);
});

decksFeature.callbackQuery(DECK_CALLBACK, async (ctx, next) => {
  const parsed = unpackDeck(ctx.callbackQuery.data);
  if (!parsed) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  if (parsed.action !== "d" && parsed.action !== "s" && parsed.action !== "u") return next();
  ctx.trace.feature = "decks";
  const learner = await loadLearner(ctx);
  const { deck: d, lost } = await openDeck(ctx, learner, parsed.id);
  if (lost) {
    // Their deck, no longer shared with them: not shown; unsubscribing still works, progress stays.
    const wasSubscribed = learner.isSubscribed(parsed.id);
    const line = loseDeck(learner, lost);
    if (wasSubscribed) await saveLearner(ctx, learner);
    return ctx.answerCallbackQuery({ text: line, show_alert: true });
  }
  if (!d) return ctx.answerCallbackQuery({ text: "That deck no longer exists." });
  if (parsed.action === "s" || parsed.action === "u") {
    const want = parsed.action === "s";
    if (learner.isSubscribed(d.deck.id) === want) {
      await ctx.answerCallbackQuery({ text: want ? "You are already subscribed." : "You are not subscribed." });
    } else {
      const i = learner.tableIndex(d.deck.id);
      if (i < 0) return ctx.answerCallbackQuery({ text: "You have too many decks; unsubscribe from one first.", show_alert: true });
      learner.doc.decks[i]!.sub = want;
      await saveLearner(ctx, learner);
      await ctx.answerCallbackQuery({ text: want ? `Subscribed to ${d.deck.title}` : `Unsubscribed from ${d.deck.title}` });
    }
  } else await ctx.answerCallbackQuery();
  await learner.load(ctx, d);
  const page = deckPage(learner, d, await isLecturer(ctx.env, ctx, learner.id));
  await editOrIgnore(ctx, page.text, page.kb);
});

/** Deep link t.me/<bot>?start=deck_<id> opens the deck's page. */
decksFeature.command("start", async (ctx, next) => {
  if (ctx.startPayload?.kind !== "deck") return next();
  ctx.trace.feature = "decks";
  const learner = await loadLearner(ctx);
  const { deck: d, lost } = await openDeck(ctx, learner, ctx.startPayload.id);
  if (lost) {
    const wasSubscribed = learner.isSubscribed(lost.deck.id);
    const line = loseDeck(learner, lost);
    if (wasSubscribed) await saveLearner(ctx, learner);
    return ctx.reply(`${line} Send /decks to see the decks you have.`);
  }
  if (!d) return ctx.reply("That deck no longer exists. Send /decks to see the decks there are.");
  await learner.load(ctx, d);
  const page = deckPage(learner, d, await isLecturer(ctx.env, ctx, learner.id));
  await ctx.reply(page.text, { parse_mode: "HTML", reply_markup: page.kb, link_preview_options: { is_disabled: true } });
});
