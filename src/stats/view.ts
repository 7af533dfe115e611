/**
 * The /stats message and the suspended-cards list: HTML (every deck text escaped), one message of
 * at most 4096 characters, with the leech and suspended-card buttons. Pure.
 *
 * Many decks: each deck gets three lines (title, bar, phases); if that does not fit, one compact
 * line each; if even that does not fit, the list is cut with "…and N more decks".
 */
import { InlineKeyboard } from "grammy";
import type { CardState } from "../srs/card-state";
import { LEECH_LAPSES } from "../srs/card-state";
import { bar, cut, esc, MAX_MESSAGE, plural } from "../learner/render";
import { cb } from "../learner/callback-data";
import type { UserDoc } from "../store/users";
import { KEEP_DAYS } from "../store/users";
import {
  deckBreakdown, findLeeches, findSuspended, forecast, forecastChart, percent, retention, streakFigure, todayFigures,
  type CardRow, type DeckBreakdown, type RowsOf, type TableDeck,
} from "./figures";
import { packCardAction, packSuspendedPage, STATS_VIEW } from "./callbacks";

export interface StatsInput {
  doc: UserDoc;
  today: number;
  /** The subscribed decks that could be loaded, with their deck-table index. */
  decks: TableDeck[];
  state(deckId: string, cardId: string): CardState | undefined;
  /** Subscribed decks that no longer exist. */
  missing?: number;
  /**
   * Subscribed decks counted from the summaries in the learner's record, without reading their
   * progress (no leeches or suspended cards in them): title, phases and the 7-day forecast.
   */
  summarized?: { title: string; b: DeckBreakdown; fc: number[] }[];
  /** Decks in `decks` read only to list their leeches and suspended cards (counted in `summarized`). */
  listOnly?: ReadonlySet<string>;
  /** The loaded progress rows of a deck: cards that are neither leeches nor suspended are skipped in them. */
  rowsOf?: RowsOf;
}

type Button = ReturnType<typeof InlineKeyboard.text>;

export interface View {
  text: string;
  keyboard: InlineKeyboard;
}

/** Leeches listed with buttons (two each); more are counted. */
export const MAX_LEECHES = 8;
/** Suspended cards per page of the list. */
export const SUSPENDED_PAGE = 8;
const FRONT_CHARS = 70;
const TITLE_CHARS = 40;

function deckLines(title: string, b: DeckBreakdown): string[] {
  return [
    `<b>${esc(cut(title, 60))}</b> · ${plural(b.total, "card")}`,
    `${bar(b.total ? b.seen / b.total : 0)} seen · ${b.total ? Math.round((100 * b.mature) / b.total) : 0}% mature`,
    `new ${b.new} · learning ${b.learning} · young ${b.young} · mature ${b.mature}${b.suspended ? ` · suspended ${b.suspended}` : ""}`,
  ];
}

function compactLine(title: string, b: DeckBreakdown): string {
  const seen = b.total ? Math.round((100 * b.seen) / b.total) : 0;
  return `• ${esc(cut(title, TITLE_CHARS))} — ${seen}% seen · ${b.mature} mature · ${b.new} new`;
}

function cardLine(n: number, r: CardRow, extra: string): string {
  return `${n}. <i>${esc(cut(r.deckTitle, TITLE_CHARS))}</i>: ${esc(cut(r.front, FRONT_CHARS))}${extra}`;
}

export function statsView(input: StatsInput): View {
  const { doc, today, decks, state } = input;
  const t = todayFigures(doc, today);
  const streak = streakFigure(doc, today);
  const ret = retention(doc, today);
  const summarized = input.summarized ?? [];
  const counted = decks.filter((d) => !input.listOnly?.has(d.deck.deck.id));
  const breakdowns = [
    ...counted.map((d) => ({ title: d.deck.deck.title, b: deckBreakdown(d.deck.cardIds, (id) => state(d.deck.deck.id, id)) })),
    ...summarized.map(({ title, b }) => ({ title, b })),
  ];
  const fc = forecast(counted.map((d) => ({ cardIds: d.deck.cardIds, state: (id: string) => state(d.deck.deck.id, id) })), today);
  for (const s of summarized) s.fc.forEach((n, k) => fc[k] && (fc[k]!.count += n));
  const anyDeck = counted.length + summarized.length > 0;
  const leeches = findLeeches(decks, state, input.rowsOf);
  const suspended = findSuspended(decks, state, input.rowsOf);

  const head: string[] = ["📊 <b>Your progress</b>", "", "<b>Today</b>"];
  head.push(`Cards reviewed: <b>${t.reviewed}</b> (${t.reviews} ${t.reviews === 1 ? "review" : "reviews"} · ${t.newCards} new) · ${plural(t.presses, "button press", "button presses")}`);
  head.push(t.quizAnswered ? `Quiz: <b>${t.quizCorrect}/${t.quizAnswered}</b> correct` : "Quiz: none yet today");
  const streakNote = streak.days === 0 ? " — review or take a quiz to start one" : streak.atRisk ? " — study today to keep it going" : "";
  head.push(`Streak: <b>${plural(streak.days, "day")}</b>${streak.days >= 3 ? " 🔥" : ""}${streakNote}`);
  head.push("", "<b>Retention</b> (reviews not graded <i>Again</i>)");
  head.push(`Mature cards (interval ≥ 21 days), last ${KEEP_DAYS} days: <b>${percent(ret.mature)}</b>${ret.mature.of ? ` (${ret.mature.ok}/${ret.mature.of})` : ""}`);
  head.push(`All reviews, last 30 days: <b>${percent(ret.month)}</b>${ret.month.of ? ` (${ret.month.ok}/${ret.month.of})` : ""}`);

  const tail: string[] = [];
  if (anyDeck) {
    tail.push("", "<b>Due in the next 7 days</b>");
    if (fc.some((f) => f.count > 0)) tail.push(`<pre>${forecastChart(fc)}</pre>`);
    else tail.push("Nothing scheduled yet — /review starts your first cards.");
  }
  if (leeches.length) {
    tail.push("", `🩹 <b>Leeches</b> — cards you failed ${LEECH_LAPSES} times or more. Reset one to learn it afresh, or suspend it:`);
    leeches.slice(0, MAX_LEECHES).forEach((r, i) => tail.push(cardLine(i + 1, r, ` — ${plural(r.lapses, "lapse")}`)));
    if (leeches.length > MAX_LEECHES) tail.push(`…and ${leeches.length - MAX_LEECHES} more — suspend or reset these first.`);
  }
  if (suspended.length) tail.push("", `⏸ ${plural(suspended.length, "suspended card")} (they stay out of reviews and quizzes).`);

  // The decks, in whatever detail fits.
  const deckHead = ["", "<b>Decks</b> (bar: share of cards you have seen)"];
  if (input.missing) deckHead.push(`<i>${plural(input.missing, "subscribed deck")} no longer available.</i>`);
  if (!anyDeck) deckHead.push("You have no decks yet — pick one in /decks.");
  const budget = MAX_MESSAGE - [...head, ...deckHead, ...tail].join("\n").length - 1;
  const full = breakdowns.flatMap(({ title, b }) => ["", ...deckLines(title, b)]);
  let body: string[];
  if (full.join("\n").length <= budget) body = full;
  else {
    const compact = breakdowns.map(({ title, b }) => compactLine(title, b));
    body = [];
    let used = 0;
    for (let i = 0; i < compact.length; i++) {
      const more = `…and ${compact.length - i} more decks (see /decks)`;
      const line = compact[i]!;
      const fitsWithMore = used + line.length + 1 + (i < compact.length - 1 ? more.length + 1 : 0) <= budget;
      if (!fitsWithMore) {
        body.push(more);
        break;
      }
      body.push(line);
      used += line.length + 1;
    }
  }
  const text = [...head, ...deckHead, ...body, ...tail].join("\n");

  const rows: Button[][] = leeches.slice(0, MAX_LEECHES).map((r, i) => [
    InlineKeyboard.text(`↺ Reset ${i + 1}`, packCardAction("r", r.table, r.index, r.deckId, r.cardId)),
    InlineKeyboard.text(`⏸ Suspend ${i + 1}`, packCardAction("s", r.table, r.index, r.deckId, r.cardId)),
  ]);
  if (suspended.length) rows.push([InlineKeyboard.text(`⏸ Suspended cards (${suspended.length})`, packSuspendedPage(0))]);
  if (fc[0] && fc[0].count > 0) rows.push([InlineKeyboard.text(`▶️ Review ${plural(fc[0].count, "due card")}`, cb.deck("R", "*"))]);
  else if (!decks.length) rows.push([InlineKeyboard.text("📚 Browse decks", cb.catalogue())]);
  const kb = InlineKeyboard.from(rows);
  return { text: text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`, keyboard: kb };
}

/** The suspended cards, SUSPENDED_PAGE per page, each with an Unsuspend button. */
export function suspendedView(input: StatsInput, page: number): View {
  const all = findSuspended(input.decks, input.state, input.rowsOf);
  const pages = Math.max(1, Math.ceil(all.length / SUSPENDED_PAGE));
  const p = Math.min(Math.max(0, page), pages - 1);
  const shown = all.slice(p * SUSPENDED_PAGE, (p + 1) * SUSPENDED_PAGE);
  const lines = [`⏸ <b>Suspended cards</b> (${all.length})`];
  if (!all.length) lines.push("", "None: every card of your decks is in your reviews and quizzes.");
  else {
    lines.push("Suspended cards stay out of reviews and quizzes. Unsuspend one to bring it back where it was.", "");
    shown.forEach((r, i) => lines.push(cardLine(p * SUSPENDED_PAGE + i + 1, r, r.lapses >= LEECH_LAPSES ? ` — ${plural(r.lapses, "lapse")}` : "")));
    if (pages > 1) lines.push("", `Page ${p + 1} of ${pages}`);
  }
  const rows: Button[][] = [];
  shown.forEach((r, i) => {
    if (i % 2 === 0) rows.push([]);
    rows[rows.length - 1]!.push(InlineKeyboard.text(`▶️ Unsuspend ${p * SUSPENDED_PAGE + i + 1}`, packCardAction("u", r.table, r.index, r.deckId, r.cardId)));
  });
  const nav: Button[] = [];
  if (p > 0) nav.push(InlineKeyboard.text("« Previous", packSuspendedPage(p - 1)));
  if (p < pages - 1) nav.push(InlineKeyboard.text("Next »", packSuspendedPage(p + 1)));
  if (nav.length) rows.push(nav);
  rows.push([InlineKeyboard.text("« Back to stats", STATS_VIEW)]);
  const kb = InlineKeyboard.from(rows);
  return { text: lines.join("\n"), keyboard: kb };
}
