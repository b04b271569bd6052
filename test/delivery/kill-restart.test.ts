/**
 * Callbacks survive kill -9: a real `bindrail serve` child is killed with SIGKILL while its
 * callbacks are pending (the receiver answers 503), then restarted on the same data dir. Every
 * callback is delivered, each under the one webhook-id it had before the crash.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { TEST_ADMIN_KEY } from '../helpers/rail.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';
import { eventually, WebhookReceiver } from '../helpers/webhook-receiver.js';
import { packetOrder } from '../helpers/work-orders.js';

const call = async (url: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
};

test('kill -9 with callbacks pending: all delivered after restart, webhook-ids unchanged', { timeout: 180_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-callback-crash-'));
  const receiver = await WebhookReceiver.start();
  receiver.status = 503; // down
  const args = [
    '--data-dir', dataDir,
    '--allow-private-callbacks',
    '--callback-backoff', '100,200,400,800,1600,3200,6400,12800',
    '--callback-timeout-ms', '1000',
    '--poll-ms', '50',
    '--reaper-interval-ms', '50',
  ];
  const env = { BINDRAIL_ADMIN_KEY: TEST_ADMIN_KEY };
  let server: ServeProcess | undefined;
  try {
    server = await spawnServe(args, env, 60_000);
    const url = server.url;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await call(url, 'POST', '/v1/work-orders', packetOrder(8000 + i, { return: { callback_url: receiver.url(`/hook/${i}`) } }));
      assert.equal(r.status, 202);
      ids.push(r.body.binding_id);
    }
    // Every callback has been tried and refused at least twice: pending, mid-schedule.
    await eventually(async () => {
      const cbs = await Promise.all(ids.map((id) => call(url, 'GET', `/v1/bindings/${id}/callback`)));
      return cbs.every((c) => c.body.state === 'pending' && c.body.attempts >= 2);
    }, 'two refused tries of every callback', 30_000);
    // Two more finish right before the kill: they may not have been tried at all.
    for (let i = 6; i < 8; i++) {
      const r = await call(url, 'POST', '/v1/work-orders', packetOrder(8000 + i, { return: { callback_url: receiver.url(`/hook/${i}`) } }));
      ids.push(r.body.binding_id);
    }
    await eventually(async () => (await call(url, 'GET', `/v1/bindings/${ids.at(-1)}/result`)).status === 200, 'last result', 30_000);
    const idsBeforeCrash = new Map(receiver.received.map((r) => [r.headers['webhook-id'], r]));

    await server.kill();
    receiver.status = 200; // back up while the rail is down
    server = await spawnServe(args, env, 60_000);
    const restarted = server.url;

    await eventually(async () => {
      const cbs = await Promise.all(ids.map((id) => call(restarted, 'GET', `/v1/bindings/${id}/callback`)));
      return cbs.every((c) => c.body.state === 'delivered');
    }, 'every callback delivered after the restart', 60_000);

    const secret = (await call(restarted, 'GET', '/v1/callbacks/secret')).body.secret as string;
    for (const id of ids) {
      const webhookId = `msg_${id.slice(4)}`;
      const mine = receiver.received.filter((r) => r.headers['webhook-id'] === webhookId);
      assert.ok(mine.length >= 1, `${id} reached the receiver`);
      // Receivers de-duplicate by webhook-id: every try of one callback carried the same one,
      // and the same payload bytes.
      assert.equal(new Set(mine.map((r) => r.body)).size, 1, `${id}: one payload`);
      const delivered = mine.filter((r) => r.status === 200);
      assert.ok(delivered.length >= 1, `${id} delivered`);
      new Webhook(secret).verify(delivered[0]!.body, delivered[0]!.headers as Record<string, string>);
      assert.equal((JSON.parse(delivered[0]!.body) as any).data.binding_id, id);
      const result = await call(restarted, 'GET', `/v1/bindings/${id}/result`);
      assert.equal(result.body.callback.state, 'delivered');
    }
    // The first six were tried before the crash: the same ids came back after it.
    for (const id of ids.slice(0, 6)) assert.ok(idsBeforeCrash.has(`msg_${id.slice(4)}`));
    assert.equal(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size, ids.length, 'one webhook-id per callback');
  } finally {
    await server?.stop();
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
