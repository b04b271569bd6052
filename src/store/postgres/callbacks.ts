/** PostgreSQL: callback deliveries, their attempt log, and the callback state kept in the result contract. */
import type { CallbackState } from '../../contracts/result-contract.js';
import type { CallbackAttemptRow, CallbackDeliveryPatch, CallbackDeliveryRow } from '../types.js';
import { jsonParam } from './codec.js';
import { rows, type Sql } from './open.js';
import type { TableSpec } from './write-behind.js';

type DeliveryRaw = CallbackDeliveryRow & Record<string, unknown>;

const COLUMNS = [
  'binding_id', 'tenant_id', 'webhook_id', 'url', 'state', 'attempts', 'round_attempts', 'next_attempt_at', 'lease_owner',
  'lease_expires_at', 'payload', 'last_status', 'last_error', 'delivered_at', 'created_at', 'updated_at',
] as const;

export const CALLBACK_DELIVERIES: TableSpec = {
  name: 'callback_deliveries',
  columns: {
    binding_id: 'text', tenant_id: 'text', webhook_id: 'text', url: 'text', state: 'text', attempts: 'int', round_attempts: 'int',
    next_attempt_at: 'bigint', lease_owner: 'text', lease_expires_at: 'bigint', payload: 'text', last_status: 'int', last_error: 'text',
    delivered_at: 'bigint', created_at: 'bigint', updated_at: 'bigint',
  },
};

const PATCHABLE = new Set<string>([
  'state', 'attempts', 'round_attempts', 'next_attempt_at', 'lease_owner', 'lease_expires_at', 'last_status', 'last_error',
  'delivered_at', 'updated_at',
]);

export async function insertCallbackDelivery(sql: Sql, row: CallbackDeliveryRow): Promise<void> {
  await sql.query(
    `INSERT INTO callback_deliveries (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
    COLUMNS.map((c) => row[c]),
  );
}

/**
 * Leases due deliveries: pending, due, and not leased by a live sender. The lease outlives one
 * try (timeout + margin), so a crashed sender's try is taken over only after it could have ended.
 * SKIP LOCKED: senders in other processes pass over the rows being leased here.
 */
export async function claimCallbackDeliveries(
  sql: Sql,
  req: { now: number; limit: number; owner: string; leaseMs: number },
): Promise<CallbackDeliveryRow[]> {
  if (req.limit <= 0) return [];
  return rows<DeliveryRaw>(
    sql,
    `UPDATE callback_deliveries d SET lease_owner = $1, lease_expires_at = $2, updated_at = $3
       FROM (SELECT binding_id FROM callback_deliveries
              WHERE state = 'pending' AND next_attempt_at <= $3
                AND (lease_expires_at IS NULL OR lease_expires_at < $3)
              ORDER BY next_attempt_at LIMIT $4
              FOR UPDATE SKIP LOCKED) due
      WHERE d.binding_id = due.binding_id
      RETURNING d.*`,
    [req.owner, req.now + req.leaseMs, req.now, req.limit],
  );
}

/** Frees the leases `owner` held when it died, so a restarted process resumes its tries at once. */
export async function releaseCallbackLeases(sql: Sql, owner: string): Promise<number> {
  const r = await sql.query('UPDATE callback_deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE lease_owner = $1', [owner]);
  return r.rowCount ?? 0;
}

export async function lockCallbackDelivery(sql: Sql, bindingId: string): Promise<CallbackDeliveryRow | undefined> {
  const [r] = await rows<DeliveryRaw>(sql, 'SELECT * FROM callback_deliveries WHERE binding_id = $1 FOR UPDATE', [bindingId]);
  return r;
}

export async function updateCallbackDelivery(sql: Sql, bindingId: string, patch: CallbackDeliveryPatch): Promise<void> {
  const keys = Object.keys(patch).sort();
  if (keys.length === 0) return;
  const unknown = keys.find((k) => !PATCHABLE.has(k));
  if (unknown) throw new Error(`callback_deliveries.${unknown} is not a patchable column`);
  await sql.query(`UPDATE callback_deliveries SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE binding_id = $1`, [
    bindingId,
    ...keys.map((k) => patch[k as keyof CallbackDeliveryPatch]),
  ]);
}

/** One statement for the whole batch. */
export async function insertCallbackAttempts(sql: Sql, attempts: CallbackAttemptRow[]): Promise<void> {
  if (attempts.length === 0) return;
  await sql.query(
    `INSERT INTO callback_attempts (binding_id, attempt, tenant_id, started_at, status_code, latency_ms, error, outcome)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::int[], $6::bigint[], $7::text[], $8::text[])`,
    [
      attempts.map((a) => a.binding_id),
      attempts.map((a) => a.attempt),
      attempts.map((a) => a.tenant_id),
      attempts.map((a) => a.started_at),
      attempts.map((a) => a.status_code),
      attempts.map((a) => a.latency_ms),
      attempts.map((a) => a.error),
      attempts.map((a) => a.outcome),
    ],
  );
}

/**
 * The `callback` part of the stored result contract; it is outside the signed result core.
 * Read, change and write back in JS: a jsonb_set round trip would reorder the document's keys.
 */
export async function setResultCallback(sql: Sql, bindingId: string, callback: { state: CallbackState; attempts: number }): Promise<void> {
  const [r] = await rows<{ body: Record<string, unknown> }>(sql, 'SELECT body FROM results WHERE binding_id = $1 FOR UPDATE', [bindingId]);
  if (!r) return;
  const body = r.body;
  const current = (body.callback ?? {}) as Record<string, unknown>;
  body.callback = { ...current, state: callback.state, attempts: callback.attempts };
  await sql.query('UPDATE results SET body = $2 WHERE binding_id = $1', [bindingId, jsonParam(body)]);
}

export async function getCallbackDelivery(sql: Sql, tenantId: string, bindingId: string): Promise<CallbackDeliveryRow | undefined> {
  const [r] = await rows<DeliveryRaw>(sql, 'SELECT * FROM callback_deliveries WHERE tenant_id = $1 AND binding_id = $2', [tenantId, bindingId]);
  return r;
}

export async function listCallbackAttempts(sql: Sql, tenantId: string, bindingId: string): Promise<CallbackAttemptRow[]> {
  return rows<CallbackAttemptRow & Record<string, unknown>>(
    sql,
    'SELECT * FROM callback_attempts WHERE tenant_id = $1 AND binding_id = $2 ORDER BY attempt',
    [tenantId, bindingId],
  );
}

/** A tenant's deliveries in one state, the longest-standing first. */
export async function listCallbackDeliveries(
  sql: Sql,
  tenantId: string,
  opts: { state: CallbackDeliveryRow['state']; limit: number },
): Promise<CallbackDeliveryRow[]> {
  return rows<DeliveryRaw>(sql, 'SELECT * FROM callback_deliveries WHERE tenant_id = $1 AND state = $2 ORDER BY updated_at LIMIT $3', [
    tenantId,
    opts.state,
    opts.limit,
  ]);
}

export async function callbackCounts(sql: Sql, tenantId?: string): Promise<{ state: CallbackDeliveryRow['state']; count: number }[]> {
  return rows<{ state: CallbackDeliveryRow['state']; count: number }>(
    sql,
    `SELECT state, COUNT(*) AS count FROM callback_deliveries
      WHERE ($1::text IS NULL OR tenant_id = $1) GROUP BY state ORDER BY state`,
    [tenantId ?? null],
  );
}
