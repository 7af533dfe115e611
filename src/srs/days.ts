/**
 * Local days. A learner's day is a calendar day in their timezone (an IANA name such as
 * "Europe/Vienna", or a fixed UTC offset such as "+05:30"); days are counted as whole days since
 * 1970-01-01 in that timezone, so "today", "tomorrow" and due dates are plain integers.
 */

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

export type TzResult = { ok: true; tz: string } | { ok: false; error: string };

/**
 * Parses a timezone as a learner types it: an IANA name (any case), "UTC"/"GMT", or an offset
 * ("+3", "-04:30", "UTC+5:45", "GMT-2"). Returns the canonical form that `offsetMinutes` takes.
 */
export function parseTimezone(input: string): TzResult {
  const s = input.trim();
  if (!s) return { ok: false, error: "Give a timezone, e.g. Europe/Vienna or +02:00." };
  const off = /^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(s);
  if (off) {
    const h = Number(off[2]);
    const m = Number(off[3] ?? 0);
    if (h > 14 || m > 59 || (h === 14 && m > 0)) return { ok: false, error: `"${s}" is not a UTC offset: offsets run from -12:00 to +14:00.` };
    if (h === 0 && m === 0) return { ok: true, tz: "UTC" };
    return { ok: true, tz: `${off[1]}${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}` };
  }
  if (/^(utc|gmt|z|etc\/utc)$/i.test(s)) return { ok: true, tz: "UTC" };
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{1,40}$/.test(s)) return { ok: false, error: `"${s.slice(0, 40)}" is not a timezone. Use a name like Europe/Vienna or an offset like +02:00.` };
  try {
    const canonical = new Intl.DateTimeFormat("en-US", { timeZone: s }).resolvedOptions().timeZone;
    return { ok: true, tz: canonical };
  } catch {
    return { ok: false, error: `Unknown timezone "${s}". Use a name like Europe/Vienna, America/New_York or Asia/Kolkata, or an offset like +02:00.` };
  }
}

/** Minutes east of UTC in timezone `tz` at instant `ms`. Unknown zones count as UTC. */
export function offsetMinutes(tz: string, ms: number): number {
  if (tz === "UTC") return 0;
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(tz);
  if (fixed) return (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
      });
    } catch {
      return 0;
    }
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/** The local day number (days since 1970-01-01 in `tz`) at instant `ms`. */
export function localDay(ms: number, tz: string): number {
  return Math.floor((ms + offsetMinutes(tz, ms) * 60_000) / DAY_MS);
}

/** Minutes since local midnight at instant `ms`. */
export function localMinuteOfDay(ms: number, tz: string): number {
  const local = ms + offsetMinutes(tz, ms) * 60_000;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
}

/** ISO date (YYYY-MM-DD) of a day number. */
export function dayToIso(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** "today", "tomorrow", "in 3 days", or a date for further away. */
export function describeDay(day: number, today: number): string {
  const d = day - today;
  if (d <= 0) return "today";
  if (d === 1) return "tomorrow";
  if (d < 14) return `in ${d} days`;
  return `on ${dayToIso(day)}`;
}
