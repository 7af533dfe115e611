/**
 * The fuzz world and its generator: a bot with lecturers, students, a class, a group with a running
 * group quiz, a student mid-quiz and one mid-review — then thousands of generated updates, each
 * checked on its own: the webhook's answer, error lines in the log, and every KV key it touched.
 */
import fc from "fast-check";
import { createRig, type Rig } from "../support/reliability-rig";
import { user } from "../support/harness";
import { makeDeck } from "../support/fixtures";
import { packReview } from "../../src/learner/review-state";
import { localDay } from "../../src/srs/days";

export const ADMIN = 900; // ADMIN_USER_IDS in vitest.config.ts
export const LECT = 9701, S1 = 9702, S2 = 9703, S3 = 9704, FRESH = 9705;
export const GROUP = -1009700;
export const PEOPLE = [ADMIN, LECT, S1, S2, S3, FRESH];
export const fuzzDecks = [makeDeck("alpha", 12), makeDeck("beta", 6, { quiz: false })];

// ---- odd text --------------------------------------------------------------------------------

export const ODD = [
  "\u202Eevil\u202C", "\u200B\u200C\u200D\uFEFF", "a\u0000b", "\u0000", "👩‍👩‍👧‍👦🏳️‍🌈", "مرحبا بالعالم", "עברית", "<b>bold</b>", "</blockquote>", "&amp;&lt;",
  "<a href=\"javascript:alert(1)\">x</a>", "*bold* _it_ `code` [link](http://x)", "\\", "'; DROP TABLE users; --", "${7*7}", "{{c1::x}}", "%00%2e%2e/",
  "\uD800", "\r\n\r\n", "   ", "Ω≈ç√∫", "null", "undefined", "NaN", "-1", "99999999999999999999", "1e309", "Crim", "alpha", "lect-deck",
];

export const textArb = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ODD) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ODD), fc.constantFrom(4096, 4096, 5000, 20_000)).map(([s, n]) => s.repeat(Math.ceil(n / Math.max(1, s.length))).slice(0, n)) },
  );

const COMMANDS = [
  "start", "help", "decks", "review", "quiz", "daily", "settings", "stats", "export", "forget", "join", "leave", "classes", "newclass", "push",
  "classstats", "classexport", "removestudent", "renameclass", "closeclass", "token", "mydecks", "publicdeck", "lecturer", "id", "draft", "draft_cancel", "frobnicate",
  "START", "start@lectern_test_bot", "review@someone_else_bot",
];

/** An argument for a command: sensible, odd, another user's id, a real or forged class code. */
const argArb = (codes: () => string[]): fc.Arbitrary<(w: World) => string> =>
  fc.oneof(
    fc.constant(() => ""),
    fc.constantFrom("alpha", "beta", "lect-deck", "nope", "alpha 20", "stop", "next", "revoke", "invite", "on", "off", "time 07:30", "time 25:99", "tz Europe/Vienna", "tz Mars/Olympus", "tz +14:30", "length 99", "new -1", "reviews 0", "daily maybe", "Crim", "Crim = Crim 2", "join_", "deck_alpha", "review", "quiz", "lect_xxxxxxxxxxxxxxxxxxxx").map((s) => () => s),
    fc.constantFrom(...PEOPLE).map((id) => () => String(id)),
    fc.tuple(fc.constantFrom("remove ", "Crim ", ""), fc.constantFrom(...PEOPLE)).map(([p, id]) => () => `${p}${id}`),
    fc.nat(5).map((i) => (w: World) => codes()[i % Math.max(1, codes().length)] ?? w.code),
    fc.constantFrom("join_", "").map((p) => (w: World) => `${p}${w.code}`),
    fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), minLength: 12, maxLength: 12 }).map((c) => () => c),
    textArb().map((t) => () => t),
    textArb().map((t) => () => t),
    // a long argument: the whole message up to Telegram's 4,096 characters
    fc.tuple(fc.constantFrom(...ODD), fc.constantFrom("", " = x", " 9702")).map(([t, tail]) => () => `${t.repeat(Math.ceil(4200 / Math.max(1, t.length)))}${tail}`),
    // emoji at odd offsets: whatever the bot cuts must not cut one in half
    fc.tuple(fc.constantFrom("", "a", "ab"), fc.constantFrom("😀", "👩‍👩‍👧", "🏳️‍🌈"), fc.integer({ min: 5, max: 2000 })).map(([p, e, n]) => () => `${p}${e.repeat(n)}`),
  );

// ---- update specs ------------------------------------------------------------------------------

export type Who = number | "none";
export type ChatPick = "own" | "group" | "other" | "unknown" | "none";

export type Spec =
  | { t: "text"; from: Who; chat: ChatPick; text: (w: World) => string; entity: boolean; edited: boolean; channel: boolean; dropText: boolean; fit: boolean }
  | { t: "callback"; from: Who; chat: ChatPick; msg: "real" | "fake" | "none"; data: (w: World) => string }
  | { t: "poll"; from: Who; poll: "unknown" | "own" | "other" | "group"; options: number[] }
  | { t: "doc"; from: Who; chat: ChatPick; name: string; body: string; caption: string }
  | { t: "member"; from: Who; status: "kicked" | "member" }
  | { t: "unknown"; key: string; payload: unknown }
  | { t: "raw"; body: string }
  | { t: "secret"; secret: "none" | "wrong" | "empty"; inner: Spec };

const whoArb: fc.Arbitrary<Who> = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...PEOPLE) }, { weight: 1, arbitrary: fc.constant("none" as const) });
const chatArb: fc.Arbitrary<ChatPick> = fc.oneof(
  { weight: 10, arbitrary: fc.constant("own" as const) },
  { weight: 4, arbitrary: fc.constant("group" as const) },
  { weight: 1, arbitrary: fc.constantFrom("other" as const, "unknown" as const, "none" as const) },
);

/** Callback data: every format the bot knows, with right and wrong ids, and junk. */
export const callbackDataArb: fc.Arbitrary<(w: World) => string> = fc.oneof(
  // review: a well-formed session button with random (mostly wrong) ids
  fc
    .record({
      kind: fc.constantFrom("a" as const, "g" as const, "x" as const),
      sid: fc.string({ unit: fc.constantFrom(..."0123456789abcdefghijklmnopqrstuvwxyz"), minLength: 4, maxLength: 4 }),
      dayOff: fc.integer({ min: -3, max: 2 }),
      scope: fc.integer({ min: -1, max: 63 }),
      base: fc.nat(40),
      cur: fc.record({ deck: fc.nat(63), card: fc.nat(1000) }),
      log: fc.array(fc.record({ deck: fc.nat(3), card: fc.nat(30), grade: fc.constantFrom(1, 3, 4, 5) }), { maxLength: 9 }),
    })
    .map((r) => (w: World) => {
      const log = r.kind === "g" && r.log.length === 0 ? [{ deck: 0, card: 0, grade: 4 }] : r.log;
      try {
        return packReview({ kind: r.kind, sid: r.sid, day: Math.max(0, localDay(w.rig.clock.now, "UTC") + r.dayOff), scope: r.scope, base: r.base, cur: r.cur, log });
      } catch {
        return "a0000";
      }
    }),
  // the real session buttons of S2's open review (pressed by anyone)
  fc.nat(10).map((i) => (w: World) => w.sessionButtons()[i % Math.max(1, w.sessionButtons().length)] ?? "h"),
  fc.tuple(fc.constantFrom("d", "s", "u", "R", "Q"), fc.constantFrom("alpha", "beta", "lect-deck", "*", "nope", "ALPHA", "../etc", "a".repeat(40), "", "x y")).map(([a, id]) => () => `${a}:${id}`),
  fc.tuple(fc.constantFrom("d", "t", "q", "n", "r", "i", "x"), fc.constantFrom("0", "1", "15", "60", "1439", "1440", "999", "-1", "z", "abcd", "q", "n")).map(([f, v]) => () => `S:${f}:${v}`),
  fc.constantFrom("D0", "D1", "D999", "D-1", "N:*", "N:0", "N:*:5", "N:z:999", "N:*:-5", "Qn", "h", "st", "Lv", "Ll0", "Ll999", "Ll1000", "G:n", "G:x", "G:y", "X:p", "X:z", "X:k:0", "X:r:9999", "X:j").map((s) => () => s),
  fc.tuple(fc.constantFrom("Lr", "Ls", "Lu"), fc.constantFrom("0", "1", "Z", "_"), fc.constantFrom("0", "1", "zz", "zzz"), fc.constantFrom("0000", "zzzz", "1a2b")).map(([o, d, c, t]) => () => `${o}:${d}:${c}:${t}`),
  // /forget buttons of other users (and one's own, expired)
  fc.tuple(fc.constantFrom(...PEOPLE), fc.integer({ min: -3000, max: 10 })).map(([uid, ago]) => (w: World) => `F:y:${uid}:${(Math.floor(w.rig.clock.now / 60_000) + ago).toString(36)}`),
  fc.constantFrom(...PEOPLE).map((uid) => () => `F:n:${uid}`),
  fc.string({ minLength: 1, maxLength: 64 }).map((s) => () => s),
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 64 }).map((s) => () => s),
);

export function specArb(codes: () => string[]): fc.Arbitrary<Spec> {
  const base: fc.Arbitrary<Spec> = fc.oneof(
    {
      weight: 10,
      arbitrary: fc.record({
        t: fc.constant("text" as const), from: whoArb, chat: chatArb,
        text: fc.oneof(
          { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...COMMANDS), argArb(codes)).map(([c, a]) => (w: World) => `/${c}${(() => { const s = a(w); return s ? ` ${s}` : ""; })()}`) },
          { weight: 1, arbitrary: textArb().map((t) => () => t) },
        ),
        entity: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
        edited: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        channel: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        dropText: fc.oneof({ weight: 20, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        /** Cut to Telegram's 4,096 characters (a longer message cannot be sent). */
        fit: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      }),
    },
    { weight: 8, arbitrary: fc.record({ t: fc.constant("callback" as const), from: whoArb, chat: chatArb, msg: fc.constantFrom("real" as const, "real" as const, "real" as const, "fake" as const, "none" as const), data: callbackDataArb }) },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant("poll" as const), from: whoArb, poll: fc.constantFrom("unknown" as const, "own" as const, "other" as const, "group" as const),
        options: fc.constantFrom<number[]>([0], [1], [], [99], [-1], [0, 1]),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant("doc" as const), from: whoArb, chat: chatArb,
        name: fc.constantFrom("cards.csv", "deck.json", "x.txt", "notes.md", "evil<b>.csv", "no-extension", "../../etc/passwd"),
        body: fc.oneof(fc.constant("front,back\nQ,A\n"), fc.constant('{"id":"x"}'), textArb()),
        caption: fc.constantFrom("", "id: alpha", "id: fuzz-deck", "/draft", "title: <b>T</b>"),
      }),
    },
    { weight: 1, arbitrary: fc.record({ t: fc.constant("member" as const), from: whoArb, status: fc.constantFrom("kicked" as const, "member" as const) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant("unknown" as const),
        key: fc.constantFrom("some_future_update", "channel_post", "edited_channel_post", "inline_query", "chat_member", "message_reaction", "business_message", "chat_boost", "poll", "shipping_query", "pre_checkout_query"),
        payload: fc.oneof(fc.constant({}), fc.constant(null), fc.constant(42), fc.constant({ id: "1", from: { id: S1, is_bot: false, first_name: "A" }, query: "x", offset: "" }), fc.jsonValue({ maxDepth: 2 })),
      }),
    },
    { weight: 1, arbitrary: fc.oneof(fc.constant("not json"), fc.constant(""), fc.constant("{}"), fc.constant("[]"), fc.constant("null"), fc.constant('{"update_id":"x"}'), fc.constant('{"update_id":1,"message":null}'), fc.json({ maxDepth: 3 })).map((body) => ({ t: "raw" as const, body })) },
  );
  return fc.oneof({ weight: 30, arbitrary: base }, { weight: 1, arbitrary: fc.record({ t: fc.constant("secret" as const), secret: fc.constantFrom("none" as const, "wrong" as const, "empty" as const), inner: base }) });
}

// ---- the world -----------------------------------------------------------------------------------

export class World {
  readonly rig: Rig;
  code = "";
  private nextUpdate = 700_000_000;
  private nextMessage = new Map<number, number>();

  constructor() {
    this.rig = createRig({
      decks: fuzzDecks,
      users: [
        { ...user(ADMIN, "Ada"), started: true },
        { ...user(LECT, "Carol"), started: true },
        { ...user(S1, "Alice"), started: true },
        { ...user(S2, "Bob"), started: true },
        { ...user(S3, "Dave"), started: true },
        { ...user(FRESH, "Eve"), started: true },
      ],
      groups: [{ id: GROUP, title: "Class group", members: [ADMIN, LECT, S1, S2] }],
    });
  }

  async say(uid: number, text: string, chat?: number) {
    this.rig.advance(1500);
    const res = await this.rig.post(this.rig.tg.sendText(uid, text, chat === undefined ? {} : { chatId: chat }));
    if (res.status !== 200) throw new Error(`setup: ${text} answered ${res.status}`);
  }

  lastBot(uid: number) {
    return this.rig.tg.messages(uid).filter((m) => m.from?.is_bot).at(-1);
  }

  async tap(uid: number, label: RegExp, chat = uid) {
    this.rig.advance(1500);
    const m = this.rig.tg.messages(chat).filter((x) => x.from?.is_bot && (x.reply_markup?.inline_keyboard ?? []).flat().some((b) => label.test(b.text))).at(-1)!;
    const b = m.reply_markup!.inline_keyboard.flat().find((x) => label.test(x.text)) as { callback_data: string };
    const res = await this.rig.post(this.rig.tg.pressButton(uid, chat, m.message_id, b.callback_data));
    if (res.status !== 200) throw new Error(`setup: ${label} answered ${res.status}`);
  }

  /** Lecturer with a class, a deck, a token and a group quiz; S1 in the class and mid-quiz; S2 mid-review. */
  async setup() {
    await this.say(ADMIN, `/lecturer ${LECT}`);
    await this.say(LECT, "/newclass Crim");
    this.code = /join_([A-Za-z0-9_-]{12})/.exec(this.lastBot(LECT)!.text!)![1]!;
    await this.say(S1, `/join ${this.code}`);
    this.rig.advance(1500);
    await this.rig.post(this.rig.tg.uploadDocument(LECT, { fileName: "lect.csv", bytes: "front,back\nWhat is a cell?,The unit of life\nWhat is DNA?,Genetic material\n", caption: "id: lect-deck" }));
    await this.say(LECT, "/token");
    await this.say(LECT, `/push alpha Crim`);
    await this.rig.drainQueue();
    await this.say(S1, "/quiz alpha");
    await this.say(S2, "/review alpha");
    await this.tap(S2, /Show answer/);
    await this.say(LECT, "/quiz alpha 5", GROUP);
    await this.say(S3, "/start");
  }

  /** The buttons on S2's open session message. */
  sessionButtons(): string[] {
    const m = this.rig.tg.messages(S2).filter((x) => x.from?.is_bot && (x.reply_markup?.inline_keyboard ?? []).flat().some((b) => "callback_data" in b && /^[agx][0-9a-z]{4}/.test(b.callback_data!))).at(-1);
    return (m?.reply_markup?.inline_keyboard ?? []).flat().flatMap((b) => ("callback_data" in b ? [b.callback_data!] : []));
  }

  private userObj(uid: number) {
    return { id: uid, is_bot: false, first_name: `U${uid}`, language_code: "en" };
  }

  private chatObj(pick: ChatPick, uid: number | undefined): { id: number; type: string; title?: string; first_name?: string } | undefined {
    if (pick === "none") return undefined;
    if (pick === "group") return { id: GROUP, type: "supergroup", title: "Class group" };
    if (pick === "other") return { id: uid === S1 ? S2 : S1, type: "private", first_name: "Other" };
    if (pick === "unknown") return { id: 123_456_789, type: "private", first_name: "Nobody" };
    return { id: uid ?? S3, type: "private", first_name: `U${uid}` };
  }

  private msgId(chat: number): number {
    const n = (this.nextMessage.get(chat) ?? 50_000) + 1;
    this.nextMessage.set(chat, n);
    return n;
  }

  /**
   * The Update JSON for a spec, and whether Telegram could ever send it (the sender is a person in
   * a chat they are in, the message exists, the chat is a private chat of the sender or a group).
   */
  build(spec: Spec): { body: unknown; secret: string | null; possible: boolean; sender?: number; chat?: number; text?: string } {
    const update_id = this.nextUpdate++;
    const date = Math.floor(this.rig.clock.now / 1000);
    if (spec.t === "secret") {
      const inner = this.build(spec.inner);
      return { ...inner, secret: spec.secret === "none" ? null : spec.secret === "empty" ? "" : "wrong-secret" };
    }
    if (spec.t === "raw") return { body: spec.body, secret: this.rig.env.WEBHOOK_SECRET, possible: false };
    if (spec.t === "unknown") return { body: { update_id, [spec.key]: spec.payload }, secret: this.rig.env.WEBHOOK_SECRET, possible: false };
    const uid = spec.from === "none" ? undefined : spec.from;
    const from = uid === undefined ? undefined : this.userObj(uid);
    const inGroup = (u: number | undefined) => u !== undefined && [ADMIN, LECT, S1, S2].includes(u);
    const chatOk = (pick: ChatPick) => pick === "own" || (pick === "group" && inGroup(uid));
    const secret = this.rig.env.WEBHOOK_SECRET;
    if (spec.t === "member") {
      const chat = { id: uid ?? S3, type: "private", first_name: "X" };
      const bot = { id: 123456, is_bot: true, first_name: "Lectern", username: "lectern_test_bot" };
      const was = spec.status === "kicked" ? "member" : "kicked";
      return {
        body: { update_id, my_chat_member: { chat, ...(from ? { from } : {}), date, old_chat_member: { user: bot, status: was }, new_chat_member: { user: bot, status: spec.status } } },
        secret, possible: uid !== undefined, ...(uid !== undefined ? { sender: uid } : {}), chat: chat.id,
      };
    }
    if (spec.t === "poll") {
      let poll_id = `9${update_id}`;
      let possible = uid !== undefined && spec.options.length <= 1 && spec.options.every((o) => o >= 0 && o < 4);
      if (spec.poll === "own" || spec.poll === "other") {
        const owner = spec.poll === "own" ? uid ?? S1 : uid === S1 ? S2 : S1;
        const p = this.rig.tg.messages(owner).filter((m) => m.poll).at(-1)?.poll;
        if (p) poll_id = p.id;
        if (spec.poll === "other") possible = false; // another learner's private poll
      } else if (spec.poll === "group") {
        const p = this.rig.tg.messages(GROUP).filter((m) => m.poll).at(-1)?.poll;
        if (p) poll_id = p.id;
        possible &&= inGroup(uid);
      } else possible = false;
      return {
        body: { update_id, poll_answer: { poll_id, ...(from ? { user: from } : {}), option_ids: spec.options } },
        secret, possible, ...(uid !== undefined ? { sender: uid } : {}),
      };
    }
    const chat = this.chatObj(spec.chat, uid);
    const base = { ...(uid !== undefined ? { sender: uid } : {}), ...(chat ? { chat: chat.id } : {}) };
    if (spec.t === "doc") {
      const file = this.rig.tg.uploadDocument(S3, { fileName: spec.name, bytes: spec.body }).message!.document!; // a real file id
      const message = { message_id: this.msgId(chat?.id ?? 0), date, ...(chat ? { chat } : {}), ...(from ? { from } : {}), document: file, ...(spec.caption ? { caption: spec.caption } : {}) };
      return { body: { update_id, message }, secret, possible: uid !== undefined && chatOk(spec.chat), ...base };
    }
    if (spec.t === "callback") {
      const data = spec.data(this);
      const chatId = chat?.id ?? 0;
      let message: unknown;
      let possible = uid !== undefined && chatOk(spec.chat) && new TextEncoder().encode(data).length <= 64 && data.length > 0 && wellFormed(data);
      if (spec.msg === "real") {
        const m = chat && this.rig.tg.chat(chat.id) ? this.rig.tg.messages(chat.id).filter((x) => x.from?.is_bot).at(-1) : undefined;
        message = m ?? { message_id: 1, date, chat };
        if (!m) possible = false;
      } else if (spec.msg === "fake") {
        message = { message_id: 987_654, date, ...(chat ? { chat } : {}), text: "gone" };
        possible = false;
      } else possible = false;
      return {
        body: { update_id, callback_query: { id: `cq${update_id}`, ...(from ? { from } : {}), ...(message ? { message } : {}), chat_instance: `ci${chatId}`, data } },
        secret, possible, ...base,
      };
    }
    // text
    const text = spec.fit ? spec.text(this).slice(0, 4096).replace(/[\uD800-\uDBFF]$/, "") : spec.text(this);
    const m = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
    const message: Record<string, unknown> = { message_id: this.msgId(chat?.id ?? 0), date, ...(chat ? { chat } : {}), ...(from && !spec.channel ? { from } : {}) };
    if (!spec.dropText) message.text = text;
    if (m && spec.entity && !spec.dropText) message.entities = [{ type: "bot_command", offset: 0, length: m[0].length }];
    if (spec.edited) message.edit_date = date;
    const key = spec.channel ? "channel_post" : spec.edited ? "edited_message" : "message";
    // A message without text is a sticker, a photo or the like: possible too. Telegram's text is
    // UTF-8: half a surrogate pair never comes from it.
    const possible = uid !== undefined && chatOk(spec.chat) && !spec.channel && (spec.dropText || (text.length > 0 && text.length <= 4096 && wellFormed(text)));
    return { body: { update_id, [key]: message }, secret, possible, ...base, text };
  }
}

/** No half of a surrogate pair (Telegram sends UTF-8, which cannot hold one). */
export function wellFormed(s: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

// ---- who may touch what ----------------------------------------------------------------------

export interface Facts {
  lecturers: Set<number>;
  classOwner: Map<string, number>;
  tokenOwner: Map<string, number>;
}

/** What the namespace says about roles and ownership (read directly, not through the counter). */
export function facts(rig: Rig): Facts {
  const f: Facts = { lecturers: new Set([ADMIN]), classOwner: new Map(), tokenOwner: new Map() };
  for (const [k, e] of rig.memory!.data) {
    try {
      if (k.startsWith("v2:role:") && (JSON.parse(e.value) as { role?: string }).role === "lecturer") f.lecturers.add(Number(k.slice(8)));
      else if (k.startsWith("v2:roleinv:")) f.lecturers.add(Number(k.slice(11)));
      else if (k.startsWith("v1:class:")) f.classOwner.set(k.slice(9), (JSON.parse(e.value) as { owner: number }).owner);
      else if (k.startsWith("v1:token:")) f.tokenOwner.set(k.slice(9), (JSON.parse(e.value) as { uid: number }).uid);
    } catch {
      // not ours
    }
  }
  return f;
}

/**
 * The keys an update may touch. Own keys: the sender's record, schedule entry, memberships and
 * draft. Shared keys read legitimately: a class (to join it or list one's classes), an uploaded
 * deck, a group-quiz poll reference and answer sheet, the group quiz of the chat the update is from, a token, a
 * fan-out run, an invite. Writes to shared keys: only by their owner (class, deck, run, token) or a
 * lecturer in that group (group quiz, poll references); an invite is used up by whoever has it.
 * Another learner's keys: only an administrator appointing a lecturer (/lecturer), or a lecturer
 * removing a student of their own class (/removestudent). Lists: never on an update.
 */
export function violations(
  touched: { op: string; key: string }[], u: { sender?: number; chat?: number; text?: string }, before: Facts, after: Facts, ownerAfter: (key: string) => number | undefined,
): string[] {
  const out: string[] = [];
  const s = u.sender;
  const cmd = (name: string) => u.text !== undefined && new RegExp(`^/${name}(?:@\\w+)?(?:\\s|$)`).test(u.text);
  const isLect = s !== undefined && before.lecturers.has(s);
  const ownsClass = (code: string) => s !== undefined && before.classOwner.get(code) === s;
  for (const { op, key } of touched) {
    const bad = () => out.push(`${op} ${key}`);
    const write = op === "put" || op === "delete";
    let m: RegExpExecArray | null;
    if (op === "list") bad();
    else if ((m = /^v[12]:user:(-?\d+)$/.exec(key)) || (m = /^v2:prog:(-?\d+):[^:]+$/.exec(key))) {
      // A learner's own record and progress shards: only their own updates touch them.
      if (Number(m[1]) !== s) bad();
    } else if ((m = /^v2:role:(-?\d+)$/.exec(key))) {
      // Roles: read for oneself; read and written by an administrator's /lecturer.
      const id = Number(m[1]);
      if (s === ADMIN && cmd("lecturer")) continue;
      if (id !== s || op === "put") bad(); // deleted by the person's own /forget
    } else if ((m = /^v2:(?:roleinv|own|gone|daily|blocked):(-?\d+)$/.exec(key)) || (m = /^v2:pushed:[^:]+:(-?\d+)$/.exec(key))) {
      // Keys about the sender: read by their own updates (a lecturer's ownership, a daily quiz's
      // answer, an invite redeemed), written by their own invite redemption, /forget and ownership changes.
      const id = Number(m[1]);
      if (s === ADMIN && cmd("lecturer") && !write && /^v2:roleinv:/.test(key)) continue;
      if (id !== s) bad();
    } else if (/^v1:invite-claim:/.test(key)) {
      continue; // the redeemer's claim on an invite (single use under races)
    } else if ((m = /^v1:slot:\d{4}:(-?\d+)$/.exec(key)) || (m = /^v1:draft:(-?\d+)$/.exec(key))) {
      if (Number(m[1]) !== s) bad();
    } else if ((m = /^v1:member:([^:]+):(-?\d+)$/.exec(key))) {
      if (Number(m[2]) === s) continue;
      if (ownsClass(m[1]!) && op !== "put" && cmd("removestudent")) continue;
      bad();
    } else if ((m = /^v1:class:(.+)$/.exec(key))) {
      if (!write) continue;
      if (op === "put" && isLect && ownerAfter(key) === s && (before.classOwner.get(m[1]!) ?? s) === s) continue;
      bad();
    } else if (/^v[12]:deck:/.test(key)) {
      if (write && !(op === "put" && isLect && ownerAfter(key) === s)) bad();
    } else if (/^v1:run:/.test(key)) {
      if (write && !(op === "put" && isLect && ownerAfter(key) === s)) bad();
    } else if ((m = /^v1:token:(.+)$/.exec(key))) {
      if (!write) continue;
      if (op === "put" && isLect && after.tokenOwner.get(m[1]!) === s) continue;
      if (op === "delete" && before.tokenOwner.get(m[1]!) === s) continue;
      bad();
    } else if ((m = /^v1:gquiz:(-?\d+)$/.exec(key))) {
      if (Number(m[1]) !== u.chat || (write && !isLect)) bad();
    } else if (/^v1:gsheet:/.test(key)) {
      // A group quiz's answer sheet: read by a member who answered it (they take only their own
      // answers); written only by the answer queue's consumer, never by an update.
      if (write) bad();
    } else if (/^v1:poll:/.test(key)) {
      if (write && !(op === "put" && isLect && u.chat !== undefined && u.chat < 0)) bad();
    } else if (/^v1:invite:/.test(key)) {
      if (op === "put" && s !== ADMIN) bad();
    } else bad();
  }
  return out;
}

/** A readable line for an update body. */
export function show(body: unknown): string {
  const s = typeof body === "string" ? body : JSON.stringify(body);
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
