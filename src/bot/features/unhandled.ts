/** Last in the chain: whatever no feature handled still gets a 200 (and, where useful, a hint). */
import { Composer } from "grammy";
import type { BotContext } from "../context";

export const unhandledFeature = new Composer<BotContext>();

unhandledFeature.on("callback_query", async (ctx) => {
  ctx.trace.outcome = "unhandled";
  await ctx.answerCallbackQuery({ text: "This button is no longer active. Send /help to see what I can do." });
});

unhandledFeature.on("message:text", async (ctx) => {
  ctx.trace.outcome = "unhandled";
  if (ctx.chat.type !== "private") return; // stay quiet in groups
  const text = ctx.message.text;
  if (text.startsWith("/")) {
    await ctx.reply("I don't know that command. Send /help to see what I can do.");
  } else {
    await ctx.reply("I'm a study bot: send /review to review your cards, /decks to choose decks, or /help for everything.");
  }
});

unhandledFeature.use((ctx) => {
  ctx.trace.outcome = "unhandled";
});
