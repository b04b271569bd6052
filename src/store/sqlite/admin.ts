/** SQLite: tenants, API keys and operator switches. */
import type { ApiKeyRow } from '../store.js';
import { apiKeyFromRow } from './codec.js';
import type { Prepare } from './open.js';

export function ensureTenant(p: Prepare, tenantId: string, name: string, now: number): void {
  p('INSERT INTO tenants (tenant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(tenantId, name, now);
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
