/** The attempt lifecycle through a real rail: leases, heartbeats, retries, exceptions, cancel, fencing. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { FAST_BACKOFF, registryWithTestkit, testOrder } from '../helpers/test-tools.js';

let rail: TestRail;
before(async () => {
  rail = await startTestRail({}, { registry: registryWithTestkit(), backoff: FAST_BACKOFF });
});
after(() => rail.close());

async function submit(operation: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const r = await rail.api('POST', '/v1/work-orders', testOrder(operation, inputs, extra));
  assert.equal(r.status, 202, JSON.stringify(r.body));
  return r.body.binding_id as string;
}

async function eventTypes(id: string): Promise<string[]> {
  const r = await rail.api('GET', `/v1/bindings/${id}/events?limit=500`);
  return r.body.data.map((e: { type: string }) => e.type.replace('bindrail.', ''));
}

async function waitForState(id: string, state: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = (await rail.api('GET', `/v1/bindings/${id}`)).body;
    if (b.state === state) return b;
    if (Date.now() > deadline) throw new Error(`binding stayed ${b.state}, wanted ${state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('leases and heartbeats', () => {
  test('a lease that expires without a heartbeat fails the attempt and the work is retried', async () => {
    const id = await submit('sleepy', { value: 'x', ms: 2_000 });
    const result = await waitForResult(rail, id);
    // Both attempts outlive their 300 ms lease: two lease_expired failures, then retry_exhausted.
    assert.equal(result.status, 'failed');
    assert.equal(result.exception.code, 'retry_exhausted');
    assert.match(result.exception.message, /lease_expired/);
    assert.equal(result.exception.attempts, 2);
    const types = await eventTypes(id);
    assert.equal(types.filter((t) => t === 'queue.leased').length, 2);
    assert.equal(types.filter((t) => t === 'attempt.failed').length, 2);
    assert.ok(types.includes('binding.retry_scheduled'));
  });

  test('heartbeats keep a slow tool alive past many lease lengths', async () => {
    const id = await submit('slow', { value: 'steady', ms: 1_200 });
    const result = await waitForResult(rail, id);
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.machine_output, { value: 'steady', attempt: 1 });
    const types = await eventTypes(id);
    assert.ok(types.filter((t) => t === 'tool.progress').length >= 5, types.join(','));
    assert.equal(types.filter((t) => t === 'queue.leased').length, 1);
  });
});

describe('retries and exceptions', () => {
  test('a flaky tool is retried with backoff until it succeeds', async () => {
    const id = await submit('flaky', { value: 'v', fail_until: 2 });
    const result = await waitForResult(rail, id);
    assert.equal(result.status, 'succeeded');
    assert.equal(result.machine_output.attempt, 3);
    const usage = (await rail.api('GET', result.receipts[0].path)).body;
    assert.equal(usage.kind, 'usage');
    assert.equal(usage.body.attempts, 3);
  });

  test('exhausted retries end in failed with an exception ticket that suggests a replay', async () => {
    const id = await submit('always_fail', { value: 'v' });
    const result = await waitForResult(rail, id);
    assert.equal(result.status, 'failed');
    assert.equal(result.exception.code, 'retry_exhausted');
    assert.equal(result.exception.attempts, 3);
    assert.equal(result.exception.next_action, 'replay');
    assert.equal(result.exception.status, 'open');
    assert.match(result.exception.message, /upstream_down/);
    assert.equal(result.next_action, 'replay');
    assert.equal(result.machine_output, null);
    assert.ok(result.ledger.seq >= 0);
    assert.ok(result.attestation);
    const types = await eventTypes(id);
    assert.equal(types.filter((t) => t === 'attempt.failed').length, 3);
    assert.ok(types.includes('exception.raised'));
    assert.equal(types.at(-1), 'result.ready');
  });

  test('a non-retryable tool error fails at once', async () => {
    const id = await submit('refuse', { value: 'v' });
    const result = await waitForResult(rail, id);
    assert.equal(result.status, 'failed');
    assert.equal(result.exception.code, 'inputs_contradict');
    assert.equal(result.exception.attempts, 1);
  });

  test('output that breaks the output schema fails without a retry', async () => {
    const id = await submit('bad_output', { value: 'v' });
    const result = await waitForResult(rail, id);
    assert.equal(result.status, 'failed');
    assert.equal(result.exception.code, 'tool_output_invalid');
    assert.equal(result.exception.attempts, 1);
    assert.equal(result.exception.next_action, 'contact_tool_owner');
    assert.match(result.exception.message, /\/value/);
    const types = await eventTypes(id);
    assert.equal(types.filter((t) => t === 'queue.leased').length, 1);
  });
});

describe('cancel', () => {
  test('queued work is cancelled at once, with a result and a ledger leaf', async () => {
    const notBefore = new Date(Date.now() + 60_000).toISOString();
    const id = await submit('echo', { value: 'later' }, { not_before: notBefore });
    const c = await rail.api('POST', `/v1/bindings/${id}/cancel`);
    assert.equal(c.status, 200);
    assert.equal(c.body.state, 'cancelled');
    const result = await waitForResult(rail, id);
    assert.equal(result.status, 'cancelled');
    assert.equal(result.receipts[0].kind, 'usage');
    const ledger = (await rail.api('GET', `/v1/bindings/${id}/ledger`)).body.data;
    assert.deepEqual(ledger.map((e: any) => e.leaf.kind), ['work_order.accepted', 'binding.finalized']);
    // Cancelling again is harmless; cancelling a finished binding is a conflict.
    assert.equal((await rail.api('POST', `/v1/bindings/${id}/cancel`)).status, 200);
  });

  test('running work sees its signal abort and ends cancelled', async () => {
    const id = await submit('until_cancelled', { value: 'run' });
    await waitForState(id, 'leased');
    const c = await rail.api('POST', `/v1/bindings/${id}/cancel`);
    assert.equal(c.status, 200);
    assert.equal(c.body.cancel_requested, true);
    const result = await waitForResult(rail, id);
    assert.equal(result.status, 'cancelled');
    const done = await rail.api('POST', `/v1/bindings/${id}/cancel`);
    assert.equal(done.status, 200);
  });

  test('a finished binding cannot be cancelled', async () => {
    const id = await submit('echo', { value: 'done' });
    await waitForResult(rail, id);
    const c = await rail.api('POST', `/v1/bindings/${id}/cancel`);
    assert.equal(c.status, 409);
    assert.equal(c.body.code, 'invalid_state');
  });
});

