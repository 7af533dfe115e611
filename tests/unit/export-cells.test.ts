/**
 * The export's cell writers take a fast path for plain text (src/stats/export.ts): for any text
 * they give exactly what the full rules give — formulas neutralised, quotes doubled, line breaks and
 * tabs folded, ends trimmed.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { csvCell, tsvField } from "../../src/stats/export";

/** The full rules, as written before the fast path. */
function csvCellRef(value: string | number): string {
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function tsvFieldRef(text: string): string {
  const s = text.replace(/[\t\r\n]+/g, " ").trim();
  return /"/.test(s) || s.startsWith("#") ? `"${s.replace(/"/g, '""')}"` : s;
}

// Text made mostly of the characters the rules care about.
const tricky = fc.array(fc.constantFrom("a", "B", " ", "\t", "\n", "\r", '"', ",", "#", "=", "+", "-", "@", "\u00a0", "\u2028", "\ufeff", "日", "é"), { maxLength: 12 }).map((a) => a.join(""));

describe("export cells", () => {
  it("csvCell: the fast path agrees with the full rules", () => {
    fc.assert(fc.property(fc.oneof(tricky, fc.string(), fc.integer()), (x) => csvCell(x) === csvCellRef(x)), { numRuns: 5000, seed: 7 });
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
  });

  it("tsvField: the fast path agrees with the full rules", () => {
    fc.assert(fc.property(fc.oneof(tricky, fc.string()), (x) => tsvField(x) === tsvFieldRef(x)), { numRuns: 5000, seed: 7 });
    expect(tsvField(" # tag\tline\n")).toBe('"# tag line"');
    expect(tsvField("plain text")).toBe("plain text");
  });
});
