/**
 * Journeys for the redelivery and fault suites: a journey is a list of *intentions* of 2–3
 * learners ("send /review", "press a visible Good button", "answer the open poll wrongly", …).
 * A runner resolves each intention against what the Telegram stand-in shows that learner *now*
 * and posts the resulting Update to the webhook — so the same journey can be replayed with
 * redeliveries or faults, and compared with a clean run.
 *
 * The learner model (what a person does, kept deterministic):
 *  - A learner presses buttons on messages the bot sent in answer to their own updates. A message
 *    that only a redelivered update produced (a second copy of a catalogue, a second session) is
 *    ignored — the learner keeps using the one they were using.
 *  - Review presses go to the learner's current session message (the newest one the bot started
 *    for them); with no button of the wanted kind on it, the intention does nothing.
 *  - Before starting another review session, and before answering a quiz poll, the learner taps
 *    ⏹ Stop on an open session. So every grade reaches storage (an abandoned session loses its
 *    unsaved grades by design), and grades are saved in the order they are given — what the
 *    oracle below assumes. (What happens otherwise: the `it.fails` test in findings.suite.ts.)
 *  - At the end every learner stops their open session and answers the rest of a running quiz.
 *
 * The oracle: every grade the learner gave (review buttons, quiz answers), in order, folded
 * through SM-2 with "only a card's first grade of a day schedules it" gives each card's expected
 * state, computed here independently of src/srs.
 */
import fc from "fast-check";
import type { Message, Update } from "grammy/types";
import { createRig, type Rig } from "../support/reliability-rig";
import { user } from "../support/harness";
import type { Deck } from "../../src/decks/schema";
import { unpackReview } from "../../src/learner/review-state";
import { localDay } from "../../src/srs/days";
import { userKey } from "../../src/store/users";
import { progressFromDump, withPending } from "../support/progress";
import { quizQuestion } from "../../src/decks/schema";

export const SECOND = 1000;
export const DAY = 86_400_000;

// ---- intentions --------------------------------------------------------------------------------

export type PressKind =
  | "deck" | "sub" | "unsub" | "page" | "review" | "more" | "show" | "g1" | "g3" | "g4" | "g5" | "stop"
  | "quiz" | "restart" | "setting" | "help" | "stats";

export type Step =
  | { k: "text"; u: number; text: string; gap: number }
  | { k: "press"; u: number; kind: PressKind; pick: number; gap: number }
  | { k: "poll"; u: number; right: boolean; gap: number }
  /** Show answer + grade, for each grade. */
  | { k: "burst"; u: number; grades: (1 | 3 | 4 | 5)[]; gap: number }
  /** The next day (24 h later). */
  | { k: "day"; gap: number };

export interface Journey {
  users: number;
  steps: Step[];
  /** For the n-th update delivered, how many steps later its duplicate comes (cycled). */
  dupDelays: number[];
}

/** Which kind of button a callback_data is. */
export function kindOf(data: string): PressKind | null {
  if (/^a[0-9a-z]{4}/.test(data)) return "show";
  if (/^g[0-9a-z]{4}/.test(data)) return `g${data.at(-1)}` as PressKind;
  if (/^x[0-9a-z]{4}/.test(data)) return "stop";
  if (data.startsWith("d:")) return "deck";
  if (data.startsWith("s:")) return "sub";
  if (data.startsWith("u:")) return "unsub";
  if (/^D\d+$/.test(data)) return "page";
  if (data.startsWith("R:")) return "review";
  if (data.startsWith("N:")) return "more";
  if (data.startsWith("Q:")) return "quiz";
  if (data === "Qn") return "restart";
  if (data.startsWith("S:")) return "setting";
  if (data === "h") return "help";
  if (data === "st") return "stats";
  return null;
}

const isReviewKind = (k: PressKind) => k === "show" || k === "stop" || k === "g1" || k === "g3" || k === "g4" || k === "g5";

export const TIMEZONES = ["UTC", "Europe/Vienna", "+02:00", "-05:00", "Asia/Kolkata", "America/New_York"];

/** Typed commands a learner sends (deck ids of the fixture decks: alpha, beta). */
export const textArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom("/start", "/decks", "/help", "/stats") },
  { weight: 4, arbitrary: fc.constantFrom("/review", "/review alpha", "/review beta") },
  { weight: 3, arbitrary: fc.constantFrom("/quiz", "/quiz alpha", "/quiz beta") },
  { weight: 1, arbitrary: fc.constantFrom("/settings", "/daily", "/daily on", "/daily off") },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `/settings time ${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`),
      fc.constantFrom(...TIMEZONES).map((tz) => `/settings tz ${tz}`),
      fc.integer({ min: 1, max: 8 }).map((n) => `/settings length ${n}`),
      fc.integer({ min: 0, max: 15 }).map((n) => `/settings new ${n}`),
      fc.integer({ min: 1, max: 60 }).map((n) => `/settings reviews ${n}`),
    ),
  },
);

const pressKindArb: fc.Arbitrary<PressKind> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<PressKind>("show") },
  { weight: 6, arbitrary: fc.constantFrom<PressKind>("g1", "g3", "g4", "g4", "g5") },
  { weight: 1, arbitrary: fc.constant<PressKind>("stop") },
  { weight: 3, arbitrary: fc.constantFrom<PressKind>("deck", "sub", "unsub", "page", "review") },
  { weight: 2, arbitrary: fc.constantFrom<PressKind>("more", "quiz", "restart", "help", "stats") },
  { weight: 2, arbitrary: fc.constant<PressKind>("setting") },
);

export function stepArb(users: number): fc.Arbitrary<Step> {
  const u = fc.integer({ min: 0, max: users - 1 });
  const gap = fc.integer({ min: 1_500, max: 6_000 });
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ k: fc.constant("text" as const), u, text: textArb, gap }) },
    { weight: 10, arbitrary: fc.record({ k: fc.constant("press" as const), u, kind: pressKindArb, pick: fc.nat(20), gap }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant("poll" as const), u, right: fc.boolean(), gap }) },
    {
      weight: 3,
      arbitrary: fc.record({ k: fc.constant("burst" as const), u, grades: fc.array(fc.constantFrom<1 | 3 | 4 | 5>(1, 3, 4, 4, 5), { minLength: 2, maxLength: 9 }), gap }),
    },
    { weight: 1, arbitrary: fc.record({ k: fc.constant("day" as const), gap: fc.constant(DAY) }) },
  );
}

/**
 * A journey: 2–3 learners; most of them start with /start and a deck (so reviews and quizzes have
 * something to work on), then random intentions.
 */
export function journeyArb(opts: { minSteps?: number; maxSteps?: number; maxDelay?: number } = {}): fc.Arbitrary<Journey> {
  return fc.integer({ min: 2, max: 3 }).chain((users) =>
    fc.record({
      users: fc.constant(users),
      steps: fc
        .tuple(
          fc.array(fc.constantFrom("/review alpha", "/review beta", "/quiz alpha", "/decks", "/start"), { minLength: users, maxLength: users }),
          fc.array(stepArb(users), { minLength: opts.minSteps ?? 8, maxLength: opts.maxSteps ?? 22 }),
        )
        .map(([openers, rest]) => [...openers.map((text, u): Step => ({ k: "text", u, text, gap: 2_000 })), ...rest]),
      dupDelays: fc.array(fc.integer({ min: 0, max: opts.maxDelay ?? 8 }), { minLength: 16, maxLength: 16 }),
    }),
  );
}

// ---- the oracle: SM-2 from the grades given ------------------------------------------------

export interface GradeEvent {
  uid: number;
  /** A review grade names the deck by its table index (resolved at the end), a quiz answer by id. */
  deckIndex?: number;
  deckId?: string;
  card: number | string;
  grade: number;
  day: number;
  via: "review" | "quiz";
}

export interface CardExpect {
  n: number; i: number; ef: number; due: number; last: number; g: number; lapses: number; intro: number; reps: number;
}

/** SM-2 on hundredths, written out again here so the oracle does not trust src/srs. */
export function expectCard(prev: CardExpect | undefined, q: number, day: number): CardExpect {
  if (prev && prev.last === day) return { ...prev, g: q };
  const b = prev ?? { n: 0, i: 0, ef: 250, due: day, last: -1, g: 0, lapses: 0, intro: day, reps: 0 };
  const d = 5 - q;
  const ef = Math.max(130, b.ef + 10 - d * (8 + 2 * d));
  let n: number, i: number;
  if (q < 3) (n = 0), (i = 1);
  else {
    i = b.n === 0 ? 1 : b.n === 1 ? 6 : Math.floor((b.i * b.ef + 50) / 100);
    n = b.n + 1;
  }
  return { n, i, ef, due: day + i, last: day, g: q, lapses: b.lapses + (q < 3 ? 1 : 0), intro: prev ? prev.intro : day, reps: b.reps + 1 };
}

export function unpackStored(a: unknown): CardExpect | undefined {
  if (!Array.isArray(a) || a.length < 10) return undefined;
  const [n, i, ef, due, last, g, lapses, intro, , , reps] = a as number[];
  return { n: n!, i: i!, ef: ef!, due: due!, last: last!, g: g!, lapses: lapses!, intro: intro!, reps: reps ?? n! + lapses! };
}

export interface Tally {
  lost: number;
  doubled: number;
  mismatched: number;
  checked: number;
  problems: string[];
}

/** Compares every graded card's stored state with the oracle's. */
export function checkGrades(dump: Record<string, string>, events: GradeEvent[], decks: readonly Deck[], tables: Map<number, string[]>): Tally {
  const t: Tally = { lost: 0, doubled: 0, mismatched: 0, checked: 0, problems: [] };
  const expected = new Map<string, CardExpect>();
  for (const e of events) {
    const deckId = e.deckId ?? tables.get(e.uid)?.[e.deckIndex!];
    if (!deckId) {
      t.problems.push(`grade on an unknown deck index ${e.deckIndex} of ${e.uid}`);
      continue;
    }
    const deck = decks.find((d) => d.id === deckId)!;
    const cardId = typeof e.card === "string" ? e.card : deck.cards[e.card]!.id;
    const key = `${e.uid}|${deckId}|${cardId}`;
    expected.set(key, expectCard(expected.get(key), e.grade, e.day));
  }
  const actual = new Map<string, CardExpect>();
  for (const k of Object.keys(dump)) {
    if (!k.startsWith("v2:user:")) continue;
    const uid = Number(k.slice(8));
    for (const [deckId, cards] of Object.entries(withPending(JSON.parse(dump[k]!), progressFromDump(dump, uid)))) {
      for (const [cardId, packed] of Object.entries(cards)) {
        const s = unpackStored(packed);
        if (s) actual.set(`${uid}|${deckId}|${cardId}`, s);
      }
    }
  }
  for (const [key, want] of expected) {
    t.checked++;
    const got = actual.get(key);
    if (!got || got.reps < want.reps) {
      t.lost++;
      t.problems.push(`${key}: expected ${JSON.stringify(want)}, stored ${JSON.stringify(got)}`);
    } else if (got.reps > want.reps) {
      t.doubled++;
      t.problems.push(`${key}: scheduled ${got.reps} times, expected ${want.reps}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    } else if (JSON.stringify(got) !== JSON.stringify(want)) {
      t.mismatched++;
      t.problems.push(`${key}: stored ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    }
  }
  for (const key of actual.keys()) {
    if (!expected.has(key)) {
      t.doubled++;
      t.problems.push(`${key}: graded but the learner never graded it`);
    }
  }
  return t;
}

/** Deck tables (index → deck id) of every learner in a dump. */
export function deckTables(dump: Record<string, string>): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [k, v] of Object.entries(dump)) {
    if (k.startsWith("v2:user:")) out.set(Number(k.slice(8)), (JSON.parse(v) as { decks: { id: string }[] }).decks.map((d) => d.id));
  }
  return out;
}

/**
 * The namespace as compared between runs: every key and value, minus the two fields that record
 * *writes* rather than state — `rev` (bumped by every write, so a redelivery that rewrites the
 * same content bumps it) and `at` (the time of the last write, kept only for KV's 1 write/s rule).
 * `extraTimes` also drops timestamps of *when* something happened (`created`, a quiz's `started`),
 * which legitimately move when a fault makes the work happen at a retry seconds later. Poll ids in
 * a running quiz are Telegram's ids of the polls sent (a question sent again gets a new one and
 * remembers the old ones in `was`); they are replaced by the question's position.
 */
export function normalizeDump(dump: Record<string, string>, extraTimes = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dump)) {
    let value: unknown;
    try {
      value = JSON.parse(v);
    } catch {
      value = v;
    }
    if (k.startsWith("v2:user:") && value && typeof value === "object") {
      const doc = value as Record<string, unknown> & { quiz?: { qs: { poll?: string; was?: string[] }[]; started?: number } };
      delete doc.rev;
      delete doc.at;
      if (extraTimes) {
        delete doc.created;
        if (doc.quiz) delete doc.quiz.started;
      }
      // Telegram's message ids (of the last /daily toggle, of what started a quiz): they shift when
      // a redelivery or a retry makes the bot send one message more.
      const daily = doc.daily as { toggled?: number } | undefined;
      if (daily?.toggled !== undefined) daily.toggled = 0;
      // When each waiting quiz answer came (ms): a redelivery or a retry moves it; their order stays compared.
      const pend = doc.pend as unknown[][] | undefined;
      if (pend) for (const e of pend) e[4] = 0;
      if (doc.quiz && (doc.quiz as { from?: number }).from !== undefined) (doc.quiz as { from?: number }).from = 0;
      if (doc.quiz) {
        for (const [i, q] of doc.quiz.qs.entries()) {
          if (q.poll !== undefined) q.poll = `#${i}`;
          delete q.was;
        }
      }
    }
    out[k] = value;
  }
  return out;
}

/** JSON with object keys sorted (values written in another order compare equal). */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x,
  );
}

/** The first difference between two normalized dumps, or null. */
export function firstDifference(a: Record<string, unknown>, b: Record<string, unknown>): string | null {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    const x = canonical(a[k]), y = canonical(b[k]);
    if (x !== y) return `${k}:\n  without: ${x}\n  with:    ${y}`;
  }
  return null;
}

// ---- the runner ---------------------------------------------------------------------------------

export interface Delivery {
  update: Update;
  uid: number;
  /** Seed of the randomness the update's first delivery drew. */
  seed: string;
  /** Step index the update was produced at. */
  step: number;
}

export interface RunnerOptions {
  decks: readonly Deck[];
  uids: number[];
  names?: string[];
  /** Deliver every update a second time, `dupDelays` steps later (cycled). */
  dups?: { delays: number[]; inOrder: boolean };
  /** Called before an original update is delivered (faults are armed here). */
  beforeOriginal?: (d: Delivery) => void;
  /**
   * Called after an original update was answered; returns what to do: "ok", "redeliver" (post
   * the same Update again — Telegram after a non-2xx answer) or "repeat" (the learner saw nothing
   * happen and does the same thing again).
   */
  afterOriginal?: (d: Delivery, outcome: { status: number; errorsLogged: boolean; missingPoll: boolean }) => "ok" | "redeliver" | "repeat";
  start?: number;
}

export class Runner {
  readonly rig: Rig;
  readonly events: GradeEvent[] = [];
  /** Webhook answers, by status. */
  readonly statuses = new Map<number, number>();
  deliveries = 0;
  duplicates = 0;
  private seen = new Map<number, Set<number>>();
  private mine = new Map<number, Set<number>>();
  private focus = new Map<number, number>();
  private pending: { due: number; d: Delivery }[] = [];
  private produced = 0;
  private stepNo = 0;
  private plannedTime: number;

  constructor(readonly opts: RunnerOptions) {
    this.rig = createRig({
      decks: opts.decks,
      users: opts.uids.map((id, i) => user(id, opts.names?.[i] ?? `Learner${i}`)),
      ...(opts.start !== undefined ? { start: opts.start } : {}),
    });
    this.plannedTime = this.rig.clock.now;
    for (const uid of opts.uids) {
      this.seen.set(uid, new Set());
      this.mine.set(uid, new Set());
    }
  }

  // -- what the learner sees ------------------------------------------------------------------

  private botMessages(uid: number): Message[] {
    return this.rig.tg.messages(uid).filter((m) => m.from?.is_bot);
  }

  /** Marks the bot messages that appeared since the last look (as the learner's own if `own`). */
  private look(uid: number, own: boolean) {
    const seen = this.seen.get(uid)!, mine = this.mine.get(uid)!;
    for (const m of this.botMessages(uid)) {
      if (seen.has(m.message_id)) continue;
      seen.add(m.message_id);
      if (!own) continue;
      mine.add(m.message_id);
      const kinds = (m.reply_markup?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? kindOf(b.callback_data!) : null));
      if (kinds.some((k) => k && isReviewKind(k))) this.focus.set(uid, m.message_id);
    }
  }

  /** [message id, data] of a button of `kind` the learner would press, or null. */
  private findButton(uid: number, kind: PressKind, pick: number): [number, string] | null {
    const mine = this.mine.get(uid)!;
    const candidates = isReviewKind(kind)
      ? [this.focus.get(uid)].filter((x): x is number => x !== undefined)
      : this.botMessages(uid).filter((m) => mine.has(m.message_id)).map((m) => m.message_id).reverse();
    for (const id of candidates) {
      const m = this.rig.tg.message(uid, id);
      const datas = (m?.reply_markup?.inline_keyboard ?? []).flat().flatMap((b) => ("callback_data" in b && kindOf(b.callback_data!) === kind ? [b.callback_data!] : []));
      if (datas.length) return [id, datas[pick % datas.length]!];
    }
    return null;
  }

  /** The learner's newest open, unanswered poll from their own updates. */
  private openPoll(uid: number): { id: string; correct: number; options: number; question: string } | null {
    const mine = this.mine.get(uid)!;
    const polls = this.rig.tg.messages(uid).filter((m) => m.poll && mine.has(m.message_id)).reverse();
    for (const m of polls) {
      const p = this.rig.tg.poll(m.poll!.id)!;
      if (p.is_closed || this.rig.tg.pollVotes(p.id)[uid]) continue;
      return { id: p.id, correct: p.correct_option_ids![0]!, options: p.options.length, question: p.question };
    }
    return null;
  }

  private userDoc(uid: number): { tz: string; quiz?: { day: number; qs: { c: string; poll?: string; g?: number }[] } } | null {
    const raw = this.rig.memory!.data.get(userKey(uid))?.value;
    return raw ? JSON.parse(raw) : null;
  }

  // -- delivering -------------------------------------------------------------------------------

  private count(status: number) {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  private async deliverDup(d: Delivery) {
    this.rig.reseed(d.seed);
    const res = await this.rig.post(d.update);
    this.deliveries++;
    this.duplicates++;
    this.count(res.status);
    this.look(d.uid, false);
  }

  /** Delivers the duplicates that are due (or, in-order mode, every pending one of `uid`). */
  private async flushDups(step: number, uid?: number) {
    for (;;) {
      const i = this.pending.findIndex((p) => p.due <= step || (uid !== undefined && this.opts.dups!.inOrder && p.d.uid === uid));
      if (i < 0) return;
      const [{ d }] = this.pending.splice(i, 1) as [{ due: number; d: Delivery }];
      await this.deliverDup(d);
    }
  }

  /**
   * Posts an original update, then does what Telegram and the learner would do next: after a
   * non-2xx answer Telegram posts the same Update again; when the learner saw nothing happen (the
   * bot apologised, or no next poll came) they do the same thing again — a new update.
   * `record` sees the first update of this intention that was answered 200.
   */
  private async original(uid: number, make: () => Update | null, seed: string, record?: (u: Update) => void, expectPoll = false): Promise<Update | null> {
    await this.flushDups(this.stepNo, uid);
    let update = make();
    if (!update) return null;
    let recorded = false;
    for (let attempt = 0; ; attempt++) {
      const d: Delivery = { update, uid, seed, step: this.stepNo };
      this.opts.beforeOriginal?.(d);
      this.rig.reseed(seed);
      const logMark = this.rig.logs.length;
      const pollsBefore = expectPoll ? this.rig.tg.messages(uid).filter((m) => m.poll).length : 0;
      const res = await this.rig.post(update);
      this.deliveries++;
      this.count(res.status);
      this.look(uid, true);
      if (res.status === 200 && !recorded) {
        recorded = true;
        record?.(update);
      }
      const missingPoll = expectPoll && res.status === 200 && this.rig.tg.messages(uid).filter((m) => m.poll).length === pollsBefore;
      const next = this.opts.afterOriginal?.(d, { status: res.status, errorsLogged: this.rig.errors(logMark).length > 0, missingPoll }) ?? "ok";
      if (next === "ok" || attempt >= 4) break;
      this.rig.advance(2 * SECOND);
      if (next === "redeliver") continue; // the same Update JSON, as Telegram retries it
      const again = make(); // the learner does the same thing again: a new update
      if (!again) break;
      update = again;
      expectPoll = false;
    }
    if (this.opts.dups) {
      const delay = this.opts.dups.delays[this.produced++ % this.opts.dups.delays.length]!;
      this.pending.push({ due: this.stepNo + 1 + delay, d: { update, uid, seed, step: this.stepNo } });
    }
    return update;
  }

  private async press(uid: number, kind: PressKind, pick: number, seed: string): Promise<boolean> {
    const sent = await this.original(
      uid,
      () => {
        const target = this.findButton(uid, kind, pick);
        return target ? this.rig.tg.pressButton(uid, uid, target[0], target[1]) : null;
      },
      seed,
      (u) => {
        const data = u.callback_query!.data!;
        if (/^g[0-9a-z]{4}/.test(data)) {
          const st = unpackReview(data);
          const e = st?.log.at(-1);
          if (e) this.events.push({ uid, deckIndex: e.deck, card: e.card, grade: e.grade, day: st!.day, via: "review" });
        }
      },
    );
    return sent !== null;
  }

  /**
   * Records a quiz answer as a grade if the quiz rules say it counts: the poll asks the question
   * its "k/n" prefix names of the learner's running quiz, that question is unanswered, and the quiz
   * has not expired (started at most a day before). Poll ids are not consulted: any copy counts.
   */
  private quizEvent(uid: number, question: string, grade: number, doc: ReturnType<Runner["userDoc"]>) {
    const m = /^(\d+)\/(\d+) · (.*)$/s.exec(question);
    const quiz = doc?.quiz;
    if (!m || !quiz || !doc) return;
    const today = localDay(this.rig.clock.now, doc.tz);
    const q = quiz.qs[Number(m[1]) - 1];
    if (!q || q.g !== undefined || quiz.qs.length !== Number(m[2]) || quiz.day < today - 1) return;
    for (const deck of this.opts.decks) {
      const card = deck.cards.find((c) => quizQuestion(c.front) === m[3]);
      if (card && card.id === q.c) {
        this.events.push({ uid, deckId: deck.id, card: card.id, grade, day: today, via: "quiz" });
        return;
      }
    }
  }

  /** Taps Stop on the learner's open session, if it has one. */
  private async stopOpenSession(uid: number, seed: string) {
    if (this.findButton(uid, "stop", 0)) await this.press(uid, "stop", 0, `${seed}:stop`);
  }

  private async text(uid: number, text: string, seed: string) {
    if (/^\/review/.test(text)) await this.stopOpenSession(uid, seed);
    // A bare /daily toggles. A learner who has to send it again (the bot apologised) says what they
    // wanted: the opposite of what it was before.
    const wanted = text === "/daily" ? !((this.userDoc(uid) as { settings?: { dailyOn?: boolean } } | null)?.settings?.dailyOn ?? false) : undefined;
    let first = true;
    await this.original(
      uid,
      () => {
        const t = first || wanted === undefined ? text : `/daily ${wanted ? "on" : "off"}`;
        first = false;
        return this.rig.tg.sendText(uid, t);
      },
      seed,
    );
  }

  private async answer(uid: number, right: boolean, seed: string) {
    await this.stopOpenSession(uid, seed);
    let answered: { id: string; correct: number; options: number; question: string } | null = null;
    const open = this.openPoll(uid);
    const pos = open ? /^(\d+)\/(\d+) · /.exec(open.question) : null;
    const doc0 = this.userDoc(uid);
    await this.original(
      uid,
      () => {
        const p = answered ? null : this.openPoll(uid);
        if (!p) {
          // The answer is in (Telegram takes one answer per quiz poll); no next poll came: /quiz
          // brings the running question back.
          return answered ? this.rig.tg.sendText(uid, "/quiz") : null;
        }
        answered = p;
        return this.rig.tg.answerPoll(uid, p.id, [right ? p.correct : (p.correct + 1) % p.options]);
      },
      seed,
      (u) => {
        if (u.poll_answer && answered) this.quizEvent(uid, answered.question, right ? 4 : 1, doc0);
      },
      !!pos && Number(pos[1]) < Number(pos[2]),
    );
  }

  /** Runs one step of a journey. */
  async step(s: Step, index: number) {
    this.stepNo = index;
    // Telegram retries within minutes, not across the night: pending duplicates come before the
    // next day (a press on a session from an earlier day closes it, by design).
    if (s.k === "day") await this.flushDups(Number.MAX_SAFE_INTEGER);
    this.plannedTime += s.gap;
    this.rig.clock.now = Math.max(this.rig.clock.now, this.plannedTime);
    await this.flushDups(index);
    const seed = `step${index}`;
    if (s.k === "day") return;
    const uid = this.opts.uids[s.u]!;
    if (s.k === "text") await this.text(uid, s.text, seed);
    else if (s.k === "poll") await this.answer(uid, s.right, seed);
    else if (s.k === "press") {
      if (s.kind === "review" || s.kind === "more") await this.stopOpenSession(uid, seed);
      await this.press(uid, s.kind, s.pick, seed);
    } else {
      for (let k = 0; k < s.grades.length; k++) {
        this.rig.advance(1_500);
        this.plannedTime = Math.max(this.plannedTime, this.rig.clock.now);
        if (!(await this.press(uid, "show", 0, `${seed}:${k}a`))) break;
        this.rig.advance(1_500);
        this.plannedTime = Math.max(this.plannedTime, this.rig.clock.now);
        if (!(await this.press(uid, `g${s.grades[k]}` as PressKind, 0, `${seed}:${k}g`))) break;
      }
    }
  }

  /** Every learner stops an open session and answers the rest of a running quiz. */
  async finish(from: number) {
    let index = from;
    for (const uid of this.opts.uids) {
      this.stepNo = index++;
      this.plannedTime += 2_000;
      this.rig.clock.now = Math.max(this.rig.clock.now, this.plannedTime);
      await this.flushDups(this.stepNo);
      await this.stopOpenSession(uid, `finish${uid}`);
      for (let k = 0; k < 25; k++) {
        const doc = this.userDoc(uid);
        const q = doc?.quiz?.qs.find((x) => x.g === undefined);
        if (!q?.poll) break;
        const pollId = q.poll;
        const p = this.rig.tg.poll(pollId);
        if (!p || this.rig.tg.pollVotes(pollId)[uid]) break;
        this.rig.advance(2_000);
        this.plannedTime = Math.max(this.plannedTime, this.rig.clock.now);
        const before = JSON.stringify(doc);
        let answered = false;
        await this.original(
          uid,
          () => {
            if (answered) return this.rig.tg.sendText(uid, "/quiz");
            answered = true;
            return this.rig.tg.answerPoll(uid, pollId, [p.correct_option_ids![0]!]);
          },
          `finish${uid}:${k}`,
          (u) => {
            if (u.poll_answer) this.quizEvent(uid, p.question, 4, doc);
          },
          doc!.quiz!.qs.filter((x) => x.g === undefined).length > 1,
        );
        if (JSON.stringify(this.userDoc(uid)) === before) break; // expired: the answer changed nothing
      }
    }
    // Duplicates still pending come last.
    this.stepNo = Number.MAX_SAFE_INTEGER;
    this.rig.advance(2_000);
    await this.flushDups(Number.MAX_SAFE_INTEGER);
  }

  async run(j: Journey) {
    for (let i = 0; i < j.steps.length; i++) await this.step(j.steps[i]!, i);
    await this.finish(j.steps.length);
    return this;
  }
}

/** A short, readable rendering of a journey for failure messages. */
export function describeJourney(j: Journey): string {
  return j.steps
    .map((s, i) => {
      if (s.k === "day") return `${i}: next day`;
      const who = `u${s.u}`;
      if (s.k === "text") return `${i}: ${who} ${s.text}`;
      if (s.k === "press") return `${i}: ${who} press ${s.kind}#${s.pick}`;
      if (s.k === "poll") return `${i}: ${who} answers ${s.right ? "right" : "wrong"}`;
      return `${i}: ${who} grades ${s.grades.join(",")}`;
    })
    .join("\n");
}

// ---- faults -------------------------------------------------------------------------------------

export type FaultSpec =
  | { kind: "kv"; when: "before" | "after"; op: "get" | "put" | "delete"; nth: number; message: string }
  | { kind: "tg"; method: string; code: 429 | 403 | 400 | 500; nth: number };

export const faultArb: fc.Arbitrary<FaultSpec> = fc.oneof(
  fc.record({
    kind: fc.constant("kv" as const),
    when: fc.constantFrom("before" as const, "after" as const),
    op: fc.constantFrom("get" as const, "put" as const, "put" as const, "delete" as const),
    nth: fc.nat(2),
    message: fc.constantFrom("KV GET failed: 429 Too Many Requests", "KV PUT failed: 429 Too Many Requests", "Network connection lost.", "internal error; reference = 0123"),
  }),
  fc.record({
    kind: fc.constant("tg" as const),
    method: fc.constantFrom("editMessageText", "editMessageText", "sendMessage", "sendPoll", "answerCallbackQuery", "*"),
    code: fc.constantFrom(429 as const, 403 as const, 400 as const, 500 as const),
    nth: fc.nat(1),
  }),
);

/** Arms one fault for the next delivery; `fired` tells whether it went off. */
export function armFault(rig: Rig, spec: FaultSpec): { fired: () => boolean; disarm: () => void } {
  let seen = 0;
  let fired = false;
  const disarm = () => {
    rig.kv.fault = undefined;
    rig.late.fault = undefined;
    rig.tg.setFault(undefined);
  };
  if (spec.kind === "kv") {
    const hook = (f: { op: string }) => {
      if (fired || f.op !== spec.op || seen++ !== spec.nth) return undefined;
      fired = true;
      return new Error(spec.message);
    };
    if (spec.when === "before") rig.kv.fault = hook;
    else rig.late.fault = hook;
  } else {
    rig.tg.setFault((method) => {
      if (fired || (spec.method !== "*" && method !== spec.method) || seen++ !== spec.nth) return undefined;
      fired = true;
      const description = {
        429: "Too Many Requests: retry after 7",
        403: "Forbidden: bot was blocked by the user",
        400: "Bad Request: injected fault",
        500: "Internal Server Error",
      }[spec.code];
      return spec.code === 429 ? { error_code: 429, description, retry_after: 7 } : { error_code: spec.code, description };
    });
  }
  return { fired: () => fired, disarm };
}

/**
 * The weaker check for stale redeliveries: no card was scheduled more often than the number of
 * days the learner graded it on, and no card has a state although the learner never graded it.
 */
export function checkNoDoubles(dump: Record<string, string>, events: GradeEvent[], decks: readonly Deck[], tables: Map<number, string[]>): Tally {
  const t: Tally = { lost: 0, doubled: 0, mismatched: 0, checked: 0, problems: [] };
  const days = new Map<string, Set<number>>();
  for (const e of events) {
    const deckId = e.deckId ?? tables.get(e.uid)?.[e.deckIndex!];
    const deck = decks.find((d) => d.id === deckId);
    if (!deck) continue;
    const cardId = typeof e.card === "string" ? e.card : deck.cards[e.card]!.id;
    const key = `${e.uid}|${deckId}|${cardId}`;
    (days.get(key) ?? days.set(key, new Set()).get(key)!).add(e.day);
  }
  for (const k of Object.keys(dump)) {
    if (!k.startsWith("v2:user:")) continue;
    const uid = Number(k.slice(8));
    for (const [deckId, cards] of Object.entries(withPending(JSON.parse(dump[k]!), progressFromDump(dump, uid)))) {
      for (const [cardId, packed] of Object.entries(cards)) {
        const s = unpackStored(packed);
        const key = `${uid}|${deckId}|${cardId}`;
        t.checked++;
        const d = days.get(key);
        if (!s) continue;
        if (!d) {
          t.doubled++;
          t.problems.push(`${key}: graded but the learner never graded it`);
        } else if (s.reps > d.size || !d.has(s.last)) {
          t.doubled++;
          t.problems.push(`${key}: scheduled ${s.reps} times (last day ${s.last}), graded on days ${[...d].join(",")}`);
        }
      }
    }
  }
  return t;
}
