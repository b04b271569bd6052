/**
 * Operating the queue over HTTP: the monitor and its stuck alerts, tool pause/resume, exception
 * tickets, the audit log, and /metrics.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashApiKey } from '../../src/rail/api-keys.js';
import { startTestRail, TEST_ADMIN_KEY, waitForResult, type TestRail } from '../helpers/rail.js';
import { FAST_BACKOFF, registryWithRemoteKit, testOrder } from '../helpers/test-tools.js';
import { eventually } from '../helpers/webhook-receiver.js';

let rail: TestRail;
let adminKeyId: string;
before(async () => {
  rail = await startTestRail({}, { registry: registryWithRemoteKit(200), backoff: FAST_BACKOFF });
  adminKeyId = (await rail.runtime.store.findApiKeyByHash(hashApiKey(TEST_ADMIN_KEY)))!.key_id;
});
after(() => rail.close());

const queue = async (query = '') => (await rail.api('GET', `/v1/queue${query}`)).body;
const audit = async () => (await rail.api('GET', '/v1/audit?limit=500')).body.data as any[];

test('a paused tool keeps its work queued; the monitor names it stuck with the call that resumes it', async () => {
  const paused = await rail.api('POST', '/v1/queue/tools/testkit/pause');
  assert.equal(paused.status, 200);
  assert.deepEqual(paused.body, { object: 'tool_switch', tool: 'testkit', paused: true, paused_tools: ['testkit'] });
  const id = (await rail.api('POST', '/v1/work-orders', testOrder('echo', { value: 'held' }))).body.binding_id;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await rail.api('GET', `/v1/bindings/${id}`)).body.state, 'queued');

  const q = await queue('?queued_too_long_ms=0');
  assert.equal(q.object, 'queue_monitor');
  assert.deepEqual(q.paused_tools, ['testkit']);
  const tool = q.counts.by_tool.find((t: any) => t.tool === 'testkit');
  assert.equal(tool.paused, true);
  assert.equal(tool.states.queued, 1);
  assert.equal(q.oldest_queued.binding_id, id);
  assert.ok(q.oldest_queued.age_ms >= 0);
  assert.ok(q.reaper.last_run_at && q.reaper.next_run_at);
  assert.ok(q.callbacks.dispatcher.last_run_at && q.callbacks.dispatcher.next_run_at);
  const alert = q.stuck.find((s: any) => s.binding_id === id);
  assert.equal(alert.reason, 'queued_too_long');
  assert.equal(alert.state, 'queued');
  assert.match(alert.detail, /testkit is paused/);
  assert.deepEqual(alert.command, { action: 'resume_tool', method: 'POST', path: '/v1/queue/tools/testkit/resume' });
  // Under the default threshold it is not (yet) stuck.
  assert.ok(!(await queue()).stuck.some((s: any) => s.binding_id === id));

  assert.equal((await rail.api('POST', '/v1/queue/tools/testkit/resume')).body.paused_tools.length, 0);
  assert.equal((await waitForResult(rail, id)).status, 'succeeded');
  const q2 = await queue();
  assert.ok(q2.throughput.completed >= 1 && q2.throughput.per_minute >= 1 && q2.throughput.by_state.succeeded >= 1);

  const rows = (await audit()).filter((a) => a.target === 'testkit');
  assert.deepEqual(rows.map((a) => a.action), ['queue.tool.resume', 'queue.tool.pause']);
  assert.ok(rows.every((a) => a.actor_key_id === adminKeyId && a.tenant_id === 'default' && !Number.isNaN(Date.parse(a.at))));
  const unknown = await rail.api('POST', '/v1/queue/tools/nosuchtool/pause');
  assert.equal(unknown.status, 404);
});

test('leases that keep expiring: lease holders, then a lease_expired_repeatedly alert', async () => {
  const id = (await rail.api('POST', '/v1/work-orders', { tool: 'remotekit', operation: 'work', inputs: { value: 'x' } })).body.binding_id;
  for (let attempt = 1; attempt <= 2; attempt++) {
    await eventually(async () => (await rail.api('GET', `/v1/bindings/${id}`)).body.state === 'queued', 'queued');
    const claimed = await rail.runtime.rail.attempts.claim({ tools: ['remotekit'], limit: 1, owner: 'hand-worker' });
    assert.equal(claimed.length, 1);
    if (attempt === 1) assert.deepEqual((await queue()).lease_holders, [{ owner: 'hand-worker', leased: 1 }]);
    // No heartbeat: the reaper fails the attempt when its 200 ms lease runs out.
    await eventually(async () => (await rail.api('GET', `/v1/bindings/${id}`)).body.last_error?.code === 'lease_expired' && (await rail.api('GET', `/v1/bindings/${id}`)).body.attempt === attempt, `attempt ${attempt} expired`);
  }
  const alert = await eventually(async () => (await queue()).stuck.find((s: any) => s.binding_id === id && s.state === 'queued'), 'alert');
  assert.equal(alert.reason, 'lease_expired_repeatedly');
  assert.match(alert.detail, /2 attempts/);
  assert.deepEqual(alert.command, { action: 'cancel', method: 'POST', path: `/v1/bindings/${id}/cancel` });

  const cancelled = await rail.api('POST', alert.command.path);
  assert.equal(cancelled.body.state, 'cancelled');
  assert.ok(!(await queue()).stuck.some((s: any) => s.binding_id === id));
  const row = (await audit()).find((a) => a.action === 'binding.cancel' && a.target === id);
  assert.equal(row?.actor_key_id, adminKeyId);
});

test('exception tickets: open first, one by id, a retry_exhausted alert, and repair by replay closes the ticket', async () => {
  const id = (await rail.api('POST', '/v1/work-orders', testOrder('always_fail', { value: 'boom' }))).body.binding_id;
  const result = await waitForResult(rail, id);
  assert.equal(result.status, 'failed');
  const ticket = result.exception;
  assert.equal(ticket.code, 'retry_exhausted');
  assert.equal(ticket.attempts, 3);
  assert.equal(ticket.next_action, 'replay');

  const list = (await rail.api('GET', '/v1/exceptions')).body;
  assert.equal(list.data[0].exception_id, ticket.exception_id);
  assert.deepEqual((await rail.api('GET', `/v1/exceptions/${ticket.exception_id}`)).body, ticket);
  assert.equal((await rail.api('GET', '/v1/exceptions/exc_00000000000000000000000000000000')).status, 404);

  const alert = (await queue()).stuck.find((s: any) => s.binding_id === id);
  assert.equal(alert.reason, 'retry_exhausted');
  assert.deepEqual(alert.command, { action: 'replay', method: 'POST', path: `/v1/bindings/${id}/replay` });

  const replay = await rail.api('POST', `/v1/bindings/${id}/replay`, { input_patch: { value: 'patched' } });
  assert.equal(replay.status, 202);
  const closed = (await rail.api('GET', `/v1/exceptions/${ticket.exception_id}`)).body;
  assert.deepEqual([closed.status, closed.resolved_by], ['resolved', replay.body.binding_id]);
  await waitForResult(rail, replay.body.binding_id); // always_fail fails again: a new open ticket

  const all = (await rail.api('GET', '/v1/exceptions')).body.data as any[];
  const firstResolved = all.findIndex((x) => x.status === 'resolved');
  assert.ok(firstResolved > 0 && all.slice(firstResolved).every((x) => x.status === 'resolved'), 'open tickets first');
  assert.ok(all.slice(0, firstResolved).some((x) => x.binding_id === replay.body.binding_id));
  assert.ok((await rail.api('GET', '/v1/exceptions?status=resolved')).body.data.every((x: any) => x.status === 'resolved'));

  // Pages of one, following next_cursor, give the same list.
  const paged: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = (await rail.api('GET', `/v1/exceptions?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).body;
    paged.push(...page.data.map((x: any) => x.exception_id));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(paged, all.map((x) => x.exception_id));

  const replayRow = (await audit()).find((a) => a.action === 'binding.replay' && a.target === id);
  assert.deepEqual(replayRow.detail, { replay_binding_id: replay.body.binding_id, patched: true, resolved_exception: ticket.exception_id });
});

test('/metrics: Prometheus text behind the admin scope', async () => {
  assert.equal((await rail.api('GET', '/metrics', undefined, { key: null })).status, 401);
  const res = await rail.api('GET', '/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
  const text = res.body as string;
  for (const name of [
    'bindrail_queue_depth{state="succeeded",tool="testkit"}',
    'bindrail_claims_total',
    'bindrail_completions_total{status="succeeded"}',
    'bindrail_completions_total{status="failed"}',
    'bindrail_attempt_failures_total{code="upstream_down"}',
    'bindrail_submit_to_result_seconds_bucket{le="+Inf",tool="testkit",status="succeeded"}',
    'bindrail_http_request_duration_seconds_count{method="POST",route="/v1/work-orders",status_code="202"}',
  ]) {
    assert.ok(text.includes(name), `${name} in /metrics`);
  }
  const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
  assert.ok(names.length >= 8 && names.every((n) => n.startsWith('bindrail_')), names.join(' '));
});
