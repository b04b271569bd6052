/** SQLite: work orders and their commands. */
import type { CommandRow, WorkOrderRow } from '../types.js';
import { commandFromRow, workOrderFromRow } from './codec.js';
import type { Prepare } from './open.js';

type Raw = Record<string, unknown> | undefined;

export function insertWorkOrder(p: Prepare, row: WorkOrderRow): boolean {
  const r = p(
    `INSERT INTO work_orders (work_order_id, tenant_id, idempotency_key, digest, body, created_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  ).run(row.work_order_id, row.tenant_id, row.idempotency_key, row.digest, JSON.stringify(row.body), row.created_at);
  return r.changes === 1;
}

export function findWorkOrderByKey(p: Prepare, tenantId: string, key: string) {
  const r = p(
    `SELECT w.*, (SELECT b.binding_id FROM bindings b WHERE b.work_order_id = w.work_order_id
                   ORDER BY b.binding_id LIMIT 1) AS first_binding_id
       FROM work_orders w WHERE w.tenant_id = ? AND w.idempotency_key = ?`,
  ).get(tenantId, key) as Raw;
  if (!r) return undefined;
  const { first_binding_id, ...rest } = r;
  return { work_order: workOrderFromRow(rest), binding_id: first_binding_id as string };
}

export function getWorkOrder(p: Prepare, tenantId: string, id: string): WorkOrderRow | undefined {
  const r = p('SELECT * FROM work_orders WHERE tenant_id = ? AND work_order_id = ?').get(tenantId, id) as Raw;
  return r && workOrderFromRow(r);
}

export function insertCommand(p: Prepare, row: CommandRow): void {
  p('INSERT INTO commands (command_id, tenant_id, binding_id, digest, body) VALUES (?, ?, ?, ?, ?)').run(
    row.command_id,
    row.tenant_id,
    row.binding_id,
    row.digest,
    JSON.stringify(row.body),
  );
}

export function getCommandOf(p: Prepare, bindingId: string): CommandRow | undefined {
  const r = p('SELECT * FROM commands WHERE binding_id = ?').get(bindingId) as Raw;
  return r && commandFromRow(r);
}

export function getCommand(p: Prepare, tenantId: string, bindingId: string): CommandRow | undefined {
  const r = p('SELECT * FROM commands WHERE tenant_id = ? AND binding_id = ?').get(tenantId, bindingId) as Raw;
  return r && commandFromRow(r);
}
