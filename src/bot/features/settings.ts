/**
 * /settings (one screen with buttons, or typed: /settings time 07:30, tz Europe/Vienna, length 8,
 * new 15, reviews 200) and /daily (the daily quiz on or off). Buttons carry absolute values, so a
 * double tap sets the same value twice instead of stepping twice.
 */
import { Composer, InlineKeyboard, Keyboard } from "grammy";
import type { BotContext } from "../context";
import { loadLearner, saveLearner, type Learner } from "../learner";
import { localMinuteOfDay, parseTimezone } from "../../srs/days";
import { CITIES, NEAR_KM, ZONES, zoneForLocation } from "../zones";
import { syncSlot } from "../../store/schedule";
import { esc } from "../../learner/render";
import { editOrIgnore } from "../edit";
import { argFits, MAX_ARG } from "../../learner/callback-data";
import type { Settings } from "../../store/users";

export const settingsFeature = new Composer<BotContext>();

export const RANGES = {
  quizLength: [1, 20],
  newPerDay: [0, 200],
  reviewsPerDay: [1, 1000],
} as const;

export function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** Parses "7:30", "07:30", "7.30", "730", "19h" into minutes after midnight (rounded to 15). */
export function parseTime(input: string): { ok: true; minute: number; rounded: boolean } | { ok: false; error: string } {
  const m = /^(\d{1,2})(?:[:.h]?(\d{2}))?h?$/i.exec(input.trim());
  if (!m) return { ok: false, error: `“${input.slice(0, 20)}” is not a time. Write it as HH:MM, e.g. 07:30 or 19:00.` };
  const h = Number(m[1]), mm = Number(m[2] ?? 0);
  if (h > 23 || mm > 59) return { ok: false, error: `“${input.slice(0, 20)}” is not a time of day (00:00–23:59).` };
  const raw = h * 60 + mm;
  const minute = (Math.round(raw / 15) * 15) % 1440;
  return { ok: true, minute, rounded: minute !== raw };
}

function settingsText(learner: Learner, note = ""): string {
  const s = learner.doc.settings;
  const now = localMinuteOfDay(learner.now, learner.doc.tz);
  return [
    "⚙️ <b>Settings</b>",
    "",
    `🔔 Daily quiz: <b>${s.dailyOn ? `on — every day at ${hhmm(s.dailyAt)}` : "off"}</b>`,
    `⏰ Quiz time: ${hhmm(s.dailyAt)}`,
    `🌍 Timezone: ${esc(learner.doc.tz)} (it is ${hhmm(now)} there now)`,
    `❓ Quiz length: ${s.quizLength} questions`,
    `🆕 New cards per day: ${s.newPerDay}`,
    `📚 Reviews per day: at most ${s.reviewsPerDay}`,
    "",
    "Tap to change, or type for example:",
    "<code>/settings time 07:30</code> · <code>/settings tz Europe/Vienna</code> · <code>/settings tz +02:00</code>",
    "<code>/settings length 8</code> · <code>/settings new 15</code> · <code>/settings reviews 200</code>",
    note ? `\n${note}` : "",
  ].join("\n").trimEnd();
}

const clamp = (v: number, [lo, hi]: readonly [number, number]) => Math.max(lo, Math.min(hi, v));

function settingsKeyboard(learner: Learner): InlineKeyboard {
  const s = learner.doc.settings;
  const t = (d: number) => `S:t:${(s.dailyAt + d + 1440) % 1440}`;
  return new InlineKeyboard()
    .text(s.dailyOn ? "🔔 Daily quiz: on — turn off" : "🔕 Daily quiz: off — turn on", `S:d:${s.dailyOn ? 0 : 1}`)
    .row()
    .text("⏰ −1h", t(-60)).text("−15m", t(-15)).text("+15m", t(15)).text("+1h", t(60))
    .row()
    .text("❓ −1", `S:q:${clamp(s.quizLength - 1, RANGES.quizLength)}`).text(`Quiz: ${s.quizLength}`, "S:i:q").text("+1", `S:q:${clamp(s.quizLength + 1, RANGES.quizLength)}`)
    .row()
    .text("🆕 −5", `S:n:${clamp(s.newPerDay - 5, RANGES.newPerDay)}`).text(`New/day: ${s.newPerDay}`, "S:i:n").text("+5", `S:n:${clamp(s.newPerDay + 5, RANGES.newPerDay)}`)
    .row()
    .text("🌍 Set my timezone", "S:i:z");
}

export const SHARE_LOCATION = "📍 Share my location";
export const CANCEL_LOCATION = "✖️ Cancel";

function zoneText(learner: Learner): string {
  const now = localMinuteOfDay(learner.now, learner.doc.tz);
  return [
    "🌍 <b>Your timezone</b>",
    `Now: ${esc(learner.doc.tz)} (it is ${hhmm(now)} there).`,
    "",
    "Tap your zone (the time shown is the time there now), or share your location: I set the zone of the nearest of " +
      `${CITIES.length} cities I know — your location itself is not stored.`,
    "Not listed? Type <code>/settings tz Region/City</code> or an offset like <code>/settings tz +05:45</code>.",
  ].join("\n");
}

function zoneKeyboard(learner: Learner): InlineKeyboard {
  const kb = new InlineKeyboard();
  ZONES.forEach((z, i) => {
    kb.text(`${z.tz === learner.doc.tz ? "✓ " : ""}${z.label} · ${hhmm(localMinuteOfDay(learner.now, z.tz))}`, `S:z:${i}`);
    if (i % 3 === 2) kb.row();
  });
  return kb.row().text(SHARE_LOCATION, "S:i:l").text("« Settings", "S:i:b");
}

type Change = { field: "dailyOn"; value: boolean } | { field: "dailyAt" | "quizLength" | "newPerDay" | "reviewsPerDay"; value: number } | { field: "tz"; value: string };

/** Applies a change: the schedule index first (so a failed user write leaves at worst a stray index key the cron cleans up), then the record. */
export async function applySettings(ctx: BotContext, learner: Learner, change: Change): Promise<void> {
  const doc = learner.doc;
  if (change.field === "tz") doc.tz = change.value;
  else if (change.field === "dailyOn") doc.settings.dailyOn = change.value;
  else doc.settings[change.field] = change.value;
  await syncSlot(ctx.stores.schedule, learner.id, doc, ctx.deps.now());
  await saveLearner(ctx, learner);
}

async function showSettings(ctx: BotContext, learner: Learner, note = "", edit = false) {
  const text = settingsText(learner, note);
  if (edit) await editOrIgnore(ctx, text, settingsKeyboard(learner));
  else await ctx.reply(text, { parse_mode: "HTML", reply_markup: settingsKeyboard(learner) });
}

/** Parses `/settings <what> <value>` into a change or an error message. */
export function parseSettingsCommand(arg: string): Change | { error: string } | null {
  const m = /^(\S+)\s*(.*)$/s.exec(arg.trim());
  if (!m) return null;
  const what = m[1]!.toLowerCase();
  const value = m[2]!.trim();
  const num = (field: "quizLength" | "newPerDay" | "reviewsPerDay", label: string): Change | { error: string } => {
    const [lo, hi] = RANGES[field];
    if (!/^\d{1,4}$/.test(value) || Number(value) < lo || Number(value) > hi) return { error: `${label} must be a whole number from ${lo} to ${hi}, e.g. <code>/settings ${what} ${Math.min(hi, Math.max(lo, 10))}</code>.` };
    return { field, value: Number(value) };
  };
  switch (what) {
    case "time":
    case "at": {
      const t = parseTime(value);
      return t.ok ? { field: "dailyAt", value: t.minute } : { error: esc(t.error) };
    }
    case "tz":
    case "timezone":
    case "zone": {
      const tz = parseTimezone(value);
      return tz.ok ? { field: "tz", value: tz.tz } : { error: esc(tz.error) };
    }
    case "length":
    case "quiz":
      return num("quizLength", "The quiz length");
    case "new":
      return num("newPerDay", "New cards per day");
    case "reviews":
      return num("reviewsPerDay", "Reviews per day");
    case "daily":
      if (/^(on|yes|1)$/i.test(value)) return { field: "dailyOn", value: true };
      if (/^(off|no|0)$/i.test(value)) return { field: "dailyOn", value: false };
      return { error: "Write <code>/settings daily on</code> or <code>/settings daily off</code>." };
    default:
      return { error: `I don't know the setting “${esc(what.slice(0, 30))}”. Settings: time, tz, length, new, reviews, daily.` };
  }
}

settingsFeature.command("settings", async (ctx) => {
  ctx.trace.feature = "settings";
  if (ctx.chat.type !== "private") return;
  const learner = await loadLearner(ctx);
  if (!argFits(ctx.match)) {
    await ctx.reply(`⚠️ That setting is too long (at most ${MAX_ARG} characters). For example: /settings time 07:30 or /settings tz Europe/Vienna.`);
    return;
  }
  const arg = ctx.match.trim();
  if (!arg) return showSettings(ctx, learner);
  if (/^(tz|timezone|zone)$/i.test(arg)) {
    await ctx.reply(zoneText(learner), { parse_mode: "HTML", reply_markup: zoneKeyboard(learner) });
    return;
  }
  const change = parseSettingsCommand(arg);
  if (!change) return showSettings(ctx, learner);
  if ("error" in change) {
    await ctx.reply(`⚠️ ${change.error}`, { parse_mode: "HTML" });
    return;
  }
  let note = "";
  if (change.field === "dailyAt") {
    const t = parseTime(arg.replace(/^\S+\s*/, ""));
    if (t.ok && t.rounded) note = `Quiz times go in 15-minute steps: set to ${hhmm(t.minute)}.`;
  }
  await applySettings(ctx, learner, change);
  await showSettings(ctx, learner, note ? `✅ Saved. ${note}` : "✅ Saved.");
});

settingsFeature.command("daily", async (ctx) => {
  ctx.trace.feature = "settings";
  if (ctx.chat.type !== "private") return;
  const arg = argFits(ctx.match) ? ctx.match.trim().toLowerCase() : "?";
  if (arg !== "" && arg !== "on" && arg !== "off") {
    await ctx.reply("Send /daily to turn the daily quiz on or off, or /daily on, /daily off.");
    return;
  }
  const learner = await loadLearner(ctx);
  // A bare /daily toggles; Telegram redelivering that same message must not toggle it back.
  const redelivered = !arg && learner.doc.daily.toggled === ctx.msg.message_id;
  const on = arg === "on" ? true : arg === "off" ? false : redelivered ? learner.doc.settings.dailyOn : !learner.doc.settings.dailyOn;
  if (!arg) learner.doc.daily.toggled = ctx.msg.message_id;
  await applySettings(ctx, learner, { field: "dailyOn", value: on });
  const s = learner.doc.settings;
  const lines = on
    ? [`🔔 Daily quiz is <b>on</b>: ${s.quizLength} questions every day at <b>${hhmm(s.dailyAt)}</b> (${esc(learner.doc.tz)}).`, "Change the time or timezone in /settings. Send /daily again to turn it off."]
    : ["🔕 Daily quiz is <b>off</b>. Send /daily to turn it on again."];
  const askZone = on && learner.doc.tz === "UTC";
  if (askZone) lines.push("Tip: your timezone is UTC — tap below to choose yours, so the quiz comes at your local time.");
  if (on && learner.subscribed().length === 0) lines.push("You have no decks yet: choose some in /decks so the quiz has questions.");
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", ...(askZone ? { reply_markup: new InlineKeyboard().text("🌍 Set my timezone", "S:i:z") } : {}) });
});

settingsFeature.callbackQuery(/^S:/, async (ctx) => {
  ctx.trace.feature = "settings";
  const m = /^S:([dtqnriz]):([0-9a-z]{1,4})$/.exec(ctx.callbackQuery.data);
  if (!m) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  const [, f, raw] = m;
  if (f === "i" && (raw === "z" || raw === "b")) {
    // The zone picker, or back from it to the settings, edited in place.
    const learner = await loadLearner(ctx);
    await ctx.answerCallbackQuery();
    if (raw === "z") await editOrIgnore(ctx, zoneText(learner), zoneKeyboard(learner));
    else await showSettings(ctx, learner, "", true);
    return;
  }
  if (f === "i" && raw === "l") {
    // Inline buttons cannot ask for a location; a reply keyboard button can.
    await ctx.answerCallbackQuery();
    await ctx.reply("Tap “📍 Share my location” below (on a phone). I only use it to pick your timezone and do not store it.", {
      reply_markup: new Keyboard().requestLocation(SHARE_LOCATION).row().text(CANCEL_LOCATION).resized().oneTime(),
    });
    return;
  }
  if (f === "z") {
    // The table's zones are valid IANA names (tested), stored as they are.
    const zone = /^\d{1,2}$/.test(raw!) ? ZONES[Number(raw)] : undefined;
    if (!zone) return ctx.answerCallbackQuery({ text: "That button is not valid." });
    const learner = await loadLearner(ctx);
    if (learner.doc.tz === zone.tz) await ctx.answerCallbackQuery({ text: "Already set ✓" });
    else {
      await applySettings(ctx, learner, { field: "tz", value: zone.tz });
      await ctx.answerCallbackQuery({ text: `Timezone: ${zone.label} ✓` });
    }
    await showSettings(ctx, learner, `✅ Timezone: ${esc(zone.tz)}.`, true);
    return;
  }
  if (f === "i") {
    const hints: Record<string, string> = {
      q: "Questions per quiz: use −1 / +1, or type /settings length 8",
      n: "New cards introduced per day: use −5 / +5, or type /settings new 15",
    };
    return ctx.answerCallbackQuery({ text: hints[raw!] ?? "Use the buttons or type /settings …" });
  }
  const n = Number(raw);
  let change: Change | null = null;
  if (f === "d" && (raw === "0" || raw === "1")) change = { field: "dailyOn", value: raw === "1" };
  else if (f === "t" && Number.isInteger(n) && n >= 0 && n < 1440 && n % 15 === 0) change = { field: "dailyAt", value: n };
  else if (f === "q" && n >= RANGES.quizLength[0] && n <= RANGES.quizLength[1]) change = { field: "quizLength", value: n };
  else if (f === "n" && n >= RANGES.newPerDay[0] && n <= RANGES.newPerDay[1]) change = { field: "newPerDay", value: n };
  else if (f === "r" && n >= RANGES.reviewsPerDay[0] && n <= RANGES.reviewsPerDay[1]) change = { field: "reviewsPerDay", value: n };
  if (!change) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  const learner = await loadLearner(ctx);
  const current = learner.doc.settings[change.field as keyof Settings];
  if (current === change.value) {
    await ctx.answerCallbackQuery({ text: "Already set ✓" });
  } else {
    await applySettings(ctx, learner, change);
    await ctx.answerCallbackQuery({ text: "Saved ✓" });
  }
  await showSettings(ctx, learner, "", true);
});

/** A shared location (private chat): the zone of the nearest city in the table; the location is not kept. */
settingsFeature.on("message:location", async (ctx, next) => {
  if (ctx.chat.type !== "private") return next();
  ctx.trace.feature = "settings";
  const { latitude, longitude } = ctx.message.location;
  const found = zoneForLocation(latitude, longitude);
  if (!found) {
    await ctx.reply("I could not read a place from that location. Choose your zone in /settings (🌍 Set my timezone).", { reply_markup: { remove_keyboard: true } });
    return;
  }
  const learner = await loadLearner(ctx);
  const changed = learner.doc.tz !== found.tz;
  if (changed) await applySettings(ctx, learner, { field: "tz", value: found.tz });
  const how = found.city
    ? `the nearest city I know is ${esc(found.city)}, ${found.km} km away`
    : `no city I know is within ${NEAR_KM} km, so I used your longitude's offset`;
  await ctx.reply(
    [
      `🌍 Timezone ${changed ? "set to" : "is already"} <b>${esc(found.tz)}</b> — it is ${hhmm(localMinuteOfDay(learner.now, found.tz))} there now (${how}).`,
      "Your location is not stored. Not right? Choose another zone in /settings.",
    ].join("\n"),
    { parse_mode: "HTML", reply_markup: { remove_keyboard: true } },
  );
});

/** The location button's label arriving as text (a client that cannot share a location), or Cancel. */
settingsFeature.hears([SHARE_LOCATION, CANCEL_LOCATION], async (ctx, next) => {
  if (ctx.chat.type !== "private") return next();
  ctx.trace.feature = "settings";
  const text =
    ctx.message?.text === CANCEL_LOCATION
      ? "OK — your timezone is unchanged."
      : "Your location did not come through (this app may not be able to share it). Choose your zone in /settings → 🌍 Set my timezone.";
  await ctx.reply(text, { reply_markup: { remove_keyboard: true } });
});
