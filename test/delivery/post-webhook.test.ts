/** One webhook POST: it connects to the address the SSRF guard checked, never to a fresh DNS answer. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure, postWebhook } from '../../src/delivery/post-webhook.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

test('the request goes to the pinned address while Host names the URL host', async () => {
  const receiver = await WebhookReceiver.start();
  try {
    // The name does not exist in DNS: only the pinned address can have been used.
    const url = new URL(`http://hooks.invalid:${receiver.port}/in`);
    const status = await postWebhook({
      url,
      addresses: [{ address: '127.0.0.1', family: 4 }],
      headers: { 'webhook-id': 'msg_pin' },
      body: '{"x":1}',
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(status, 200);
    const [got] = await receiver.waitFor(() => true);
    assert.equal(got!.headers.host, `hooks.invalid:${receiver.port}`);
    assert.equal(got!.headers['webhook-id'], 'msg_pin');
    assert.equal(got!.body, '{"x":1}');
  } finally {
    await receiver.stop();
  }
});

test('failures are described without the URL: refused connection, timeout', async () => {
  const receiver = await WebhookReceiver.start();
  const port = receiver.port;
  await receiver.stop();
  const refused = await postWebhook({ url: new URL(`http://127.0.0.1:${port}/`), addresses: [], headers: {}, body: '', signal: AbortSignal.timeout(5_000) }).catch((e: unknown) => e);
  assert.equal(describeFailure(refused, 5_000), 'ECONNREFUSED');

  const slow = await WebhookReceiver.start();
  slow.delayMs = 1_000;
  try {
    const timedOut = await postWebhook({ url: new URL(slow.url()), addresses: [], headers: {}, body: '', signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    assert.equal(describeFailure(timedOut, 100), 'no answer within 100 ms');
  } finally {
    await slow.stop();
  }
});
