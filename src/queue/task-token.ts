/**
 * Task tokens: an opaque, per-attempt capability. 256 random bits; only the SHA-256 is stored,
 * and the binding id + attempt inside let a stale token be told apart from a forged one.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../proof/canonical.js';

export interface MintedToken {
  token: string;
  tokenId: string;
  tokenHash: string;
}

export interface ParsedToken {
  bindingId: string;
  attempt: number;
  tokenHash: string;
}

const TOKEN_RE = /^tt\.(bnd_[0-9a-f]{32})\.([1-9][0-9]{0,5})\.[A-Za-z0-9_-]{43}$/;

export function mintTaskToken(bindingId: string, attempt: number): MintedToken {
  const token = `tt.${bindingId}.${attempt}.${randomBytes(32).toString('base64url')}`;
  const tokenHash = sha256Hex(token);
  return { token, tokenHash, tokenId: tokenHash.slice(0, 16) };
}

/** Parses a token's shape; undefined when it is not a token at all. */
export function parseTaskToken(token: string): ParsedToken | undefined {
  const m = TOKEN_RE.exec(token);
  if (!m) return undefined;
  return { bindingId: m[1]!, attempt: Number(m[2]), tokenHash: sha256Hex(token) };
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string | null, b: string): boolean {
  if (a === null || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}
