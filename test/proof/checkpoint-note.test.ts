import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import {
  ed25519PublicKeyRaw,
  formatCheckpointBody,
  noteKeyId,
  openNote,
  parseCheckpointBody,
  parseNote,
  signNote,
  verifyNote,
} from '../../src/proof/checkpoint-note.js';

/** golang.org/x/mod sumdb/note: the note.go doc example and note_test.go key pair. */
const GO_NOTE = {
  verifierKey: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  signerKey: 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
  text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
  signed:
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n\n" +
    '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n',
};

/** Go key strings are name+hash+base64(type byte ‖ key); the base64 may itself contain '+'. */
function goKeyMaterial(encoded: string, skip: number): Buffer {
  const material = Buffer.from(encoded.split('+').slice(skip).join('+'), 'base64');
  assert.equal(material[0], 0x01, 'Ed25519 type byte');
  return material.subarray(1);
}
const goPublic = goKeyMaterial(GO_NOTE.verifierKey, 2);
const goPrivate = createPrivateKey({
  // PKCS#8 header for a raw Ed25519 seed (RFC 8410).
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), goKeyMaterial(GO_NOTE.signerKey, 4)]),
  format: 'der',
  type: 'pkcs8',
});

const log = generateKeyPairSync('ed25519');
const LOG_NAME = 'bindrail.example/ledger';
const logPublic = ed25519PublicKeyRaw(log.publicKey);
const ROOT = createHash('sha256').update('some root').digest();
const body = formatCheckpointBody({ origin: LOG_NAME, treeSize: 42, rootHash: ROOT });
const note = signNote(body, LOG_NAME, log.privateKey, logPublic);

test('reproduces the Go sumdb/note signed example byte for byte', () => {
  assert.deepEqual(ed25519PublicKeyRaw(goPrivate), goPublic);
  assert.equal(signNote(GO_NOTE.text, 'PeterNeumann', goPrivate, goPublic), GO_NOTE.signed);
  assert.deepEqual(openNote(GO_NOTE.signed, 'PeterNeumann', goPublic), { ok: true, body: GO_NOTE.text });
  const altered = GO_NOTE.signed.replace('cryptography', 'cryptographY');
  assert.equal(openNote(altered, 'PeterNeumann', goPublic).ok, false);
});

test('key ID is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], matching the published c74f20a3', () => {
  const hand = createHash('sha256')
    .update(Buffer.concat([Buffer.from('PeterNeumann', 'utf8'), Buffer.from([0x0a, 0x01]), goPublic]))
    .digest()
    .subarray(0, 4);
  assert.equal(hand.toString('hex'), 'c74f20a3');
  assert.deepEqual(noteKeyId('PeterNeumann', goPublic), hand);
  const blob = Buffer.from(note.trimEnd().split(' ').pop() as string, 'base64');
  assert.equal(blob.length, 4 + 64);
  assert.deepEqual(blob.subarray(0, 4), noteKeyId(LOG_NAME, logPublic));
});

test('checkpoint body is origin, decimal size, base64 root, each newline-terminated', () => {
  assert.equal(body, `${LOG_NAME}\n42\n${ROOT.toString('base64')}\n`);
  assert.ok(note.startsWith(`${body}\n\u2014 ${LOG_NAME} `), 'body, blank line, em-dash signature line');
  assert.ok(note.endsWith('\n'), 'note ends in a newline');
  assert.equal(
    formatCheckpointBody({ origin: 'o', treeSize: 0, rootHash: ROOT, extensions: ['ext one'] }),
    `o\n0\n${ROOT.toString('base64')}\next one\n`,
  );
});

test('round trip: verifyNote and parseNote return the signed fields', () => {
  const want = { ok: true, origin: LOG_NAME, treeSize: 42, rootHash: ROOT, extensions: [] };
  assert.deepEqual(verifyNote(note, LOG_NAME, logPublic), want);
  assert.deepEqual(parseNote(note), want);
});

test('tampered size, root, origin, signature or key fails', () => {
  const [, sigLine = ''] = note.split('\n\n');
  const blob = Buffer.from(sigLine.trimEnd().split(' ').pop() as string, 'base64');
  const flipped = (at: number): string => {
    const copy = Buffer.from(blob);
    copy[at] = (copy[at] ?? 0) ^ 0x01;
    return note.replace(blob.toString('base64'), copy.toString('base64'));
  };
  const otherRoot = createHash('sha256').update('other root').digest().toString('base64');
  const tampered = [
    note.replace('\n42\n', '\n43\n'),
    note.replace(ROOT.toString('base64'), otherRoot),
    note.replace(`${LOG_NAME}\n`, 'evil.example/ledger\n'),
    flipped(10), // signature byte
    flipped(67), // last signature byte
    flipped(0), // key ID: no longer names our key
  ];
  for (const t of tampered) assert.equal(verifyNote(t, LOG_NAME, logPublic).ok, false, t);
  assert.equal(verifyNote(note, 'other.example/ledger', logPublic).ok, false);
  assert.equal(verifyNote(note, LOG_NAME, goPublic).ok, false);
});

test('ignores signatures by other keys but needs one by ours', () => {
  const witness = generateKeyPairSync('ed25519');
  const witnessLine = signNote(body, 'witness.example', witness.privateKey, ed25519PublicKeyRaw(witness.publicKey))
    .split('\n\n')[1] as string;
  assert.equal(verifyNote(`${note}${witnessLine}`, LOG_NAME, logPublic).ok, true);
  assert.equal(verifyNote(`${body}\n${witnessLine}`, LOG_NAME, logPublic).ok, false);
});

test('malformed notes are rejected without throwing', () => {
  const sigLine = note.split('\n\n')[1] as string;
  const malformed = [
    '',
    body,
    note.slice(0, -1),
    `${body}${sigLine}`,
    `${body}\n`,
    `${body}\n- ${sigLine.slice(2)}`,
    `${body}\n\u2014 ${LOG_NAME} not*base64\n`,
    `${body}\n\u2014 ${LOG_NAME} AAAA\n`,
    `${body}\n\u2014 ${LOG_NAME}\n`,
    `${body}\n\u2014  ${sigLine.slice(2)}`,
    note.replace('\n42\n', '\n4\t2\n'),
  ];
  for (const m of malformed) {
    assert.equal(parseNote(m).ok, false, JSON.stringify(m));
    assert.equal(verifyNote(m, LOG_NAME, logPublic).ok, false, JSON.stringify(m));
  }
  assert.equal(verifyNote(note, LOG_NAME, logPublic.subarray(1)).ok, false);
});

test('checkpoint text must have three non-empty lines, a canonical size and a 32-byte root', () => {
  const root = ROOT.toString('base64');
  for (const bad of [
    `o\n42\n`,
    `\n42\n${root}\n`,
    `o\n042\n${root}\n`,
    `o\n-1\n${root}\n`,
    `o\n4.2\n${root}\n`,
    `o\n9007199254740993\n${root}\n`,
    `o\n42\n${root.replace(/=$/, '')}\n`,
    `o\n42\n${Buffer.alloc(31).toString('base64')}\n`,
    `o\n42\n${root}\n\nextension after a blank line\n`,
    `o\n42\n${root}`,
  ]) {
    assert.equal(parseCheckpointBody(bad).ok, false, JSON.stringify(bad));
  }
  const empty = { ok: true, origin: 'o', treeSize: 0, rootHash: ROOT, extensions: [] };
  assert.deepEqual(parseCheckpointBody(`o\n0\n${root}\n`), empty);
});

test('signing and formatting refuse what the specs forbid', () => {
  assert.throws(() => signNote('no newline', LOG_NAME, log.privateKey, logPublic), RangeError);
  assert.throws(() => signNote(body, 'has space', log.privateKey, logPublic), RangeError);
  assert.throws(() => signNote(body, 'has+plus', log.privateKey, logPublic), RangeError);
  assert.throws(() => signNote(body, '', log.privateKey, logPublic), RangeError);
  assert.throws(() => signNote(body, LOG_NAME, log.privateKey, goPublic), RangeError);
  assert.throws(() => signNote('bell\u0007\n', LOG_NAME, log.privateKey, logPublic), RangeError);
  assert.throws(() => formatCheckpointBody({ origin: '', treeSize: 1, rootHash: ROOT }), RangeError);
  assert.throws(() => formatCheckpointBody({ origin: 'a\nb', treeSize: 1, rootHash: ROOT }), RangeError);
  assert.throws(() => formatCheckpointBody({ origin: 'o', treeSize: -1, rootHash: ROOT }), RangeError);
  assert.throws(() => formatCheckpointBody({ origin: 'o', treeSize: 1, rootHash: Buffer.alloc(3) }), RangeError);
  assert.throws(() => formatCheckpointBody({ origin: 'o', treeSize: 1, rootHash: ROOT, extensions: [''] }), RangeError);
});
