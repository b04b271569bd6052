/** Signed checkpoints: a C2SP note carrying {origin, size, root, timestamp}, and what breaks it. */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ed25519PublicKeyRaw, parseNote, verifyNote } from '../../src/proof/checkpoint-note.js';
import { checkpointObject, signCheckpoint, verifyCheckpoint, type PublishedKey, type SignedCheckpoint } from '../../src/proof/checkpoint.js';
import { keyIdOf, loadOrCreateSigningKey, rotateSigningKey, type SigningKey } from '../../src/proof/keys.js';

function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyRaw = ed25519PublicKeyRaw(publicKey);
  return { keyId: keyIdOf(publicKeyRaw), privateKey, publicKey, publicKeyRaw, createdAt: 0 };
}
const published = (k: SigningKey): PublishedKey => ({ key_id: k.keyId, public_key: k.publicKeyRaw.toString('base64') });

const ORIGIN = 'bindrail.example/ledger';
const ROOT = createHash('sha256').update('root').digest();
const key = newKey();
const cp = signCheckpoint({ origin: ORIGIN, treeSize: 1234, rootHash: ROOT, timestamp: '2026-11-01T10:00:00.000Z', key });

test('the note is a C2SP tlog-checkpoint: origin, size, base64 root, then the signed timestamp', () => {
  const [text] = cp.note.split('\n\n');
  assert.equal(text, `${ORIGIN}\n1234\n${ROOT.toString('base64')}\ntimestamp 2026-11-01T10:00:00.000Z`);
  const fields = verifyNote(cp.note, ORIGIN, key.publicKeyRaw);
  assert.ok(fields.ok);
  assert.equal(fields.treeSize, 1234);
  assert.deepEqual(fields.rootHash, ROOT);
  assert.equal(cp.root_hash, ROOT.toString('hex'));
  assert.equal(cp.key_id, key.keyId);
  assert.match(cp.key_id, /^[0-9a-f]{16}$/);
  assert.equal(Buffer.from(cp.signature, 'base64').length, 64);
});

test('verifies with the published key and returns the signed fields', () => {
  const v = verifyCheckpoint(cp, [published(newKey()), published(key)]);
  assert.deepEqual(v, { ok: true, origin: ORIGIN, treeSize: 1234, rootHash: ROOT, timestamp: '2026-11-01T10:00:00.000Z' });
  assert.deepEqual(checkpointObject(cp), { object: 'checkpoint', origin: ORIGIN, ...cp });
});

test('every stored field is held to the signed note', () => {
  const cases: [Partial<SignedCheckpoint>, RegExp][] = [
    [{ root_hash: '00'.repeat(32) }, /root_hash does not match its signed note/],
    [{ tree_size: 1235 }, /tree_size 1235 differs/],
    [{ timestamp: '2026-11-01T10:00:01.000Z' }, /timestamp does not match/],
    [{ signature: Buffer.alloc(64).toString('base64') }, /signature does not match/],
    [{ note: cp.note.replace('\n1234\n', '\n1235\n') }, /does not verify/],
    [{ key_id: '0123456789abcdef' }, /not among the published keys/],
  ];
  for (const [change, reason] of cases) {
    const v = verifyCheckpoint({ ...cp, ...change }, [published(key)]);
    assert.equal(v.ok, false, JSON.stringify(change));
    assert.match(v.ok ? '' : v.reason, reason);
  }
});

test('a key whose id is not the hash of its public key is refused', () => {
  const other = newKey();
  const v = verifyCheckpoint(cp, [{ key_id: key.keyId, public_key: other.publicKeyRaw.toString('base64') }]);
  assert.equal(v.ok, false);
  assert.match(v.ok ? '' : v.reason, /not the SHA-256 key id/);
});

test('two processes with their own keys sign the same origin; each verifies with its key', () => {
  const a = newKey();
  const b = newKey();
  const fromA = signCheckpoint({ origin: ORIGIN, treeSize: 7, rootHash: ROOT, timestamp: '2026-11-01T10:00:00.000Z', key: a });
  const fromB = signCheckpoint({ origin: ORIGIN, treeSize: 7, rootHash: ROOT, timestamp: '2026-11-01T10:00:00.000Z', key: b });
  const keys = [published(a), published(b)];
  assert.ok(verifyCheckpoint(fromA, keys).ok);
  assert.ok(verifyCheckpoint(fromB, keys).ok);
  assert.equal(verifyCheckpoint(fromA, [published(b)]).ok, false);
  assert.equal(parseNote(fromA.note).ok, true);
});

test('rotation: a new 0600 key file, the old one kept beside it as retired', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bindrail-keys-'));
  try {
    const first = loadOrCreateSigningKey(dir, () => 1_000);
    assert.equal(statSync(join(dir, 'signing-key.pem')).mode & 0o777, 0o600);
    const { previous, current } = rotateSigningKey(dir, 2_000);
    assert.equal(previous?.keyId, first.keyId);
    assert.notEqual(current.keyId, first.keyId);
    assert.equal(current.createdAt, 2_000);
    assert.equal(loadOrCreateSigningKey(dir).keyId, current.keyId);
    assert.ok(readdirSync(dir).includes(`signing-key.${first.keyId}.retired.pem`));
    assert.equal(statSync(join(dir, 'signing-key.pem')).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
