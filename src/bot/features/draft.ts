/**
 * /draft: a lecturer sends a document (.txt, .md, .html, captioned /draft) or pastes text after
 * /draft; Lectern drafts a deck from it (deterministically, offline — src/draft) where every card
 * carries its source sentence, then offers: review card by card (Keep / Drop / Edit), download
 * the JSON, publish, or discard. Nothing is published without the lecturer's word.
 */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import type { BotContext } from "../context";
import { requireLecturer, downloadFile, parseCaption } from "./lecturer";
import { loadDrafter, type DrafterModule } from "../../lazy";
import { CARD_LIMITS, validateDeck, quizQuestion, type Deck } from "../../decks/schema";
import { storeDeck } from "../../uploads/ingest";
import type { DraftDoc } from "../../store/drafts";
import { editOrIgnore } from "../edit";
import { cut, esc, plural } from "../../learner/render";
import type { Learner } from "../learner";
import { countWords, draftMaxChars, draftMaxWords } from "../../env";

export const draftFeature = new Composer<BotContext>();

const MAX_BYTES = 1024 * 1024;
const MIN_CHARS = 200;

async function makeDraft(ctx: BotContext, learner: Learner, text: string, fileName: string, caption?: string): Promise<void> {
  const R = await loadDrafter();
  if (text.trim().length < MIN_CHARS) {
    await ctx.reply(`That is too little text to draft from (${text.trim().length} characters). Send a document, or paste at least a few paragraphs after /draft.`);
    return;
  }
  const maxChars = draftMaxChars(ctx.env);
  if (text.length > maxChars) {
    await ctx.reply(
      `That text is ${text.length.toLocaleString("en")} characters long; this bot drafts up to ${maxChars.toLocaleString("en")} characters at a time (markup included — drafting runs inside the request, and Cloudflare limits its CPU time). Send it a section at a time, or draft it on your computer with npm run draft and upload the JSON. An administrator can raise DRAFT_MAX_CHARS on Cloudflare's paid plan.`,
    );
    return;
  }
  const words = countWords(text);
  const max = draftMaxWords(ctx.env);
  if (words > max) {
    await ctx.reply(
      `That text has about ${words.toLocaleString("en")} words; this bot drafts up to ${max.toLocaleString("en")} words at a time (drafting runs inside the request, and Cloudflare limits its CPU time). Send it a section at a time, or draft it on your computer with npm run draft and upload the JSON. An administrator can raise DRAFT_MAX_WORDS on Cloudflare's paid plan.`,
    );
    return;
  }
  const opts = parseCaption(caption?.replace(/^\/draft\b/, ""));
  let result;
  try {
    result = R.draftDeck(text, { fileName, year: new Date(ctx.deps.now()).getUTCFullYear(), ...(opts.deckId ? { deckId: opts.deckId } : {}), ...(opts.title ? { title: opts.title } : {}) });
  } catch (err) {
    if (err instanceof R.DraftError) {
      await ctx.reply(`I could not draft a deck from that: ${err.message}`);
      return;
    }
    throw err;
  }
  if (result.deck.cards.length === 0) {
    await ctx.reply("I found no facts to ask about in that text (definitions, acronyms, numbers, dates, names or lists). Try a more factual text.");
    return;
  }
  const draft: DraftDoc = { v: 1, deck: result.deck, decisions: "?".repeat(result.deck.cards.length), fileName, created: ctx.deps.now(), at: 0, sentences: result.sentences };
  await ctx.stores.drafts.put(learner.id, draft);
  const kinds = R.kindSummary(result.stats.byKind);
  const sample = result.deck.cards.slice(0, 3).map((c) => `• ${esc(cut(quizQuestion(c.front), 120))} → <b>${esc(cut(c.back, 60))}</b>`);
  await ctx.reply(
    [
      `📝 <b>Draft: ${esc(result.deck.title)}</b>`,
      `${plural(result.deck.cards.length, "card")} from ${plural(result.stats.sentences, "sentence")} of ${esc(fileName)}${kinds ? ` — ${kinds}` : ""}.`,
      `Every card quotes the sentence it came from. ${result.deck.cards.filter((c) => c.distractors).length} can be quiz polls.`,
      "",
      "<b>A sample</b>",
      ...sample,
      "",
      "Nothing is published until you say so.",
    ].join("\n"),
    { parse_mode: "HTML", reply_markup: summaryKeyboard() },
  );
}

const summaryKeyboard = () =>
  new InlineKeyboard().text("👀 Review card by card", "X:r:0").text("⬇️ Download JSON", "X:j").row().text("✅ Publish deck", "X:p").text("🗑 Discard", "X:z");

/** The deck as it stands: dropped cards left out, the description counting what is kept. */
function kept(R: DrafterModule, d: DraftDoc): Deck {
  const cards = d.deck.cards.filter((_, i) => d.decisions[i] !== "d");
  return { ...d.deck, description: R.draftDescription(d.deck.sources[0]?.title ?? d.deck.title, cards), cards };
}

function cardMessage(R: DrafterModule, d: DraftDoc, i: number) {
  const c = d.deck.cards[i]!;
  const state = d.decisions[i] === "k" ? "✅ kept" : d.decisions[i] === "d" ? "🗑 dropped" : "undecided";
  const lines = [
    `📝 Card ${i + 1} of ${d.deck.cards.length} · ${state}`,
    "",
    `<b>Q:</b> ${esc(R.readableFront(c.front))}`,
    `<b>A:</b> ${esc(c.back)}`,
  ];
  if (c.distractors) lines.push(`<i>Wrong options:</i> ${c.distractors.map(esc).join(" · ")}`);
  lines.push(c.quote ? `<blockquote>${esc(cut(c.quote, 600))}</blockquote>` : "<i>No quote: no sentence of the document holds this answer.</i>");
  const kb = new InlineKeyboard()
    .text("✅ Keep", `X:k:${i}`).text("🗑 Drop", `X:d:${i}`).text("✏️ Edit", `X:e:${i}`).row();
  if (i > 0) kb.text("◀️ Previous", `X:r:${i - 1}`);
  if (i < d.deck.cards.length - 1) kb.text("Next ▶️", `X:r:${i + 1}`);
  kb.row().text("📋 Summary", "X:s");
  return { text: lines.join("\n"), kb };
}

function summaryText(d: DraftDoc): string {
  const k = [...d.decisions].filter((x) => x === "k").length;
  const dr = [...d.decisions].filter((x) => x === "d").length;
  return `📝 <b>Draft: ${esc(d.deck.title)}</b>\n${plural(d.deck.cards.length, "card")}: ${k} kept, ${dr} dropped, ${d.deck.cards.length - k - dr} undecided (undecided cards are kept when you publish).`;
}

draftFeature.command("draft", async (ctx) => {
  ctx.trace.feature = "draft";
  if (ctx.chat.type !== "private") return;
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const text = ctx.match;
  if (!text.trim()) {
    await ctx.reply("Send me a document (.txt, .md or .html) with the caption /draft — or paste the text right after /draft — and I will draft a deck from it. Each card quotes the sentence it came from; you review and publish.");
    return;
  }
  await makeDraft(ctx, learner, text, /^#{1,6}\s/m.test(text) ? "pasted text.md" : "pasted text.txt");
});

draftFeature.on("message:document", async (ctx, next) => {
  const caption = ctx.message.caption ?? "";
  if (!/^\/draft\b/.test(caption) || ctx.chat.type !== "private") return next();
  ctx.trace.feature = "draft";
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const doc = ctx.message.document;
  const name = doc.file_name ?? "document.txt";
  if (!(await loadDrafter()).formatFor(name)) {
    await ctx.reply(`I can draft from .txt, .md and .html files; “${name}” is none of these. Save it as plain text (or Markdown/HTML) and send it again.`);
    return;
  }
  if ((doc.file_size ?? 0) > MAX_BYTES) {
    await ctx.reply("That document is over 1 MiB. Send a shorter one (a chapter at a time works well).");
    return;
  }
  const bytes = await downloadFile(ctx, doc.file_id);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    await ctx.reply("That file is not UTF-8 text. Save it as UTF-8 and send it again.");
    return;
  }
  await makeDraft(ctx, learner, text.replace(/^\uFEFF/, ""), name, caption);
});

draftFeature.callbackQuery(/^X:/, async (ctx) => {
  ctx.trace.feature = "draft";
  const m = /^X:(?:([rkde]):(\d{1,4})|([jpzs]))$/.exec(ctx.callbackQuery.data);
  if (!m) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const d = await ctx.stores.drafts.get(learner.id);
  if (!d) return ctx.answerCallbackQuery({ text: "This draft is gone (published, discarded or older than 7 days)." });
  const action = m[1] ?? m[3]!;
  const i = m[2] === undefined ? -1 : Number(m[2]);
  if (i >= d.deck.cards.length) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  const R = await loadDrafter();
  switch (action) {
    case "r": {
      await ctx.answerCallbackQuery();
      const msg = cardMessage(R, d, i);
      return editOrIgnore(ctx, msg.text, msg.kb);
    }
    case "k":
    case "d": {
      const want = action;
      if (d.decisions[i] !== want) {
        d.decisions = d.decisions.slice(0, i) + want + d.decisions.slice(i + 1);
        await ctx.stores.drafts.put(learner.id, d);
      }
      await ctx.answerCallbackQuery({ text: want === "k" ? "Kept" : "Dropped" });
      const msg = i + 1 < d.deck.cards.length ? cardMessage(R, d, i + 1) : { text: summaryText(d), kb: summaryKeyboard() };
      return editOrIgnore(ctx, msg.text, msg.kb);
    }
    case "e": {
      d.editing = i;
      await ctx.stores.drafts.put(learner.id, d);
      await ctx.answerCallbackQuery();
      const c = d.deck.cards[i]!;
      await ctx.reply(
        [
          `✏️ Send card ${i + 1} corrected as one message: <code>question | answer</code>`,
          `Now: <code>${esc(R.readableFront(c.front))} | ${esc(c.back)}</code>`,
          "A blank […] in the question is filled by the answer (a fill-in-the-blank card). The card then quotes the sentence of the document that holds the answer.",
          "(Send /draft_cancel to leave it as it is.)",
        ].join("\n"),
        { parse_mode: "HTML" },
      );
      return;
    }
    case "s":
      await ctx.answerCallbackQuery();
      return editOrIgnore(ctx, summaryText(d), summaryKeyboard());
    case "j": {
      await ctx.answerCallbackQuery();
      const json = JSON.stringify(kept(R, d), null, 2);
      await ctx.replyWithDocument(new InputFile(new TextEncoder().encode(json), `${d.deck.id}.json`), {
        caption: "The draft as a deck file: edit it anywhere and send it back to upload it (dropped cards are left out).",
      });
      return;
    }
    case "p": {
      const deck = kept(R, d);
      if (deck.cards.length === 0) return ctx.answerCallbackQuery({ text: "Every card is dropped: nothing to publish.", show_alert: true });
      const valid = validateDeck(deck);
      if (!valid.ok) return ctx.answerCallbackQuery({ text: `The draft is not a valid deck: ${valid.problems[0]!.message}`, show_alert: true });
      const stored = await storeDeck(ctx, learner, valid.deck);
      if (!stored.ok) {
        await ctx.answerCallbackQuery();
        await ctx.reply(stored.outcome.report);
        return;
      }
      await ctx.stores.drafts.delete(learner.id);
      await ctx.answerCallbackQuery({ text: "Published" });
      await editOrIgnore(ctx, `✅ Published <b>${esc(deck.title)}</b> as deck <code>${esc(deck.id)}</code> with ${plural(deck.cards.length, "card")}.\nPush it to a class with <code>/push ${esc(deck.id)} &lt;class&gt;</code>, or review it yourself with <code>/review ${esc(deck.id)}</code>.`);
      return;
    }
    case "z":
      await ctx.stores.drafts.delete(learner.id);
      await ctx.answerCallbackQuery({ text: "Discarded" });
      return editOrIgnore(ctx, "🗑 Draft discarded.");
  }
});

draftFeature.command("draft_cancel", async (ctx) => {
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const d = await ctx.stores.drafts.get(learner.id);
  if (d?.editing !== undefined) {
    delete d.editing;
    await ctx.stores.drafts.put(learner.id, d);
  }
  await ctx.reply("Left the card as it was.");
});

/** The corrected card, while a lecturer is editing one ("question | answer"). */
draftFeature.on("message:text", async (ctx, next) => {
  if (ctx.chat.type !== "private" || ctx.message.text.startsWith("/")) return next();
  const d = await ctx.stores.drafts.get(ctx.from.id);
  if (!d || d.editing === undefined) return next();
  ctx.trace.feature = "draft";
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  // A card's front and back are at most 1,000 characters each: cap before anything reads it.
  if (ctx.message.text.length > CARD_LIMITS.front + CARD_LIMITS.back + 20) {
    await ctx.reply(`That is too long for a card: the question and the answer are at most ${CARD_LIMITS.front} characters each. Try again, or send /draft_cancel.`);
    return;
  }
  const R = await loadDrafter();
  const text = ctx.message.text.trim();
  const bar = text.indexOf("|");
  const back = bar > 0 ? text.slice(bar + 1).trim() : "";
  if (bar <= 0 || !text.slice(0, bar).trim() || !back) {
    await ctx.reply("Write it as question | answer (with a | between them), or send /draft_cancel.");
    return;
  }
  const i = d.editing;
  const old = d.deck.cards[i]!;
  const front = R.frontFromEdit(text.slice(0, bar).trim(), back);
  const { card, quote } = R.regroundCard(old, front, back, d.sentences ?? d.deck.cards.flatMap((c) => (c.quote ? [c.quote] : [])));
  const deck = { ...d.deck, cards: d.deck.cards.map((c, k) => (k === i ? card : c)) };
  const valid = validateDeck(deck);
  if (!valid.ok) {
    await ctx.reply(`That card is not valid: ${valid.problems[0]!.message}. Try again, or send /draft_cancel.`);
    return;
  }
  d.deck = valid.deck;
  d.decisions = d.decisions.slice(0, i) + "k" + d.decisions.slice(i + 1);
  delete d.editing;
  await ctx.stores.drafts.put(learner.id, d);
  const msg = cardMessage(R, d, i);
  const grounding = quote
    ? quote === old.quote ? "It still quotes the same sentence." : "It now quotes the sentence of the document that holds the new answer."
    : "No sentence of the document holds the new answer, so the card has no quote.";
  const options = old.distractors && !card.distractors ? " Its wrong options were for the old answer, so it is a review card now (no quiz poll)." : "";
  await ctx.reply(`✏️ Card ${i + 1} updated and kept. ${grounding}${options}\n\n${msg.text}`, { parse_mode: "HTML", reply_markup: msg.kb });
});
