/**
 * Review by chat. One message carries the session and is edited in place at every step:
 * the card's front → "Show answer" → the back with the source and four grade buttons → the next
 * card → … → the summary. Every step is a pure function of the button's data and the stored
 * record, so a double tap or a redelivered update re-renders the same message (Telegram answers
 * "message is not modified") and grades nothing twice.
 *
 * KV: one read per update; no write to start a session; grades ride in the buttons (see
 * review-state.ts) and are written every FLUSH_AT grades and at the end.
 */
import { Composer, InlineKeyboard } from "grammy";
import type { BotContext } from "../context";
import { randomId } from "../../deps";
import { argFits, cb, MAX_ARG, unpackDeck } from "../../learner/callback-data";
import { foldClassDecks, loadLearner, loseDeck, lostLine, mayRead, openDeck, saveLearner, scopeDecks, unloadedCounts, type Learner, type ScopeDeck } from "../learner";
import { backHtml, frontHtml, sourceHtml } from "../cards";
import { editOrIgnore } from "../edit";
import { cut, esc, plural } from "../../learner/render";
import { ALPHABET, FLUSH_AT, MAX_LOG, MAX_SESSION, packReview, unpackReview, REVIEW_CALLBACK, T_MOD, type Entry, type ReviewState } from "../../learner/review-state";
import { reviewStep, shouldFlush } from "../../srs/review-step";
import { outlook, pickNext, applyGrade, type DayStat, type DeckView, type Limits, type Pick } from "../../srs/session";
import { describeDay, dayToIso } from "../../srs/days";
import { currentStreak, KEEP_SESSIONS } from "../../store/users";
import type { LoadedDeck } from "../../decks/registry";
import type { Grade } from "../../srs/sm2";

export const reviewFeature = new Composer<BotContext>();

export const GRADE_BUTTONS: { grade: Grade; label: string }[] = [
  { grade: 1, label: "Again" },
  { grade: 3, label: "Hard" },
  { grade: 4, label: "Good" },
  { grade: 5, label: "Easy" },
];
const EXTRA_NEW = 5;

/** The decks a session covers, by deck-table index. */
interface Scope {
  index: number; // -1 = all subscribed
  decks: ScopeDeck[];
}

async function loadScope(ctx: BotContext, learner: Learner, index: number, carried: readonly number[] = [], press = false): Promise<Scope | null> {
  // An all-decks session keeps the decks its unsaved grades name, even if unsubscribed meanwhile.
  // Access is checked when a session starts, not on its presses (see scopeDecks).
  const decks = await scopeDecks(ctx, learner, index, carried, { ...(index < 0 ? { pick: 1 } : {}), ...(press ? { press } : {}) });
  return decks ? { index, decks } : null;
}

function views(learner: Learner, scope: Scope): DeckView[] {
  return scope.decks.map((d) => learner.view(d.deck, d.carried ? () => false : undefined));
}

function limits(learner: Learner, stat: DayStat): Limits {
  return { newPerDay: learner.doc.settings.newPerDay + stat.extraNew, reviewsPerDay: learner.doc.settings.reviewsPerDay };
}


function interval(days: number): string {
  if (days < 1) return "today";
  if (days < 100) return `${days}d`;
  if (days < 365) return `${Math.round(days / 30)}mo`;
  return `${(days / 365).toFixed(1)}y`;
}

// ---- rendering -----------------------------------------------------------------------------

function header(learner: Learner, scope: Scope, pick: Pick, day: number, stat: DayStat): string {
  const d = scope.decks[pick.deck]!.deck;
  const o = outlook(views(learner, scope), day);
  const rest = scope.index < 0 ? unloadedCounts(learner, day) : { dueNow: 0, unseen: 0 };
  const lim = limits(learner, stat);
  // What the learner will still see: due cards and new cards within today's limits, and the cards
  // failed today that come back (re-drills) — the card on screen included.
  const left =
    Math.min(o.dueNow + rest.dueNow, Math.max(0, lim.reviewsPerDay - stat.reviews)) +
    Math.min(o.unseen + rest.unseen, Math.max(0, lim.newPerDay - stat.introduced)) +
    o.redrills;
  const kind = pick.kind === "new" ? "new card" : pick.kind === "redrill" ? "once more" : "review";
  return `📚 <b>${esc(d.deck.title)}</b> · <i>${kind}</i> · ${left} left`;
}

function frontMessage(learner: Learner, scope: Scope, pick: Pick, st: ReviewState, stat: DayStat) {
  const d = scope.decks[pick.deck]!;
  const card = d.deck.deck.cards[pick.card]!;
  const text = `${header(learner, scope, pick, st.day, stat)}\n\n${frontHtml(card)}`;
  const cur = { deck: d.table, card: pick.card };
  const kb = new InlineKeyboard()
    .text("👀 Show answer", packReview({ ...st, kind: "a", cur }))
    .text("⏹ Stop", packReview({ ...st, kind: "x" }));
  return { text, kb };
}

function backMessage(learner: Learner, scope: Scope, pick: Pick, st: ReviewState, stat: DayStat) {
  const d = scope.decks[pick.deck]!;
  const deck = d.deck;
  const card = deck.deck.cards[pick.card]!;
  const text = `${header(learner, scope, pick, st.day, stat)}\n\n${frontHtml(card)}\n\n${backHtml(card)}\n\n${sourceHtml(deck.deck, card)}`;
  const prev = learner.state(deck.deck.id, card.id);
  const kb = new InlineKeyboard();
  // What each grade does, in words: a card graded below Good comes back in today's session
  // ("again today"); otherwise its next review, each interval shown once (Good and Easy of a new
  // card are both 1 day: "Good · 1d", "Easy").
  let shown = "";
  for (const { grade, label } of GRADE_BUTTONS) {
    const scratch = { ...stat };
    const next = applyGrade(prev, grade, st.day, stat.presses, scratch).state;
    const redrill = next.last === prev?.last && prev?.last === st.day;
    let tag = grade < 4 ? (redrill ? "↻ again" : "again today") : interval(next.due - st.day);
    if (grade >= 4) {
      if (tag === shown) tag = "";
      else shown = tag;
    }
    kb.text(tag ? `${label} · ${tag}` : label, packReview({ ...st, kind: "g", log: [...st.log, { deck: d.table, card: pick.card, grade }] }));
  }
  kb.row().text("⏹ Stop", packReview({ ...st, kind: "x" }));
  return { text, kb };
}

function summaryMessage(learner: Learner, scope: Scope, reviewed: number, good: number, stopped: boolean) {
  const today = learner.today;
  const o = outlook(views(learner, scope), today);
  const week = o.upcoming.reduce((a, b) => a + b, 0);
  const streak = currentStreak(learner.doc, today);
  const lines = [
    stopped ? "⏹ <b>Session stopped</b> — your answers are saved." : "✅ <b>Session complete</b>",
    "",
    `Cards reviewed: <b>${reviewed}</b>${reviewed ? ` (${Math.round((100 * good) / reviewed)}% Good or Easy)` : ""}`,
    `Due tomorrow: <b>${o.upcoming[0] ?? 0}</b> · in the next 7 days: ${week}`,
    `Streak: <b>${plural(streak, "day")}</b>${streak >= 3 ? " 🔥" : ""}`,
  ];
  if (stopped) lines.push("", "Send /review to carry on.");
  const kb = new InlineKeyboard().text("🧩 Take a quiz", cb.deck("Q", "*")).text("📊 Stats", "st");
  return { text: lines.join("\n"), kb };
}

function nothingDueMessage(learner: Learner, scope: Scope, stat: DayStat) {
  const today = learner.today;
  const o = outlook(views(learner, scope), today);
  const lines = ["🎉 <b>Nothing to review right now.</b>"];
  if (o.nextDue !== null) lines.push(`Next card due ${describeDay(o.nextDue, today)} (${o.nextDue === today + 1 ? plural(o.upcoming[0] ?? 0, "card") : dayToIso(o.nextDue)}).`);
  const kb = new InlineKeyboard();
  const lim = limits(learner, stat);
  if (o.unseen > 0 && stat.introduced >= lim.newPerDay) {
    lines.push(`You have learned ${plural(stat.introduced, "new card")} today — your daily limit (change it in /settings). ${plural(o.unseen, "new card")} wait for you.`);
    // Absolute: the allowance the press asks for, so a double tap or a redelivered press raises it once.
    kb.text(`➕ ${EXTRA_NEW} more new cards`, `N:${scope.index < 0 ? "*" : ALPHABET[scope.index]}:${stat.extraNew + EXTRA_NEW}`).row();
  } else if (o.unseen === 0) {
    lines.push("You have seen every card of these decks. Subscribe to another deck for new cards.");
  }
  lines.push("", "Meanwhile, a quick quiz keeps things fresh.");
  kb.text("🧩 Take a quiz", cb.deck("Q", scope.index < 0 ? "*" : scope.decks[0]?.deck.deck.id ?? "*")).text("📚 Decks", cb.catalogue());
  return { text: lines.join("\n"), kb };
}

// ---- starting a session --------------------------------------------------------------------

/** Starts a session over one deck (by id) or every subscribed deck ("*"). Sends a new message. */
export async function startReview(ctx: BotContext, deckId: string | "*"): Promise<void> {
  ctx.trace.feature = "review";
  if (ctx.chat?.type !== "private") {
    await ctx.reply("Reviews happen in our private chat — open it and send /review.");
    return;
  }
  const learner = await loadLearner(ctx);
  let index = -1;
  let note = "";
  if (deckId !== "*") {
    const found = await resolveDeck(ctx, learner, deckId);
    if (found && "lost" in found) {
      // Their deck, no longer shared with them: not served; their progress stays.
      const wasSubscribed = learner.isSubscribed(found.lost.deck.id);
      const line = loseDeck(learner, found.lost);
      if (wasSubscribed) await saveLearner(ctx, learner);
      await ctx.reply(`${line} Send /decks to see the decks you have.`);
      return;
    }
    const d = found?.deck;
    if (!d) {
      await ctx.reply(`There is no deck called “${esc(cut(deckId, 60))}”. Send /decks to see the decks there are.`, { parse_mode: "HTML" });
      return;
    }
    index = learner.tableIndex(d.deck.id);
    if (index < 0) {
      await ctx.reply("You have too many decks; unsubscribe from one in /decks first.");
      return;
    }
    if (!learner.doc.decks[index]!.sub) {
      learner.doc.decks[index]!.sub = true;
      await saveLearner(ctx, learner);
      note = `Subscribed you to <b>${esc(d.deck.title)}</b>.\n\n`;
    }
  } else {
    // Decks pushed to the learner's classes since they last looked join their table first.
    if (await foldClassDecks(ctx, learner)) await saveLearner(ctx, learner);
    if (learner.subscribed().length === 0) {
      await ctx.reply("You have not chosen any decks yet. Pick one to start:", { reply_markup: new InlineKeyboard().text("📚 Browse decks", cb.catalogue()) });
      return;
    }
  }
  const scope = await loadScope(ctx, learner, index);
  if (learner.lost.length) {
    // Decks no longer shared with the learner were left out (and unsubscribed): saved, said once.
    await saveLearner(ctx, learner);
    await ctx.reply(lostLine(learner.lost.map((l) => l.title)));
  }
  if (!scope || scope.decks.length === 0) {
    await ctx.reply("Your decks are no longer available. Send /decks to choose others.");
    return;
  }
  const day = learner.today;
  const stat = learner.day(day);
  const pick = pickNext(views(learner, scope), day, stat, limits(learner, stat));
  if (!pick) {
    const m = nothingDueMessage(learner, scope, stat);
    await ctx.reply(note + m.text, { parse_mode: "HTML", reply_markup: m.kb });
    return;
  }
  const st: ReviewState = { kind: "a", sid: randomId(ctx.deps, 4), day, scope: index, base: 0, log: [] };
  const m = frontMessage(learner, scope, pick, st, stat);
  if (note) await ctx.reply(note.trim(), { parse_mode: "HTML" });
  await ctx.reply(m.text, { parse_mode: "HTML", reply_markup: m.kb });
}

/**
 * A deck by id, or by a unique prefix of its id or title among the visible decks — if the learner
 * may open it; `lost` when it is one of theirs no longer shared with them; null as for no deck.
 */
async function resolveDeck(ctx: BotContext, learner: Learner, query: string): Promise<{ deck: LoadedDeck } | { lost: LoadedDeck } | null> {
  const q = query.trim().toLowerCase();
  if (/^[a-z0-9][a-z0-9-]{0,39}$/.test(q)) {
    const exact = await openDeck(ctx, learner, q);
    if (exact.deck) return { deck: exact.deck };
    if (exact.lost) return { lost: exact.lost };
  }
  const candidates = [...ctx.decks.catalogue()];
  for (const [, id] of learner.subscribed()) if (!ctx.decks.isBundled(id)) {
    const d = await ctx.decks.get(id);
    if (d) candidates.push(d);
  }
  const matches = candidates.filter((d) => d.deck.id.startsWith(q) || d.deck.title.toLowerCase().includes(q));
  if (matches.length !== 1) return null;
  const m = matches[0]!;
  return (await mayRead(ctx, learner, m)) ? { deck: m } : { lost: m };
}

reviewFeature.command("review", async (ctx) => {
  if (!argFits(ctx.match)) {
    ctx.trace.feature = "review";
    await ctx.reply(`That deck name is too long (deck ids and titles are under ${MAX_ARG} characters). Send /decks to see the decks there are.`);
    return;
  }
  const arg = ctx.match.trim();
  await startReview(ctx, arg ? arg : "*");
});

reviewFeature.callbackQuery(/^R:/, async (ctx) => {
  const parsed = unpackDeck(ctx.callbackQuery.data);
  if (!parsed) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  await ctx.answerCallbackQuery();
  await startReview(ctx, parsed.id);
});

reviewFeature.command("start", async (ctx, next) => {
  if (ctx.startPayload?.kind !== "review") return next();
  await startReview(ctx, "*");
});

/** "➕ 5 more new cards": raises today's new-card allowance, then starts a session. */
const MORE_NEW = /^N:(\*|[0-9a-zA-Z_-])(?::(\d{1,3}))?$/;
reviewFeature.callbackQuery(MORE_NEW, async (ctx) => {
  ctx.trace.feature = "review";
  const learner = await loadLearner(ctx);
  const [, raw, target] = MORE_NEW.exec(ctx.callbackQuery.data)!;
  const day = learner.today;
  const stat = learner.day(day);
  // `N:<scope>:<allowance>` sets today's extra allowance (buttons from before carried no target and add).
  const want = target === undefined ? stat.extraNew + EXTRA_NEW : Number(target);
  if (stat.extraNew < want) {
    stat.extraNew = want;
    learner.saveDay(day, stat);
    await saveLearner(ctx, learner);
  }
  await ctx.answerCallbackQuery({ text: `${EXTRA_NEW} more new cards for today` });
  const id = raw === "*" ? "*" : learner.deckIdAt(ALPHABET.indexOf(raw!)) ?? "*";
  await startReview(ctx, id);
});

// ---- inside a session ----------------------------------------------------------------------

reviewFeature.callbackQuery(REVIEW_CALLBACK, async (ctx) => {
  ctx.trace.feature = "review";
  const st = unpackReview(ctx.callbackQuery.data);
  if (!st) return ctx.answerCallbackQuery({ text: "That button is not valid." });
  const learner = await loadLearner(ctx);
  // Which of the carried grades are already saved, and what this press does (srs/review-step.ts).
  const saved = learner.doc.sessions.find((s) => s[0] === st.sid);
  const step = reviewStep(
    { kind: st.kind, base: st.base, logLength: st.log.length, applied: saved?.[1], stored: learner.stored || !!learner.legacy, t: st.t ?? 0, nowSec: Math.floor(ctx.deps.now() / 1000) },
    T_MOD,
  );
  if (step.do === "ended") return ctx.answerCallbackQuery({ text: "This session has ended. Send /review to start again." });
  // The record we read predates this session's last save (KV is eventually consistent). Change nothing.
  if (step.do === "wait") return ctx.answerCallbackQuery({ text: "Still saving your last answers — tap again in a moment." });
  // A grade already saved and passed (an old button, a late redelivery), or an old Stop button.
  if (step.do === "already") return ctx.answerCallbackQuery({ text: "Already recorded ✓" });
  // Quiz answers given after the session's first unsaved grade are applied after its grades.
  const { end, resaved, firstUnsaved } = step;
  if (firstUnsaved) learner.pendBefore = firstUnsaved * 1000;
  const scope = await loadScope(ctx, learner, st.scope, [...st.log.map((e) => e.deck), ...(st.cur ? [st.cur.deck] : [])], true);
  if (!scope || scope.decks.length === 0) return ctx.answerCallbackQuery({ text: "This session's deck is no longer available. Send /review." });
  const tableToScope = new Map(scope.decks.map((d, i) => [d.table, i]));
  const valid = (e: { deck: number; card: number }) => {
    const i = tableToScope.get(e.deck);
    return i !== undefined && e.card < scope.decks[i]!.deck.cardIds.length;
  };
  if (!st.log.every(valid) || (st.cur && !valid(st.cur))) return ctx.answerCallbackQuery({ text: "That button is not valid." });

  // Apply the unsaved grades in memory (on the session's own day).
  const fresh = step.fresh ? st.log.slice(-step.fresh) : [];
  const stat = learner.day(st.day);
  let reviewed = saved?.[2] ?? 0, good = saved?.[3] ?? 0;
  for (const e of fresh) {
    const d = scope.decks[tableToScope.get(e.deck)!]!.deck;
    const r = learner.grade(d.deck.id, d.cardIds[e.card]!, e.grade as Grade, st.day, stat);
    if (r.scheduled) {
      reviewed++;
      if (e.grade >= 4) good++;
    }
  }
  const counters = { reviewed, good };
  // Quiz answers given after the session's unsaved grades began: applied after them.
  if (learner.pendBefore !== undefined) learner.applyLaterPending();

  const today = learner.today;
  if (st.day !== today) {
    // A session from an earlier day: save what it carries, then close it.
    if (fresh.length) await flush(ctx, learner, st, end, stat, counters);
    await ctx.answerCallbackQuery({ text: fresh.length ? "Saved." : undefined });
    await editOrIgnore(ctx, `This session was from ${dayToIso(st.day)}${fresh.length ? "; its answers are saved" : ""}. Send /review for today's cards.`);
    return;
  }

  if (st.kind === "x") return finish(ctx, learner, scope, st, fresh, true, stat, counters, end);
  // The buttons count a session's grades in two base-36 digits: a session this long ends here.
  if (end >= MAX_SESSION) return finish(ctx, learner, scope, st, fresh, false, stat, counters, end);

  if (st.kind === "a") {
    const i = tableToScope.get(st.cur!.deck)!;
    const pick: Pick = { deck: i, card: st.cur!.card, kind: "due" };
    const d = scope.decks[i]!.deck;
    const s = learner.state(d.deck.id, d.cardIds[pick.card]!);
    pick.kind = !s ? "new" : s.last === st.day ? "redrill" : "due";
    await ctx.answerCallbackQuery();
    const m = backMessage(learner, scope, pick, st, stat);
    await editOrIgnore(ctx, m.text, m.kb);
    return;
  }

  // A grade.
  const next = pickNext(views(learner, scope), st.day, stat, limits(learner, stat));
  if (!next) return finish(ctx, learner, scope, st, fresh, false, stat, counters, end, resaved ? "Already recorded ✓" : undefined);
  let carry: ReviewState = { ...st, kind: "a", log: fresh, base: step.base, t: fresh.length ? firstUnsaved % T_MOD : 0 };
  if (shouldFlush(carry.log.length, FLUSH_AT, MAX_LOG, ctx.users.canWriteNow(learner.doc))) {
    await flush(ctx, learner, st, end, stat, counters);
    carry = { ...carry, base: end, log: [], t: 0 };
  }
  const last = st.log[st.log.length - 1]!;
  await ctx.answerCallbackQuery({ text: resaved ? "Already recorded ✓" : GRADE_BUTTONS.find((b) => b.grade === last.grade)?.label });
  const m = frontMessage(learner, scope, next, carry, stat);
  await editOrIgnore(ctx, m.text, m.kb);
});

/** Saves the session's grades: progress, the day's figures and the session's applied count. */
async function flush(ctx: BotContext, learner: Learner, st: ReviewState, end: number, stat: DayStat, c: { reviewed: number; good: number }) {
  learner.saveDay(st.day, stat);
  const sessions = learner.doc.sessions.filter((s) => s[0] !== st.sid);
  sessions.push([st.sid, end, c.reviewed, c.good]);
  learner.doc.sessions = sessions.slice(-KEEP_SESSIONS);
  await saveLearner(ctx, learner);
}

/** Ends the session: saves what it still carries and shows the summary. */
async function finish(
  ctx: BotContext, learner: Learner, scope: Scope, st: ReviewState, fresh: Entry[], stopped: boolean,
  stat: DayStat, c: { reviewed: number; good: number }, end: number, answer?: string,
) {
  if (fresh.length) await flush(ctx, learner, st, end, stat, c);
  await ctx.answerCallbackQuery({ text: answer ?? (stopped ? "Stopped — saved." : "Session complete") });
  const m = summaryMessage(learner, scope, c.reviewed, c.good, stopped);
  await editOrIgnore(ctx, m.text, m.kb);
}
