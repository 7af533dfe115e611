/**
 * Lecturers: roles (/lecturer <id>, one-time invite links), deck uploads (send a file), /mydecks,
 * and API tokens (/token). Every lecturer action re-reads the role from storage — on every update,
 * callbacks included; administrators are listed in ADMIN_USER_IDS.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import { isLecturer, loadLearner, type Learner } from "../learner";
import { isAdmin } from "../../env";
import { ingestUpload } from "../../uploads/ingest";
import { UPLOAD_LIMITS } from "../../decks/parsers/types";
import { cut, esc, plural } from "../../learner/render";
import { argFits, MAX_ARG, MAX_DECK_ID, parseDeckId } from "../../learner/callback-data";
import { writeGap } from "../../store/kv";

export const lecturerFeature = new Composer<BotContext>();


/** Loads the sender and checks the lecturer role (from storage); tells a non-lecturer why not. */
export async function requireLecturer(ctx: BotContext): Promise<Learner | null> {
  const learner = await loadLearner(ctx);
  if (await isLecturer(ctx.env, ctx, learner.id)) {
    learner.owns = (await ctx.stores.people.owns(learner.id)) ?? { v: 1, classes: [], decks: [] };
    return learner;
  }
  const text = "That is for lecturers. If you teach a class, ask an administrator of this bot to make you a lecturer.";
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
  else await ctx.reply(text);
  return null;
}

// ---- roles -----------------------------------------------------------------------------------

lecturerFeature.command("lecturer", async (ctx) => {
  ctx.trace.feature = "lecturer";
  const me = ctx.from!.id;
  if (!isAdmin(ctx.env, me)) {
    await ctx.reply("Only administrators can appoint lecturers.");
    return;
  }
  const arg = ctx.match.trim();
  if (arg === "invite") {
    const code = await ctx.stores.lecturers.createInvite(me);
    const link = `https://t.me/${ctx.me.username}?start=lect_${code}`;
    await ctx.reply(`One-time lecturer invite (valid 7 days, for one person):\n${link}`, { link_preview_options: { is_disabled: true } });
    return;
  }
  const m = arg.length <= 40 ? /^(remove\s+)?(\d{1,15})$/.exec(arg) : null;
  if (!m) {
    await ctx.reply("Usage: /lecturer <telegram user id> — make someone a lecturer\n/lecturer remove <id> — take the role away\n/lecturer invite — a one-time invite link\n(Someone's id: they can send /id to this bot.)");
    return;
  }
  const id = Number(m[2]);
  // The role lives in a key only administrators write (never in the person's own record).
  const now = await isLecturer(ctx.env, ctx, id);
  if (m[1]) {
    if (!now) {
      await ctx.reply(`${id} is not a lecturer.`);
      return;
    }
    if (isAdmin(ctx.env, id)) {
      await ctx.reply(`${id} is an administrator (ADMIN_USER_IDS) and stays one.`);
      return;
    }
    await ctx.stores.people.setRole(id, "none", me);
    await ctx.reply(`${id} is no longer a lecturer. Their decks and classes stay.`);
    return;
  }
  if (now) {
    await ctx.reply(`${id} is already a lecturer.`);
    return;
  }
  await ctx.stores.people.setRole(id, "lecturer", me);
  await ctx.reply(`${id} is now a lecturer. They can send /help to see what lecturers can do.`);
});

lecturerFeature.command("id", async (ctx) => {
  ctx.trace.feature = "lecturer";
  await ctx.reply(`Your Telegram user id is ${ctx.from!.id}.`);
});

lecturerFeature.command("start", async (ctx, next) => {
  if (ctx.startPayload?.kind !== "lecturer") return next();
  ctx.trace.feature = "lecturer";
  const me = ctx.from!.id;
  if (await isLecturer(ctx.env, ctx, me)) {
    await ctx.reply("You are already a lecturer. Send /help to see what lecturers can do.");
    return;
  }
  const code = ctx.startPayload.code;
  const by = await ctx.stores.lecturers.useInvite(code, me);
  if (by === null || !isAdmin(ctx.env, by)) {
    await ctx.reply("That invite link is not valid: it was used already or has expired, or whoever made it is no longer an administrator. Ask for a new one.");
    return;
  }
  await ctx.stores.people.setRoleInvite(me, code, by);
  await ctx.reply("🎓 You are now a lecturer. Send a deck file to upload it, or /newclass <name> to create a class. /help lists everything.");
});

// ---- uploads ---------------------------------------------------------------------------------

/** Caption options: `id: my-deck` and `title: My deck` (or a bare slug as the id). */
export function parseCaption(caption: string | undefined): { deckId?: string; title?: string } {
  const out: { deckId?: string; title?: string } = {};
  // Telegram's captions are at most 1,024 characters: anything longer is not read at all.
  if (!caption || caption.length > 1024) return out;
  const id = /(?:^|\s)id\s*[:=]\s*([a-z0-9][a-z0-9-]{0,39})\b/i.exec(caption);
  const title = /(?:^|\s)title\s*[:=]\s*(.+)$/im.exec(caption);
  if (id) out.deckId = id[1]!.toLowerCase();
  else if (/^[a-z0-9][a-z0-9-]{0,39}$/.test(caption.trim())) out.deckId = caption.trim();
  if (title) out.title = title[1]!.trim().slice(0, 80);
  return out;
}

lecturerFeature.on("message:document", async (ctx, next) => {
  if (ctx.chat.type !== "private") return next();
  ctx.trace.feature = "upload";
  const doc = ctx.message.document;
  const caption = ctx.message.caption ?? "";
  if (/^\/draft\b/.test(caption)) return next(); // the drafter takes documents captioned /draft
  const learner = await loadLearner(ctx);
  if (!(await isLecturer(ctx.env, ctx, learner.id))) {
    await ctx.reply("Only lecturers can upload decks. If you teach a class, ask an administrator of this bot to make you a lecturer.");
    return;
  }
  learner.owns = (await ctx.stores.people.owns(learner.id)) ?? { v: 1, classes: [], decks: [] };
  const name = doc.file_name ?? "deck.txt";
  if ((doc.file_size ?? 0) > UPLOAD_LIMITS.bytes) {
    await ctx.reply(`✗ ${name} is ${((doc.file_size ?? 0) / 1048576).toFixed(1)} MiB; decks may be at most 1 MiB — nothing was saved. Split it into smaller decks.`);
    return;
  }
  const bytes = await downloadFile(ctx, doc.file_id);
  const outcome = await ingestUpload(ctx, learner, name, bytes, parseCaption(caption));
  await ctx.reply(outcome.report);
});

/** Downloads a file the user sent (getFile, then the file URL on the configured API root). */
export async function downloadFile(ctx: BotContext, fileId: string): Promise<Uint8Array> {
  const file = await ctx.api.getFile(fileId);
  if (!file.file_path) throw new Error("Telegram gave no file path");
  const root = (ctx.env.TELEGRAM_API_ROOT || "https://api.telegram.org").replace(/\/+$/, "");
  const res = await (ctx.deps.fetch ?? fetch)(`${root}/file/bot${ctx.env.BOT_TOKEN}/${file.file_path}`);
  if (!res.ok) throw new Error(`file download failed: HTTP ${res.status}`);
  const buf = new Uint8Array(await res.arrayBuffer());
  if (buf.length > UPLOAD_LIMITS.bytes + 1) return buf.slice(0, UPLOAD_LIMITS.bytes + 1);
  return buf;
}

lecturerFeature.command("mydecks", async (ctx) => {
  ctx.trace.feature = "lecturer";
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const decks = learner.owns?.decks ?? [];
  if (decks.length === 0) {
    await ctx.reply("You have not uploaded any decks yet. Send a file (JSON, CSV/TSV with a header row front,back,…, an Anki “Notes in Plain Text” export or a Quizlet export) to upload one.");
    return;
  }
  const lines = [
    "<b>Your decks</b>",
    ...decks.map((d) => `• <code>${esc(d.id)}</code> — ${esc(d.title)} (${plural(d.cards, "card")}${d.public ? ", public" : ""})`),
    "",
    "Push one with <code>/push &lt;deck&gt; &lt;class&gt;</code>. Re-upload a file with the same id to replace a deck.",
    "Decks are private (you and the classes you push them to); <code>/publicdeck &lt;deck&gt; on</code> lets anyone open one by its id.",
  ];
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
});

// ---- public or private -------------------------------------------------------------------------

const PUBLIC_USAGE =
  "Usage: /publicdeck <deck id> on — anyone can open the deck by its id (/review, /quiz, its link)\n/publicdeck <deck id> off — private again: only you and the students of classes you pushed it to\nYour deck ids: /mydecks";

/**
 * /publicdeck <deck id> on|off: the deck's owner marks it public (anyone may open it by id) or
 * private again. The role is checked first, then the argument (length, then the deck id's
 * pattern, then on/off); the flag lives in the deck's own value, so learners' checks cost no read.
 */
lecturerFeature.command("publicdeck", async (ctx) => {
  ctx.trace.feature = "lecturer";
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const arg = ctx.match;
  if (!argFits(arg)) {
    await ctx.reply(`That is ${arg.length} characters; a deck id and on/off are under ${MAX_ARG}. ${PUBLIC_USAGE}`);
    return;
  }
  const words = arg.trim().split(/\s+/);
  if (words.length !== 2 || !words[0]) {
    await ctx.reply(PUBLIC_USAGE);
    return;
  }
  const id = parseDeckId(words[0]);
  if (!id) {
    await ctx.reply(`“${cut(words[0], 60)}” is not a deck id (up to ${MAX_DECK_ID} lower-case letters, digits and dashes). ${PUBLIC_USAGE}`);
    return;
  }
  const word = words[1]!.toLowerCase();
  const pub = word === "on" ? true : word === "off" ? false : null;
  if (pub === null) {
    await ctx.reply(`Say “on” or “off” after the deck id, not “${cut(words[1]!, 20)}”. ${PUBLIC_USAGE}`);
    return;
  }
  if (ctx.decks.isBundled(id)) {
    await ctx.reply(`“${id}” is a built-in deck: built-in decks are open to everyone.`);
    return;
  }
  const r = await ctx.stores.decks.setPublic(id, learner.id, pub);
  if (r.status === "missing") {
    await ctx.reply(`There is no deck “${id}”. Your deck ids are in /mydecks.`);
    return;
  }
  if (r.status === "not-owner") {
    await ctx.reply(`“${id}” is not your deck: only the lecturer who uploaded it can make it public or private. Your deck ids are in /mydecks.`);
    return;
  }
  // The listing in the lecturer's record follows (for /mydecks and the API); the deck's value decides.
  const owns = learner.owns!;
  const entry = owns.decks.find((d) => d.id === id);
  if (entry && !!entry.public !== pub) {
    if (pub) entry.public = true;
    else delete entry.public;
    await writeGap(ctx.deps, owns.at ?? 0); // on and off sent together: one write a second per key
    await ctx.stores.people.putOwns(learner.id, owns);
  }
  const title = r.deck.deck.title;
  await ctx.reply(
    pub
      ? `${r.status === "unchanged" ? "Already public" : "Public now"}: “${title}” (${id}) — anyone can open it with /review ${id}, /quiz ${id} or https://t.me/${ctx.me.username}?start=deck_${id}.`
      : `${r.status === "unchanged" ? "Already private" : "Private now"}: “${title}” (${id}) — only you and the students of classes you pushed it to can open it; anyone else who has it is told it is no longer shared, and keeps their progress.`,
    { link_preview_options: { is_disabled: true } },
  );
});

// ---- API tokens ------------------------------------------------------------------------------

lecturerFeature.command("token", async (ctx) => {
  ctx.trace.feature = "lecturer";
  if (ctx.chat.type !== "private") return;
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const owns = learner.owns!;
  if (ctx.match.trim() === "revoke") {
    if (!owns.token) {
      await ctx.reply("You have no API token.");
      return;
    }
    await ctx.stores.lecturers.revokeToken(owns.token);
    delete owns.token;
    await ctx.stores.people.putOwns(learner.id, owns);
    await ctx.reply("Your API token is revoked: it no longer works.");
    return;
  }
  if (owns.token) await ctx.stores.lecturers.revokeToken(owns.token);
  const { token, hash } = await ctx.stores.lecturers.issueToken(learner.id);
  owns.token = hash;
  await ctx.stores.people.putOwns(learner.id, owns);
  await ctx.reply(
    [
      "🔑 Your API token (shown once — keep it secret; any earlier token no longer works):",
      `<code>${token}</code>`,
      "",
      "Upload a deck from a script:",
      `<code>curl -X POST -H "Authorization: Bearer ${token}" --data-binary @cards.csv "https://&lt;your worker&gt;/api/decks?name=cards.csv&amp;id=my-deck"</code>`,
      "",
      "Revoke it with /token revoke.",
    ].join("\n"),
    { parse_mode: "HTML", reply_markup: new InlineKeyboard().text("❓ Help", "h") },
  );
});
