/** DSSE v1 envelopes (secure-systems-lab/dsse protocol.md) verified in the page. */
import { concat, fromBase64, utf8 } from './bytes.js';
import { verifyEd25519 } from './ed25519.js';

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal bytes. */
export function pae(payloadType, payload) {
  const type = utf8(payloadType);
  return concat(utf8(`DSSEv1 ${type.length} `), type, utf8(` ${payload.length} `), payload);
}

/**
 * Accepts when a signature by a published key verifies over PAE. A signature by a published key
 * that fails rejects the envelope (the rail's own key never makes one: it means tampering);
 * signatures by other keys are ignored, as co-signers may add them.
 * Answers { ok, keyid?, payload?, reason }.
 */
export async function verifyEnvelope(envelope, keys) {
  const payload = fromBase64(envelope?.payload);
  if (typeof envelope?.payloadType !== 'string' || !payload) return { ok: false, reason: 'malformed envelope: payloadType and a base64 payload are needed' };
  const sigs = Array.isArray(envelope.signatures) ? envelope.signatures : [];
  if (sigs.length === 0) return { ok: false, reason: 'the envelope carries no signature' };
  const message = pae(envelope.payloadType, payload);
  let verifiedBy;
  for (const { keyid, sig } of sigs) {
    const raw = keys.get(keyid);
    if (!raw) continue;
    const signature = fromBase64(sig);
    if (signature?.length !== 64 || !(await verifyEd25519(raw, signature, message))) {
      return { ok: false, reason: `the Ed25519 signature by key ${keyid} does not verify over the DSSE PAE bytes` };
    }
    verifiedBy ??= keyid;
  }
  if (!verifiedBy) return { ok: false, reason: `no signature by a published key (signed by ${sigs.map((x) => x.keyid).join(', ')})` };
  return { ok: true, keyid: verifiedBy, payload, reason: `the Ed25519 signature by key ${verifiedBy} verifies over the DSSE PAE bytes` };
}
