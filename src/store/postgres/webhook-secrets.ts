/** PostgreSQL: per-tenant webhook signing secrets (current, and the previous one during a rotation's overlap). */
import type { WebhookSecretRow } from '../types.js';
import { rows, type Sql } from './open.js';

export async function getWebhookSecret(sql: Sql, tenantId: string): Promise<WebhookSecretRow | undefined> {
  const [r] = await rows<WebhookSecretRow & Record<string, unknown>>(sql, 'SELECT * FROM webhook_secrets WHERE tenant_id = $1', [tenantId]);
  return r;
}

export async function upsertWebhookSecret(sql: Sql, row: WebhookSecretRow): Promise<void> {
  await sql.query(
    `INSERT INTO webhook_secrets (tenant_id, secret, previous_secret, previous_expires_at, created_at, rotated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (tenant_id) DO UPDATE SET secret = excluded.secret, previous_secret = excluded.previous_secret,
       previous_expires_at = excluded.previous_expires_at, rotated_at = excluded.rotated_at`,
    [row.tenant_id, row.secret, row.previous_secret, row.previous_expires_at, row.created_at, row.rotated_at],
  );
}
