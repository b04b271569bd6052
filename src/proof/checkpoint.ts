/**
 * Signed ledger checkpoints: {origin, tree_size, root_hash, timestamp} as a C2SP tlog-checkpoint
 * signed note (see checkpoint-note.ts), the row the store keeps of one, and its verification.
 */
import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from '../contracts/ledger.js';
import { formatCheckpointBody, openNote, parseCheckpointBody, parseNote, signNote, splitNote, noteKeyId } from './checkpoint-note.js';
import { keyIdOf } from './keys.js';

/** A signed checkpoint as stored: every field is also inside the signed note. */
export interface SignedCheckpoint {
  tree_size: number;
  /** hex */
  root_hash: string;
  /** RFC 3339, also signed as the note's extension line. */
  timestamp: string;
  /** The signer's key id (first 16 hex of SHA-256 of the raw public key). */
  key_id: string;
  /** base64 of the Ed25519 signature over the note text. */
  signature: string;
  note: string;
}

/** A public key as keys.json and bundles publish it. */
export interface PublishedKey {
  key_id: string;
  /** base64 of the 32-byte raw Ed25519 public key. */
  public_key: string;
}

export interface CheckpointSigner {
  keyId: string;
  privateKey: KeyObject;
  publicKeyRaw: Buffer;
}

export type CheckpointVerification =
  | { ok: true; origin: string; treeSize: number; rootHash: Buffer; timestamp: string }
  | { ok: false; reason: string };

// tlog-checkpoint allows extension lines after the root hash; the timestamp rides in one so that
// it is signed too, while tools that ignore extensions still read origin, size and root.
const TIMESTAMP_PREFIX = 'timestamp ';

/** Signs {origin, treeSize, rootHash, timestamp}; the key name of the note signature is the origin. */
export function signCheckpoint(p: {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  timestamp: string;
  key: CheckpointSigner;
}): SignedCheckpoint {
  const body = formatCheckpointBody({
    origin: p.origin,
    treeSize: p.treeSize,
    rootHash: p.rootHash,
    extensions: [`${TIMESTAMP_PREFIX}${p.timestamp}`],
  });
  const note = signNote(body, p.origin, p.key.privateKey, p.key.publicKeyRaw);
  const split = splitNote(note);
  if (!split.ok) throw new Error(`signed a malformed note: ${split.reason}`);
  return {
    tree_size: p.treeSize,
    root_hash: p.rootHash.toString('hex'),
    timestamp: p.timestamp,
    key_id: p.key.keyId,
    signature: split.signatures[0]!.signature.toString('base64'),
    note,
  };
}

/** The public Checkpoint object of a stored row; the origin is read from its note. */
export function checkpointObject(row: SignedCheckpoint): Checkpoint {
  const parsed = parseNote(row.note);
  return {
    object: 'checkpoint',
    origin: parsed.ok ? parsed.origin : '',
    tree_size: row.tree_size,
    root_hash: row.root_hash,
    timestamp: row.timestamp,
    key_id: row.key_id,
    signature: row.signature,
    note: row.note,
  };
}

/**
 * Verifies a checkpoint: its key is among `keys` and is the key its id names, the note's signature
 * by that key verifies, and tree_size, root_hash, timestamp and signature equal the signed note's.
 */
export function verifyCheckpoint(cp: SignedCheckpoint, keys: readonly PublishedKey[]): CheckpointVerification {
  const key = keys.find((k) => k.key_id === cp.key_id);
  if (!key) return { ok: false, reason: `signed by key ${cp.key_id}, which is not among the published keys` };
  const raw = Buffer.from(key.public_key, 'base64');
  if (raw.length !== 32 || keyIdOf(raw) !== key.key_id) {
    return { ok: false, reason: `key ${key.key_id} is not the SHA-256 key id of its public key` };
  }
  const unverified = parseNote(cp.note);
  if (!unverified.ok) return { ok: false, reason: `note: ${unverified.reason}` };
  const opened = openNote(cp.note, unverified.origin, raw);
  if (!opened.ok) return { ok: false, reason: `note: ${opened.reason}` };
  const body = parseCheckpointBody(opened.body);
  if (!body.ok) return { ok: false, reason: `note: ${body.reason}` };
  const stamp = body.extensions.find((l) => l.startsWith(TIMESTAMP_PREFIX))?.slice(TIMESTAMP_PREFIX.length);
  if (body.treeSize !== cp.tree_size) return { ok: false, reason: `tree_size ${cp.tree_size} differs from the signed note's ${body.treeSize}` };
  if (body.rootHash.toString('hex') !== cp.root_hash) return { ok: false, reason: 'root_hash does not match its signed note' };
  if (stamp === undefined || stamp !== cp.timestamp) return { ok: false, reason: 'timestamp does not match its signed note' };
  const split = splitNote(cp.note);
  const noteId = noteKeyId(unverified.origin, raw);
  const ours = split.ok ? split.signatures.find((s) => s.keyName === unverified.origin && s.keyId.equals(noteId)) : undefined;
  if (ours?.signature.toString('base64') !== cp.signature) return { ok: false, reason: 'signature does not match its signed note' };
  return { ok: true, origin: body.origin, treeSize: body.treeSize, rootHash: body.rootHash, timestamp: stamp };
}
