/**
 * The rail's published signing keys (/.well-known/bindrail/keys.json: { keys: [{ key_id,
 * algorithm, public_key }] }, public_key = base64 of the 32-byte Ed25519 key). Each key id is
 * recomputed from the key bytes (first 16 hex of SHA-256(raw key)), so a listing cannot pair a
 * key with another key's id.
 */
import { getOptional } from '../api.js';
import { fromBase64, sha256, toHex } from './bytes.js';

const KEYS_PATH = '/.well-known/bindrail/keys.json';

async function parseKeys(doc) {
  const keys = new Map();
  const problems = [];
  for (const entry of Array.isArray(doc?.keys) ? doc.keys : []) {
    const raw = fromBase64(entry?.public_key);
    if (entry?.algorithm !== 'ed25519' || raw?.length !== 32) {
      problems.push(`key ${entry?.key_id ?? '?'} is not a 32-byte Ed25519 key`);
      continue;
    }
    const id = toHex(await sha256(raw)).slice(0, 16);
    if (entry.key_id !== id) {
      problems.push(`key ${entry.key_id}: its bytes hash to key id ${id}`);
      continue;
    }
    keys.set(id, raw);
  }
  return { keys, problems };
}

/** Fetches and parses the published keys; `available: false` when this rail publishes none. */
export async function loadKeys() {
  const doc = await getOptional(KEYS_PATH);
  if (doc === null) return { available: false, keys: new Map(), problems: [`${KEYS_PATH} is not available on this rail`] };
  return { available: true, ...(await parseKeys(doc)) };
}
