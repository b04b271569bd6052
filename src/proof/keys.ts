/**
 * Ed25519 signing keys. Each process keeps its private key in its data dir (0600); only public
 * keys leave it. Key id = first 16 hex chars of SHA-256(raw public key).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from './canonical.js';
import { ed25519PublicKeyRaw } from './checkpoint-note.js';

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** 32 raw bytes. */
  publicKeyRaw: Buffer;
  createdAt: number;
}

/** An Ed25519 public KeyObject from its 32 raw bytes (RFC 8032 encoding). */
export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/** Key id: the first 16 hex chars of SHA-256(raw public key). */
export function keyIdOf(publicKeyRaw: Uint8Array): string {
  return sha256Hex(publicKeyRaw).slice(0, 16);
}

const KEY_FILE = 'signing-key.pem';
const META_FILE = 'signing-key.json';

function fromPrivate(privateKey: KeyObject, createdAt: number): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const publicKeyRaw = ed25519PublicKeyRaw(publicKey);
  return { keyId: keyIdOf(publicKeyRaw), privateKey, publicKey, publicKeyRaw, createdAt };
}

/** Writes a file atomically with mode 0600. */
function writeSecret(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Loads the data dir's current signing key, generating one on first start. */
export function loadOrCreateSigningKey(dataDir: string, now: () => number = Date.now): SigningKey {
  mkdirSync(dataDir, { recursive: true });
  const keyPath = join(dataDir, KEY_FILE);
  if (existsSync(keyPath)) {
    const meta = JSON.parse(readFileSync(join(dataDir, META_FILE), 'utf8')) as { created_at: number };
    return fromPrivate(createPrivateKey(readFileSync(keyPath)), meta.created_at);
  }
  return createSigningKey(dataDir, now());
}

/** Generates a new key and makes it the data dir's current one; the old file is kept beside it. */
export function createSigningKey(dataDir: string, createdAt: number): SigningKey {
  mkdirSync(dataDir, { recursive: true });
  const keyPath = join(dataDir, KEY_FILE);
  if (existsSync(keyPath)) {
    const old = fromPrivate(createPrivateKey(readFileSync(keyPath)), 0);
    renameSync(keyPath, join(dataDir, `signing-key.${old.keyId}.retired.pem`));
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  writeSecret(keyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  writeSecret(join(dataDir, META_FILE), JSON.stringify({ created_at: createdAt }));
  return fromPrivate(privateKey, createdAt);
}

/**
 * Rotation: a new current key for the data dir. The previous key's file is kept (retired) so the
 * operator still holds it; its public half stays published with the window it was valid in.
 */
export function rotateSigningKey(dataDir: string, now: number): { previous: SigningKey | undefined; current: SigningKey } {
  const previous = existsSync(join(dataDir, KEY_FILE)) ? loadOrCreateSigningKey(dataDir) : undefined;
  return { previous, current: createSigningKey(dataDir, now) };
}
