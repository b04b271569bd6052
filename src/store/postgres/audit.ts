/** PostgreSQL: the operator audit log. */
import type { AuditDraft, AuditRow } from '../types.js';
import { jsonParam } from './codec.js';
import { rows, type Sql } from './open.js';

export async function insertAudit(sql: Sql, row: AuditDraft): Promise<number> {
  const [r] = await rows<{ audit_id: number }>(
    sql,
    `INSERT INTO audit_log (tenant_id, actor, action, target, detail, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING audit_id`,
    [row.tenant_id, row.actor, row.action, row.target, jsonParam(row.detail), row.at],
  );
  return r!.audit_id;
}

/** Newest first; `before` continues a page. No tenant = every tenant's rows (admin). */
export async function listAudit(sql: Sql, tenantId: string | undefined, opts: { before?: number; limit: number }): Promise<AuditRow[]> {
  return rows<AuditRow & Record<string, unknown>>(
    sql,
    `SELECT * FROM audit_log
      WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::bigint IS NULL OR audit_id < $2)
      ORDER BY audit_id DESC LIMIT $3`,
    [tenantId ?? null, opts.before ?? null, opts.limit],
  );
}
