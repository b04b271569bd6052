/** Shapes stored rows into the public objects of src/contracts. Pure. */
import type { ExecutionBinding } from '../contracts/execution-binding.js';
import type { ExceptionTicket } from '../contracts/exception-ticket.js';
import type { ResultEvent } from '../contracts/result-event.js';
import type { WorkOrder } from '../contracts/work-order.js';
import type { BindingRow, EventRow, ExceptionRow, WorkOrderRow } from '../store/types.js';

export const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function bindingLinks(id: string, workOrderId: string): ExecutionBinding['links'] {
  const self = `/v1/bindings/${id}`;
  return {
    self,
    work_order: `/v1/work-orders/${workOrderId}`,
    command: `${self}/command`,
    result: `${self}/result`,
    events: `${self}/events`,
    receipts: `${self}/receipts`,
    callback: `${self}/callback`,
    ledger: `${self}/ledger`,
    attestation: `${self}/attestation`,
    bundle: `${self}/bundle`,
  };
}

export function presentBinding(b: BindingRow): ExecutionBinding {
  return {
    object: 'execution_binding',
    binding_id: b.binding_id,
    work_order_id: b.work_order_id,
    tenant_id: b.tenant_id,
    tool: { name: b.tool_name, version: b.tool_version },
    operation: b.operation,
    routing: b.routing,
    command_id: b.command_id,
    state: b.state,
    attempt: b.attempt,
    max_attempts: b.max_attempts,
    priority: b.priority,
    task: { attempt: b.attempt, token_id: b.token_id },
    progress: b.progress,
    lease_expires_at: isoOrNull(b.lease_expires_at),
    heartbeat_at: isoOrNull(b.heartbeat_at),
    next_retry_at: isoOrNull(b.next_retry_at),
    replay_of: b.replay_of,
    cancel_requested: b.cancel_requested,
    last_error: b.last_error,
    created_at: iso(b.created_at),
    updated_at: iso(b.updated_at),
    links: bindingLinks(b.binding_id, b.work_order_id),
  };
}

export function presentWorkOrder(w: WorkOrderRow): WorkOrder {
  return {
    object: 'work_order',
    work_order_id: w.work_order_id,
    tenant_id: w.tenant_id,
    ...w.body,
    digest: w.digest,
    created_at: iso(w.created_at),
    links: { self: `/v1/work-orders/${w.work_order_id}`, bindings: `/v1/bindings?work_order_id=${w.work_order_id}` },
  };
}

export function presentEvent(e: EventRow): ResultEvent {
  return {
    specversion: '1.0',
    id: e.event_id,
    source: `/bindrail/${e.tenant_id}`,
    type: e.type,
    time: iso(e.time),
    subject: e.binding_id,
    datacontenttype: 'application/json',
    seq: e.seq,
    tenant_id: e.tenant_id,
    data: e.data,
  };
}

export function presentException(x: ExceptionRow): ExceptionTicket {
  return {
    object: 'exception_ticket',
    exception_id: x.exception_id,
    tenant_id: x.tenant_id,
    binding_id: x.binding_id,
    work_order_id: x.work_order_id,
    code: x.code,
    message: x.message,
    attempts: x.attempts,
    next_action: x.next_action,
    status: x.status,
    resolved_by: x.resolved_by,
    created_at: iso(x.created_at),
    resolved_at: isoOrNull(x.resolved_at),
  };
}
