/**
 * Two `bindrail serve` processes on one PostgreSQL store (the scale-out path) each run a
 * callback dispatcher. The delivery lease means no callback is sent by both: every webhook-id
 * arrives exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TEST_ADMIN_KEY } from '../helpers/rail.js';
import { createTestDatabase, whenPostgres } from '../store/pg-database.js';
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

await whenPostgres(() => test('two dispatchers on one store never send the same callback', { timeout: 180_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'bindrail-two-dispatchers-'));
  const db = await createTestDatabase();
  const receiver = await WebhookReceiver.start();
  receiver.delayMs = 30; // tries overlap in time, so a double send would show
  const common = ['--store', db.url, '--allow-private-callbacks', '--poll-ms', '20', '--concurrency', '4', '--callback-backoff', '100,200,400'];
  const env = { BINDRAIL_ADMIN_KEY: TEST_ADMIN_KEY };
  const servers: ServeProcess[] = [];
  try {
    servers.push(await spawnServe([...common, '--data-dir', join(root, 'a')], env, 60_000));
    servers.push(await spawnServe([...common, '--data-dir', join(root, 'b')], env, 60_000));
    const [a, b] = servers.map((s) => s.url) as [string, string];
    // Hold every callback until all are pending, then let both dispatchers race for them.
    await call(a, 'POST', '/v1/queue/callbacks/pause');
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await call(i % 2 ? a : b, 'POST', '/v1/work-orders', packetOrder(9100 + i, { return: { callback_url: receiver.url(`/hook/${i}`) } }));
      assert.equal(r.status, 202, JSON.stringify(r.body) + servers.map((s) => s.output()).join('\n'));
      ids.push(r.body.binding_id);
    }
    await eventually(async () => (await call(a, 'GET', '/v1/queue')).body.callbacks.by_state.pending === ids.length, 'all pending', 60_000);
    await call(b, 'POST', '/v1/queue/callbacks/resume');
    await eventually(async () => (await call(a, 'GET', '/v1/queue')).body.callbacks.by_state.delivered === ids.length, 'all delivered', 60_000);

    const perId = new Map<string, number>();
    for (const r of receiver.received) perId.set(String(r.headers['webhook-id']), (perId.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    assert.equal(perId.size, ids.length);
    assert.deepEqual([...new Set(perId.values())], [1], 'each callback sent once');
    for (const id of ids.slice(0, 5)) assert.equal((await call(b, 'GET', `/v1/bindings/${id}/callback`)).body.attempts, 1);
  } finally {
    for (const s of servers) await s.stop();
    await receiver.stop();
    await db.drop();
    rmSync(root, { recursive: true, force: true });
  }
}));
