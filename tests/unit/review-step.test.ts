/** The review session's press, decided on its own (srs/review-step.ts): idempotence and flushing. */
import { describe, expect, it } from "vitest";
import { reviewStep, shouldFlush, unwrapTime } from "../../src/srs/review-step";

const MOD = 64 ** 3;
const NOW = 1_793_610_000;
const press = (over: Partial<Parameters<typeof reviewStep>[0]>) =>
  reviewStep({ kind: "g", base: 0, logLength: 1, applied: 0, stored: true, t: 0, nowSec: NOW, ...over }, MOD);

describe("reviewStep", () => {
  it("a first grade: applies it, and it was given now", () => {
    expect(press({})).toEqual({ do: "go", fresh: 1, end: 1, base: 0, resaved: false, firstUnsaved: NOW });
  });

  it("later grades riding unsaved keep the time the first of them was given", () => {
    const first = NOW - 40;
    expect(press({ logLength: 4, t: first % MOD })).toMatchObject({ do: "go", fresh: 4, firstUnsaved: first });
  });

  it("grades the record already holds are not applied again; a press of exactly the last save re-renders", () => {
    expect(press({ base: 0, logLength: 7, applied: 7 })).toMatchObject({ do: "go", fresh: 0, end: 7, resaved: true, firstUnsaved: 0 });
    expect(press({ base: 7, logLength: 3, applied: 9 })).toMatchObject({ do: "go", fresh: 1, end: 10, base: 9, resaved: false });
  });

  it("an old button whose grades were all saved and passed changes nothing", () => {
    expect(press({ base: 0, logLength: 3, applied: 7 })).toEqual({ do: "already" });
    expect(press({ kind: "x", base: 0, logLength: 2, applied: 7 })).toEqual({ do: "already" });
    // Show answer of an old button: shown, nothing applied.
    expect(press({ kind: "a", base: 0, logLength: 2, applied: 7 })).toMatchObject({ do: "go", fresh: 0 });
  });

  it("a record older than the session's last save waits; a session the record forgot has ended", () => {
    expect(press({ base: 7, logLength: 1, applied: 0 })).toEqual({ do: "wait" });
    expect(press({ base: 7, logLength: 1, applied: undefined })).toEqual({ do: "ended" });
    expect(press({ base: 0, logLength: 1, applied: undefined })).toMatchObject({ do: "go", fresh: 1 });
  });

  it("without a record only a fresh session goes on", () => {
    expect(press({ stored: false, base: 7, applied: undefined })).toEqual({ do: "ended" });
    expect(press({ stored: false, kind: "x", logLength: 0, applied: undefined })).toEqual({ do: "ended" });
    expect(press({ stored: false, kind: "a", logLength: 0, applied: undefined })).toMatchObject({ do: "go", fresh: 0 });
  });
});

describe("shouldFlush", () => {
  it("saves at FLUSH_AT unsaved grades when a write is allowed now, and always past MAX_LOG", () => {
    expect(shouldFlush(6, 7, 8, true)).toBe(false);
    expect(shouldFlush(7, 7, 8, true)).toBe(true);
    expect(shouldFlush(7, 7, 8, false)).toBe(false); // the 1 write/s rule: carry one more
    expect(shouldFlush(9, 7, 8, false)).toBe(true);
  });
});

describe("unwrapTime", () => {
  it("restores the latest time not after now from its value modulo MOD", () => {
    for (const back of [0, 1, 3600, 86_400, MOD - 1]) expect(unwrapTime((NOW - back) % MOD || MOD, NOW, MOD) <= NOW).toBe(true);
    expect(unwrapTime((NOW - 3600) % MOD, NOW, MOD)).toBe(NOW - 3600);
    expect(unwrapTime(0, NOW, MOD)).toBe(0);
  });
});
