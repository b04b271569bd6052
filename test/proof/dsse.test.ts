import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { DsseEnvelope } from '../../src/contracts/attestation.js';
import { pae, signEnvelope, verifyEnvelope, type AnyDsseEnvelope } from '../../src/proof/dsse.js';

const IN_TOTO = 'application/vnd.in-toto+json';
const ours = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const keys = new Map<string, KeyObject>([['ours', ours.publicKey]]);
const statement = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');

function flipBase64Byte(b64: string, at: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = at % bytes.length;
  bytes[i] = (bytes[i] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}

test('PAE matches the DSSE protocol example', () => {
  assert.equal(
    pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString('utf8'),
    'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
  );
});

test('PAE lengths are byte lengths, not character counts', () => {
  assert.equal(pae('t/é', Buffer.from('€')).toString('utf8'), 'DSSEv1 4 t/é 3 €');
  assert.equal(pae('', Buffer.alloc(0)).toString('utf8'), 'DSSEv1 0  0 ');
});

test('an in-toto envelope is a contract DsseEnvelope and round-trips', () => {
  const env: DsseEnvelope = signEnvelope(statement, IN_TOTO, ours.privateKey, 'ours');
  assert.equal(env.payload, statement.toString('base64'));
  const result = verifyEnvelope(env, keys);
  assert.deepEqual(result, { ok: true, keyid: 'ours', payload: statement });
});

test('any payload type can be signed and verified', () => {
  const env = signEnvelope(Buffer.from('hello world'), 'http://example.com/HelloWorld', ours.privateKey, 'ours');
  assert.equal(verifyEnvelope(env, keys).ok, true);
});

test('a flipped byte in payload, signature or payloadType fails', () => {
  const env = signEnvelope(statement, IN_TOTO, ours.privateKey, 'ours');
  const sig = env.signatures[0]?.sig as string;
  const tampered: AnyDsseEnvelope[] = [
    ...[0, 7, statement.length - 1].map((at) => ({ ...env, payload: flipBase64Byte(env.payload, at) })),
    ...[0, 31, 63].map((at) => ({ ...env, signatures: [{ keyid: 'ours', sig: flipBase64Byte(sig, at) }] })),
    { ...env, payloadType: 'application/vnd.in-toto+jsoo' },
    { ...env, payloadType: 'Application/vnd.in-toto+json' },
  ];
  for (const t of tampered) assert.equal(verifyEnvelope(t, keys).ok, false, JSON.stringify(t));
});

test('rejects envelopes with no signature by a known key', () => {
  const byOther = signEnvelope(statement, IN_TOTO, other.privateKey, 'other');
  assert.deepEqual(verifyEnvelope(byOther, keys), { ok: false, reason: 'no signature by a known key' });
  const mislabelled = signEnvelope(statement, IN_TOTO, other.privateKey, 'ours');
  assert.equal(verifyEnvelope(mislabelled, keys).ok, false);
  assert.equal(verifyEnvelope({ ...byOther, signatures: [] }, keys).ok, false);
});

test('ignores co-signatures by unknown keys but rejects a bad signature by a known key', () => {
  const mine = signEnvelope(statement, IN_TOTO, ours.privateKey, 'ours');
  const theirs = signEnvelope(statement, IN_TOTO, other.privateKey, 'other');
  const cosigned = { ...mine, signatures: [...theirs.signatures, ...mine.signatures] };
  assert.deepEqual(verifyEnvelope(cosigned, keys), { ok: true, keyid: 'ours', payload: statement });
  const forged = { ...mine, signatures: [...mine.signatures, { keyid: 'ours', sig: theirs.signatures[0]?.sig ?? '' }] };
  assert.equal(verifyEnvelope(forged, keys).ok, false);
});

test('malformed base64 and wrong signature lengths fail without throwing', () => {
  const env = signEnvelope(statement, IN_TOTO, ours.privateKey, 'ours');
  assert.equal(verifyEnvelope({ ...env, payload: 'not base64!' }, keys).ok, false);
  assert.equal(verifyEnvelope({ ...env, signatures: [{ keyid: 'ours', sig: 'c2hvcnQ=' }] }, keys).ok, false);
  assert.equal(verifyEnvelope({ ...env, signatures: [{ keyid: 'ours', sig: '%%%' }] }, keys).ok, false);
});

test('signing refuses keys that are not Ed25519 private keys', () => {
  assert.throws(() => signEnvelope(statement, IN_TOTO, ours.publicKey, 'ours'), TypeError);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.throws(() => signEnvelope(statement, IN_TOTO, ec.privateKey, 'ours'), TypeError);
  const labelledEc = signEnvelope(statement, IN_TOTO, ours.privateKey, 'ec');
  assert.equal(verifyEnvelope(labelledEc, new Map([['ec', ec.publicKey]])).ok, false);
});
