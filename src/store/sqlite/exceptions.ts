/** SQLite: exception tickets. */
import type { ExceptionRow } from '../types.js';
import { exceptionFromRow } from './codec.js';
import type { Prepare } from './open.js';

const COLUMNS = [
  'exception_id', 'tenant_id', 'binding_id', 'work_order_id', 'code', 'message', 'attempts', 'next_action', 'status',
  'resolved_by', 'created_at', 'resolved_at',
];

export function insertException(p: Prepare, row: ExceptionRow): void {
  p(`INSERT INTO exceptions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`).run(row);
}

export function resolveException(p: Prepare, exceptionId: string, resolvedBy: string, now: number): void {
  p(`UPDATE exceptions SET status = 'resolved', resolved_by = ?, resolved_at = ? WHERE exception_id = ?`).run(
    resolvedBy,
    now,
    exceptionId,
  );
}

export function openExceptionFor(p: Prepare, bindingId: string): ExceptionRow | undefined {
  const r = p(`SELECT * FROM exceptions WHERE binding_id = ? AND status = 'open'`).get(bindingId) as
    | Record<string, unknown>
    | undefined;
  return r && exceptionFromRow(r);
}

export function getException(p: Prepare, tenantId: string, id: string): ExceptionRow | undefined {
  const r = p('SELECT * FROM exceptions WHERE tenant_id = ? AND exception_id = ?').get(tenantId, id) as
    | Record<string, unknown>
    | undefined;
  return r && exceptionFromRow(r);
}

/** Open tickets first, newest first within each status; `after` continues a page from its last ticket. */
export function listExceptions(
  p: Prepare,
  tenantId: string,
  opts: { status?: string; limit: number; after?: { status: 'open' | 'resolved'; exceptionId: string } },
): ExceptionRow[] {
  const rows = p(
    `SELECT * FROM exceptions WHERE tenant_id = @tenant AND (@status IS NULL OR status = @status)
        AND (@after_rank IS NULL OR (CASE status WHEN 'open' THEN 0 ELSE 1 END) > @after_rank
             OR ((CASE status WHEN 'open' THEN 0 ELSE 1 END) = @after_rank AND exception_id < @after_id))
      ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, exception_id DESC LIMIT @limit`,
  ).all({
    tenant: tenantId,
    status: opts.status ?? null,
    limit: opts.limit,
    after_rank: opts.after ? (opts.after.status === 'open' ? 0 : 1) : null,
    after_id: opts.after?.exceptionId ?? null,
  }) as Record<string, unknown>[];
  return rows.map(exceptionFromRow);
}
