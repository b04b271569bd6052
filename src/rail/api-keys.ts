/** API keys: `br_` + 256 random bits, stored only as SHA-256, each bound to a tenant and scopes. */
import { randomBytes } from 'node:crypto';
import { SCOPE_NAMES } from '../contracts/tenancy.js';
import { sha256Hex } from '../proof/canonical.js';
import type { ApiKeyRow, StoreTx } from '../store/store.js';
import { newId } from './ids.js';

export const SCOPES = SCOPE_NAMES;
export type Scope = (typeof SCOPES)[number];

export const KEY_RE = /^br_[A-Za-z0-9_-]{20,200}$/;

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

export function newApiKeyValue(): string {
  return `br_${randomBytes(32).toString('base64url')}`;
}

export interface Principal {
  keyId: string;
  tenantId: string;
  scopes: readonly Scope[];
  /** tool:execute limited to these tools; null = any. */
  tools: readonly string[] | null;
}

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.includes('admin') || p.scopes.includes(scope);
}

export function principalOf(row: ApiKeyRow): Principal {
  return { keyId: row.key_id, tenantId: row.tenant_id, scopes: row.scopes as Scope[], tools: row.tools };
}

/** Creates a key in the transaction; the value is returned once and never stored. */
export async function createApiKey(
  tx: StoreTx,
  p: { tenantId: string; name: string; scopes: Scope[]; tools?: string[] | null; value?: string; now: number },
): Promise<{ row: ApiKeyRow; value: string }> {
  const value = p.value ?? newApiKeyValue();
  const row: ApiKeyRow = {
    key_id: newId('key'),
    tenant_id: p.tenantId,
    key_hash: hashApiKey(value),
    name: p.name,
    scopes: p.scopes,
    tools: p.tools ?? null,
    created_at: p.now,
    revoked_at: null,
  };
  await tx.insertApiKey(row);
  return { row, value };
}
