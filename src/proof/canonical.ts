/** RFC 8785 (JCS) canonical JSON and sha256 digests: the bytes everything is hashed and signed over. */
import { createHash } from 'node:crypto';
import canonicalizeImpl from 'canonicalize';

/** RFC 8785 canonical JSON text. Throws on values JSON cannot carry (undefined at top level, NaN, Infinity). */
export function canonicalize(value: unknown): string {
  const text = (canonicalizeImpl as (v: unknown) => string | undefined)(value);
  if (text === undefined) throw new TypeError('value has no canonical JSON form');
  return text;
}

/** Hex SHA-256 of bytes or a UTF-8 string. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `sha256:<hex>` of raw bytes or a UTF-8 string. */
export function digestBytes(data: string | Uint8Array): string {
  return `sha256:${sha256Hex(data)}`;
}

/** `sha256:<hex>` of the canonical JSON of a value. */
export function digestJson(value: unknown): string {
  return digestBytes(canonicalize(value));
}
