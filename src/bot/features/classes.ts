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
import { cut, esc } from "../render";

export const classesFeature = new Composer<BotContext>();

const MAX_NAME = 60;
const MAX_CLASSES = 50;

type OwnedClass = NonNullable<Learner["doc"]["owns"]>["classes"][number];

export function joinLink(ctx: BotContext, code: string): string {
  return `https://t.me/${ctx.me.username}?start=join_${code}`;
}

function cleanName(raw: string): string | null {
  const name = raw.replace(/\s+/g, " ").trim();
  return name && name.length <= MAX_NAME ? name : null;
}

/** A lecturer's class by join code, exact name, or unique name prefix (case-insensitive). */
export function findOwnClass(learner: Learner, ref: string): OwnedClass | string {
  const classes = learner.doc.owns?.classes ?? [];
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
  const m = /^(\S+)\s+(.+)$/s.exec(arg.trim());
  return m ? [m[1]!, m[2]!] : [arg.trim(), ""];
}

function displayName(ctx: BotContext): string {
  const f = ctx.from!;
  return [f.first_name, f.last_name].filter(Boolean).join(" ").slice(0, 60);
}

classesFeature.command("newclass", async (ctx) => {
  ctx.trace.feature = "classes";
  const learner = await requireLecturer(ctx);
  if (!learner) return;
  const name = cleanName(ctx.match);
  if (!name) {
    await ctx.reply(`Give the class a name (up to ${MAX_NAME} characters): /newclass Criminology 101`);
    return;
  }
  const owns = (learner.doc.owns ??= { classes: [], decks: [] });
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
  const doc: ClassDoc = { v: 1, code, name, owner: learner.id, created: ctx.deps.now(), decks: [] };
  await ctx.stores.classes.put(doc);
  owns.classes.push({ code, name });
  await saveLearner(ctx, learner);
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
  const owned = learner.doc.owns?.classes ?? [];
  const lines: string[] = [];
  if (owned.length) {
    lines.push("<b>Your classes</b> (as lecturer)");
    for (const c of owned) lines.push(`• <b>${esc(c.name)}</b>${c.closed ? " (closed)" : ""} — code <code>${c.code}</code>\n  ${esc(joinLink(ctx, c.code))}`);
    lines.push("", "/classstats &lt;class&gt; · /classexport &lt;class&gt; · /push &lt;deck&gt; &lt;class&gt;", "/renameclass &lt;class&gt; = &lt;new name&gt; · /closeclass &lt;class&gt; · /removestudent &lt;class&gt; &lt;student id&gt;");
  }
  if (learner.doc.classes.length) {
    if (lines.length) lines.push("");
    lines.push("<b>Classes you are in</b>");
    for (const code of learner.doc.classes) {
      const c = await ctx.stores.classes.get(code);
      lines.push(c ? `• ${esc(c.name)}${c.closed ? " (closed)" : ""} — leave with <code>/leave ${code}</code>` : `• ${code} (no longer exists)`);
    }
  }
  if (!lines.length) lines.push("You are not in any class. Join one with the link or code your lecturer gave you: <code>/join &lt;code&gt;</code>");
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", link_preview_options: { is_disabled: true } });
});

/** Loads one of the sender's own classes for a lecturer action (role checked from storage). */
async function ownClass(ctx: BotContext, ref: string): Promise<{ learner: Learner; owned: OwnedClass; doc: ClassDoc } | null> {
  const learner = await requireLecturer(ctx);
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
  const m = /^(.+?)\s*=\s*(.+)$/s.exec(ctx.match);
  if (!m) {
    await ctx.reply("Usage: /renameclass <class> = <new name>");
    return;
  }
  const name = cleanName(m[2]!);
  if (!name) {
    await ctx.reply(`The new name must be 1 to ${MAX_NAME} characters.`);
    return;
  }
  const found = await ownClass(ctx, m[1]!);
  if (!found) return;
  found.doc.name = name;
  await ctx.stores.classes.put(found.doc);
  found.owned.name = name;
  await saveLearner(ctx, found.learner);
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
  await saveLearner(ctx, found.learner);
  await ctx.reply(`“${found.doc.name}” is closed: nobody new can join. Students keep their decks and progress.`);
});

classesFeature.command("removestudent", async (ctx) => {
  ctx.trace.feature = "classes";
  const m = /^(.+?)\s+(\d{1,15})$/s.exec(ctx.match.trim());
  if (!m) {
    await ctx.reply("Usage: /removestudent <class> <student id> — the ids are in /classexport.");
    return;
  }
  const found = await ownClass(ctx, m[1]!);
  if (!found) return;
  const uid = Number(m[2]);
  const member = await ctx.stores.classes.member(found.doc.code, uid);
  if (!member) {
    await ctx.reply(`${uid} is not in “${found.doc.name}”.`);
    return;
  }
  await ctx.stores.classes.removeMember(found.doc.code, uid);
  const student = await readLearner(ctx, uid);
  if (student.stored && student.doc.classes.includes(found.doc.code)) {
    student.doc.classes = student.doc.classes.filter((c) => c !== found.doc.code);
    await saveLearner(ctx, student);
  }
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
  await saveLearner(ctx, learner);
  const lines = [`🎓 You joined <b>${esc(doc.name)}</b>.`];
  if (titles.length) lines.push(`You are subscribed to its decks: ${titles.map(esc).join(", ")}.`);
  lines.push("Your lecturer will see your review figures for this class (not your other decks). Leave any time with /leave.");
  const kb = new InlineKeyboard().text("▶️ Review now", "R:*").text("📚 Decks", "D0");
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", reply_markup: kb });
}

classesFeature.command("join", async (ctx) => {
  if (ctx.chat.type !== "private") return;
  const code = ctx.match.trim().replace(/^.*join_/, "");
  if (!code) {
    await ctx.reply("Send /join followed by the code your lecturer gave you, e.g. /join Ab3dE5fG7h-_");
    return;
  }
  await join(ctx, code);
});

classesFeature.command("start", async (ctx, next) => {
  if (ctx.startPayload?.kind !== "join") return next();
  await join(ctx, ctx.startPayload.code);
});

classesFeature.command("leave", async (ctx) => {
  ctx.trace.feature = "classes";
  const learner = await loadLearner(ctx);
  const code = ctx.match.trim();
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

classesFeature.command("push", async (ctx) => {
  ctx.trace.feature = "classes";
  const [deckRef, classRef] = deckAndClass(ctx.match);
  if (!deckRef || !classRef) {
    await ctx.reply("Usage: /push <deck> <class> — e.g. /push untoc Criminology 101. Your decks: /mydecks; built-in decks: /decks.");
    return;
  }
  const found = await ownClass(ctx, classRef);
  if (!found) return;
  const deck = await ctx.decks.get(deckRef.toLowerCase());
  if (!deck || (!deck.bundled && deck.owner !== found.learner.id)) {
    await ctx.reply(`You have no deck “${cut(deckRef, 60)}”. Push one of yours (/mydecks) or a built-in deck (/decks).`);
    return;
  }
  if (found.doc.closed) {
    await ctx.reply(`“${found.doc.name}” is closed. Its students can still be reached: reopen is not supported yet, so create a new class if needed.`);
    return;
  }
  if (!found.doc.decks.includes(deck.deck.id)) {
    found.doc.decks.push(deck.deck.id);
    await ctx.stores.classes.put(found.doc);
  }
  const run: RunDoc = {
    v: 1, id: runId(ctx, "push"), op: "push", class: found.doc.code, owner: found.learner.id, chat: ctx.chat.id,
    created: ctx.deps.now(), deck: deck.deck.id, by: displayName(ctx), className: found.doc.name,
  };
  const started = await startRun(ctx, run);
  if (started) await ctx.reply(`📣 Sending “${deck.deck.title}” to every student of “${found.doc.name}”. Students who join later get it when they join. You will get a delivery report.`);
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
