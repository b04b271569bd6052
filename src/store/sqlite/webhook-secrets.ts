/** SQLite: per-tenant webhook signing secrets (current, and the previous one during a rotation's overlap). */
import type { WebhookSecretRow } from '../types.js';
import type { Prepare } from './open.js';

export function getWebhookSecret(p: Prepare, tenantId: string): WebhookSecretRow | undefined {
  return p('SELECT * FROM webhook_secrets WHERE tenant_id = ?').get(tenantId) as WebhookSecretRow | undefined;
}

export function upsertWebhookSecret(p: Prepare, row: WebhookSecretRow): void {
  p(
    `INSERT INTO webhook_secrets (tenant_id, secret, previous_secret, previous_expires_at, created_at, rotated_at)
     VALUES (@tenant_id, @secret, @previous_secret, @previous_expires_at, @created_at, @rotated_at)
     ON CONFLICT (tenant_id) DO UPDATE SET secret = excluded.secret, previous_secret = excluded.previous_secret,
       previous_expires_at = excluded.previous_expires_at, rotated_at = excluded.rotated_at`,
  ).run(row);
}
