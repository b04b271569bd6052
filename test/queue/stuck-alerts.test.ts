/** Stuck alerts from plain rows: each reason, its duration and the call that moves the work on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stuckAlerts, type StuckInputs } from '../../src/queue/stuck-alerts.js';
import type { BindingRow, CallbackDeliveryRow, ExceptionRow } from '../../src/store/types.js';

const NOW = 10_000_000;
const thresholds = { queuedTooLongMs: 60_000, retryWaitingLongMs: 120_000 };

function binding(id: string, patch: Partial<BindingRow>): BindingRow {
  return {
    tenant_id: 't', binding_id: `bnd_${id.padStart(32, '0')}`, work_order_id: 'wo_x', tool_name: 'financeops', tool_version: '1', operation: 'reconcile',
    routing: { rule: 'explicit', reason: '' }, command_id: 'cmd_x', state: 'queued', attempt: 0, max_attempts: 3, priority: 5, heartbeat_timeout_ms: 30_000,
    run_at: NOW, lease_expires_at: null, lease_owner: null, heartbeat_at: null, next_retry_at: null, token_id: null, token_hash: null, progress: null,
    replay_of: null, cancel_requested: false, last_error: null, deadline: null, first_leased_at: null, finished_at: null, created_at: NOW, updated_at: NOW,
    ...patch,
  };
}

const inputs = (x: Partial<StuckInputs>): StuckInputs => ({ now: NOW, thresholds, pausedTools: new Set(), candidates: [], openExceptions: [], failedCallbacks: [], ...x });

test('each reason names its command; the longest-stuck come first', () => {
  const queued = binding('1', { state: 'queued', run_at: NOW - 90_000 });
  const waiting = binding('2', { state: 'retry_wait', attempt: 1, updated_at: NOW - 200_000, next_retry_at: NOW + 5_000, last_error: { code: 'tool_error', message: 'x' } });
  const expiring = binding('3', { state: 'retry_wait', attempt: 2, updated_at: NOW - 1_000, last_error: { code: 'lease_expired', message: 'no heartbeat within 30000 ms' } });
  const failed = binding('4', { state: 'failed', attempt: 3 });
  const ticket = { exception_id: 'exc_1', code: 'retry_exhausted', message: '3 attempt(s) failed', created_at: NOW - 50_000 } as ExceptionRow;
  const cb = binding('5', { state: 'succeeded' });
  const delivery = { webhook_id: 'msg_5', attempts: 7, last_error: 'HTTP 500', updated_at: NOW - 300_000 } as CallbackDeliveryRow;

  const alerts = stuckAlerts(inputs({ candidates: [queued, waiting, expiring], openExceptions: [{ ticket, binding: failed }], failedCallbacks: [{ delivery, binding: cb }] }));
  assert.deepEqual(
    alerts.map((a) => [a.reason, a.duration_ms, a.command.action, a.command.path]),
    [
      ['callback_delivery_failed', 300_000, 'redeliver_callback', `/v1/bindings/${cb.binding_id}/callback/redeliver`],
      ['retry_waiting_long', 200_000, 'retry', `/v1/bindings/${waiting.binding_id}/retry`],
      ['queued_too_long', 90_000, 'cancel', `/v1/bindings/${queued.binding_id}/cancel`],
      ['retry_exhausted', 50_000, 'replay', `/v1/bindings/${failed.binding_id}/replay`],
      ['lease_expired_repeatedly', 1_000, 'retry', `/v1/bindings/${expiring.binding_id}/retry`],
    ],
  );
  assert.ok(alerts.every((a) => a.command.method === 'POST' && Date.parse(a.since) === NOW - a.duration_ms));
});

test('a paused tool turns queued_too_long into resume_tool; fresh work is not stuck', () => {
  const queued = binding('1', { state: 'queued', run_at: NOW - 90_000 });
  const fresh = binding('2', { state: 'queued', run_at: NOW - 1_000 });
  const [alert, ...rest] = stuckAlerts(inputs({ candidates: [queued, fresh], pausedTools: new Set(['financeops']) }));
  assert.equal(rest.length, 0);
  assert.deepEqual(alert!.command, { action: 'resume_tool', method: 'POST', path: '/v1/queue/tools/financeops/resume' });
  assert.match(alert!.detail, /financeops is paused/);
});

test('other open exceptions are exception_open, still answered by replay', () => {
  const ticket = { exception_id: 'exc_2', code: 'tool_output_invalid', message: 'bad', created_at: NOW } as ExceptionRow;
  const [alert] = stuckAlerts(inputs({ openExceptions: [{ ticket, binding: binding('9', { state: 'failed' }) }] }));
  assert.equal(alert!.reason, 'exception_open');
  assert.equal(alert!.command.action, 'replay');
});
