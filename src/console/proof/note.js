/**
 * Signed checkpoints: a C2SP tlog-checkpoint body in a C2SP signed note, verified in the page
 * (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint).
 */
import { concat, fromBase64, sameBytes, sha256, utf8 } from './bytes.js';
import { verifyEd25519 } from './ed25519.js';

const SIG_PREFIX = '\u2014 '; // em dash, space

/** signed-note key ID: SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 key)[:4]. */
async function noteKeyId(name, raw) {
  return (await sha256(concat(utf8(name), Uint8Array.of(0x0a, 0x01), raw))).slice(0, 4);
}

function strictBase64(text) {
  const b = fromBase64(text);
  return b && /^[A-Za-z0-9+/]*={0,2}$/.test(text) ? b : undefined;
}

/**
 * Verifies the note with the published keys and reads the checkpoint from the signed text —
 * never from the JSON fields beside it. Answers { ok, origin, treeSize, rootHash, keyid, reason }.
 */
export async function verifyCheckpointNote(text, keys) {
  if (typeof text !== 'string' || !text.endsWith('\n')) return { ok: false, reason: 'the checkpoint note is missing or does not end in a newline' };
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'the note has no blank line before its signatures' };
  const body = text.slice(0, split + 1);
  const lines = text.slice(split + 2).split('\n').slice(0, -1);
  let verifiedBy;
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) return { ok: false, reason: 'malformed signature line' };
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.lastIndexOf(' ');
    const name = rest.slice(0, space);
    const blob = space > 0 ? strictBase64(rest.slice(space + 1)) : undefined;
    if (!blob || blob.length !== 68) continue;
    for (const [keyid, raw] of keys) {
      if (!sameBytes(blob.slice(0, 4), await noteKeyId(name, raw))) continue;
      if (!(await verifyEd25519(raw, blob.slice(4), utf8(body)))) return { ok: false, reason: `the checkpoint signature by key ${keyid} does not verify` };
      verifiedBy ??= keyid;
    }
  }
  if (!verifiedBy) return { ok: false, reason: 'no signature on the checkpoint by a published key' };
  const [origin, size, root] = body.slice(0, -1).split('\n');
  const rootHash = strictBase64(root ?? '');
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size ?? '') || rootHash?.length !== 32) return { ok: false, reason: 'the signed text is not a checkpoint (origin, size, base64 root)' };
  return { ok: true, origin, treeSize: Number(size), rootHash, keyid: verifiedBy, reason: `signed by key ${verifiedBy}` };
}
