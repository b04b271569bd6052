/** PostgreSQL: the bindings table — insert, lock, patch, claim, and the queue's scans. */
import type { MintedToken } from '../../queue/task-token.js';
import type { BindingFilter, BindingPatch, BindingRow, ClaimRequest, QueueCounts } from '../types.js';
import { bindingFromRow, bindingToParams } from './codec.js';
import { rows, type Sql } from './open.js';

const COLUMNS = [
  'binding_id', 'tenant_id', 'work_order_id', 'tool_name', 'tool_version', 'operation', 'routing', 'command_id',
  'state', 'attempt', 'max_attempts', 'priority', 'heartbeat_timeout_ms', 'run_at', 'lease_expires_at', 'lease_owner',
  'heartbeat_at', 'next_retry_at', 'token_id', 'token_hash', 'progress', 'replay_of', 'cancel_requested', 'last_error',
  'deadline', 'first_leased_at', 'finished_at', 'created_at', 'updated_at',
] as const;

const PATCHABLE = new Set<string>([
  'state', 'attempt', 'run_at', 'lease_expires_at', 'lease_owner', 'heartbeat_at', 'next_retry_at', 'token_id',
  'token_hash', 'progress', 'cancel_requested', 'last_error', 'first_leased_at', 'finished_at', 'updated_at',
]);

const INSERT = `INSERT INTO bindings (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

export async function insertBinding(sql: Sql, row: BindingRow): Promise<void> {
  const p = bindingToParams(row);
  await sql.query(INSERT, COLUMNS.map((c) => p[c]));
}

/** SELECT … FOR UPDATE: other transactions wait for this one to commit before they change the row. */
export async function lockBinding(sql: Sql, bindingId: string): Promise<BindingRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM bindings WHERE binding_id = $1 FOR UPDATE', [bindingId]);
  return r && bindingFromRow(r);
}

export async function updateBinding(sql: Sql, bindingId: string, patch: BindingPatch): Promise<void> {
  const keys = Object.keys(patch).sort();
  if (keys.length === 0) return;
  const unknown = keys.find((k) => !PATCHABLE.has(k));
  if (unknown) throw new Error(`bindings.${unknown} is not a patchable column`);
  const p = bindingToParams(patch);
  await sql.query(`UPDATE bindings SET ${keys.map((k, i) => `${k} = $${i + 2}`).join(', ')} WHERE binding_id = $1`, [
    bindingId,
    ...keys.map((k) => p[k]),
  ]);
}

export async function getBinding(sql: Sql, tenantId: string, bindingId: string): Promise<BindingRow | undefined> {
  const [r] = await rows(sql, 'SELECT * FROM bindings WHERE tenant_id = $1 AND binding_id = $2', [tenantId, bindingId]);
  return r && bindingFromRow(r);
}

export async function listBindings(sql: Sql, tenantId: string, f: BindingFilter): Promise<BindingRow[]> {
  const found = await rows(
    sql,
    `SELECT * FROM bindings
      WHERE tenant_id = $1
        AND ($2::text IS NULL OR state = $2)
        AND ($3::text IS NULL OR tool_name = $3)
        AND ($4::text IS NULL OR work_order_id = $4)
        AND ($5::text IS NULL OR binding_id < $5)
      ORDER BY binding_id DESC LIMIT $6`,
    [tenantId, f.state ?? null, f.tool ?? null, f.work_order_id ?? null, f.cursor ?? null, f.limit],
  );
  return found.map(bindingFromRow);
}

/**
 * Picks runnable rows (priority first, then oldest) and leases each with a fresh token. SKIP LOCKED:
 * concurrent claimers in any process pass over each other's rows instead of waiting or double-leasing.
 * Two statements because a token needs the binding's next attempt number before it can be minted.
 */
export async function claim(
  sql: Sql,
  req: ClaimRequest,
  mint: (bindingId: string, attempt: number) => MintedToken,
): Promise<{ row: BindingRow; token: string }[]> {
  if (req.tools.length === 0 || req.limit <= 0) return [];
  const picked = await rows<{ binding_id: string; attempt: number }>(
    sql,
    `SELECT binding_id, attempt FROM bindings
      WHERE state = 'queued' AND run_at <= $1
        AND tool_name = ANY($2::text[])
        AND ($3::text IS NULL OR tenant_id = $3)
      ORDER BY priority DESC, run_at, binding_id
      LIMIT $4
      FOR UPDATE SKIP LOCKED`,
    [req.now, req.tools, req.tenantId ?? null, req.limit],
  );
  if (picked.length === 0) return [];
  const minted = picked.map((p) => mint(p.binding_id, p.attempt + 1));
  const leased = await rows(
    sql,
    `UPDATE bindings b
        SET state = 'leased', attempt = u.attempt, lease_expires_at = $1 + b.heartbeat_timeout_ms,
            lease_owner = $2, heartbeat_at = NULL, token_id = u.token_id, token_hash = u.token_hash,
            first_leased_at = COALESCE(b.first_leased_at, $1), updated_at = $1
       FROM unnest($3::text[], $4::int[], $5::text[], $6::text[]) AS u(binding_id, attempt, token_id, token_hash)
      WHERE b.binding_id = u.binding_id
      RETURNING b.*`,
    [
      req.now,
      req.leaseOwner,
      picked.map((p) => p.binding_id),
      picked.map((p) => p.attempt + 1),
      minted.map((m) => m.tokenId),
      minted.map((m) => m.tokenHash),
    ],
  );
  // RETURNING has no defined order: answer in the claim's order.
  const byId = new Map(leased.map((r) => [r.binding_id as string, bindingFromRow(r)]));
  return picked.map((p, i) => ({ row: byId.get(p.binding_id)!, token: minted[i]!.token }));
}

/** Expired leases, locked; rows another reaper is handling are skipped, not waited for. */
export async function expiredLeases(sql: Sql, now: number, limit: number): Promise<BindingRow[]> {
  const found = await rows(
    sql,
    `SELECT * FROM bindings WHERE state = 'leased' AND lease_expires_at < $1
      ORDER BY lease_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return found.map(bindingFromRow);
}

/** Leased bindings held by `owner`, locked (a report in flight for one is waited for, then re-checked). */
export async function leasedBy(sql: Sql, owner: string, limit: number): Promise<BindingRow[]> {
  const found = await rows(sql, `SELECT * FROM bindings WHERE state = 'leased' AND lease_owner = $1 LIMIT $2 FOR UPDATE`, [owner, limit]);
  return found.map(bindingFromRow);
}

/** Retries that are due, locked; rows another reaper is handling are skipped, not waited for. */
export async function pastDeadline(sql: Sql, now: number, limit: number): Promise<BindingRow[]> {
  const found = await rows(
    sql,
    `SELECT * FROM bindings WHERE deadline IS NOT NULL AND state IN ('queued', 'retry_wait') AND deadline < $1
      LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return found.map(bindingFromRow);
}

export async function dueRetries(sql: Sql, now: number, limit: number): Promise<BindingRow[]> {
  const found = await rows(
    sql,
    `SELECT * FROM bindings WHERE state = 'retry_wait' AND next_retry_at <= $1
      ORDER BY next_retry_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return found.map(bindingFromRow);
}

export async function queueCounts(sql: Sql, tenantId?: string): Promise<QueueCounts[]> {
  return rows<QueueCounts & Record<string, unknown>>(
    sql,
    `SELECT state, tool_name AS tool, COUNT(*) AS count FROM bindings
      WHERE ($1::text IS NULL OR tenant_id = $1) GROUP BY state, tool_name ORDER BY tool_name, state`,
    [tenantId ?? null],
  );
}
