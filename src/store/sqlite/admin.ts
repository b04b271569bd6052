/** SQLite: tenants, API keys and operator switches. */
import type { ApiKeyRow, TenantRow } from '../store.js';
import { apiKeyFromRow } from './codec.js';
import type { Prepare } from './open.js';

export function ensureTenant(p: Prepare, tenantId: string, name: string, now: number): void {
  p('INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(tenantId, name, now);
}

export function insertTenant(p: Prepare, row: TenantRow): boolean {
  return p('INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(row.tenant_id, row.name, row.created_at).changes > 0;
}

export function getTenant(p: Prepare, tenantId: string): TenantRow | undefined {
  return p('SELECT tenant_id, name, created_at FROM tenants WHERE tenant_id = ?').get(tenantId) as TenantRow | undefined;
}

export function listTenants(p: Prepare, opts: { after?: string; limit: number }): TenantRow[] {
  return p(
    `SELECT tenant_id, name, created_at FROM tenants
      WHERE (@after IS NULL OR tenant_id > @after) ORDER BY tenant_id LIMIT @limit`,
  ).all({ after: opts.after ?? null, limit: opts.limit }) as TenantRow[];
}

export function insertApiKey(p: Prepare, row: ApiKeyRow): void {
  p(
    `INSERT INTO api_keys (key_id, tenant_id, key_hash, name, scopes, tools, created_at, revoked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.key_id,
    row.tenant_id,
    row.key_hash,
    row.name,
    JSON.stringify(row.scopes),
    row.tools ? JSON.stringify(row.tools) : null,
    row.created_at,
    row.revoked_at,
  );
}

export function findApiKeyByHash(p: Prepare, keyHash: string): ApiKeyRow | undefined {
  const r = p('SELECT * FROM api_keys WHERE key_hash = ?').get(keyHash) as Record<string, unknown> | undefined;
  return r && apiKeyFromRow(r);
}

export function getApiKey(p: Prepare, keyId: string): ApiKeyRow | undefined {
  const r = p('SELECT * FROM api_keys WHERE key_id = ?').get(keyId) as Record<string, unknown> | undefined;
  return r && apiKeyFromRow(r);
}

export function listApiKeys(p: Prepare, opts: { tenantId?: string; after?: string; limit: number }): ApiKeyRow[] {
  const rows = p(
    `SELECT * FROM api_keys
      WHERE (@tenant IS NULL OR tenant_id = @tenant) AND (@after IS NULL OR key_id > @after)
      ORDER BY key_id LIMIT @limit`,
  ).all({ tenant: opts.tenantId ?? null, after: opts.after ?? null, limit: opts.limit }) as Record<string, unknown>[];
  return rows.map(apiKeyFromRow);
}

export function revokeApiKey(p: Prepare, keyId: string, now: number): ApiKeyRow | undefined {
  p('UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL').run(now, keyId);
  return getApiKey(p, keyId);
}

export function countApiKeys(p: Prepare): number {
  return (p('SELECT COUNT(*) AS n FROM api_keys').get() as { n: number }).n;
}

export function getSwitch(p: Prepare, name: string): string | undefined {
  const r = p('SELECT value FROM switches WHERE name = ?').get(name) as { value: string } | undefined;
  return r?.value;
}

export function setSwitch(p: Prepare, name: string, value: string, now: number): void {
  p(
    `INSERT INTO switches (name, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  ).run(name, value, now);
}
