/**
 * Standard Webhooks signing (https://www.standardwebhooks.com/, spec "Signature scheme"):
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, several
 * space-separated signatures when more than one secret is valid (a rotation's overlap).
 */
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

/** A new secret: whsec_ + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The HMAC key a whsec_ secret stands for: the base64 after the prefix. */
export function secretKey(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new Error('empty webhook secret');
  return key;
}

/** One `v1,<base64>` signature of `id.timestamp.body`; `timestamp` in whole seconds. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one delivery try, signed with every secret given (current first). */
export function webhookHeaders(p: { id: string; timestamp: number; body: string; secrets: readonly string[] }): Record<string, string> {
  return {
    'webhook-id': p.id,
    'webhook-timestamp': String(p.timestamp),
    'webhook-signature': p.secrets.map((s) => signWebhook(s, p.id, p.timestamp, p.body)).join(' '),
  };
}
