/**
 * Per-tenant webhook secrets. A tenant's first callback (or first GET of the secret) creates one;
 * a rotation keeps the previous secret signing for 24 h beside the new one, so receivers can
 * switch without missing a delivery (Standard Webhooks allows several signatures).
 */
import { audit, type Actor } from '../rail/audit.js';
import type { Store } from '../store/store.js';
import type { WebhookSecretRow } from '../store/types.js';
import { newWebhookSecret } from './webhook-signature.js';

export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

export async function ensureWebhookSecret(store: Store, tenantId: string, now: number): Promise<WebhookSecretRow> {
  const row = await store.getWebhookSecret(tenantId);
  if (row) return row;
  return store.write(async (tx) => {
    const again = await tx.getWebhookSecret(tenantId);
    if (again) return again;
    const created: WebhookSecretRow = {
      tenant_id: tenantId,
      secret: newWebhookSecret(),
      previous_secret: null,
      previous_expires_at: null,
      created_at: now,
      rotated_at: null,
    };
    await tx.upsertWebhookSecret(created);
    return created;
  });
}

export async function rotateWebhookSecret(store: Store, actor: Actor, now: number): Promise<WebhookSecretRow> {
  return store.write(async (tx) => {
    const old = await tx.getWebhookSecret(actor.tenantId);
    const row: WebhookSecretRow = {
      tenant_id: actor.tenantId,
      secret: newWebhookSecret(),
      previous_secret: old?.secret ?? null,
      previous_expires_at: old ? now + ROTATION_OVERLAP_MS : null,
      created_at: old?.created_at ?? now,
      rotated_at: now,
    };
    await tx.upsertWebhookSecret(row);
    // The audit names the rotation, never a secret.
    await audit(tx, actor, 'callback.secret.rotate', actor.tenantId, now, { previous_valid_until: row.previous_expires_at && new Date(row.previous_expires_at).toISOString() });
    return row;
  });
}

/** The secrets that sign a try at `now`: the current one, and the previous one during the overlap. */
export function signingSecrets(row: WebhookSecretRow, now: number): string[] {
  return row.previous_secret && row.previous_expires_at !== null && row.previous_expires_at > now ? [row.secret, row.previous_secret] : [row.secret];
}
