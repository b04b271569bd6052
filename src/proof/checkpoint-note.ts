/**
 * Signed checkpoints: the C2SP tlog-checkpoint body inside a C2SP signed-note with Ed25519
 * signatures (https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note).
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface CheckpointFields {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  /** Opaque non-empty lines after the root hash; the spec discourages them. */
  extensions?: string[];
}

export interface NoteSignature {
  keyName: string;
  keyId: Buffer;
  signature: Buffer;
}

export type CheckpointResult =
  | { ok: true; origin: string; treeSize: number; rootHash: Buffer; extensions: string[] }
  | { ok: false; reason: string };

export type ParsedNote =
  | { ok: true; body: string; signatures: NoteSignature[] }
  | { ok: false; reason: string };

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space
const ED25519_TYPE = 0x01; // signed-note signature type byte for Ed25519
const KEY_ID_SIZE = 4;
const ED25519_SIGNATURE_SIZE = 64;
const ED25519_PUBLIC_KEY_SIZE = 32;
const ROOT_HASH_SIZE = 32;
// signed-note: verifiers MUST accept at least 16 signatures and SHOULD cap them.
const MAX_SIGNATURES = 100;
// DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410); the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** tlog-checkpoint note text: origin, decimal size, base64 root hash, then any extension lines. */
export function formatCheckpointBody({ origin, treeSize, rootHash, extensions = [] }: CheckpointFields): string {
  if (origin === '' || origin.includes('\n')) throw new RangeError('origin must be one non-empty line');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new RangeError(`bad tree size ${treeSize}`);
  if (rootHash.length !== ROOT_HASH_SIZE) throw new RangeError(`root hash must be ${ROOT_HASH_SIZE} bytes`);
  if (extensions.some((line) => line === '' || line.includes('\n'))) {
    throw new RangeError('extension lines must be non-empty single lines');
  }
  const body = [origin, String(treeSize), rootHash.toString('base64'), ...extensions].map((l) => `${l}\n`).join('');
  const problem = noteTextProblem(body);
  if (problem !== undefined) throw new RangeError(problem);
  return body;
}

/** signed-note key ID: SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key)[:4]. */
export function noteKeyId(keyName: string, publicKeyRaw: Uint8Array): Buffer {
  return createHash('sha256')
    .update(keyName, 'utf8')
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(publicKeyRaw)
    .digest()
    .subarray(0, KEY_ID_SIZE);
}

/** The 32-byte RFC 8032 encoding of an Ed25519 key's public half. */
export function ed25519PublicKeyRaw(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 key');
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return Buffer.from(spki.subarray(ED25519_SPKI_PREFIX.length));
}

/** Signs note text (ending in a newline) and returns text, blank line, and one signature line. */
export function signNote(body: string, keyName: string, privateKey: KeyObject, publicKeyRaw: Uint8Array): string {
  const problem = noteTextProblem(body) ?? keyNameProblem(keyName);
  if (problem !== undefined) throw new RangeError(problem);
  if (privateKey.type !== 'private') throw new TypeError('signing needs a private key');
  // A key ID computed from a different public key would make every verifier ignore the signature.
  if (Buffer.compare(ed25519PublicKeyRaw(privateKey), publicKeyRaw) !== 0) {
    throw new RangeError('publicKeyRaw is not the public half of privateKey');
  }
  const signature = sign(null, Buffer.from(body, 'utf8'), privateKey);
  const blob = Buffer.concat([noteKeyId(keyName, publicKeyRaw), signature]).toString('base64');
  return `${body}\n${SIGNATURE_PREFIX}${keyName} ${blob}\n`;
}

/** Splits a signed note into its text and signature lines; checks syntax, not signatures. */
export function splitNote(text: string): ParsedNote {
  const problem = noteTextProblem(text);
  if (problem !== undefined) return { ok: false, reason: problem };
  // The text is separated from the signatures by the last empty line in the note.
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'malformed note: no blank line before signatures' };
  const body = text.slice(0, split + 1);
  const lines = text.slice(split + 2).split('\n');
  lines.pop(); // the empty string after the final newline
  if (lines.length === 0) return { ok: false, reason: 'malformed note: no signatures' };
  if (lines.length > MAX_SIGNATURES) return { ok: false, reason: 'malformed note: too many signatures' };
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const parsed = parseSignatureLine(line);
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    signatures.push(parsed);
  }
  return { ok: true, body, signatures };
}

/** Reads a checkpoint note without verifying it (e.g. to choose the key); never trust the result alone. */
export function parseNote(text: string): CheckpointResult {
  const note = splitNote(text);
  return note.ok ? parseCheckpointBody(note.body) : note;
}

/**
 * Verifies a note signed by `keyName`/`publicKeyRaw` and returns its text. Signatures by other keys
 * are ignored, as the spec requires; one by this key that fails to verify rejects the note.
 */
export function openNote(
  text: string,
  keyName: string,
  publicKeyRaw: Uint8Array,
): { ok: true; body: string } | { ok: false; reason: string } {
  if (publicKeyRaw.length !== ED25519_PUBLIC_KEY_SIZE) {
    return { ok: false, reason: `public key must be ${ED25519_PUBLIC_KEY_SIZE} bytes` };
  }
  const note = splitNote(text);
  if (!note.ok) return note;
  const keyId = noteKeyId(keyName, publicKeyRaw);
  const ours = note.signatures.filter((s) => s.keyName === keyName && s.keyId.equals(keyId));
  if (ours.length === 0) return { ok: false, reason: `no signature by ${keyName}` };
  const publicKey = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, publicKeyRaw]),
    format: 'der',
    type: 'spki',
  });
  const message = Buffer.from(note.body, 'utf8');
  for (const { signature } of ours) {
    if (signature.length !== ED25519_SIGNATURE_SIZE || !verify(null, message, publicKey, signature)) {
      return { ok: false, reason: `signature by ${keyName} does not verify` };
    }
  }
  return { ok: true, body: note.body };
}

/** Verifies a checkpoint note signed by `keyName`/`publicKeyRaw` and returns its fields. */
export function verifyNote(text: string, keyName: string, publicKeyRaw: Uint8Array): CheckpointResult {
  const opened = openNote(text, keyName, publicKeyRaw);
  return opened.ok ? parseCheckpointBody(opened.body) : opened;
}

/** Parses tlog-checkpoint note text: at least three non-empty lines. */
export function parseCheckpointBody(body: string): CheckpointResult {
  if (!body.endsWith('\n')) return { ok: false, reason: 'checkpoint text must end in a newline' };
  const lines = body.slice(0, -1).split('\n');
  const [origin, size, root, ...extensions] = lines;
  if (origin === undefined || size === undefined || root === undefined || lines.some((l) => l === '')) {
    return { ok: false, reason: 'checkpoint needs origin, size and root hash lines, none empty' };
  }
  // No leading zeroes, except the empty tree's "0".
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) {
    return { ok: false, reason: `bad tree size ${JSON.stringify(size)}` };
  }
  const rootHash = decodeBase64Strict(root);
  if (rootHash?.length !== ROOT_HASH_SIZE) return { ok: false, reason: 'root hash must be base64 of 32 bytes' };
  return { ok: true, origin, treeSize: Number(size), rootHash, extensions };
}

function parseSignatureLine(line: string): NoteSignature | string {
  if (!line.startsWith(SIGNATURE_PREFIX)) return 'malformed note: signature line must start with an em dash';
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.lastIndexOf(' ');
  const keyName = rest.slice(0, space);
  const blob = space < 0 ? undefined : decodeBase64Strict(rest.slice(space + 1));
  if (keyNameProblem(keyName) !== undefined || blob === undefined || blob.length <= KEY_ID_SIZE) {
    return 'malformed note: bad signature line';
  }
  return { keyName, keyId: blob.subarray(0, KEY_ID_SIZE), signature: blob.subarray(KEY_ID_SIZE) };
}

/** signed-note: valid UTF-8, no ASCII control characters but newline, text ends in a newline. */
function noteTextProblem(text: string): string | undefined {
  if (!text.endsWith('\n')) return 'note text must end in a newline';
  if (Buffer.from(text, 'utf8').toString('utf8') !== text) return 'note text must be valid UTF-8';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 && code !== 0x0a) return 'note text must not contain control characters';
  }
  return undefined;
}

/** signed-note: key names are non-empty with no Unicode spaces or plus signs. */
function keyNameProblem(name: string): string | undefined {
  return name === '' || /[\s+]/u.test(name) ? 'key name must be non-empty without spaces or "+"' : undefined;
}

/** Standard base64 with padding, rejecting anything that does not re-encode to the same text. */
function decodeBase64Strict(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
