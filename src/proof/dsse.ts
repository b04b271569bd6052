/** DSSE v1 envelopes (secure-systems-lab/dsse protocol.md) signed and verified with Ed25519. */
import { sign, verify, type KeyObject } from 'node:crypto';
import type { DsseEnvelope } from '../contracts/attestation.js';

/**
 * An envelope of any payload type. The contract pins payloadType to in-toto; signing keeps the
 * caller's literal type, so an in-toto payload type yields a contract `DsseEnvelope` with no cast.
 */
export type AnyDsseEnvelope<T extends string = string> = Omit<DsseEnvelope, 'payloadType'> & { payloadType: T };

export type DsseVerification = { ok: true; keyid: string; payload: Buffer } | { ok: false; reason: string };

const ED25519_SIGNATURE_SIZE = 64;
// DSSE accepts standard or URL-safe base64 on input; anything else is not an envelope we signed.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body; LEN is the ASCII decimal byte length. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'ascii'),
    type,
    Buffer.from(` ${payload.length} `, 'ascii'),
    payload,
  ]);
}

/** Signs PAE(payloadType, payload) with an Ed25519 key; the payload is carried as standard base64. */
export function signEnvelope<T extends string>(
  payload: Buffer,
  payloadType: T,
  privateKey: KeyObject,
  keyid: string,
): AnyDsseEnvelope<T> {
  if (privateKey.asymmetricKeyType !== 'ed25519' || privateKey.type !== 'private') {
    throw new TypeError('DSSE signing key must be an Ed25519 private key');
  }
  const sig = sign(null, pae(payloadType, payload), privateKey);
  return { payloadType, payload: payload.toString('base64'), signatures: [{ keyid, sig: sig.toString('base64') }] };
}

/**
 * Accepts an envelope when some signature by a known keyid verifies over PAE. Signatures by unknown
 * keyids are ignored (other parties may co-sign), but a failing signature by a known keyid rejects
 * the whole envelope: our own key never produces one, so it means tampering.
 */
export function verifyEnvelope(env: AnyDsseEnvelope, publicKeys: ReadonlyMap<string, KeyObject>): DsseVerification {
  if (typeof env.payloadType !== 'string' || typeof env.payload !== 'string' || !BASE64.test(env.payload)) {
    return { ok: false, reason: 'malformed envelope: payloadType and base64 payload required' };
  }
  if (!Array.isArray(env.signatures) || env.signatures.length === 0) {
    return { ok: false, reason: 'malformed envelope: no signatures' };
  }
  const payload = Buffer.from(env.payload, 'base64');
  const message = pae(env.payloadType, payload);
  let verifiedBy: string | undefined;
  for (const { keyid, sig } of env.signatures) {
    const key = publicKeys.get(keyid);
    if (key === undefined) continue;
    if (key.asymmetricKeyType !== 'ed25519') return { ok: false, reason: `key ${keyid} is not an Ed25519 key` };
    const signature = typeof sig === 'string' && BASE64.test(sig) ? Buffer.from(sig, 'base64') : undefined;
    if (signature?.length !== ED25519_SIGNATURE_SIZE || !verify(null, message, key, signature)) {
      return { ok: false, reason: `signature by ${keyid} does not verify` };
    }
    verifiedBy ??= keyid;
  }
  if (verifiedBy === undefined) return { ok: false, reason: 'no signature by a known key' };
  return { ok: true, keyid: verifiedBy, payload };
}
