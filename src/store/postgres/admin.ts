/** PostgreSQL: tenants, API keys and operator switches. */
import type { ApiKeyRow, TenantRow } from '../store.js';
import { apiKeyFromRow, jsonParam } from './codec.js';
import { rows, type Sql } from './open.js';

export async function ensureTenant(sql: Sql, tenantId: string, name: string, now: number): Promise<void> {
  await sql.query('INSERT INTO tenants (tenant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [tenantId, name, now]);
}

export async function insertTenant(sql: Sql, row: TenantRow): Promise<boolean> {
  const r = await sql.query('INSERT INTO tenants (tenant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [row.tenant_id, row.name, row.created_at]);
  return (r.rowCount ?? 0) > 0;
}

export async function getTenant(sql: Sql, tenantId: string): Promise<TenantRow | undefined> {
  const [r] = await rows<TenantRow>(sql, 'SELECT tenant_id, name, created_at FROM tenants WHERE tenant_id = $1', [tenantId]);
  return r;
}

export async function listTenants(sql: Sql, opts: { after?: string; limit: number }): Promise<TenantRow[]> {
  return rows<TenantRow>(
    sql,
    `SELECT tenant_id, name, created_at FROM tenants
      WHERE ($1::text IS NULL OR tenant_id COLLATE "C" > $1) ORDER BY tenant_id COLLATE "C" LIMIT $2`,
    [opts.after ?? null, opts.limit],
  );
}

export async function insertApiKey(sql: Sql, row: ApiKeyRow): Promise<void> {
  await sql.query(
    `INSERT INTO api_keys (key_id, tenant_id, key_hash, name, scopes, tools, created_at, revoked_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.key_id, row.tenant_id, row.key_hash, row.name, jsonParam(row.scopes), jsonParam(row.tools), row.created_at, row.revoked_at],
  );
}

export async function findApiKeyByHash(sql: Sql, keyHash: string): Promise<ApiKeyRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM api_keys WHERE key_hash = $1', [keyHash]);
  return r && apiKeyFromRow(r);
}

export async function getApiKey(sql: Sql, keyId: string): Promise<ApiKeyRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM api_keys WHERE key_id = $1', [keyId]);
  return r && apiKeyFromRow(r);
}

export async function listApiKeys(sql: Sql, opts: { tenantId?: string; after?: string; limit: number }): Promise<ApiKeyRow[]> {
  const found = await rows(
    sql,
    `SELECT * FROM api_keys
      WHERE ($1::text IS NULL OR tenant_id = $1) AND ($2::text IS NULL OR key_id > $2)
      ORDER BY key_id LIMIT $3`,
    [opts.tenantId ?? null, opts.after ?? null, opts.limit],
  );
  return found.map(apiKeyFromRow);
}

export async function revokeApiKey(sql: Sql, keyId: string, now: number): Promise<ApiKeyRow | undefined> {
  const [r] = await rows(sql, 'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE key_id = $2 RETURNING *', [now, keyId]);
  return r && apiKeyFromRow(r);
}

export async function countApiKeys(sql: Sql): Promise<number> {
  const [r] = await rows<{ n: number }>(sql, 'SELECT COUNT(*) AS n FROM api_keys');
  return r!.n;
}

export async function getSwitch(sql: Sql, name: string): Promise<string | undefined> {
  const [r] = await rows<{ value: string }>(sql, 'SELECT value FROM switches WHERE name = $1', [name]);
  return r?.value;
}

export async function setSwitch(sql: Sql, name: string, value: string, now: number): Promise<void> {
  await sql.query(
    `INSERT INTO switches (name, value, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [name, value, now],
  );
}
