/**
 * src/store/guard.ts: a schema compiled into plain checks must accept exactly what valibot accepts.
 * Valid records (a new learner, a full one, a schema with every node kind) are broken one node at a
 * time — every path in the value, replaced by each odd value or removed — and both must agree.
 */
import { describe, expect, it } from "vitest";
import * as v from "valibot";
import fc from "fast-check";
import { guard } from "../../src/store/guard";
import { newUser, UserSchema, type UserDoc } from "../../src/store/users";

function fullUser(): UserDoc {
  const doc = newUser(1_790_000_000_000);
  doc.tz = "Europe/Vienna";
  doc.decks = [
    { id: "untoc", sub: true, t: "UNTOC", w: 3, s: { seen: 10, cards: 40, due: 20_400, day: 20_399, redrill: 1, ph: [1, 2, 3, 4, 0], fc: [0, 2, 1] } },
    { id: "cybercrime-technology", sub: false },
  ];
  doc.sessions = [["ab12", 7, 6, 5]];
  doc.days = { "20399": [5, 4, 3, 2, 1, 0, 0, 1, 1, 0], "20400": [1] };
  doc.streak = { last: 20_400, len: 3 };
  doc.quiz = {
    id: "q1", day: 20_400, chat: 5, scope: -1, started: 1_790_000_000_000, daily: true, from: 12,
    qs: [{ d: 0, c: "untoc-001", poll: "p1", was: ["p0"], ok: 2, g: 4, k: 1 }, { d: 0, c: "untoc-002", ok: 0 }],
  };
  doc.daily = { lastSent: 20_399, lastCaughtUp: 20_398, slot: "19:00", toggled: 44 };
  doc.classes = ["ABC123"];
  doc.gpolls = ["g1"];
  doc.hist = { base: 20_030, c: [0, 3, 5] };
  doc.cseen = { ABC123: 2 };
  doc.pend = [[0, "untoc-003", 4, 20_400, 1_790_000_001_000]];
  doc.dq = ["d1"];
  doc.gq = [[-100123, 1_790_000_000_000, 0], [-100124, 1_789_000_000_000, 1]];
  return doc;
}

const EveryKind = v.object({
  lit: v.literal("x"),
  pick: v.picklist([0, 1, 2]),
  nested: v.pipe(v.pipe(v.number(), v.safeInteger(), v.minValue(0)), v.maxValue(10)),
  int: v.pipe(v.number(), v.integer()),
  tup: v.tuple([v.string(), v.pipe(v.number(), v.minValue(-1))]),
  rec: v.record(v.string(), v.array(v.boolean())),
  opt: v.optional(v.object({ a: v.string() })),
  custom: v.custom<number>((x) => x === 7),
  // Not compiled (a pipe action the guard does not know): valibot decides.
  email: v.pipe(v.string(), v.maxLength(5)),
});
const everyKind = { lit: "x", pick: 2, nested: 10, int: -3, tup: ["a", -1], rec: { a: [true], b: [] }, opt: { a: "" }, custom: 7, email: "abc" };

const ODD: unknown[] = [null, 0, -1, 1.5, 2 ** 60, NaN, "", "x", true, false, [], [1], {}, { a: 1 }, 10, 11, 200, 201, 1439, 1440, 7];

/** Every path to a node of a JSON-like value. */
function paths(x: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(x)) x.forEach((y, i) => out.push(...paths(y, [...at, i])));
  else if (x && typeof x === "object") for (const [k, y] of Object.entries(x)) out.push(...paths(y, [...at, k]));
  return out;
}

/** A deep copy with the node at `path` replaced (or removed, for `REMOVE`). */
const REMOVE = Symbol("remove");
function broken(x: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(x) as Record<string | number, unknown>;
  if (path.length === 0) return value === REMOVE ? undefined : value;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === REMOVE) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

function agreeEverywhere(schema: v.GenericSchema, valid: unknown): number {
  const check = guard(schema);
  expect(v.is(schema, valid)).toBe(true);
  expect(check(valid)).toBe(true);
  let cases = 0, rejected = 0;
  for (const path of paths(valid)) {
    for (const odd of [...ODD, REMOVE]) {
      const x = broken(valid, path, odd);
      const want = v.is(schema, x);
      if (check(x) !== want) throw new Error(`guard and valibot disagree at ${JSON.stringify(path)} = ${String(odd === REMOVE ? "(removed)" : JSON.stringify(odd))}: valibot ${want}`);
      cases++;
      if (!want) rejected++;
    }
  }
  return rejected / cases;
}

describe("guard: a compiled schema accepts exactly what valibot accepts", () => {
  it("the learner's head: a new record and a full one, every node broken or removed", () => {
    const share1 = agreeEverywhere(UserSchema, JSON.parse(JSON.stringify(newUser(1_790_000_000_000))));
    const share2 = agreeEverywhere(UserSchema, JSON.parse(JSON.stringify(fullUser())));
    // The mutations really do break records (the test would be empty otherwise).
    expect(share1).toBeGreaterThan(0.5);
    expect(share2).toBeGreaterThan(0.5);
  });

  it("every node kind the guard compiles, and one it hands to valibot", () => {
    expect(agreeEverywhere(EveryKind, everyKind)).toBeGreaterThan(0.5);
    expect(guard(EveryKind)({ ...everyKind, email: "too long" })).toBe(false);
  });

  it("random JSON in place of any node of a full record", () => {
    const valid = JSON.parse(JSON.stringify(fullUser()));
    const all = paths(valid);
    const check = guard(UserSchema);
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.jsonValue({ maxDepth: 3 }), (i, value) => {
        const x = broken(valid, all[i]!, value);
        return check(x) === v.is(UserSchema, x);
      }),
      { numRuns: 3000, seed: 20261207 },
    );
  });

  it("a valid value is used as parsed: keys the schema does not name are kept", () => {
    const doc = { ...JSON.parse(JSON.stringify(fullUser())), later: 1 };
    expect(guard(UserSchema)(doc)).toBe(true);
  });
});
