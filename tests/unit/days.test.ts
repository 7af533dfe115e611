import { describe, expect, it } from "vitest";
import { describeDay, localDay, localMinuteOfDay, offsetMinutes, parseTimezone } from "../../src/srs/days";

describe("timezones", () => {
  it("parses IANA names and offsets, with clear errors", () => {
    expect(parseTimezone("Europe/Vienna")).toEqual({ ok: true, tz: "Europe/Vienna" });
    expect(parseTimezone("europe/vienna")).toEqual({ ok: true, tz: "Europe/Vienna" });
    expect(parseTimezone("UTC")).toEqual({ ok: true, tz: "UTC" });
    expect(parseTimezone("+5:30")).toEqual({ ok: true, tz: "+05:30" });
    expect(parseTimezone("UTC-4")).toEqual({ ok: true, tz: "-04:00" });
    expect(parseTimezone("GMT+0")).toEqual({ ok: true, tz: "UTC" });
    const bad = parseTimezone("Mars/Olympus");
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toMatch(/Unknown timezone "Mars\/Olympus"/);
    expect(parseTimezone("+15").ok).toBe(false);
    expect(parseTimezone("<script>").ok).toBe(false);
  });

  it("computes offsets with daylight saving", () => {
    expect(offsetMinutes("Europe/Vienna", Date.UTC(2026, 0, 15, 12))).toBe(60);
    expect(offsetMinutes("Europe/Vienna", Date.UTC(2026, 6, 15, 12))).toBe(120);
    expect(offsetMinutes("America/New_York", Date.UTC(2026, 6, 15, 12))).toBe(-240);
    expect(offsetMinutes("+05:30", 0)).toBe(330);
  });

  it("local days turn over at local midnight", () => {
    const utcDay = Math.floor(Date.UTC(2026, 10, 2) / 86_400_000);
    // 23:30 UTC on 2 Nov is already 3 Nov in Vienna (UTC+1), still 2 Nov in New York.
    const t = Date.UTC(2026, 10, 2, 23, 30);
    expect(localDay(t, "UTC")).toBe(utcDay);
    expect(localDay(t, "Europe/Vienna")).toBe(utcDay + 1);
    expect(localDay(t, "America/New_York")).toBe(utcDay);
    expect(localMinuteOfDay(t, "Europe/Vienna")).toBe(30);
    expect(describeDay(utcDay + 1, utcDay)).toBe("tomorrow");
    expect(describeDay(utcDay + 3, utcDay)).toBe("in 3 days");
  });
});
