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
import { esc, plural } from "../../learner/render";

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
  const lines = ["<b>Your decks</b>", ...decks.map((d) => `• <code>${esc(d.id)}</code> — ${esc(d.title)} (${plural(d.cards, "card")})`), "", "Push one with <code>/push &lt;deck&gt; &lt;class&gt;</code>. Re-upload a file with the same id to replace a deck."];
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
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
