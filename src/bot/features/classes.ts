/**
 * Classes: /newclass, /classes, /renameclass, /closeclass, /removestudent, /push, /classstats,
 * /classexport for lecturers; /join (or the join link) and /leave for students. Fan-out (push,
 * class stats) runs in the JOBS queue — see jobs/fanout.ts.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import { appUrl } from "../../env";
import { loadLearner, readLearner, saveLearner, type Learner } from "../learner";
import { requireLecturer } from "./lecturer";
import { CODE_RE, newClassCode, type ClassDoc } from "../../store/classes";
import { startRun, type RunDoc } from "../../jobs/fanout";
import { cut, esc } from "../../learner/render";
import type { OwnsDoc } from "../../store/people";
import { argFits, MAX_ARG, MAX_DECK_ID, parseDeckId } from "../../learner/callback-data";
import { cb, unpackPush } from "../../learner/callback-data";
import { editOrIgnore } from "../edit";

export const classesFeature = new Composer<BotContext>();

const MAX_NAME = 60;
const MAX_CLASSES = 50;

type OwnedClass = OwnsDoc["classes"][number];

export function joinLink(ctx: BotContext, code: string): string {
  return `https://t.me/${ctx.me.username}?start=join_${code}`;
}

function cleanName(raw: string): string | null {
  if (!argFits(raw)) return null;
  const name = raw.replace(/\s+/g, " ").trim();
  return name && name.length <= MAX_NAME ? name : null;
}

/** A lecturer's class by join code, exact name, or unique name prefix (case-insensitive). */
export function findOwnClass(learner: Learner, ref: string): OwnedClass | string {
  const classes = learner.owns?.classes ?? [];
  if (!argFits(ref)) return `That class name is too long (at most ${MAX_ARG} characters). Your classes: /classes.`;
  const r = ref.trim();
  if (!r) return "Name the class (or give its code).";
  const byCode = classes.find((c) => c.code === r);
  if (byCode) return byCode;
  const lower = r.toLowerCase();
  const exact = classes.filter((c) => c.name.toLowerCase() === lower);
  if (exact.length === 1) return exact[0]!;
  const prefix = classes.filter((c) => c.name.toLowerCase().startsWith(lower));
  if (prefix.length === 1) return prefix[0]!;
  if (prefix.length > 1) return `“${esc(cut(r, 60))}” matches ${prefix.length} of your classes: ${prefix.map((c) => esc(c.name)).join(", ")}. Be more precise.`;
  return `You have no class called “${esc(cut(r, 60))}”. Your classes: /classes.`;
}

/** Splits "<deck> <class name…>" — the first word is the deck id. */
function deckAndClass(arg: string): [string, string] {
  if (!argFits(arg)) return ["", ""];
  const m = /^(\S+)\s+(.+)$/s.exec(arg.trim());
  return m ? [m[1]!, m[2]!] : [arg.trim(), ""];
}

/** The lecturer's first name, as a join link shows it ("Join <class> by <first name>?"). */
function lecturerFirstName(ctx: BotContext): string {
  return (ctx.from?.first_name ?? "").replace(/\s+/g, " ").trim().slice(0, 60);
}

/** The lecturer as students see them: the first name only. */
function displayName(ctx: BotContext): string {
  return (ctx.from!.first_name || "Your lecturer").slice(0, 60);
}

/** Pushes a class remembers (their delivery keys are deleted by a student's /forget). */
const MAX_RUNS = 30;

classesFeature.command("newclass", async (ctx) => {
  ctx.trace.feature = "classes";
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const name = cleanName(ctx.match);
  if (!name) {
    await ctx.reply(`Give the class a name (up to ${MAX_NAME} characters): /newclass Criminology 101`);
    return;
  }
  const owns = learner.owns!;
  if (owns.classes.length >= MAX_CLASSES) {
    await ctx.reply(`You have ${owns.classes.length} classes, the most one lecturer can keep. Close and remove one first.`);
    return;
  }
  if (owns.classes.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
    await ctx.reply(`You already have a class called “${name}”. Choose another name.`);
    return;
  }
  let code = newClassCode(ctx.deps);
  while (await ctx.stores.classes.get(code)) code = newClassCode(ctx.deps); // 72 random bits: practically never
  const doc: ClassDoc = { v: 1, code, name, owner: learner.id, by: lecturerFirstName(ctx), created: ctx.deps.now(), decks: [] };
  await ctx.stores.classes.put(doc);
  owns.classes.push({ code, name });
  await ctx.stores.people.putOwns(learner.id, owns);
  await ctx.reply(
    [
      `🏫 Class <b>${esc(name)}</b> created.`,
      "",
      "Students join with this link:",
      esc(joinLink(ctx, code)),
      `or by sending <code>/join ${code}</code> to me.`,
      "",
      `Then send a deck to the whole class: <code>/push &lt;deck&gt; ${esc(name)}</code>`,
    ].join("\n"),
    { parse_mode: "HTML", link_preview_options: { is_disabled: true } },
  );
});

classesFeature.command("classes", async (ctx) => {
  ctx.trace.feature = "classes";
  const learner = await loadLearner(ctx);
  const owned = (await ctx.stores.people.owns(learner.id))?.classes ?? [];
  const lines: string[] = [];
  if (owned.length) {
    lines.push("<b>Your classes</b> (as lecturer)");
    for (const c of owned) lines.push(`• <b>${esc(c.name)}</b>${c.closed ? " (closed)" : ""} — code <code>${c.code}</code>\n  ${esc(joinLink(ctx, c.code))}`);
    lines.push("", "/classstats &lt;class&gt; · /classexport &lt;class&gt; · /push &lt;deck&gt; &lt;class&gt;", "/renameclass &lt;class&gt; = &lt;new name&gt; · /closeclass &lt;class&gt; · /removestudent &lt;class&gt; &lt;student id&gt;");
  }
  if (learner.doc.classes.length) {
    if (lines.length) lines.push("");
    lines.push("<b>Classes you are in</b>");
    const removed: string[] = [];
    for (const code of learner.doc.classes) {
      const c = await ctx.stores.classes.get(code);
      if (c && !(await ctx.stores.classes.member(code, learner.id))) {
        lines.push(`• ${esc(c.name)} — your lecturer removed you from this class`);
        removed.push(code);
        continue;
      }
      lines.push(c ? `• ${esc(c.name)}${c.closed ? " (closed)" : ""} — leave with <code>/leave ${code}</code>` : `• ${code} (no longer exists)`);
    }
    if (removed.length) {
      learner.doc.classes = learner.doc.classes.filter((c) => !removed.includes(c));
      await saveLearner(ctx, learner);
    }
  }
  if (!lines.length) lines.push("You are not in any class. Join one with the link or code your lecturer gave you: <code>/join &lt;code&gt;</code>");
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
});

/** Loads one of the sender's own classes for a lecturer action (role checked from storage). */
async function ownClass(ctx: BotContext, ref: string, checked?: Learner): Promise<{ learner: Learner; owned: OwnedClass; doc: ClassDoc } | null> {
  const learner = checked ?? (await requireLecturer(ctx));
  if (!learner) return null;
  const owned = findOwnClass(learner, ref);
  if (typeof owned === "string") {
    await ctx.reply(owned, { parse_mode: "HTML" });
    return null;
  }
  const doc = await ctx.stores.classes.get(owned.code);
  if (!doc || doc.owner !== learner.id) {
    await ctx.reply("That class no longer exists.");
    return null;
  }
  return { learner, owned, doc };
}

classesFeature.command("renameclass", async (ctx) => {
  ctx.trace.feature = "classes";
  // The role first: nobody else's argument reaches a pattern.
  const lecturer = await requireLecturer(ctx);
  if (!lecturer) return;
  const m = argFits(ctx.match) ? /^(.+?)\s*=\s*(.+)$/s.exec(ctx.match) : null;
  if (!m) {
    await ctx.reply("Usage: /renameclass <class> = <new name>");
    return;
  }
  const name = cleanName(m[2]!);
  if (!name) {
    await ctx.reply(`The new name must be 1 to ${MAX_NAME} characters.`);
    return;
  }
  const found = await ownClass(ctx, m[1]!, lecturer);
  if (!found) return;
  found.doc.name = name;
  found.doc.by = lecturerFirstName(ctx);
  await ctx.stores.classes.put(found.doc);
  found.owned.name = name;
  await ctx.stores.people.putOwns(found.learner.id, found.learner.owns!);
  await ctx.reply(`Renamed to “${name}”.`);
});

classesFeature.command("closeclass", async (ctx) => {
  ctx.trace.feature = "classes";
  const found = await ownClass(ctx, ctx.match);
  if (!found) return;
  if (found.doc.closed) {
    await ctx.reply(`“${found.doc.name}” is already closed.`);
    return;
  }
  found.doc.closed = ctx.deps.now();
  await ctx.stores.classes.put(found.doc);
  found.owned.closed = true;
  await ctx.stores.people.putOwns(found.learner.id, found.learner.owns!);
  await ctx.reply(`“${found.doc.name}” is closed: nobody new can join. Students keep their decks and progress.`);
});

classesFeature.command("removestudent", async (ctx) => {
  ctx.trace.feature = "classes";
  const lecturer = await requireLecturer(ctx);
  if (!lecturer) return;
  const m = argFits(ctx.match) ? /^(.+?)\s+(\d{1,15})$/s.exec(ctx.match.trim()) : null;
  if (!m) {
    await ctx.reply("Usage: /removestudent <class> <student id> — the ids are in /classexport.");
    return;
  }
  const found = await ownClass(ctx, m[1]!, lecturer);
  if (!found) return;
  const uid = Number(m[2]);
  const member = await ctx.stores.classes.member(found.doc.code, uid);
  if (!member) {
    await ctx.reply(`${uid} is not in “${found.doc.name}”.`);
    return;
  }
  // Only the membership key (the class's roster) changes: the student's own record is theirs; their
  // /classes notices the removal and drops the class from it.
  await ctx.stores.classes.removeMember(found.doc.code, uid);
  await ctx.reply(`Removed ${member.name} (${uid}) from “${found.doc.name}”. They keep their own progress.`);
});

// ---- students --------------------------------------------------------------------------------

async function join(ctx: BotContext, code: string): Promise<void> {
  ctx.trace.feature = "classes";
  if (!CODE_RE.test(code)) {
    await ctx.reply("That is not a class code. It has 12 letters, digits, - or _; ask your lecturer for the link.");
    return;
  }
  const doc = await ctx.stores.classes.get(code);
  if (!doc) {
    await ctx.reply("There is no class with that code. Check the link or code with your lecturer.");
    return;
  }
  const learner = await loadLearner(ctx);
  if (learner.doc.classes.includes(code)) {
    await ctx.reply(`You are already in “${doc.name}”.`);
    return;
  }
  if (doc.closed) {
    await ctx.reply(`“${doc.name}” is closed and takes no new students.`);
    return;
  }
  await ctx.stores.classes.addMember(code, learner.id, { v: 1, name: (ctx.from!.first_name || "Student").slice(0, 60), joined: ctx.deps.now() });
  learner.doc.classes.push(code);
  const titles: string[] = [];
  for (const id of doc.decks) {
    const d = await ctx.decks.get(id);
    const i = d ? learner.tableIndex(id) : -1;
    if (d && i >= 0) {
      learner.doc.decks[i]!.sub = true;
      titles.push(d.deck.title);
    }
  }
  (learner.doc.cseen ??= {})[code] = doc.decks.length; // later pushes are folded in by foldClassDecks
  await saveLearner(ctx, learner);
  const lines = [`🎓 You joined <b>${esc(doc.name)}</b>.`];
  if (titles.length) lines.push(`You are subscribed to its decks: ${titles.map(esc).join(", ")}.`);
  lines.push("Your lecturer will see your review figures for this class (not your other decks). Leave any time with /leave.");
  const kb = new InlineKeyboard().text("▶️ Review now", "R:*").text("📚 Decks", "D0");
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", reply_markup: kb });
}

classesFeature.command("join", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const code = argFits(ctx.match) ? ctx.match.trim().replace(/^.*join_/, "") : "?";
  if (!code) {
    await ctx.reply("Send /join followed by the code your lecturer gave you, e.g. /join Ab3dE5fG7h-_");
    return;
  }
  await join(ctx, code);
});

/**
 * A join link (`?start=join_<code>`) asks first: "Join <class> by <lecturer>?" with Join and
 * Cancel buttons — a link someone else sent cannot put you in a class (and show your figures to
 * its lecturer) without your say. The Join button carries the code, re-checked when pressed.
 */
export const JOIN_YES = "J:";
export const JOIN_NO = "Jn";

classesFeature.command("start", async (ctx, next) => {
  if (ctx.startPayload?.kind !== "join") return next();
  ctx.trace.feature = "classes";
  const code = ctx.startPayload.code;
  const doc = CODE_RE.test(code) ? await ctx.stores.classes.get(code) : null;
  if (!doc) {
    await ctx.reply("There is no class with that code. Check the link or code with your lecturer.");
    return;
  }
  if (doc.closed) {
    await ctx.reply(`“${doc.name}” is closed and takes no new students.`);
    return;
  }
  const by = doc.by ? ` by <b>${esc(doc.by)}</b>` : "";
  const kb = new InlineKeyboard().text("✅ Join", `${JOIN_YES}${code}`).text("Cancel", JOIN_NO);
  await ctx.reply(
    `🎓 Join the class <b>${esc(doc.name)}</b>${by}?\n\nIts lecturer will see your first name and your review figures on the class's decks (not your other decks). You can leave any time with /leave.`,
    { parse_mode: "HTML", reply_markup: kb },
  );
});

classesFeature.callbackQuery(/^J(?::|n$)/, async (ctx) => {
  ctx.trace.feature = "classes";
  const data = ctx.callbackQuery.data;
  if (data === JOIN_NO) {
    await ctx.answerCallbackQuery({ text: "Not joined." });
    await editOrIgnore(ctx, "Not joined. Your lecturer's link works again whenever you want.");
    return;
  }
  const code = data.slice(JOIN_YES.length);
  if (!CODE_RE.test(code)) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  await ctx.answerCallbackQuery();
  await join(ctx, code);
});

classesFeature.command("leave", async (ctx) => {
  ctx.trace.feature = "classes";
  const code = argFits(ctx.match) ? ctx.match.trim() : "";
  const learner = await loadLearner(ctx);
  if (!learner.doc.classes.includes(code)) {
    await ctx.reply(learner.doc.classes.length ? "Give the code of the class to leave — see /classes." : "You are not in any class.");
    return;
  }
  await ctx.stores.classes.removeMember(code, learner.id);
  learner.doc.classes = learner.doc.classes.filter((c) => c !== code);
  await saveLearner(ctx, learner);
  await ctx.reply("You left the class. You keep your decks and progress.");
});

// ---- fan-out ---------------------------------------------------------------------------------

function runId(ctx: BotContext, op: string): string {
  return `${op}-${ctx.chat!.id}-${ctx.update.update_id}`;
}

/** Pushes a deck to one of the sender's classes: checks, then starts the fan-out run. Returns what to tell the lecturer. */
async function pushDeck(ctx: BotContext, found: { learner: Learner; doc: ClassDoc }, deckRef: string, runKey: string): Promise<string> {
  const deck = await ctx.decks.get(deckRef.toLowerCase());
  if (!deck || (!deck.bundled && deck.owner !== found.learner.id)) {
    return `You have no deck “${cut(deckRef, 60)}”. Push one of yours (/mydecks) or a built-in deck (/decks).`;
  }
  if (found.doc.closed) {
    return `“${found.doc.name}” is closed. Its students can still be reached: reopen is not supported yet, so create a new class if needed.`;
  }
  const run: RunDoc = {
    v: 1, id: runKey, op: "push", class: found.doc.code, owner: found.learner.id, chat: ctx.chat!.id,
    created: ctx.deps.now(), deck: deck.deck.id, by: displayName(ctx), className: found.doc.name,
  };
  // The class (its lecturer's key) lists its decks — students fold new ones into their own deck
  // table on their next /review or /decks — and its recent pushes (so /forget finds their deliveries).
  if (!found.doc.decks.includes(deck.deck.id)) found.doc.decks.push(deck.deck.id);
  found.doc.runs = [...(found.doc.runs ?? []).filter((r) => r !== run.id), run.id].slice(-MAX_RUNS);
  await ctx.stores.classes.put(found.doc);
  const started = await startRun(ctx, run);
  return started
    ? `📣 Sending “${deck.deck.title}” to every student of “${found.doc.name}”. Students who join later get it when they join. You will get a delivery report.`
    : `📣 “${deck.deck.title}” is already on its way to “${found.doc.name}”.`;
}

const PICK_DECKS = 30;

/** The decks a lecturer can push: the built-in ones and their own uploads. */
function pushableDecks(ctx: BotContext, learner: Learner): { id: string; title: string }[] {
  const own = (learner.owns?.decks ?? []).map((d) => ({ id: d.id, title: d.title }));
  const bundled = ctx.decks.catalogue().map((d) => ({ id: d.deck.id, title: d.deck.title }));
  return [...own, ...bundled].slice(0, PICK_DECKS);
}

/** Step 1 of /push without arguments: which deck. */
export function pushDeckPicker(ctx: BotContext, learner: Learner): { text: string; kb?: InlineKeyboard } {
  const open = (learner.owns?.classes ?? []).filter((c) => !c.closed);
  if (open.length === 0) return { text: "You have no open class to push to. Create one first: /newclass &lt;name&gt;." };
  const kb = new InlineKeyboard();
  for (const d of pushableDecks(ctx, learner)) kb.text(cut(d.title, 48), cb.push(d.id)).row();
  return { text: "📣 <b>Push a deck to a class</b> — step 1 of 2: which deck?\n(Or type <code>/push &lt;deck id&gt; &lt;class&gt;</code>.)", kb };
}

classesFeature.command("push", async (ctx) => {
  ctx.trace.feature = "classes";
  if (!ctx.match.trim()) {
    const learner = await requireLecturer(ctx);
    if (!learner) return;
    const pick = pushDeckPicker(ctx, learner);
    await ctx.reply(pick.text, { parse_mode: "HTML", ...(pick.kb ? { reply_markup: pick.kb } : {}) });
    return;
  }
  const [deckRef, classRef] = deckAndClass(ctx.match);
  if (!deckRef || !classRef) {
    await ctx.reply("Usage: /push <deck> <class> — e.g. /push untoc Criminology 101, or /push alone to choose with buttons. Deck ids: /mydecks and /decks.");
    return;
  }
  const found = await ownClass(ctx, classRef);
  if (!found) return;
  const deckId = parseDeckId(deckRef);
  if (!deckId) {
    await ctx.reply(`“${cut(deckRef, 60)}” is not a deck id (up to ${MAX_DECK_ID} lower-case letters, digits and dashes). Your decks: /mydecks; built-in decks: /decks.`);
    return;
  }
  await ctx.reply(await pushDeck(ctx, found, deckId, runId(ctx, "push")));
});

/** /push buttons: `P` (decks), `P:<deck>` (classes for that deck), `P:<deck>:<class code>` (push). */
classesFeature.callbackQuery(/^P(?::|$)/, async (ctx) => {
  ctx.trace.feature = "classes";
  const parsed = unpackPush(ctx.callbackQuery.data);
  if (!parsed) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  if (parsed.deck === undefined) {
    const pick = pushDeckPicker(ctx, learner);
    await ctx.answerCallbackQuery();
    if (ctx.callbackQuery.message) await editOrIgnore(ctx, pick.text, pick.kb);
    else await ctx.reply(pick.text, { parse_mode: "HTML", ...(pick.kb ? { reply_markup: pick.kb } : {}) });
    return;
  }
  const deck = await ctx.decks.get(parsed.deck);
  if (!deck || (!deck.bundled && deck.owner !== learner.id)) return ctx.answerCallbackQuery({ text: "You have no such deck.", show_alert: true });
  if (parsed.code === undefined) {
    const open = (learner.owns?.classes ?? []).filter((c) => !c.closed);
    const kb = new InlineKeyboard();
    for (const c of open.slice(0, PICK_DECKS)) kb.text(cut(c.name, 48), cb.push(deck.deck.id, c.code)).row();
    kb.text("« Decks", cb.push());
    await ctx.answerCallbackQuery();
    await editOrIgnore(ctx, `📣 <b>Push “${esc(deck.deck.title)}”</b> (<code>${esc(deck.deck.id)}</code>) — step 2 of 2: to which class?`, kb);
    return;
  }
  const owned = (learner.owns?.classes ?? []).find((c) => c.code === parsed.code);
  const doc = owned ? await ctx.stores.classes.get(owned.code) : null;
  if (!doc || doc.owner !== learner.id) return ctx.answerCallbackQuery({ text: "You have no such class.", show_alert: true });
  await ctx.answerCallbackQuery();
  // One run per picker message, deck and class: a double tap or an old keyboard starts nothing twice.
  const text = await pushDeck(ctx, { learner, doc }, deck.deck.id, `push-${ctx.chat!.id}-m${ctx.callbackQuery.message?.message_id ?? 0}-${deck.deck.id}-${doc.code}`);
  await editOrIgnore(ctx, esc(text));
});

async function classStats(ctx: BotContext, csv: boolean) {
  ctx.trace.feature = "classes";
  const found = await ownClass(ctx, typeof ctx.match === "string" ? ctx.match : "");
  if (!found) return;
  const run: RunDoc = {
    v: 1, id: runId(ctx, csv ? "export" : "stats"), op: "stats", class: found.doc.code, owner: found.learner.id, chat: ctx.chat!.id,
    created: ctx.deps.now(), csv, className: found.doc.name, decks: found.doc.decks,
  };
  const app = csv || ctx.chat?.type !== "private" ? undefined : appUrl(ctx.env, { class: found.doc.code });
  const reply_markup = app ? new InlineKeyboard().webApp("📈 Open dashboard", app) : undefined; // the Mini App's class view
  if (await startRun(ctx, run)) await ctx.reply(`📊 Preparing ${csv ? "the spreadsheet" : "the figures"} for “${found.doc.name}” — it arrives in a moment.`, reply_markup ? { reply_markup } : {});
}

classesFeature.command("classstats", (ctx) => classStats(ctx, false));
classesFeature.command("classexport", (ctx) => classStats(ctx, true));
