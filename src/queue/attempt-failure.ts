/** What a failed attempt becomes: a retry after backoff, or a failed binding with an exception ticket. */
import type { RailContext } from '../rail/context.js';
import { finalizeBinding } from '../rail/finalize.js';
import { iso } from '../rail/present.js';
import type { StoreTx } from '../store/store.js';
import type { BindingRow, EventDraft } from '../store/types.js';
import { backoffDelay } from './backoff.js';

export interface AttemptError {
  code: string;
  message: string;
  retryable: boolean;
}

/** Records a failed attempt of a leased binding; returns the events to append. */
export async function failAttempt(
  ctx: RailContext,
  tx: StoreTx,
  b: BindingRow,
  err: AttemptError,
  now: number,
  runMs: number,
): Promise<EventDraft[]> {
  const ev = (type: EventDraft['type'], data: Record<string, unknown>): EventDraft => ({
    tenant_id: b.tenant_id,
    binding_id: b.binding_id,
    type,
    time: now,
    data,
  });
  const events = [ev('bindrail.attempt.failed', { attempt: b.attempt, code: err.code, message: err.message, retryable: err.retryable })];
  if (b.cancel_requested) {
    return [...events, ...(await finalizeBinding(ctx, tx, b, { kind: 'cancelled', reason: 'cancel requested', runMs }, now))];
  }
  const nonRetryable = ctx.registry.operation(b.tool_name, b.operation)?.nonRetryable ?? [];
  const retryable = err.retryable && !nonRetryable.includes(err.code);
  const exhausted = b.attempt >= b.max_attempts;
  const pastDeadline = b.deadline !== null && now >= b.deadline;
  if (retryable && !exhausted && !pastDeadline) {
    const delay = backoffDelay(b.attempt, ctx.options.backoff, ctx.random);
    const nextRetryAt = now + delay;
    await tx.updateBinding(b.binding_id, {
      state: 'retry_wait',
      next_retry_at: nextRetryAt,
      lease_expires_at: null,
      lease_owner: null,
      token_hash: null,
      last_error: { code: err.code, message: err.message },
      updated_at: now,
    });
    return [...events, ev('bindrail.binding.retry_scheduled', { next_retry_at: iso(nextRetryAt), delay_ms: delay, attempt: b.attempt + 1 })];
  }
  const code = !retryable ? err.code : pastDeadline ? 'deadline_exceeded' : 'retry_exhausted';
  const message = code === err.code ? err.message : `${b.attempt} attempt(s) failed; the last: ${err.code}: ${err.message}`;
  return [...events, ...(await finalizeBinding(ctx, tx, b, { kind: 'failed', code, message, runMs }, now))];
}
