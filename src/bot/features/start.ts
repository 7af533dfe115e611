/** /start (with deep-link payloads) and /help. */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import { cb } from "../../learner/callback-data";
import { isAdmin } from "../../env";
import { esc } from "../../learner/render";
import { isLecturer, loadLearner } from "../learner";
import { CITIES } from "../zones";

export const startFeature = new Composer<BotContext>();

/** Deep-link payloads: `join_<code>` (a class), `lect_<code>` (a lecturer invite), `deck_<id>` (a deck's page), `review`, `quiz`. */
export type StartPayload =
  | { kind: "none" }
  | { kind: "join"; code: string }
  | { kind: "deck"; id: string }
  | { kind: "review" }
  | { kind: "quiz" }
  | { kind: "lecturer"; code: string }
  | { kind: "unknown" };

export function parseStartPayload(payload: string): StartPayload {
  // Telegram's payloads are at most 64 characters: cap before trimming or matching anything.
  if (payload.length > 128) return { kind: "unknown" };
  const p = payload.trim();
  if (!p) return { kind: "none" };
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(p)) return { kind: "unknown" };
  let m = /^join_([A-Za-z0-9_-]{8,58})$/.exec(p);
  if (m) return { kind: "join", code: m[1]! };
  m = /^lect_([A-Za-z0-9_-]{16,40})$/.exec(p);
  if (m) return { kind: "lecturer", code: m[1]! };
  m = /^deck_([a-z0-9][a-z0-9-]{0,39})$/.exec(p);
  if (m) return { kind: "deck", id: m[1]! };
  if (p === "review") return { kind: "review" };
  if (p === "quiz") return { kind: "quiz" };
  return { kind: "unknown" };
}

export function welcomeText(firstName: string | undefined): string {
  const hello = firstName ? `👋 Welcome to Lectern, ${esc(firstName)}!` : "👋 Welcome to Lectern!";
  return [
    hello,
    "",
    "Lectern helps you <b>remember what you study</b>: short flashcard reviews in this chat, each card with the passage of the source it comes from, scheduled by spaced repetition (SM-2) so you see a card again just before you would forget it — plus a daily quiz if you like.",
    "",
    "<b>What to do next</b>",
    "1. /decks — pick a deck to study (tap <i>Subscribe</i>)",
    "2. /review — go through today's cards",
    "3. /quiz — a 5-question quiz from your decks",
    "",
    "/help lists everything I can do.",
  ].join("\n");
}

export const startKeyboard = () =>
  new InlineKeyboard().text("📚 Browse decks", cb.catalogue()).text("▶️ Review now", cb.deck("R", "*")).row().text("❓ Help", cb.help());

/** What a lecturer sees on /start under the welcome. */
export const LECTURER_START = [
  "",
  "🎓 <b>Your lecturer tools</b>",
  "• Send a deck file (JSON, CSV/TSV, Anki or Quizlet export) to upload it — /mydecks lists yours",
  "• /newclass <code>&lt;name&gt;</code> — a class with its join link; /classes — your classes",
  "• /push — send a deck to a class (buttons; deck ids are shown in /decks)",
  "• /classstats <code>&lt;class&gt;</code> — how the class is doing; /classexport as CSV",
  "• /draft — draft a deck from a document",
  "• /token — a token for the HTTP API",
].join("\n");

export const lecturerStartKeyboard = () =>
  new InlineKeyboard().text("📣 Push a deck to a class", cb.push()).row().text("📚 Browse decks", cb.catalogue()).text("▶️ Review now", cb.deck("R", "*")).row().text("❓ Help", cb.help());

export const HELP_TEXT = [
  "<b>Lectern — commands</b>",
  "",
  "<b>Study</b>",
  "/decks — browse decks, subscribe and unsubscribe",
  "/review — review today's cards (all your decks); <code>/review &lt;deck&gt;</code> for one deck",
  "/quiz — a short multiple-choice quiz; <code>/quiz &lt;deck&gt;</code> for one deck",
  "/daily — turn the daily quiz on or off",
  "/stats — your progress, streak and forecast",
  "/settings — quiz time, timezone, quiz length, new cards per day",
  `🌍 <i>Timezone:</i> tap your zone, or share your location — I set the zone of the nearest of the ${CITIES.length} cities I know (far out at sea: your longitude's offset) and do not store the location.`,
  "/export — your progress as a spreadsheet (CSV)",
  "/forget — delete everything Lectern stores about you",
  "/join <code>&lt;code&gt;</code> — join a class with the code your lecturer gave you; /classes — your classes; <code>/leave &lt;code&gt;</code> — leave one",
  "/id — your Telegram user id",
  "",
  "<b>How reviewing works</b>",
  "You see the question, think of the answer, tap <i>Show answer</i>, then grade yourself: <i>Again</i> (forgot), <i>Hard</i>, <i>Good</i> or <i>Easy</i>. Each button shows when you would see the card next. Cards you found hard come back later in the same session.",
].join("\n");

export const LECTURER_HELP = [
  "",
  "<b>Lecturers</b>",
  "Send a deck file (JSON, CSV/TSV, Anki text export or Quizlet export) to upload it.",
  "/mydecks — your uploaded decks",
  "/publicdeck <code>&lt;deck&gt; on|off</code> — let anyone open one of your decks by its id, or make it private again (uploads are private: you and the classes you push them to)",
  "/newclass <code>&lt;name&gt;</code> — create a class and get its join link",
  "/classes — your classes (rename, close, remove a student)",
  "/push <code>&lt;deck&gt; &lt;class&gt;</code> — send a deck to every student of a class (/push alone: choose with buttons; deck ids are in /decks)",
  "/classstats <code>&lt;class&gt;</code> — how the class is doing; /classexport <code>&lt;class&gt;</code> as CSV",
  "/draft — draft a deck from a document",
  "/token — a token for the HTTP API (<code>/token revoke</code> to revoke it)",
].join("\n");

startFeature.command("start", async (ctx, next) => {
  const payload = parseStartPayload(typeof ctx.match === "string" ? ctx.match : "");
  if (payload.kind !== "none" && payload.kind !== "unknown") {
    // Handled by the classes, decks, review and quiz features, further down the chain.
    ctx.startPayload = payload;
    return next();
  }
  ctx.trace.feature = "start";
  let text = welcomeText(ctx.from?.first_name);
  const lecturer = ctx.chat?.type === "private" && ctx.from !== undefined && (await isLecturer(ctx.env, ctx, ctx.from.id));
  if (lecturer) text += `\n${LECTURER_START}`;
  if (payload.kind === "unknown") text += "\n\n<i>(That link was not one I know — here is the start page instead.)</i>";
  await ctx.reply(text, { parse_mode: "HTML", reply_markup: lecturer ? lecturerStartKeyboard() : startKeyboard(), link_preview_options: { is_disabled: true } });
});

startFeature.command("help", async (ctx) => {
  ctx.trace.feature = "help";
  await ctx.reply(await helpFor(ctx), { parse_mode: "HTML" });
});

startFeature.callbackQuery("h", async (ctx) => {
  ctx.trace.feature = "help";
  await ctx.answerCallbackQuery();
  await ctx.reply(await helpFor(ctx), { parse_mode: "HTML" });
});

async function helpFor(ctx: BotContext): Promise<string> {
  const id = ctx.from?.id;
  if (id === undefined) return HELP_TEXT;
  if (isAdmin(ctx.env, id)) return HELP_TEXT + LECTURER_HELP + "\n/lecturer <code>&lt;user id&gt;</code> — make someone a lecturer (admins)";
  return (await isLecturer(ctx.env, ctx, id)) ? HELP_TEXT + LECTURER_HELP : HELP_TEXT;
}


declare module "grammy" {
  interface Context {
    /** Set by /start for a deep link another feature handles. */
    startPayload?: StartPayload;
  }
}
