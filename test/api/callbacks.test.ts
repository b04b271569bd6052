/**
 * Result callbacks end to end: a real rail over HTTP, a real receiver on 127.0.0.1, signatures
 * checked by the independent standardwebhooks package, a millisecond backoff schedule.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { createApiKey, hashApiKey } from '../../src/rail/api-keys.js';
import { startTestRail, TEST_ADMIN_KEY, waitForResult, type TestRail } from '../helpers/rail.js';
import { eventually, WebhookReceiver, type Received } from '../helpers/webhook-receiver.js';
import { packetOrder } from '../helpers/work-orders.js';

const SCHEDULE = [50, 100, 200];
let rail: TestRail;
let receiver: WebhookReceiver;
let n = 0;

before(async () => {
  receiver = await WebhookReceiver.start();
  rail = await startTestRail({ 'allow-private-callbacks': true, 'callback-backoff': SCHEDULE.join(','), 'callback-timeout-ms': '2000' });
});
after(async () => {
  await rail.close();
  await receiver.stop();
});

async function submitWithCallback(r: TestRail, url: string): Promise<string> {
  const res = await r.api('POST', '/v1/work-orders', packetOrder(1000 + n++, { return: { callback_url: url } }));
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.binding_id;
}

const callbackOf = (r: TestRail, id: string) => r.api('GET', `/v1/bindings/${id}/callback`).then((x) => x.body);
const untilState = (r: TestRail, id: string, state: string, timeoutMs?: number) =>
  eventually(async () => {
    const cb = await callbackOf(r, id);
    return cb.state === state && cb;
  }, `callback of ${id} ${state}`, timeoutMs);
const secretOf = async (r: TestRail) => (await r.api('GET', '/v1/callbacks/secret')).body.secret as string;
const forBinding = (id: string) => (x: Received) => x.headers['webhook-id'] === `msg_${id.slice(4)}`;
const headersOf = (x: Received) => x.headers as Record<string, string>;

test('a callback is signed per Standard Webhooks and verifies with the standardwebhooks package', async () => {
  const secret = await secretOf(rail);
  assert.match(secret, /^whsec_/);
  const id = await submitWithCallback(rail, receiver.url('/hook/a'));
  const [got] = await receiver.waitFor(forBinding(id));
  const payload = new Webhook(secret).verify(got!.body, headersOf(got!)) as any;

  assert.equal(got!.headers['content-type'], 'application/json');
  assert.equal(payload.type, 'bindrail.result.ready');
  assert.equal(payload.data.binding_id, id);
  assert.equal(payload.data.status, 'succeeded');
  assert.equal(payload.data.links.result, `/v1/bindings/${id}/result`);
  assert.equal(payload.data.instructions.replay.path, `/v1/bindings/${id}/replay`);
  assert.equal(payload.data.instructions.redeliver.path, `/v1/bindings/${id}/callback/redeliver`);

  const cb = await untilState(rail, id, 'delivered');
  assert.equal(cb.webhook_id, `msg_${id.slice(4)}`);
  assert.equal(cb.attempts, 1);
  assert.equal(cb.attempt_log.length, 1);
  assert.equal(cb.attempt_log[0].status_code, 200);
  assert.equal(cb.attempt_log[0].outcome, 'delivered');
  assert.equal(cb.attempt_log[0].error, null);
  assert.ok(Number.isInteger(cb.attempt_log[0].latency_ms) && cb.attempt_log[0].latency_ms >= 0);

  const result = await waitForResult(rail, id);
  assert.deepEqual(result.callback, { state: 'delivered', attempts: 1, path: `/v1/bindings/${id}/callback` });
  const events = (await rail.api('GET', `/v1/bindings/${id}/events`)).body.data as any[];
  const delivered = events.find((e) => e.type === 'bindrail.callback.delivered');
  assert.equal(delivered?.data.webhook_id, cb.webhook_id);
  assert.ok(events.findIndex((e) => e.type === 'bindrail.result.ready') < events.indexOf(delivered), 'delivered after result.ready');
});

test('receiver down: retries on the schedule, delivered when it comes back, one webhook-id throughout', async () => {
  const down = await WebhookReceiver.start();
  const port = down.port;
  await down.stop();
  const r = await startTestRail({ 'allow-private-callbacks': true, 'callback-backoff': '50,100,200,400,800,1600,3200', 'callback-timeout-ms': '2000' });
  try {
    const id = await submitWithCallback(r, `http://127.0.0.1:${port}/hook`);
    await eventually(async () => (await callbackOf(r, id)).attempts >= 2, 'two refused tries');
    await down.listen(port);
    const cb = await untilState(r, id, 'delivered');
    const log = cb.attempt_log as any[];
    assert.ok(log.length >= 3, `tries: ${log.length}`);
    for (const a of log.slice(0, -1)) {
      assert.equal(a.outcome, 'retry');
      assert.equal(a.status_code, null);
      assert.equal(a.error, 'ECONNREFUSED');
    }
    assert.deepEqual([log.at(-1).outcome, log.at(-1).status_code], ['delivered', 200]);
    // Each retry waited at least its delay in the schedule.
    const schedule = [50, 100, 200, 400, 800, 1600, 3200];
    for (let i = 1; i < log.length; i++) {
      const gap = Date.parse(log[i].started_at) - Date.parse(log[i - 1].started_at);
      assert.ok(gap >= schedule[i - 1]!, `try ${i + 1} came ${gap} ms after try ${i}, schedule says ${schedule[i - 1]}`);
    }
    const got = await down.waitFor(() => true);
    assert.deepEqual(new Set(got.map((x) => x.headers['webhook-id'])), new Set([cb.webhook_id]));
    new Webhook(await secretOf(r)).verify(got[0]!.body, headersOf(got[0]!));
  } finally {
    await r.close();
    await down.stop();
  }
});

test('receiver always 500: failed after the last try; redeliver sends it again with the same webhook-id', async () => {
  const failing = await WebhookReceiver.start();
  failing.status = 500;
  try {
    const id = await submitWithCallback(rail, failing.url());
    const cb = await untilState(rail, id, 'failed');
    assert.equal(cb.attempts, SCHEDULE.length + 1);
    assert.deepEqual(cb.attempt_log.map((a: any) => a.outcome), ['retry', 'retry', 'retry', 'failed']);
    assert.ok(cb.attempt_log.every((a: any) => a.status_code === 500 && a.error === 'HTTP 500'));
    assert.equal(cb.next_attempt_at, null);
    const tries = await failing.waitFor(forBinding(id), SCHEDULE.length + 1);
    assert.equal(new Set(tries.map((x) => x.headers['webhook-id'])).size, 1);

    const result = await waitForResult(rail, id);
    assert.deepEqual(result.callback, { state: 'failed', attempts: 4, path: `/v1/bindings/${id}/callback` });
    const events = (await rail.api('GET', `/v1/bindings/${id}/events`)).body.data as any[];
    const failedEvent = events.find((e) => e.type === 'bindrail.callback.failed');
    assert.equal(failedEvent?.data.redeliver.path, `/v1/bindings/${id}/callback/redeliver`);

    const queue = (await rail.api('GET', '/v1/queue')).body;
    const alert = queue.stuck.find((s: any) => s.binding_id === id);
    assert.equal(alert?.reason, 'callback_delivery_failed');
    assert.deepEqual(alert.command, { action: 'redeliver_callback', method: 'POST', path: `/v1/bindings/${id}/callback/redeliver` });

    // A key without work:operate may read the log but not redeliver.
    const { value: reader } = await rail.runtime.store.write((tx) => createApiKey(tx, { tenantId: 'default', name: 'reader', scopes: ['work:read'], now: Date.now() }));
    assert.equal((await rail.api('GET', `/v1/bindings/${id}/callback`, undefined, { key: reader })).status, 200);
    assert.equal((await rail.api('POST', `/v1/bindings/${id}/callback/redeliver`, undefined, { key: reader })).status, 403);

    failing.status = 200;
    const redelivered = await rail.api('POST', `/v1/bindings/${id}/callback/redeliver`);
    assert.equal(redelivered.status, 202);
    assert.equal(redelivered.body.webhook_id, cb.webhook_id);
    const done = await untilState(rail, id, 'delivered');
    assert.equal(done.attempts, 5);
    const ok = (await failing.waitFor((x) => forBinding(id)(x) && x.status === 200))[0]!;
    assert.equal(ok.headers['webhook-id'], cb.webhook_id);
    new Webhook(await secretOf(rail)).verify(ok.body, headersOf(ok));
    assert.equal((await waitForResult(rail, id)).callback.state, 'delivered');

    const adminKeyId = (await rail.runtime.store.findApiKeyByHash(hashApiKey(TEST_ADMIN_KEY)))!.key_id;
    const audit = (await rail.api('GET', '/v1/audit')).body.data as any[];
    const row = audit.find((a) => a.action === 'callback.redeliver' && a.target === id);
    assert.equal(row?.actor_key_id, adminKeyId);
    assert.equal(row.detail.previous_state, 'failed');
  } finally {
    await failing.stop();
  }
});

test('a rotated secret: both the new and the previous secret sign during the overlap', async () => {
  const old = await secretOf(rail);
  const rotated = await rail.api('POST', '/v1/callbacks/secret/rotate');
  assert.equal(rotated.status, 200);
  const fresh = rotated.body.secret as string;
  assert.notEqual(fresh, old);
  const overlap = Date.parse(rotated.body.previous_valid_until) - Date.parse(rotated.body.rotated_at);
  assert.equal(overlap, 24 * 60 * 60 * 1000);
  assert.equal(await secretOf(rail), fresh);

  const id = await submitWithCallback(rail, receiver.url('/hook/rotated'));
  const [got] = await receiver.waitFor(forBinding(id));
  assert.equal(String(got!.headers['webhook-signature']).split(' ').length, 2);
  new Webhook(fresh).verify(got!.body, headersOf(got!));
  new Webhook(old).verify(got!.body, headersOf(got!));

  const audit = (await rail.api('GET', '/v1/audit')).body.data as any[];
  assert.ok(audit.some((a) => a.action === 'callback.secret.rotate'));
  const text = JSON.stringify(audit);
  assert.ok(!text.includes(fresh.slice(6)) && !text.includes(old.slice(6)), 'no secret in the audit log');
});

test('the kill switch holds callbacks pending until it is lifted', async () => {
  const paused = await rail.api('POST', '/v1/queue/callbacks/pause');
  assert.deepEqual(paused.body, { object: 'callback_switch', paused: true });
  let id: string;
  try {
    id = await submitWithCallback(rail, receiver.url('/hook/held'));
    await waitForResult(rail, id);
    // Several dispatcher passes (poll 50 ms) go by without a send.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(receiver.received.filter(forBinding(id)).length, 0);
    const cb = await callbackOf(rail, id);
    assert.deepEqual([cb.state, cb.attempts], ['pending', 0]);
    assert.equal((await rail.api('GET', '/v1/queue')).body.callbacks.paused, true);
  } finally {
    assert.equal((await rail.api('POST', '/v1/queue/callbacks/resume')).body.paused, false);
  }
  await untilState(rail, id, 'delivered');
  const actions = ((await rail.api('GET', '/v1/audit')).body.data as any[]).map((a) => a.action);
  assert.ok(actions.includes('queue.callbacks.pause') && actions.includes('queue.callbacks.resume'));
});

test('callback state before the end, without a callback, and redelivery of unfinished work', async () => {
  await rail.api('POST', '/v1/queue/tools/packetops/pause');
  try {
    const id = await submitWithCallback(rail, receiver.url('/hook/later'));
    const cb = await callbackOf(rail, id);
    assert.deepEqual([cb.state, cb.attempts, cb.webhook_id, cb.attempt_log], ['pending', 0, `msg_${id.slice(4)}`, []]);
    const early = await rail.api('POST', `/v1/bindings/${id}/callback/redeliver`);
    assert.equal(early.status, 409);
    assert.equal(early.body.code, 'invalid_state');
  } finally {
    await rail.api('POST', '/v1/queue/tools/packetops/resume');
  }
  const plain = await rail.api('POST', '/v1/work-orders', packetOrder(9999));
  await waitForResult(rail, plain.body.binding_id);
  const none = await callbackOf(rail, plain.body.binding_id);
  assert.deepEqual([none.state, none.url, none.webhook_id], ['none', null, null]);
  assert.equal((await waitForResult(rail, plain.body.binding_id)).callback.state, 'none');
  const missing = await rail.api('POST', `/v1/bindings/${plain.body.binding_id}/callback/redeliver`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
});

test('a receiver that does not answer in time: the try times out and is retried', async () => {
  const slow = await WebhookReceiver.start();
  slow.delayMs = 2_000;
  const r = await startTestRail({ 'allow-private-callbacks': true, 'callback-backoff': '50,100,200,400,800', 'callback-timeout-ms': '300' });
  try {
    const id = await submitWithCallback(r, slow.url());
    await eventually(async () => (await callbackOf(r, id)).attempts >= 1, 'a first try');
    slow.delayMs = 0;
    const cb = await untilState(r, id, 'delivered');
    const first = cb.attempt_log[0];
    assert.deepEqual([first.outcome, first.status_code, first.error], ['retry', null, 'no answer within 300 ms']);
    assert.ok(first.latency_ms >= 300);
    assert.equal(cb.attempt_log.at(-1).status_code, 200);
  } finally {
    await r.close();
    await slow.stop();
  }
});
