/**
 * Graceful shutdown: on SIGTERM a worker stops claiming, lets running tasks finish within its grace
 * period, and gives back the leases of those it cannot finish (leased → queued, the attempt not
 * spent) — so the work runs again at once, elsewhere or after a restart, instead of waiting out
 * its lease and counting as a failed attempt.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RailError } from '../../src/contracts/errors.js';
import { startTestRail, TEST_ADMIN_KEY, type TestRail } from '../helpers/rail.js';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.js';
import { registryWithRemoteKit } from '../helpers/test-tools.js';
import { createTestDatabase, whenPostgres } from '../store/pg-database.js';
import { holdOrder } from './hold-tool.js';

const TOOLS = ['--tools', 'test/e2e/hold-tool.ts'];
const ok = { status: 'sufficient' as const, missing: [], exceptions: [] };

async function api<T = any>(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function submit(url: string, order: Record<string, unknown>): Promise<string> {
  const r = await api(url, 'POST', '/v1/work-orders', order);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body.binding_id as string;
}

async function waitForState(url: string, id: string, states: string[], timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = (await api(url, 'GET', `/v1/bindings/${id}`)).body;
    if (states.includes(b.state)) return b;
    if (Date.now() > deadline) throw new Error(`binding ${id} stayed ${b.state}, wanted ${states.join('|')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function events(url: string, id: string): Promise<{ type: string; data: Record<string, any> }[]> {
  const r = await api(url, 'GET', `/v1/bindings/${id}/events?limit=500`);
  return r.body.data.map((e: { type: string; data: Record<string, any> }) => ({ type: e.type.replace('bindrail.', ''), data: e.data }));
}

describe('Attempts.release', () => {
  let rail: TestRail;
  before(async () => {
    rail = await startTestRail({}, { registry: registryWithRemoteKit(30_000) });
  });
  after(() => rail.close());

  const claimOne = async () => {
    const [task] = await rail.runtime.rail.attempts.claim({ tools: ['remotekit'], limit: 1, owner: 'hand-worker' });
    assert.ok(task, 'a task was claimed');
    return task;
  };

  test('gives a current lease back without spending the attempt; a stale token releases nothing', async () => {
    const attempts = rail.runtime.rail.attempts;
    const id = await submit(rail.url, { tool: 'remotekit', operation: 'work', inputs: { value: 'r' } });
    const first = await claimOne();
    assert.equal(first.binding.attempt, 1);

    assert.equal(await attempts.release([first.token]), 1);
    const back = (await api(rail.url, 'GET', `/v1/bindings/${id}`)).body;
    assert.equal(back.state, 'queued');
    assert.equal(back.attempt, 0, 'the released attempt is not spent');
    assert.equal(await attempts.release([first.token]), 0, 'releasing twice releases nothing');

    // The next lease runs attempt 1 again under a new token; the old one is fenced off.
    const second = await claimOne();
    assert.equal(second.binding.binding_id, id);
    assert.equal(second.binding.attempt, 1);
    await assert.rejects(attempts.heartbeat(first.token), (e: unknown) => e instanceof RailError);
    assert.equal(await attempts.release([first.token]), 0, 'an old token cannot release the new lease');
    await attempts.report(second.token, { kind: 'succeeded', output: { value: 'r', attempt: 1 }, summary: 'done', evidence: ok, toolReceipts: [], runMs: 1 });

    const done = (await api(rail.url, 'GET', `/v1/bindings/${id}`)).body;
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempt, 1);
    const types = (await events(rail.url, id)).map((e) => e.type);
    assert.deepEqual(types.filter((t) => t.startsWith('queue.')), ['queue.leased', 'queue.released', 'queue.leased']);
    assert.ok(!types.includes('attempt.failed'), 'no attempt failed');
  });

  test('a lease whose cancel was requested is cancelled, not requeued', async () => {
    const id = await submit(rail.url, { tool: 'remotekit', operation: 'work', inputs: { value: 'c' } });
    const task = await claimOne();
    assert.equal((await api(rail.url, 'POST', `/v1/bindings/${id}/cancel`, {})).status, 200);
    assert.equal(await rail.runtime.rail.attempts.release([task.token]), 0);
    assert.equal((await api(rail.url, 'GET', `/v1/bindings/${id}`)).body.state, 'cancelled');
  });
});

describe('SIGTERM on a real `bindrail serve` (SQLite)', () => {
  test('a task that fits the grace period finishes; one that does not is released and runs after the restart', { timeout: 120_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bindrail-shutdown-'));
    const args = ['--data-dir', dataDir, ...TOOLS, '--shutdown-grace-ms', '4000'];
    const env = { BINDRAIL_ADMIN_KEY: TEST_ADMIN_KEY };
    let server: ServeProcess | undefined = await spawnServe(args, env);
    try {
      const short = await submit(server.url, holdOrder('short', 1_200));
      const long = await submit(server.url, holdOrder('long', 60_000));
      await waitForState(server.url, long, ['leased']);
      await waitForState(server.url, short, ['leased', 'succeeded']);

      assert.equal(await server.stop(), 0, `serve exits cleanly:\n${server.output()}`);
      assert.match(server.output(), /SIGTERM: stopping/);
      server = await spawnServe(args, env);
      // `long` is back in the queue with its attempt unspent, and this process's worker claims it again.
      const shortDone = await waitForState(server.url, short, ['succeeded', 'failed']);
      assert.equal(shortDone.state, 'succeeded', 'the short task finished within the grace period');
      assert.equal(shortDone.attempt, 1);
      const longEvents = await events(server.url, long);
      const released = longEvents.find((e) => e.type === 'queue.released');
      assert.ok(released, `the long task's lease was released: ${longEvents.map((e) => e.type).join(', ')}`);
      assert.equal(released.data.attempt, 1);
      assert.ok(!longEvents.some((e) => e.type === 'attempt.failed'), 'no attempt counted as failed');
      const relet = await waitForState(server.url, long, ['leased']);
      assert.equal(relet.attempt, 1, 'the next lease runs attempt 1 again');
    } finally {
      await server?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

await whenPostgres(() => {
  describe('SIGTERM on a worker sharing PostgreSQL', () => {
    test('the released lease is taken over by the other worker at once and finishes there', { timeout: 180_000 }, async () => {
      const db = await createTestDatabase();
      const dirs: string[] = [];
      const procs: ServeProcess[] = [];
      const start = async (role: string) => {
        const dir = mkdtempSync(join(tmpdir(), `bindrail-shutdown-${role}-`));
        dirs.push(dir);
        const p = await spawnServe(['--role', role, '--store', db.url, '--data-dir', dir, ...TOOLS, '--shutdown-grace-ms', '200'], { BINDRAIL_ADMIN_KEY: TEST_ADMIN_KEY }, 60_000);
        procs.push(p);
        return { p, dir };
      };
      try {
        const { p: apiProc } = await start('api');
        const workers = await Promise.all([start('worker'), start('worker')]);
        const id = await submit(apiProc.url, holdOrder('moves', 8_000));
        await waitForState(apiProc.url, id, ['leased']);
        const firstOwner = (await events(apiProc.url, id)).find((e) => e.type === 'queue.leased')!.data.owner as string;
        // A worker's owner id ends with the id kept in its data dir.
        const holder = workers.find((w) => firstOwner.endsWith(`/${readFileSync(join(w.dir, 'worker-id'), 'utf8').trim()}`));
        assert.ok(holder, `a worker owns ${firstOwner}`);

        assert.equal(await holder.p.stop(), 0, holder.p.output());
        const done = await waitForState(apiProc.url, id, ['succeeded', 'failed'], 60_000);
        assert.equal(done.state, 'succeeded');
        assert.equal(done.attempt, 1, 'the released attempt was not spent');
        const evs = await events(apiProc.url, id);
        const leases = evs.filter((e) => e.type === 'queue.leased');
        assert.deepEqual(evs.filter((e) => e.type.startsWith('queue.')).map((e) => e.type), ['queue.leased', 'queue.released', 'queue.leased']);
        assert.equal(leases[0]!.data.owner, firstOwner);
        assert.notEqual(leases[1]!.data.owner, firstOwner, 'the other worker took it over');
        assert.ok(!evs.some((e) => e.type === 'attempt.failed'));
        const result = (await api(apiProc.url, 'GET', `/v1/bindings/${id}/result`)).body;
        assert.deepEqual(result.machine_output, { value: 'moves', attempt: 1 });
      } finally {
        await Promise.all(procs.map((p) => p.stop()));
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
        await db.drop();
      }
    });
  });
});
