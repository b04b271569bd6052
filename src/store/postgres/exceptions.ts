/** PostgreSQL: exception tickets. */
import type { ExceptionRow } from '../types.js';
import { exceptionFromRow } from './codec.js';
import { rows, type Sql } from './open.js';
import type { TableSpec } from './write-behind.js';

/** Tickets are only ever inserted with a batch's other writes (write-behind). */
export const EXCEPTIONS: TableSpec = {
  name: 'exceptions',
  columns: {
    exception_id: 'text', tenant_id: 'text', binding_id: 'text', work_order_id: 'text', code: 'text', message: 'text',
    attempts: 'int', next_action: 'text', status: 'text', resolved_by: 'text', created_at: 'bigint', resolved_at: 'bigint',
  },
};

export async function resolveException(sql: Sql, exceptionId: string, resolvedBy: string, now: number): Promise<void> {
  await sql.query(`UPDATE exceptions SET status = 'resolved', resolved_by = $1, resolved_at = $2 WHERE exception_id = $3`, [
    resolvedBy,
    now,
    exceptionId,
  ]);
}

export async function openExceptionFor(sql: Sql, bindingId: string): Promise<ExceptionRow | undefined> {
  const [r] = await rows(sql, `SELECT * FROM exceptions WHERE binding_id = $1 AND status = 'open'`, [bindingId]);
  return r && exceptionFromRow(r);
}

export async function getException(sql: Sql, tenantId: string, id: string): Promise<ExceptionRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM exceptions WHERE tenant_id = $1 AND exception_id = $2', [tenantId, id]);
  return r && exceptionFromRow(r);
}

/** Open tickets first, newest first within each status; `after` continues a page from its last ticket. */
export async function listExceptions(
  sql: Sql,
  tenantId: string,
  opts: { status?: string; limit: number; after?: { status: 'open' | 'resolved'; exceptionId: string } },
): Promise<ExceptionRow[]> {
  const found = await rows(
    sql,
    `SELECT * FROM exceptions WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
        AND ($3::int IS NULL OR (CASE status WHEN 'open' THEN 0 ELSE 1 END) > $3
             OR ((CASE status WHEN 'open' THEN 0 ELSE 1 END) = $3 AND exception_id < $4))
      ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, exception_id DESC LIMIT $5`,
    [
      tenantId,
      opts.status ?? null,
      opts.after ? (opts.after.status === 'open' ? 0 : 1) : null,
      opts.after?.exceptionId ?? null,
      opts.limit,
    ],
  );
  return found.map(exceptionFromRow);
}
