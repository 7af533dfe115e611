/**
 * Lecturer credentials: API tokens (`v1:token:<sha256 hex>` → owner; the token itself is never
 * stored, only shown once) and one-time invite codes (`v1:invite:<code>`, expiring after 7 days).
 */
import * as v from "valibot";
import type { Deps } from "../deps";
import { Kv } from "./kv";

export const tokenKey = (hash: string) => `v1:token:${hash}`;
export const inviteKey = (code: string) => `v1:invite:${code}`;
export const claimKey = (code: string) => `v1:invite-claim:${code}`;
export const INVITE_TTL = 7 * 86_400;
/** How long a redeemer waits before reading its claim back (wall time, not CPU). */
const CLAIM_SETTLE_MS = 300;
const ClaimSchema = v.object({ v: v.literal(1), uid: v.number() });

const TokenSchema = v.object({ v: v.literal(1), uid: v.number(), created: v.number() });
const InviteSchema = v.object({ v: v.literal(1), by: v.number(), created: v.number() });

export function base64url(bytes: Uint8Array): string {
  const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = [A[(n >> 18) & 63], A[(n >> 12) & 63], A[(n >> 6) & 63], A[n & 63]];
    out += chars.slice(0, Math.ceil(((Math.min(3, bytes.length - i)) * 8) / 6)).join("");
  }
  return out;
}

export async function sha256hex(text: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export class LecturerStore {
  readonly kv: Kv;
  constructor(kv: KVNamespace, readonly deps: Deps) {
    this.kv = new Kv(kv, deps);
  }

  /** A new token for `uid` (256 random bits); returns the token and its hash. */
  async issueToken(uid: number): Promise<{ token: string; hash: string }> {
    const token = `lct_${base64url(this.deps.randomBytes(32))}`;
    const hash = await sha256hex(token);
    await this.kv.put(tokenKey(hash), { v: 1, uid, created: this.deps.now() });
    return { token, hash };
  }

  async revokeToken(hash: string): Promise<void> {
    await this.kv.delete(tokenKey(hash));
  }

  /** The owner of a presented token, or null (unknown or revoked). */
  async tokenOwner(token: string): Promise<number | null> {
    if (!/^lct_[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const rec = await this.kv.getJson(tokenKey(await sha256hex(token)), TokenSchema);
    return rec ? rec.uid : null;
  }

  async createInvite(by: number): Promise<string> {
    const code = base64url(this.deps.randomBytes(18));
    await this.kv.put(inviteKey(code), { v: 1, by, created: this.deps.now() }, { expirationTtl: INVITE_TTL });
    return code;
  }

  /**
   * Uses up an invite for `uid`: returns who made it, or null if unknown, used or expired. Single
   * use under races: each redeemer writes its id to the invite's claim key, waits, and reads it
   * back — of two people redeeming at once, only the one whose claim stands (the last write) gets
   * it; the invite is then deleted.
   */
  async useInvite(code: string, uid: number): Promise<number | null> {
    const rec = await this.kv.getJson(inviteKey(code), InviteSchema);
    if (!rec || this.deps.now() - rec.created > INVITE_TTL * 1000) return null;
    const claim = claimKey(code);
    const before = await this.kv.getJson(claim, ClaimSchema);
    if (before && before.uid !== uid) return null;
    await this.kv.put(claim, { v: 1, uid }, { expirationTtl: INVITE_TTL });
    await this.deps.sleep(CLAIM_SETTLE_MS);
    const after = await this.kv.getJson(claim, ClaimSchema);
    if (!after || after.uid !== uid) return null;
    await this.kv.delete(inviteKey(code));
    return rec.by;
  }
}
