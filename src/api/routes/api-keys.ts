/**
 * /v1/api-keys: create (the value is answered once and never again), list (never values or
 * hashes) and revoke API keys (admin). A revocation holds at once in this process.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { TenantId } from '../../contracts/common.js';
import { RailError, type FieldError } from '../../contracts/errors.js';
import { ApiKey, ApiKeyCreated, ApiKeyRequest, KeyId } from '../../contracts/tenancy.js';
import { createApiKey } from '../../rail/api-keys.js';
import { audit } from '../../rail/audit.js';
import { iso } from '../../rail/present.js';
import type { Rail } from '../../rail/rail.js';
import type { ApiKeyRow, StoreReader } from '../../store/store.js';
import { who, type AuthCache } from '../auth.js';
import { ListOf, PageQuery, pick, Problems } from '../schemas.js';

const tags = ['api keys'];

export function presentApiKey(k: ApiKeyRow): ApiKey {
  return {
    object: 'api_key',
    key_id: k.key_id,
    tenant_id: k.tenant_id,
    name: k.name,
    scopes: k.scopes as ApiKey['scopes'],
    tools: k.tools,
    created_at: iso(k.created_at),
    revoked_at: k.revoked_at === null ? null : iso(k.revoked_at),
  };
}

const isActiveAdmin = (k: ApiKeyRow) => k.revoked_at === null && k.scopes.includes('admin');

/** Active admin keys other than `keyId`, counted page by page (keys are few). */
async function otherActiveAdmins(store: StoreReader, keyId: string): Promise<number> {
  let n = 0;
  for (let after: string | undefined; ; ) {
    const page = await store.listApiKeys({ after, limit: 500 });
    n += page.filter((k) => k.key_id !== keyId && isActiveAdmin(k)).length;
    if (page.length < 500) return n;
    after = page.at(-1)!.key_id;
  }
}

export const apiKeyRoutes = (rail: Rail, auth: AuthCache): FastifyPluginAsyncTypebox => async (app) => {
  app.post(
    '/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Create an API key',
        description:
          'Answers the key itself once, in `key`; the rail keeps only its SHA-256, so a lost key is revoked and replaced, never shown again. `tools` limits a tool:execute key to the named remote tools. Audited.',
        tags,
        body: ApiKeyRequest,
        response: { 201: ApiKeyCreated, ...pick(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { tenant_id: tenantId, name, scopes, tools = null } = request.body;
      const errors: FieldError[] = [];
      if (!(await rail.store.getTenant(tenantId))) errors.push({ pointer: '/tenant_id', detail: 'no tenant with this id (POST /v1/tenants creates one)' });
      if (tools !== null && !scopes.includes('tool:execute') && !scopes.includes('admin')) {
        errors.push({ pointer: '/tools', detail: 'limits tool:execute; give the key that scope or leave tools out' });
      }
      if (errors.length > 0) throw new RailError('validation_failed', 'the key cannot be created as asked', errors);
      const now = rail.ctx.now();
      const { row, value } = await rail.store.write(async (tx) => {
        const created = await createApiKey(tx, { tenantId, name, scopes, tools, now });
        await audit(tx, who(request), 'api_key.create', created.row.key_id, now, { tenant_id: tenantId, name, scopes, tools });
        return created;
      });
      // The one answer that carries the key: no cache may keep it.
      return reply.code(201).header('cache-control', 'no-store').send({ ...presentApiKey(row), key: value });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'List API keys, by id',
        description: 'Revoked keys included (revoked_at set). Never the key values or their hashes.',
        tags,
        querystring: Type.Object({ tenant_id: Type.Optional(TenantId), cursor: Type.Optional(KeyId), ...PageQuery }),
        response: { 200: ListOf(ApiKey), ...pick(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = Math.min(q.limit ?? 50, rail.ctx.options.maxPageSize);
      const rows = await rail.store.listApiKeys({ tenantId: q.tenant_id, after: q.cursor, limit });
      return { object: 'list' as const, data: rows.map(presentApiKey), next_cursor: rows.length === limit ? rows.at(-1)!.key_id : null };
    },
  );

  app.delete(
    '/v1/api-keys/:key_id',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Revoke an API key',
        description:
          'The key stops working at once in the process that answers, and within 5 s in others sharing the store. Revoking a revoked key changes nothing. The last active admin key cannot be revoked (409). Audited.',
        tags,
        params: Type.Object({ key_id: KeyId }),
        response: { 200: ApiKey, ...pick(401, 403, 404), 409: { ...Problems[409], description: 'last_admin_key: create another admin key first.' } },
      },
    },
    async (request) => {
      const { key_id: keyId } = request.params;
      const key = await rail.store.getApiKey(keyId);
      if (!key) throw new RailError('not_found', `no API key ${keyId}`);
      if (isActiveAdmin(key) && (await otherActiveAdmins(rail.store, keyId)) === 0) {
        throw new RailError('last_admin_key', 'this is the last active admin key; create another admin key before revoking it');
      }
      const now = rail.ctx.now();
      const revoked = await rail.store.write(async (tx) => {
        const row = await tx.revokeApiKey(keyId, now);
        if (row && key.revoked_at === null) await audit(tx, who(request), 'api_key.revoke', keyId, now, { tenant_id: row.tenant_id, name: row.name });
        return row!;
      });
      auth.forget(keyId);
      return presentApiKey(revoked);
    },
  );
};
