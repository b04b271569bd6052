/* global crypto */
/** Ed25519 signature checks with WebCrypto (Chromium, Firefox and Safari ship it). */

/** True when `signature` by the 32-byte public key verifies over `message`. */
export async function verifyEd25519(publicKeyRaw, signature, message) {
  if (!crypto?.subtle) throw new Error('WebCrypto is unavailable: open the console over HTTPS or on localhost');
  const key = await crypto.subtle.importKey('raw', publicKeyRaw, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
}
