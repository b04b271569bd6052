/** /v1/tenants: the tenants whose work, keys and secrets the rail keeps apart (admin). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { TenantId } from '../../contracts/common.js';
import { RailError } from '../../contracts/errors.js';
import { Tenant, TenantRequest } from '../../contracts/tenancy.js';
import { audit } from '../../rail/audit.js';
import { iso } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import type { TenantRow } from '../../store/store.js';
import { who } from '../auth.js';
import { ListOf, PageQuery, pick, Problems } from '../schemas.js';

const tags = ['tenants'];

export function presentTenant(t: TenantRow): Tenant {
  return { object: 'tenant', tenant_id: t.tenant_id, name: t.name, created_at: iso(t.created_at) };
}

export const tenantRoutes = (rail: Rail): FastifyPluginAsyncTypebox => async (app) => {
  app.post(
    '/v1/tenants',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Create a tenant',
        description: 'A tenant owns Work Orders, bindings, receipts, events, callbacks and keys; no key of one tenant sees another\'s. Create its keys with POST /v1/api-keys. Audited.',
        tags,
        body: TenantRequest,
        response: { 201: Tenant, ...pick(400, 401, 403), 409: { ...Problems[409], description: 'tenant_exists: a tenant with this id exists.' } },
      },
    },
    async (request, reply) => {
      const now = rail.ctx.now();
      const row: TenantRow = { tenant_id: request.body.tenant_id, name: request.body.name ?? request.body.tenant_id, created_at: now };
      const created = await rail.store.write(async (tx) => {
        const inserted = await tx.insertTenant(row);
        if (inserted) await audit(tx, who(request), 'tenant.create', row.tenant_id, now, { name: row.name });
        return inserted;
      });
      if (!created) throw new RailError('tenant_exists', `tenant ${row.tenant_id} exists`, [{ pointer: '/tenant_id', detail: 'is taken' }]);
      return reply.code(201).send(presentTenant(row));
    },
  );

  app.get(
    '/v1/tenants',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'List tenants, by id',
        tags,
        querystring: Type.Object({ cursor: Type.Optional(TenantId), ...PageQuery }),
        response: { 200: ListOf(Tenant), ...pick(400, 401, 403) },
      },
    },
    async (request) => {
      const limit = Math.min(request.query.limit ?? 50, rail.ctx.options.maxPageSize);
      const rows = await rail.store.listTenants({ after: request.query.cursor, limit });
      return { object: 'list' as const, data: rows.map(presentTenant), next_cursor: rows.length === limit ? rows.at(-1)!.tenant_id : null };
    },
  );
};
