/** Our Standard Webhooks signing, checked by an independent implementation (the standardwebhooks package). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { newWebhookSecret, signWebhook, webhookHeaders } from '../../src/delivery/webhook-signature.js';
import { signingSecrets } from '../../src/delivery/webhook-secrets.js';

const body = JSON.stringify({ type: 'bindrail.result.ready', data: { binding_id: 'bnd_x', note: 'ünïcode ✓' } });
const now = () => Math.floor(Date.now() / 1000);

test('a signature we make verifies with the standardwebhooks package', () => {
  const secret = newWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  const headers = webhookHeaders({ id: 'msg_1', timestamp: now(), body, secrets: [secret] });
  assert.match(headers['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
});

test('the package signs exactly as we do (same input, same bytes)', () => {
  const secret = newWebhookSecret();
  const ts = now();
  assert.equal(signWebhook(secret, 'msg_2', ts, body), new Webhook(secret).sign('msg_2', new Date(ts * 1000), body));
});

test('a changed body, id or timestamp, or another secret, fails verification', () => {
  const secret = newWebhookSecret();
  const headers = webhookHeaders({ id: 'msg_3', timestamp: now(), body, secrets: [secret] });
  const wh = new Webhook(secret);
  assert.throws(() => wh.verify(body + ' ', headers), WebhookVerificationError);
  assert.throws(() => wh.verify(body, { ...headers, 'webhook-id': 'msg_4' }), WebhookVerificationError);
  assert.throws(() => wh.verify(body, { ...headers, 'webhook-timestamp': String(now() - 1) }), WebhookVerificationError);
  assert.throws(() => new Webhook(newWebhookSecret()).verify(body, headers), WebhookVerificationError);
});

test('during a rotation both secrets sign, and either one verifies', () => {
  const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
  const t = 1_000_000;
  const row = { tenant_id: 'default', secret: current, previous_secret: previous, previous_expires_at: t + 1, created_at: 0, rotated_at: t };
  const secrets = signingSecrets(row, t);
  assert.deepEqual(secrets, [current, previous]);
  const headers = webhookHeaders({ id: 'msg_5', timestamp: now(), body, secrets });
  assert.equal(headers['webhook-signature']!.split(' ').length, 2);
  assert.ok(new Webhook(current).verify(body, headers));
  assert.ok(new Webhook(previous).verify(body, headers));
  // After the overlap only the current secret signs.
  assert.deepEqual(signingSecrets(row, t + 1), [current]);
});
