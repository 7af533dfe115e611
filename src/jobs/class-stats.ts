/**
 * /classstats and /classexport: per student, over the class's decks only (cards reviewed in the
 * last 7 days, cards due, share of cards reviewed in 30 days last graded Good/Easy, last active)
 * and the class's hardest cards (lowest share of scheduled reviews not failed). Read from the
 * students' own records in queue chunks — no student ever writes anything extra for it.
 */
import { InputFile } from "grammy";
import * as v from "valibot";
import type { Services } from "../services";
import type { FanoutOp } from "./fanout";
import { readLearner } from "../learner/learner";
import { F } from "../srs/card-state";
import { W } from "../srs/progress";
import { localDay } from "../srs/days";
import { dayToIso } from "../srs/days";
import { cut, esc, plural, splitMessage } from "../learner/render";
import { quizQuestion } from "../decks/schema";
import { csvCell } from "../stats/export";
import { buildClassDash, DASH_WEEKS } from "../miniapp/class-dash";

export interface StudentRow {
  uid: number;
  name: string;
  /** Cards of the class's decks reviewed in the last 7 days. */
  reviews7: number;
  due: number;
  /** Cards of the class's decks reviewed in the last 30 days, and of them last graded Good/Easy. */
  graded30: number;
  good30: number;
  /** Last local day with activity (ISO), or "" if never. */
  lastActive: string;
  /** Mini App: cards last reviewed in each of the last DASH_WEEKS weeks ([0] = last 7 days), and cards seen per deck. */
  weeks?: number[];
  seen?: Record<string, number>;
}

export interface StatsResult {
  rows: StudentRow[];
  /** "deck/card" → [scheduled reviews, failures] summed over students. */
  cards: Record<string, [number, number]>;
}

const n0 = v.pipe(v.number(), v.minValue(0));
const StatsResultSchema = v.object({
  rows: v.array(v.object({
    uid: v.number(), name: v.string(), reviews7: n0, due: n0, graded30: n0, good30: n0, lastActive: v.string(),
    weeks: v.optional(v.array(n0)), seen: v.optional(v.record(v.string(), n0)),
  })),
  cards: v.record(v.string(), v.tuple([n0, n0])),
});

export const statsOp: FanoutOp<StatsResult, StatsResult> = {
  // A head and the class's shards per student; with decks of 5,000 cards a chunk of 10 stays
  // within the free plan's 10 ms CPU (npm run bench: class_stats_chunk).
  chunkSize: 10,
  result: StatsResultSchema,
  empty: { rows: [], cards: {} },
  async chunk(svc, run, uids) {
    const decks = await svc.decks.getMany(run.decks ?? []);
    const out: StatsResult = { rows: [], cards: {} };
    for (const uid of uids) {
      const member = await svc.stores.classes.member(run.class, uid);
      if (!member) continue; // left the class since the roster was listed
      const learner = await readLearner(svc, uid);
      if (!learner.stored && !learner.legacy) continue; // deleted their data
      const today = learner.today;
      // Only what the student did after joining the class.
      const joinedDay = localDay(member.joined, learner.doc.tz);
      const row: StudentRow = { uid, name: member.name, reviews7: 0, due: 0, graded30: 0, good30: 0, lastActive: "", weeks: new Array<number>(DASH_WEEKS).fill(0), seen: {} };
      // Only the class's decks: a lecturer sees nothing of a student's other studies.
      let last = -1;
      for (const [id, deck] of decks) {
        if (!learner.hasProgress(id)) continue;
        const r = (await learner.load(svc, deck)).rows;
        for (let c = 0; c < deck.cardIds.length; c++) {
          const o = c * W;
          if (r[o]! < 0) continue;
          row.seen![id] = (row.seen![id] ?? 0) + 1;
          const sLast = r[o + F.last]!, sDue = r[o + F.due]!;
          if (!r[o + F.susp] && sDue <= today && sLast !== today) row.due++;
          if (sLast < joinedDay) continue;
          if (sLast > today - 7) row.reviews7++;
          const week = Math.floor((today - sLast) / 7);
          if (week >= 0 && week < DASH_WEEKS) row.weeks![week]!++;
          if (sLast > today - 30) {
            row.graded30++;
            if (r[o + F.g]! >= 4) row.good30++;
          }
          if (sLast > last) last = sLast;
          if (r[o + F.reps]! > 0 && r[o + F.intro]! >= joinedDay) {
            const key = `${id}/${deck.cardIds[c]}`;
            const t = (out.cards[key] ??= [0, 0]);
            t[0] += r[o + F.reps]!;
            t[1] += r[o + F.lapses]!;
          }
        }
      }
      if (last >= 0) row.lastActive = dayToIso(last);
      out.rows.push(row);
    }
    return out;
  },
  fold(agg, r) {
    const a: StatsResult = agg ?? { rows: [], cards: {} };
    const res = r as StatsResult;
    a.rows.push(...res.rows);
    for (const [k, [reps, lapses]] of Object.entries(res.cards)) {
      const t = (a.cards[k] ??= [0, 0]);
      t[0] += reps;
      t[1] += lapses;
    }
    return a;
  },
  async report(svc, run, agg, complete) {
    const a = agg ?? { rows: [], cards: {} };
    // A student who left, was removed or deleted their data (/forget) while the run was in flight
    // is not reported: their membership key is gone.
    const still: StudentRow[] = [];
    for (const r of a.rows) if (await svc.stores.classes.member(run.class, r.uid)) still.push(r);
    a.rows = still;
    a.rows.sort((x, y) => x.name.localeCompare(y.name) || x.uid - y.uid);
    const hardest = await hardestCards(svc, a, 5);
    // The Mini App's class dashboard reads this one key instead of every student's record.
    // (A failure to store it must not cost the lecturer the report.)
    await svc.stores.classDash.put(await buildClassDash(svc, run, a, complete)).catch((err: unknown) => svc.deps.log({ t: "error", where: "classdash", error: String(err) }));
    if (run.csv) {
      const csv = classCsv(a.rows);
      await svc.api.sendDocument(run.chat, new InputFile(new TextEncoder().encode(csv), `class-${run.className ?? run.class}.csv`.replace(/[^\w.-]+/g, "-")), {
        caption: `Class ${run.className ?? run.class}: ${a.rows.length} students${complete ? "" : " (incomplete)"}`,
      });
      return;
    }
    const pct = (n: number, d: number) => (d ? `${Math.round((100 * n) / d)}%` : "—");
    const lines = [`📊 <b>${esc(run.className ?? run.class)}</b> — ${plural(a.rows.length, "student")}${complete ? "" : " (incomplete)"}`, "<i>On the class's decks only.</i>", ""];
    if (a.rows.length === 0) lines.push("No students yet. Share the class's join link.");
    for (const r of a.rows) {
      lines.push(`<b>${esc(r.name)}</b> — ${r.reviews7} cards reviewed (7 d) · ${r.due} due · ${pct(r.good30, r.graded30)} Good/Easy · ${r.lastActive ? `active ${r.lastActive}` : "not started"}`);
    }
    lines.push("", "<b>Hardest cards</b> (graded <i>Again</i> most by the class)");
    if (hardest.length) hardest.forEach((h, i) => lines.push(`${i + 1}. ${esc(h.front)} — ${h.lapses}× Again in ${plural(h.reviews, "review")}`));
    else lines.push("None yet: no card of the class's decks has been graded Again.");
    lines.push("", "As a spreadsheet: /classexport");
    for (const part of splitMessage(lines.join("\n"))) await svc.api.sendMessage(run.chat, part, { parse_mode: "HTML" });
  },
};

async function hardestCards(svc: Services, a: StatsResult, n: number) {
  // The cards the class graded Again most (at least once), then the most reviewed.
  const ranked = Object.entries(a.cards)
    .filter(([, [, lapses]]) => lapses > 0)
    .map(([key, [reps, lapses]]) => ({ key, reps, lapses, rate: Math.max(0, Math.round((100 * (reps - lapses)) / reps)) }))
    .sort((x, y) => y.lapses - x.lapses || y.reps - x.reps || (x.key < y.key ? -1 : 1))
    .slice(0, n);
  const out: { front: string; rate: number; reviews: number; lapses: number }[] = [];
  for (const r of ranked) {
    const [deckId, cardId] = r.key.split("/") as [string, string];
    const deck = await svc.decks.get(deckId);
    const card = deck?.deck.cards[deck.index.get(cardId) ?? -1];
    if (card) out.push({ front: cut(quizQuestion(card.front), 80), rate: r.rate, reviews: r.reps, lapses: r.lapses });
  }
  return out;
}

/** A CSV cell as /export writes it: quoted when needed, and a text starting with = + - @ is not run as a formula. */
export const csvField = csvCell;

export function classCsv(rows: StudentRow[]): string {
  const head = ["student", "telegram_id", "cards_reviewed_7d", "cards_due", "cards_reviewed_30d", "good_easy_30d", "good_easy_share_30d", "last_active"];
  const lines = [head.join(",")];
  for (const r of rows) {
    lines.push([r.name, r.uid, r.reviews7, r.due, r.graded30, r.good30, r.graded30 ? (r.good30 / r.graded30).toFixed(2) : "", r.lastActive].map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}
