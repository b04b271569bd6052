/** /v1/audit: operator actions, newest first. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuditEvent } from '../../contracts/queue-monitor.js';
import { hasScope } from '../../rail/api-keys.js';
import { iso } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import type { AuditRow } from '../../store/types.js';
import { who } from '../auth.js';
import { ListOf, PageQuery, pick } from '../schemas.js';

function presentAudit(r: AuditRow): AuditEvent {
  return { object: 'audit_event', audit_id: r.audit_id, tenant_id: r.tenant_id, actor_key_id: r.actor, action: r.action, target: r.target, detail: r.detail, at: iso(r.at) };
}

export const auditRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.get(
    '/v1/audit',
    {
      config: { scope: 'work:operate' },
      schema: {
        summary: 'The audit log of operator actions, newest first',
        description: "Who (API key id) did what to which target, when. An admin key sees every tenant's rows; a work:operate key its own tenant's.",
        tags: ['queue'],
        querystring: Type.Object({ cursor: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })), ...PageQuery }),
        response: { 200: ListOf(AuditEvent), ...pick(400, 401, 403) },
      },
    },
    async (request) => {
      const p = who(request);
      const limit = Math.min(request.query.limit ?? 50, rail.ctx.options.maxPageSize);
      const before = request.query.cursor ? Number(request.query.cursor) : undefined;
      const rows = await rail.store.listAudit(hasScope(p, 'admin') ? undefined : p.tenantId, { before, limit });
      return { object: 'list' as const, data: rows.map(presentAudit), next_cursor: rows.length === limit ? String(rows.at(-1)!.audit_id) : null };
    },
  );
};
