/** Stuck alerts: which work is not moving, why, for how long, and the call that moves it on. Pure. */
import type { MoveOnCommand, StuckAlert, StuckReason } from '../contracts/queue-monitor.js';
import { iso } from '../rail/present.js';
import type { BindingRow, CallbackDeliveryRow, ExceptionRow } from '../store/types.js';

export interface StuckThresholds {
  queuedTooLongMs: number;
  retryWaitingLongMs: number;
}

export const DEFAULT_STUCK_THRESHOLDS: StuckThresholds = { queuedTooLongMs: 5 * 60_000, retryWaitingLongMs: 15 * 60_000 };

export interface StuckInputs {
  now: number;
  thresholds: StuckThresholds;
  pausedTools: ReadonlySet<string>;
  /** Unfinished bindings the store picked as candidates (see Store.stuckCandidates). */
  candidates: BindingRow[];
  openExceptions: { ticket: ExceptionRow; binding: BindingRow }[];
  failedCallbacks: { delivery: CallbackDeliveryRow; binding: BindingRow }[];
}

const command = (action: MoveOnCommand['action'], path: string): MoveOnCommand => ({ action, method: 'POST', path });
const on = (b: BindingRow, verb: string) => command(verb === 'callback/redeliver' ? 'redeliver_callback' : (verb as MoveOnCommand['action']), `/v1/bindings/${b.binding_id}/${verb}`);

function alert(b: BindingRow, reason: StuckReason, detail: string, since: number, now: number, cmd: MoveOnCommand): StuckAlert {
  return { binding_id: b.binding_id, tool: b.tool_name, state: b.state, reason, detail, since: iso(since), duration_ms: Math.max(0, now - since), command: cmd };
}

function candidateAlert(b: BindingRow, x: StuckInputs): StuckAlert | undefined {
  const { now, thresholds } = x;
  if (b.attempt >= 2 && b.last_error?.code === 'lease_expired') {
    const detail = `${b.attempt} attempts; the last lease expired (${b.last_error.message})`;
    return alert(b, 'lease_expired_repeatedly', detail, b.updated_at, now, b.state === 'retry_wait' ? on(b, 'retry') : on(b, 'cancel'));
  }
  if (b.state === 'queued' && now - b.run_at > thresholds.queuedTooLongMs) {
    const paused = x.pausedTools.has(b.tool_name);
    return alert(
      b,
      'queued_too_long',
      paused ? `tool ${b.tool_name} is paused` : `no worker has claimed it (is a worker for ${b.tool_name} running?)`,
      b.run_at,
      now,
      paused ? command('resume_tool', `/v1/queue/tools/${b.tool_name}/resume`) : on(b, 'cancel'),
    );
  }
  if (b.state === 'retry_wait' && now - b.updated_at > thresholds.retryWaitingLongMs) {
    const detail = `attempt ${b.attempt + 1} waits until ${b.next_retry_at ? iso(b.next_retry_at) : '?'}${b.last_error ? `; last error ${b.last_error.code}` : ''}`;
    return alert(b, 'retry_waiting_long', detail, b.updated_at, now, on(b, 'retry'));
  }
  return undefined;
}

/** Longest-stuck first. */
export function stuckAlerts(x: StuckInputs): StuckAlert[] {
  const out: StuckAlert[] = [];
  for (const b of x.candidates) {
    const a = candidateAlert(b, x);
    if (a) out.push(a);
  }
  for (const { ticket, binding } of x.openExceptions) {
    const reason = ticket.code === 'retry_exhausted' ? 'retry_exhausted' : 'exception_open';
    out.push(alert(binding, reason, `exception ${ticket.exception_id}: ${ticket.code}: ${ticket.message}`, ticket.created_at, x.now, on(binding, 'replay')));
  }
  for (const { delivery, binding } of x.failedCallbacks) {
    const detail = `callback ${delivery.webhook_id} failed after ${delivery.attempts} tries; last: ${delivery.last_error ?? 'unknown'}`;
    out.push(alert(binding, 'callback_delivery_failed', detail, delivery.updated_at, x.now, on(binding, 'callback/redeliver')));
  }
  return out.sort((a, b) => b.duration_ms - a.duration_ms);
}
