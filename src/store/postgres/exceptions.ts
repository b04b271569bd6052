/** PostgreSQL: exception tickets. */
import type { ExceptionRow } from '../types.js';
import { exceptionFromRow } from './codec.js';
import { rows, type Sql } from './open.js';

const COLUMNS = [
  'exception_id', 'tenant_id', 'binding_id', 'work_order_id', 'code', 'message', 'attempts', 'next_action', 'status',
  'resolved_by', 'created_at', 'resolved_at',
] as const;

export async function insertException(sql: Sql, row: ExceptionRow): Promise<void> {
  await sql.query(
    `INSERT INTO exceptions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
    COLUMNS.map((c) => row[c]),
  );
}

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
