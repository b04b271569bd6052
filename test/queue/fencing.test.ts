/** A late worker can never overwrite a newer attempt: tokens are fenced per attempt. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RailError } from '../../src/contracts/errors.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { FAST_BACKOFF, registryWithRemoteKit } from '../helpers/test-tools.js';

let rail: TestRail;
before(async () => {
  rail = await startTestRail({ 'reaper-interval-ms': '20' }, { registry: registryWithRemoteKit(200), backoff: { baseMs: 0, capMs: 0 } });
});
after(() => rail.close());

const ok = { status: 'sufficient' as const, missing: [], exceptions: [] };

async function claimOne() {
  const attempts = rail.runtime.rail.attempts;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [task] = await attempts.claim({ tools: ['remotekit'], limit: 1, owner: 'test' });
    if (task) return task;
    if (Date.now() > deadline) throw new Error('nothing to claim');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (err: unknown) => err instanceof RailError && err.code === code);
}

test('a stale token is refused for heartbeat and completion once a newer attempt holds the lease', async () => {
  void FAST_BACKOFF;
  const attempts = rail.runtime.rail.attempts;
  const sub = await rail.api('POST', '/v1/work-orders', { tool: 'remotekit', operation: 'work', inputs: { value: 'x' } });
  assert.equal(sub.status, 202);
  const first = await claimOne();
  assert.equal(first.binding.attempt, 1);
  // Let the 200 ms lease expire; the reaper fails attempt 1 and the retry becomes claimable.
  const second = await claimOne();
  assert.equal(second.binding.attempt, 2);
  assert.notEqual(second.token, first.token);

  await rejects(attempts.heartbeat(first.token), 'stale_task_token');
  await rejects(attempts.report(first.token, { kind: 'succeeded', output: { value: 'late', attempt: 1 }, summary: 'late', evidence: ok, toolReceipts: [], runMs: 1 }), 'stale_task_token');

  const hb = await attempts.heartbeat(second.token, { percent: 50 });
  assert.ok(hb.lease_expires_at > Date.now());
  await attempts.report(second.token, { kind: 'succeeded', output: { value: 'fresh', attempt: 2 }, summary: 'fresh', evidence: ok, toolReceipts: [], runMs: 1 });
  const result = await waitForResult(rail, sub.body.binding_id);
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.machine_output, { value: 'fresh', attempt: 2 });

  // After completion even the winning token is spent.
  await rejects(attempts.report(second.token, { kind: 'failed', code: 'x', message: 'x', retryable: true, runMs: 1 }), 'stale_task_token');
});

test('a forged token for the current attempt reveals nothing', async () => {
  const attempts = rail.runtime.rail.attempts;
  const sub = await rail.api('POST', '/v1/work-orders', { tool: 'remotekit', operation: 'work', inputs: { value: 'y' } });
  const task = await claimOne();
  assert.equal(task.binding.binding_id, sub.body.binding_id);
  const forged = task.token.replace(/\.[A-Za-z0-9_-]{43}$/, '.' + 'A'.repeat(43));
  await rejects(attempts.heartbeat(forged), 'not_found');
  await rejects(attempts.heartbeat('not-a-token'), 'not_found');
  await attempts.report(task.token, { kind: 'failed', code: 'bad_luck', message: 'no', retryable: false, runMs: 1 });
  const result = await waitForResult(rail, sub.body.binding_id);
  assert.equal(result.exception.code, 'bad_luck');
});

test('work nobody claims before its deadline fails with deadline_exceeded and a ticket', async () => {
  const deadline = new Date(Date.now() + 100).toISOString();
  const sub = await rail.api('POST', '/v1/work-orders', { tool: 'remotekit', operation: 'work', inputs: { value: 'z' }, deadline });
  assert.equal(sub.status, 202);
  const result = await waitForResult(rail, sub.body.binding_id);
  assert.equal(result.status, 'failed');
  assert.equal(result.exception.code, 'deadline_exceeded');
  assert.equal(result.exception.attempts, 0);
  assert.match(result.exception.message, /deadline .* passed while the work was queued/);
});

test('a forged token learns nothing of a pending cancel and cannot act on it', async () => {
  const attempts = rail.runtime.rail.attempts;
  const sub = await rail.api('POST', '/v1/work-orders', { tool: 'remotekit', operation: 'work', inputs: { value: 'c' } });
  const task = await claimOne();
  assert.equal(task.binding.binding_id, sub.body.binding_id);
  const c = await rail.api('POST', `/v1/bindings/${sub.body.binding_id}/cancel`);
  assert.equal(c.body.cancel_requested, true);
  const forged = task.token.replace(/\.[A-Za-z0-9_-]{43}$/, '.' + 'B'.repeat(43));
  await rejects(attempts.report(forged, { kind: 'failed', code: 'x', message: 'x', retryable: false, runMs: 1 }), 'not_found');
  assert.equal((await rail.api('GET', `/v1/bindings/${sub.body.binding_id}`)).body.state, 'leased');
  // The real token hears of the cancel, and its report ends the binding cancelled.
  await rejects(attempts.heartbeat(task.token), 'binding_cancelled');
  await attempts.report(task.token, { kind: 'failed', code: 'stopped', message: 'stopped on cancel', retryable: true, runMs: 1 });
  assert.equal((await waitForResult(rail, sub.body.binding_id)).status, 'cancelled');
});
