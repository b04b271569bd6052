/** SQLite: the bindings table — insert, lock, patch, claim, and the queue's scans. */
import type { MintedToken } from '../../queue/task-token.js';
import { PAUSED_TOOLS_SWITCH, type BindingFilter, type BindingPatch, type BindingRow, type ClaimRequest, type QueueCounts } from '../types.js';
import { leasePatch } from '../lease.js';
import { bindingFromRow, bindingToParams } from './codec.js';
import type { Prepare } from './open.js';

const COLUMNS = [
  'binding_id', 'tenant_id', 'work_order_id', 'tool_name', 'tool_version', 'operation', 'routing', 'command_id',
  'state', 'attempt', 'max_attempts', 'priority', 'heartbeat_timeout_ms', 'run_at', 'lease_expires_at', 'lease_owner',
  'heartbeat_at', 'next_retry_at', 'token_id', 'token_hash', 'progress', 'replay_of', 'cancel_requested', 'last_error',
  'deadline', 'first_leased_at', 'finished_at', 'created_at', 'updated_at',
] as const;

const INSERT = `INSERT INTO bindings (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => '@' + c).join(', ')})`;

export function insertBinding(p: Prepare, row: BindingRow): void {
  p(INSERT).run(bindingToParams(row));
}

export function lockBinding(p: Prepare, bindingId: string): BindingRow | undefined {
  // The write connection holds the database's one write lock (BEGIN IMMEDIATE): reading is locking.
  const r = p('SELECT * FROM bindings WHERE binding_id = ?').get(bindingId) as Record<string, unknown> | undefined;
  return r && bindingFromRow(r);
}

/** The bindings that exist among `ids`, in binding_id order; reading is locking here too. */
export function lockBindings(p: Prepare, ids: string[]): BindingRow[] {
  const rows = p('SELECT * FROM bindings WHERE binding_id IN (SELECT value FROM json_each(?)) ORDER BY binding_id').all(
    JSON.stringify([...new Set(ids)]),
  ) as Record<string, unknown>[];
  return rows.map(bindingFromRow);
}

export function updateBinding(p: Prepare, bindingId: string, patch: BindingPatch): void {
  const keys = Object.keys(patch).sort();
  if (keys.length === 0) return;
  const sql = `UPDATE bindings SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE binding_id = @binding_id`;
  p(sql).run({ ...bindingToParams(patch), binding_id: bindingId });
}

export function getBinding(p: Prepare, tenantId: string, bindingId: string): BindingRow | undefined {
  const r = p('SELECT * FROM bindings WHERE tenant_id = ? AND binding_id = ?').get(tenantId, bindingId) as
    | Record<string, unknown>
    | undefined;
  return r && bindingFromRow(r);
}

export function listBindings(p: Prepare, tenantId: string, f: BindingFilter): BindingRow[] {
  const rows = p(
    `SELECT * FROM bindings
      WHERE tenant_id = @tenant
        AND (@state IS NULL OR state = @state)
        AND (@tool IS NULL OR tool_name = @tool)
        AND (@wo IS NULL OR work_order_id = @wo)
        AND (@cursor IS NULL OR binding_id < @cursor)
      ORDER BY binding_id DESC LIMIT @limit`,
  ).all({
    tenant: tenantId,
    state: f.state ?? null,
    tool: f.tool ?? null,
    wo: f.work_order_id ?? null,
    cursor: f.cursor ?? null,
    limit: f.limit,
  }) as Record<string, unknown>[];
  return rows.map(bindingFromRow);
}

/**
 * Runnable rows in claim order. INDEXED BY: walk the runnable index in claim order and stop at
 * LIMIT; left to itself the planner picks bindings_state_tool and sorts every queued row — O(queue
 * depth) per claim.
 */
export const CLAIM_CANDIDATES = `SELECT * FROM bindings INDEXED BY bindings_runnable
      WHERE state = 'queued' AND run_at <= @now
        AND tool_name IN (SELECT value FROM json_each(@tools))
        AND tool_name NOT IN (SELECT j.value FROM switches s, json_each(s.value) j WHERE s.name = '${PAUSED_TOOLS_SWITCH}')
        AND (@tenant IS NULL OR tenant_id = @tenant)
      ORDER BY priority DESC, run_at, binding_id
      LIMIT @limit`;

/** Picks runnable rows (priority first, then oldest) and leases each with a fresh token. */
export function claim(
  p: Prepare,
  req: ClaimRequest,
  mint: (bindingId: string, attempt: number) => MintedToken,
): { row: BindingRow; token: string }[] {
  if (req.tools.length === 0 || req.limit <= 0) return [];
  const candidates = p(CLAIM_CANDIDATES).all({ now: req.now, tools: JSON.stringify(req.tools), tenant: req.tenantId ?? null, limit: req.limit }) as Record<
    string,
    unknown
  >[];
  // The patch is applied only to a row still queued: the read above and this write are one transaction.
  const lease = p(
    `UPDATE bindings SET state = @state, attempt = @attempt, lease_expires_at = @lease_expires_at,
        lease_owner = @lease_owner, heartbeat_at = @heartbeat_at, token_id = @token_id, token_hash = @token_hash,
        first_leased_at = @first_leased_at, updated_at = @updated_at
      WHERE binding_id = @binding_id AND state = 'queued'`,
  );
  return candidates.map((raw) => {
    const row = bindingFromRow(raw);
    const minted = mint(row.binding_id, row.attempt + 1);
    const patch = leasePatch(row, req, minted);
    lease.run({ ...patch, binding_id: row.binding_id });
    return { token: minted.token, row: { ...row, ...patch } };
  });
}

export function expiredLeases(p: Prepare, now: number, limit: number): BindingRow[] {
  const rows = p(
    `SELECT * FROM bindings WHERE state = 'leased' AND lease_expires_at < ? ORDER BY lease_expires_at LIMIT ?`,
  ).all(now, limit) as Record<string, unknown>[];
  return rows.map(bindingFromRow);
}

export function leasedBy(p: Prepare, owner: string, limit: number): BindingRow[] {
  const rows = p(`SELECT * FROM bindings WHERE state = 'leased' AND lease_owner = ? LIMIT ?`).all(owner, limit) as Record<string, unknown>[];
  return rows.map(bindingFromRow);
}

export function pastDeadline(p: Prepare, now: number, limit: number): BindingRow[] {
  const rows = p(
    `SELECT * FROM bindings WHERE deadline IS NOT NULL AND state IN ('queued', 'retry_wait') AND deadline < ? LIMIT ?`,
  ).all(now, limit) as Record<string, unknown>[];
  return rows.map(bindingFromRow);
}

export function dueRetries(p: Prepare, now: number, limit: number): BindingRow[] {
  const rows = p(
    `SELECT * FROM bindings WHERE state = 'retry_wait' AND next_retry_at <= ? ORDER BY next_retry_at LIMIT ?`,
  ).all(now, limit) as Record<string, unknown>[];
  return rows.map(bindingFromRow);
}

export function queueCounts(p: Prepare, tenantId?: string): QueueCounts[] {
  return p(
    `SELECT state, tool_name AS tool, COUNT(*) AS count FROM bindings
      WHERE (@tenant IS NULL OR tenant_id = @tenant) GROUP BY state, tool_name ORDER BY tool_name, state`,
  ).all({ tenant: tenantId ?? null }) as QueueCounts[];
}
