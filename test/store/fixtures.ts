/** Rows for the store conformance suite: each test seeds its own tenant, tool names and bindings. */
import { randomBytes } from 'node:crypto';
import { newId } from '../../src/rail/ids.js';
import type { Store } from '../../src/store/store.js';
import type { BindingRow, CommandRow, WorkOrderRow } from '../../src/store/types.js';

/** A fixed clock for rows: the suite never depends on the wall clock. */
export const T0 = 1_700_000_000_000;

/** A name no other test uses, so global scans (claims, counts) can be narrowed to one test's rows. */
export function unique(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function workOrderRow(tenantId: string, over: Partial<WorkOrderRow> = {}): WorkOrderRow {
  return {
    tenant_id: tenantId,
    work_order_id: newId('wo'),
    idempotency_key: null,
    digest: 'sha256:' + randomBytes(32).toString('hex'),
    // Keys deliberately out of alphabetical order, with nesting, unicode and a NUL: documents come back as written.
    body: { tool: 'packetops', operation: 'verify_packet', inputs: { zeta: 1, alpha: ['x', { b: 2, a: 1 }], note: 'naïve \u0000 ✓' }, priority: 5 } as never,
    created_at: T0,
    ...over,
  };
}

export function bindingRow(tenantId: string, workOrderId: string, over: Partial<BindingRow> = {}): BindingRow {
  return {
    tenant_id: tenantId,
    binding_id: newId('bnd'),
    work_order_id: workOrderId,
    tool_name: 'packetops',
    tool_version: '1.0.0',
    operation: 'verify_packet',
    routing: { rule: 'explicit', reason: 'tool and operation named' },
    command_id: newId('cmd'),
    state: 'queued',
    attempt: 0,
    max_attempts: 3,
    priority: 5,
    heartbeat_timeout_ms: 30_000,
    run_at: T0,
    lease_expires_at: null,
    lease_owner: null,
    heartbeat_at: null,
    next_retry_at: null,
    token_id: null,
    token_hash: null,
    progress: null,
    replay_of: null,
    cancel_requested: false,
    last_error: null,
    deadline: null,
    first_leased_at: null,
    finished_at: null,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

export function commandRow(b: BindingRow): CommandRow {
  return {
    tenant_id: b.tenant_id,
    command_id: b.command_id,
    binding_id: b.binding_id,
    digest: 'sha256:' + randomBytes(32).toString('hex'),
    body: { command_id: b.command_id, binding_id: b.binding_id, operation: b.operation, inputs: { b: 1, a: 2 } } as never,
  };
}

/** Writes a tenant, a work order, and one binding + command per `over` entry, in one transaction. */
export async function seed(store: Store, tenantId: string, ...over: Partial<BindingRow>[]): Promise<BindingRow[]> {
  return store.write(async (tx) => {
    await tx.ensureTenant(tenantId, `tenant ${tenantId}`, T0);
    const wo = workOrderRow(tenantId);
    await tx.insertWorkOrder(wo);
    const rows: BindingRow[] = [];
    for (const o of over.length > 0 ? over : [{}]) {
      const b = bindingRow(tenantId, wo.work_order_id, o);
      await tx.insertBinding(b);
      await tx.insertCommand(commandRow(b));
      rows.push(b);
    }
    return rows;
  });
}

/** The BindingRow fields of a stored row (a store may keep more columns, such as event_seq). */
export function bindingFields(row: BindingRow | undefined, like: BindingRow): Partial<BindingRow> | undefined {
  if (!row) return undefined;
  return Object.fromEntries(Object.keys(like).map((k) => [k, row[k as keyof BindingRow]]));
}
