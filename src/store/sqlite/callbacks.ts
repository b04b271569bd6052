/** SQLite: callback deliveries, their attempt log, and the callback state kept in the result contract. */
import type { CallbackState } from '../../contracts/result-contract.js';
import type { CallbackAttemptRow, CallbackDeliveryPatch, CallbackDeliveryRow } from '../types.js';
import type { Prepare } from './open.js';

const COLUMNS = [
  'binding_id', 'tenant_id', 'webhook_id', 'url', 'state', 'attempts', 'round_attempts', 'next_attempt_at', 'lease_owner',
  'lease_expires_at', 'payload', 'last_status', 'last_error', 'delivered_at', 'created_at', 'updated_at',
] as const;

export function insertCallbackDelivery(p: Prepare, row: CallbackDeliveryRow): void {
  p(`INSERT INTO callback_deliveries (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`).run(row);
}

/**
 * Leases due deliveries: pending, due, and not leased by a live sender. The lease outlives one
 * try (timeout + margin), so a crashed sender's try is taken over only after it could have ended.
 */
export function claimCallbackDeliveries(
  p: Prepare,
  req: { now: number; limit: number; owner: string; leaseMs: number },
): CallbackDeliveryRow[] {
  if (req.limit <= 0) return [];
  return p(
    `UPDATE callback_deliveries SET lease_owner = @owner, lease_expires_at = @until, updated_at = @now
      WHERE binding_id IN (
        SELECT binding_id FROM callback_deliveries
         WHERE state = 'pending' AND next_attempt_at <= @now
           AND (lease_expires_at IS NULL OR lease_expires_at < @now)
         ORDER BY next_attempt_at LIMIT @limit)
      RETURNING *`,
  ).all({ owner: req.owner, until: req.now + req.leaseMs, now: req.now, limit: req.limit }) as CallbackDeliveryRow[];
}

/** Frees the leases `owner` held when it died, so a restarted process resumes its tries at once. */
export function releaseCallbackLeases(p: Prepare, owner: string): number {
  return p(`UPDATE callback_deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = ?`).run(owner).changes;
}

export function lockCallbackDelivery(p: Prepare, bindingId: string): CallbackDeliveryRow | undefined {
  return p('SELECT * FROM callback_deliveries WHERE binding_id = ?').get(bindingId) as CallbackDeliveryRow | undefined;
}

export function updateCallbackDelivery(p: Prepare, bindingId: string, patch: CallbackDeliveryPatch): void {
  const keys = Object.keys(patch).sort();
  if (keys.length === 0) return;
  p(`UPDATE callback_deliveries SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE binding_id = @binding_id`).run({
    ...patch,
    binding_id: bindingId,
  });
}

export function insertCallbackAttempts(p: Prepare, rows: CallbackAttemptRow[]): void {
  const insert = p(
    `INSERT INTO callback_attempts (binding_id, attempt, tenant_id, started_at, status_code, latency_ms, error, outcome)
     VALUES (@binding_id, @attempt, @tenant_id, @started_at, @status_code, @latency_ms, @error, @outcome)`,
  );
  for (const r of rows) insert.run(r);
}

/** The `callback` part of the stored result contract; it is outside the signed result core. */
export function setResultCallback(p: Prepare, bindingId: string, callback: { state: CallbackState; attempts: number }): void {
  p(
    `UPDATE results SET body = json_set(body, '$.callback.state', @state, '$.callback.attempts', @attempts)
      WHERE binding_id = @binding_id`,
  ).run({ ...callback, binding_id: bindingId });
}

export function getCallbackDelivery(p: Prepare, tenantId: string, bindingId: string): CallbackDeliveryRow | undefined {
  return p('SELECT * FROM callback_deliveries WHERE tenant_id = ? AND binding_id = ?').get(tenantId, bindingId) as
    | CallbackDeliveryRow
    | undefined;
}

export function listCallbackAttempts(p: Prepare, tenantId: string, bindingId: string): CallbackAttemptRow[] {
  return p('SELECT * FROM callback_attempts WHERE tenant_id = ? AND binding_id = ? ORDER BY attempt').all(
    tenantId,
    bindingId,
  ) as CallbackAttemptRow[];
}

/** A tenant's deliveries in one state, the longest-standing first. */
export function listCallbackDeliveries(
  p: Prepare,
  tenantId: string,
  opts: { state: CallbackDeliveryRow['state']; limit: number },
): CallbackDeliveryRow[] {
  return p('SELECT * FROM callback_deliveries WHERE tenant_id = ? AND state = ? ORDER BY updated_at LIMIT ?').all(
    tenantId,
    opts.state,
    opts.limit,
  ) as CallbackDeliveryRow[];
}

export function callbackCounts(p: Prepare, tenantId?: string): { state: CallbackDeliveryRow['state']; count: number }[] {
  return p(
    `SELECT state, COUNT(*) AS count FROM callback_deliveries
      WHERE (@tenant IS NULL OR tenant_id = @tenant) GROUP BY state ORDER BY state`,
  ).all({ tenant: tenantId ?? null }) as { state: CallbackDeliveryRow['state']; count: number }[];
}
