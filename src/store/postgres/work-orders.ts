/** PostgreSQL: work orders and their commands. */
import type { CommandRow, WorkOrderRow } from '../types.js';
import { commandFromRow, jsonParam, workOrderFromRow } from './codec.js';
import { rows, type Sql } from './open.js';
import type { TableSpec } from './write-behind.js';

/** Work orders without an idempotency key, as the write-behind sends them (keyed ones go at once: see insertWorkOrder). */
export const WORK_ORDERS: TableSpec = {
  name: 'work_orders',
  columns: { work_order_id: 'text', tenant_id: 'text', idempotency_key: 'text', digest: 'text', body: 'json', created_at: 'bigint' },
};

export const COMMANDS: TableSpec = {
  name: 'commands',
  columns: { command_id: 'text', tenant_id: 'text', binding_id: 'text', digest: 'text', body: 'json' },
};

export async function insertWorkOrder(sql: Sql, row: WorkOrderRow): Promise<boolean> {
  // ON CONFLICT waits for a concurrent insert of the same key to commit, then does nothing.
  const r = await sql.query(
    `INSERT INTO work_orders (work_order_id, tenant_id, idempotency_key, digest, body, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [row.work_order_id, row.tenant_id, row.idempotency_key, row.digest, jsonParam(row.body), row.created_at],
  );
  return r.rowCount === 1;
}

export async function findWorkOrderByKey(sql: Sql, tenantId: string, key: string) {
  const [r] = await rows(
    sql,
    `SELECT w.*, (SELECT b.binding_id FROM bindings b WHERE b.work_order_id = w.work_order_id
                   ORDER BY b.binding_id LIMIT 1) AS first_binding_id
       FROM work_orders w WHERE w.tenant_id = $1 AND w.idempotency_key = $2`,
    [tenantId, key],
  );
  if (!r) return undefined;
  const { first_binding_id, ...rest } = r;
  return { work_order: workOrderFromRow(rest), binding_id: first_binding_id as string };
}

export async function getWorkOrder(sql: Sql, tenantId: string, id: string): Promise<WorkOrderRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM work_orders WHERE tenant_id = $1 AND work_order_id = $2', [tenantId, id]);
  return r && workOrderFromRow(r);
}

export async function insertCommand(sql: Sql, row: CommandRow): Promise<void> {
  await sql.query('INSERT INTO commands (command_id, tenant_id, binding_id, digest, body) VALUES ($1, $2, $3, $4, $5)', [
    row.command_id,
    row.tenant_id,
    row.binding_id,
    row.digest,
    jsonParam(row.body),
  ]);
}

/** Any tenant's command: internal use inside a transaction, which also sees its own uncommitted rows. */
export async function getCommandOf(sql: Sql, bindingId: string): Promise<CommandRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM commands WHERE binding_id = $1', [bindingId]);
  return r && commandFromRow(r);
}

export async function getCommand(sql: Sql, tenantId: string, bindingId: string): Promise<CommandRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM commands WHERE tenant_id = $1 AND binding_id = $2', [tenantId, bindingId]);
  return r && commandFromRow(r);
}
