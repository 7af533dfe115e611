/** Editing a button's message in place — shared by every feature that answers a button. */
import type { InlineKeyboard } from "grammy";
import type { BotContext } from "./context";

/** Edits the callback's message; "message is not modified" (a double tap) is not an error. */
export async function editOrIgnore(ctx: BotContext, text: string, reply_markup?: InlineKeyboard): Promise<void> {
  const msg = ctx.callbackQuery?.message;
  if (msg && (!("text" in msg) || msg.text === undefined)) {
    // A button on a message without text (a poll or a document; callback data need not match the
    // message's buttons): nothing to edit, so answer with a new message.
    await ctx.reply(text, { parse_mode: "HTML", ...(reply_markup ? { reply_markup } : {}), link_preview_options: { is_disabled: true } });
    return;
  }
  try {
    await ctx.editMessageText(text, { parse_mode: "HTML", ...(reply_markup ? { reply_markup } : {}), link_preview_options: { is_disabled: true } });
  } catch (err) {
    if (isNotModified(err)) return;
    throw err;
  }
}

export function isNotModified(err: unknown): boolean {
  return err instanceof Error && /message is not modified/i.test(err.message);
}
