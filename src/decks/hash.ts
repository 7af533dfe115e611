/** Stable string hashes for card ids and stored decks (small: loaded with every update). */

/**
 * cyrb53: a fast 53-bit string hash. Card ids of uploads are made from it, and students' progress
 * is keyed by card id: never change this function (tests pin its output).
 */
export function hash53(str: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** 10 base-36 characters of hash53 (about 51 bits). */
export function shortHash(str: string): string {
  // By hand: Number#toString(36) takes a slow path for numbers this large (same digits).
  let n = hash53(str);
  let out = "";
  for (let k = 0; k < 10; k++) {
    const r = n % 36; // exact for integers below 2^53, as is the division below
    out = BASE36[r]! + out;
    n = (n - r) / 36;
  }
  return out;
}
const BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";
