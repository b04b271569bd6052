/** SQLite: the operator audit log. */
import type { AuditDraft, AuditRow } from '../types.js';
import type { Prepare } from './open.js';

export function insertAudit(p: Prepare, row: AuditDraft): number {
  const r = p(
    `INSERT INTO audit_log (tenant_id, actor, action, target, detail, at)
     VALUES (@tenant_id, @actor, @action, @target, @detail, @at) RETURNING audit_id`,
  ).get({ ...row, detail: JSON.stringify(row.detail) }) as { audit_id: number };
  return r.audit_id;
}

/** Newest first; `before` continues a page. No tenant = every tenant's rows (admin). */
export function listAudit(p: Prepare, tenantId: string | undefined, opts: { before?: number; limit: number }): AuditRow[] {
  const rows = p(
    `SELECT * FROM audit_log
      WHERE (@tenant IS NULL OR tenant_id = @tenant) AND (@before IS NULL OR audit_id < @before)
      ORDER BY audit_id DESC LIMIT @limit`,
  ).all({ tenant: tenantId ?? null, before: opts.before ?? null, limit: opts.limit }) as Record<string, unknown>[];
  return rows.map((r) => ({ ...(r as unknown as AuditRow), detail: JSON.parse(r.detail as string) as Record<string, unknown> }));
}
